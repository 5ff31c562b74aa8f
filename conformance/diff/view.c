#include "view.h"

#include <string.h>

#include "clock.h"

/* A BEGIN_REQUEST on id 0 begins no request (the assembler refuses it):
 * it is a management record of an unknown type, counted apart. */
static void declare(void *ctx, uint16_t id, uint16_t role, uint8_t flags) {
  view_run *v = ctx;
  if (id)
    replies_begin(&v->conn.replies, id, role, flags);
  else
    v->id0_begun++;
}

/* Answers on the management id to a BEGIN_REQUEST sent there: an
 * UNKNOWN_TYPE naming it (the spec's answer to a non-management type on
 * id 0), or an END_REQUEST on id 0. */
static size_t id0_answers(const fsp_replies *r) {
  size_t n = 0;
  for (size_t i = 0; i < r->nmgmt; i++)
    n += r->mgmt[i].type == FCS_UNKNOWN_TYPE &&
         r->mgmt[i].unknown.type == FCS_BEGIN_REQUEST;
  for (size_t i = 0; i < r->nbreach; i++)
    n += r->breach[i].type == FCS_END_REQUEST && r->breach[i].id == 0;
  return n;
}

/* Every request begun in the stream has its END_REQUEST, and each asked
 * to keep the connection, and every BEGIN_REQUEST on id 0 is answered
 * there (whatever its flags: a management record leaves the connection
 * open): nothing more is due and the backend may not close. */
static int all_answered(const view_run *v) {
  const fsp_replies *r = &v->conn.replies;
  if (!r->nbegun && !v->id0_begun)
    return 0;
  if (id0_answers(r) < v->id0_begun)
    return 0;
  for (size_t i = 0; i < r->nbegun; i++) {
    size_t nth = 0, ended = 0;
    for (size_t j = 0; j < i; j++)
      nth += r->begun[j].id == r->begun[i].id;
    for (size_t j = 0; j < r->n; j++)
      ended += r->v[j].id == r->begun[i].id && r->v[j].ended;
    if (ended <= nth || !(r->begun[i].flags & FCS_KEEP_CONN))
      return 0;
  }
  return 1;
}

void *view_exchange(void *arg) {
  view_run *v = arg;
  int64_t start = now_ms(), timeout = v->timeout_ms;
  trace_init(&v->trace);
  sent_init(&v->sent);
  if (conn_open(&v->conn, &v->t->addr, &v->trace, start + timeout, v->err,
                sizeof(v->err))) {
    v->refused = 1;
    v->ended_by = "refused";
    v->ms = now_ms() - start;
    return NULL;
  }
  sent_feed(&v->sent, v->bytes.p, v->bytes.len, declare, v);
  conn_write(&v->conn, v->bytes.p, v->bytes.len, 0, start + timeout);
  /* Progress restarts the timeout, up to a cap against trickling. */
  int64_t wrote = now_ms(), cap = start + 20 * timeout;
  for (;;) {
    int64_t last = v->conn.last_rx > wrote ? v->conn.last_rx : wrote;
    int64_t until = last + timeout < cap ? last + timeout : cap;
    if (conn_done(&v->conn))
      v->ended_by = "closed";
    else if (all_answered(v))
      v->ended_by = "complete";
    else if (v->conn.rx_bytes > VIEW_READ_CAP)
      v->ended_by = "flood";
    else if (now_ms() >= until)
      v->ended_by = until == cap ? "cap" : "timeout";
    if (v->ended_by)
      break;
    conn_pump(&v->conn, until);
  }
  v->ms = now_ms() - start;
  return NULL;
}

void view_run_free(view_run *v) {
  conn_close(&v->conn);
  sent_free(&v->sent);
  trace_free(&v->trace);
  bytebuf_free(&v->bytes);
}
