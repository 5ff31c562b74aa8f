/* What each request of a proxy case became, as JSON for the report's
 * "requests" key (docs/proxies.md): the response the client got and what
 * the recording backend received, byte for byte, so that the views of one
 * request through several proxies can be compared. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_case.h"

/* STDIN bytes written per backend request; the total is always given. */
#define JSON_STDIN_KEEP (64u << 10)

/* A JSON string of bytes in the differential views' form (buf.h). */
static void json_bytes(bytebuf *out, const uint8_t *p, size_t n) {
  bytebuf esc = {0};
  bytebuf_escape_bytes(&esc, p, n);
  bytebuf_byte(out, '"');
  for (size_t i = 0; i < esc.len; i++) {
    if (esc.p[i] == '"' || esc.p[i] == '\\')
      bytebuf_byte(out, '\\');
    bytebuf_byte(out, esc.p[i]);
  }
  bytebuf_byte(out, '"');
  bytebuf_free(&esc);
}

static void json_text(bytebuf *out, const char *s) {
  json_bytes(out, (const uint8_t *)s, strlen(s));
}

static const char *yes(int b) { return b ? "true" : "false"; }

/* The offset of the first record of connection c that arrived after the
 * case began: rules broken before it belong to earlier cases. */
static uint64_t case_start(const rec_conn *c, int64_t t0) {
  for (size_t i = 0; i < c->nrecords; i++)
    if (c->records[i].t >= t0)
      return c->records[i].offset;
  return UINT64_MAX;
}

/* "broken": the rules of the spec broken on q's connection while the case
 * ran, one "NAME at byte N" each. */
static void json_broken(const px_case *pc, const rec_conn *c, bytebuf *out) {
  uint64_t from = case_start(c, pc->t0);
  bytebuf_str(out, "\"broken\": [");
  if (!c->violations.len) { /* its p may be NULL: no arithmetic on it */
    bytebuf_byte(out, ']');
    return;
  }
  size_t n = 0;
  const char *p = (const char *)c->violations.p;
  const char *end = p + c->violations.len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
    size_t sp = len; /* the number after the line's last space */
    while (sp && p[sp - 1] != ' ')
      sp--;
    if (strtoull(p + sp, NULL, 10) >= from) {
      bytebuf_str(out, n++ ? ", " : "");
      json_bytes(out, (const uint8_t *)p, len);
    }
    p += len + 1;
  }
  bytebuf_byte(out, ']');
}

/* The backend request's fields: its header, params in arrival order,
 * STDIN, and the rules its connection broke. */
static void json_backend(const px_case *pc, const rec_state *rs,
                         const rec_request *q, bytebuf *out) {
  bytebuf_fmt(out,
              "\"backend\": {\"connection\": %zu, \"id\": %u, \"role\": %u, "
              "\"flags\": %u, \"params_ended\": %s, \"params\": [",
              q->conn + 1, q->id, q->role, q->flags, yes(q->params_done));
  for (size_t i = 0; i < q->nparams; i++) {
    bytebuf_str(out, i ? ", [" : "[");
    json_bytes(out, q->params[i].name.p, q->params[i].name.len);
    bytebuf_str(out, ", ");
    json_bytes(out, q->params[i].value.p, q->params[i].value.len);
    bytebuf_byte(out, ']');
  }
  bytebuf_str(out, "], \"stdin\": ");
  json_bytes(out, q->in.p,
             q->in.len < JSON_STDIN_KEEP ? q->in.len : JSON_STDIN_KEEP);
  bytebuf_fmt(out,
              ", \"stdin_total\": %" PRIu64 ", \"stdin_ended\": %s, "
              "\"aborted\": %s, \"cut\": %s, ",
              q->in_total, yes(q->in_done), yes(q->aborted), yes(q->cut));
  json_broken(pc, &rs->conns[q->conn], out);
  bytebuf_byte(out, '}');
}

/* The client's side of request k: its final response's status line, or
 * null, and how its connection ended. */
static void json_client(const px_case *pc, size_t k, bytebuf *out) {
  const http_response *r = px_response(pc, k);
  const http_conn *h = px_conn(pc, k);
  bytebuf_str(out, "\"response\": ");
  if (r) {
    const uint8_t *nl = memchr(r->head.p, '\n', r->head.len);
    size_t line = nl ? (size_t)(nl - r->head.p) : r->head.len;
    if (line && r->head.p[line - 1] == '\r')
      line--;
    bytebuf_str(out, "{\"status_line\": ");
    json_bytes(out, r->head.p, line);
    bytebuf_fmt(
        out, ", \"status\": %d, \"complete\": %s, \"body_bytes\": %" PRIu64 "}",
        r->status, yes(r->complete), r->body_total);
  } else {
    bytebuf_str(out, "null");
  }
  bytebuf_fmt(out, ", \"closed\": %s, \"client_error\": ", yes(h->eof));
  json_text(out, h->error);
}

/* A backend request of the case that carries none of its markers. */
static int unmarked(const px_case *pc, const rec_request *q) {
  for (size_t k = 0; k < pc->nreqs; k++)
    for (size_t j = 0; j < q->nparams; j++)
      if (rec_marker_in(&q->params[j].value, pc->reqs[k].marker))
        return 0;
  return 1;
}

void px_requests_json(const px_case *pc, const rec_state *rs, bytebuf *out) {
  bytebuf_byte(out, '[');
  size_t n = 0;
  for (size_t k = 1; k <= pc->nreqs; k++) {
    const rec_request *q = px_find(pc, rs, k);
    bytebuf_fmt(out, "%s{\"request\": %zu, \"marker\": ", n++ ? ", " : "", k);
    json_text(out, pc->reqs[k - 1].marker);
    bytebuf_fmt(out, ", \"forwarded\": %s, ", yes(q != NULL));
    json_client(pc, k, out);
    if (q) {
      bytebuf_str(out, ", ");
      json_backend(pc, rs, q, out);
    }
    bytebuf_byte(out, '}');
  }
  /* Backend requests without a marker of the case: smuggled or split off
   * another request; "request" 0 names none. */
  for (size_t i = pc->req_from; i < rs->nreqs; i++) {
    if (!unmarked(pc, &rs->reqs[i]))
      continue;
    bytebuf_str(out, n++ ? ", {" : "{");
    bytebuf_str(out, "\"request\": 0, \"forwarded\": true, ");
    json_backend(pc, rs, &rs->reqs[i], out);
    bytebuf_byte(out, '}');
  }
  bytebuf_byte(out, ']');
}
