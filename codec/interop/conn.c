#define _POSIX_C_SOURCE 200809L

#include "conn.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RECV_CHUNK 16384

/* What an await loop is waiting for. */
typedef struct target {
  interop_reply *reply; /* END_REQUEST for reply->id */
  interop_mgmt *mgmt;   /* a management reply */
  int done;
} target;

int conn_open(interop_conn *c, int fd, int timeout_ms) {
  memset(c, 0, sizeof(*c));
  c->fd = fd;
  c->timeout_ms = timeout_ms;
  size_t memlen = fcs_assembler_memory_size(NULL);
  c->lenient_mem = malloc(memlen);
  if (!c->lenient_mem ||
      fcs_assembler_init(&c->lenient, FCS_SIDE_CLIENT, FCS_LENIENT, NULL,
                         c->lenient_mem, memlen) != FCS_E_OK) {
    fprintf(stderr, "cannot set up the lenient assembler\n");
    return -1;
  }
  return 0;
}

void conn_close(interop_conn *c) {
  if (c->fd >= 0)
    close(c->fd);
  c->fd = -1;
  buf_free(&c->transcript);
  free(c->lenient_mem);
  c->lenient_mem = NULL;
}

int conn_send(interop_conn *c, const interop_buf *b) {
  for (size_t sent = 0; sent < b->len;) {
    ssize_t n = send(c->fd, b->data + sent, b->len - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      fprintf(stderr, "send failed after %zu of %zu bytes: %s\n", sent, b->len,
              strerror(errno));
      return -1;
    }
    sent += (size_t)n;
  }
  return 0;
}

int conn_begin(interop_conn *c, uint16_t id, uint8_t flags) {
  fcs_err e = fcs_assembler_begin(&c->lenient, id, FCS_RESPONDER, flags);
  if (e == FCS_E_OK)
    return 0;
  fprintf(stderr, "cannot begin request %u: %s\n", id, fcs_err_name(e));
  return -1;
}

/* Appends what the socket has within the timeout. Returns the byte count,
 * 0 at EOF, -1 on timeout or error (message printed). */
static ssize_t receive(interop_conn *c, const char *waiting_for) {
  struct pollfd p = {c->fd, POLLIN, 0};
  int ready;
  do
    ready = poll(&p, 1, c->timeout_ms);
  while (ready < 0 && errno == EINTR);
  if (ready == 0) {
    fprintf(stderr,
            "no data from the application within %d ms while "
            "waiting for %s (%zu bytes received so far)\n",
            c->timeout_ms, waiting_for, c->transcript.len);
    return -1;
  }
  if (ready < 0) {
    fprintf(stderr, "poll failed while waiting for %s: %s\n", waiting_for,
            strerror(errno));
    return -1;
  }
  uint8_t *at = buf_extend(&c->transcript, RECV_CHUNK);
  ssize_t n;
  do
    n = recv(c->fd, at, RECV_CHUNK, 0);
  while (n < 0 && errno == EINTR);
  c->transcript.len -= RECV_CHUNK - (n > 0 ? (size_t)n : 0);
  if (n < 0)
    fprintf(stderr, "recv failed while waiting for %s: %s\n", waiting_for,
            strerror(errno));
  if (n == 0)
    c->eof = 1;
  return n;
}

static void on_stream(interop_reply *r, const fcs_asm_event *ev) {
  int out = ev->record_type == FCS_STDOUT;
  if (ev->type == FCS_AE_STREAM_DATA)
    buf_append(out ? &r->out : &r->err, ev->data, ev->len);
  else if (out)
    r->out_closed = 1;
  else
    r->err_closed = 1;
}

/* Handles one lenient event; returns -1 on a fatal error. */
static int on_event(const fcs_asm_event *ev, target *t) {
  switch (ev->type) {
  case FCS_AE_STREAM_DATA:
  case FCS_AE_STREAM_END:
    if (t->reply && ev->request_id == t->reply->id)
      on_stream(t->reply, ev);
    return 0;
  case FCS_AE_END_REQUEST:
    if (t->reply && ev->request_id == t->reply->id) {
      t->reply->end = ev->end;
      t->done = 1;
    }
    return 0;
  case FCS_AE_GET_VALUES_RESULT:
  case FCS_AE_UNKNOWN_TYPE:
    if (t->mgmt) {
      t->mgmt->type = ev->record_type;
      buf_append(&t->mgmt->pairs, ev->data, ev->len);
      t->done = 1;
    }
    return 0;
  case FCS_AE_IGNORED:
  case FCS_AE_UNKNOWN_RECORD:
    fprintf(stderr,
            "lenient decode: skipped record %llu (%s, id %u) at "
            "byte %llu: %s\n",
            (unsigned long long)ev->record, fcs_type_name(ev->record_type),
            ev->request_id, (unsigned long long)ev->offset,
            ev->type == FCS_AE_IGNORED ? fcs_err_message(ev->reason)
                                       : "record type unknown to a client");
    return 0;
  case FCS_AE_ERROR:
    fprintf(stderr,
            "lenient decode failed: %s (%s) at byte %llu, record "
            "%llu (%s, id %u)\n",
            fcs_err_name(ev->error.code), fcs_err_message(ev->error.code),
            (unsigned long long)ev->error.offset,
            (unsigned long long)ev->error.record, fcs_type_name(ev->error.type),
            ev->error.request_id);
    return -1;
  default:
    return 0;
  }
}

/* Feeds the lenient assembler until t is done, reading as needed. */
static int await(interop_conn *c, target *t, const char *waiting_for,
                 interop_span *span) {
  span->start = c->fed;
  while (!t->done) {
    if (c->fed == c->transcript.len) {
      ssize_t n = receive(c, waiting_for);
      if (n < 0)
        return -1;
      if (n == 0) {
        fprintf(stderr,
                "the application closed the connection while %s "
                "was awaited (%zu bytes received)\n",
                waiting_for, c->transcript.len);
        return -1;
      }
      continue;
    }
    fcs_asm_event ev;
    c->fed += fcs_assembler_feed(&c->lenient, c->transcript.data + c->fed,
                                 c->transcript.len - c->fed, &ev);
    if (on_event(&ev, t))
      return -1;
  }
  span->end = c->fed;
  return 0;
}

int conn_await_reply(interop_conn *c, interop_reply *r, interop_span *span) {
  target t = {r, NULL, 0};
  char what[64];
  snprintf(what, sizeof(what), "END_REQUEST of request %u", r->id);
  return await(c, &t, what, span);
}

int conn_await_mgmt(interop_conn *c, interop_mgmt *m, interop_span *span) {
  target t = {NULL, m, 0};
  return await(c, &t, "the GET_VALUES reply", span);
}

int conn_expect_silence(interop_conn *c, int ms) {
  struct pollfd p = {c->fd, POLLIN, 0};
  int ready = 1;
  if (c->fed == c->transcript.len) {
    do
      ready = poll(&p, 1, ms);
    while (ready < 0 && errno == EINTR);
    if (ready == 0)
      return 0;
  }
  ssize_t n = c->fed < c->transcript.len ? 1 : receive(c, "silence");
  fprintf(stderr, "%s within %d ms where nothing was expected\n",
          n == 0 ? "the connection closed" : "bytes arrived", ms);
  return -1;
}

int conn_await_eof(interop_conn *c) {
  size_t before = c->transcript.len;
  while (!c->eof) {
    if (receive(c, "the connection to close") < 0)
      return -1;
  }
  if (c->transcript.len == before && c->fed == before)
    return 0;
  fprintf(stderr,
          "%zu unexpected bytes after the last reply, before the "
          "connection closed:\n",
          c->transcript.len - c->fed);
  target none = {NULL, NULL, 0};
  while (c->fed < c->transcript.len) {
    fcs_asm_event ev;
    c->fed += fcs_assembler_feed(&c->lenient, c->transcript.data + c->fed,
                                 c->transcript.len - c->fed, &ev);
    if (on_event(&ev, &none) || ev.type == FCS_AE_NONE)
      break;
  }
  return -1;
}

void reply_free(interop_reply *r) {
  buf_free(&r->out);
  buf_free(&r->err);
}

void mgmt_free(interop_mgmt *m) { buf_free(&m->pairs); }
