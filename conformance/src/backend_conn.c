#include "backend_conn.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "xalloc.h"

void conn_init(fsp_conn *c, fsp_trace *trace) {
  memset(c, 0, sizeof(*c));
  c->fd = -1;
  c->trace = trace;
  fcs_decoder_init(&c->dec, FCS_LENIENT);
  replies_init(&c->replies, RX_BUDGET);
  c->last_rx = now_ms();
}

int conn_open(fsp_conn *c, const fsp_target *t, fsp_trace *trace,
              int64_t deadline, char *err, size_t errlen) {
  conn_init(c, trace);
  c->fd = target_connect(t, deadline, err, errlen);
  c->last_rx = now_ms();
  return c->fd < 0 ? -1 : 0;
}

void conn_close(fsp_conn *c) {
  if (c->fd >= 0)
    close(c->fd);
  free(c->recs);
  bytebuf_free(&c->arena);
  replies_free(&c->replies);
  memset(c, 0, sizeof(*c));
  c->fd = -1;
}

int conn_done(const fsp_conn *c) { return c->eof || c->garbage; }

int conn_speaks_text(const fsp_conn *c, char *why, size_t whylen) {
  if (c->nfirst < 8 || c->first[0] == FCS_VERSION_1)
    return 0;
  for (size_t i = 0; i < 8; i++)
    if ((c->first[i] < 0x20 || c->first[i] > 0x7e) && c->first[i] != '\r' &&
        c->first[i] != '\n' && c->first[i] != '\t')
      return 0;
  char text[sizeof(c->first) + 1];
  size_t n = 0;
  for (size_t i = 0; i < c->nfirst && c->first[i] >= 0x20 && c->first[i] < 0x7f;
       i++)
    text[n++] = (char)c->first[i];
  text[n] = 0;
  snprintf(why, whylen,
           "the target does not speak FastCGI (it answered with text: "
           "'%s...')",
           text);
  return 1;
}

const uint8_t *rx_content(const fsp_conn *c, const fsp_rx *r) {
  /* No content received yet: the arena is still NULL, and NULL + 0 is
   * undefined in C. */
  return c->arena.p ? c->arena.p + r->off : c->arena.p;
}

static void on_event(fsp_conn *c, const fcs_event *ev) {
  fsp_rx *r = c->nrecs ? &c->recs[c->nrecs - 1] : NULL;
  switch (ev->type) {
  case FCS_EV_HEADER:
    c->headers++;
    if (c->nrecs >= RX_MAX_RECORDS) {
      c->flooded = 1;
      return;
    }
    c->recs = xrealloc(c->recs, (c->nrecs + 1) * sizeof(fsp_rx));
    r = &c->recs[c->nrecs++];
    memset(r, 0, sizeof(*r));
    r->h = ev->header;
    r->off = c->arena.len;
    r->t = now_ms();
    break;
  case FCS_EV_CONTENT:
    if (c->flooded || !r)
      return;
    if (c->arena.len + ev->len > RX_BUDGET) {
      c->flooded = 1;
      return;
    }
    /* Content is appended in order, and only the newest record grows. */
    bytebuf_add(&c->arena, ev->data, ev->len);
    r->kept += (uint32_t)ev->len;
    break;
  case FCS_EV_RECORD_END:
    if (r && !c->flooded)
      r->complete = 1;
    break;
  case FCS_EV_ERROR:
    c->garbage = 1;
    c->garbage_err = ev->error;
    break;
  default:
    break;
  }
}

/* Feeds until the decoder reports NONE: events that consume nothing (the
 * end of a record whose last byte was in this read) still come out. */
static void feed(fsp_conn *c, const uint8_t *p, size_t len) {
  while (!c->garbage) {
    fcs_event ev;
    size_t used = fcs_decoder_feed(&c->dec, p, len, &ev);
    p += used;
    len -= used;
    if (ev.type == FCS_EV_NONE)
      break;
    on_event(c, &ev);
  }
}

void conn_ingest(fsp_conn *c, const uint8_t *p, size_t len) {
  size_t room = sizeof(c->first) - c->nfirst;
  memcpy(c->first + c->nfirst, p, len < room ? len : room);
  c->nfirst += len < room ? len : room;
  c->rx_bytes += len;
  c->last_rx = now_ms();
  trace_add(c->trace, TR_RECV, p, len);
  feed(c, p, len);
  replies_feed(&c->replies, p, len);
}

void conn_ingest_end(fsp_conn *c, int reset) {
  c->eof = 1;
  trace_note(c->trace, reset ? "connection reset" : "EOF from backend");
}

/* One read; 1 when bytes or EOF arrived. */
static int read_some(fsp_conn *c) {
  uint8_t buf[65536];
  ssize_t n = read(c->fd, buf, sizeof(buf));
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return 0;
  if (n <= 0)
    conn_ingest_end(c, n < 0);
  else
    conn_ingest(c, buf, (size_t)n);
  return 1;
}

int conn_pump(fsp_conn *c, int64_t until) {
  if (c->eof)
    return 0;
  int64_t left = until - now_ms();
  if (left < 0)
    left = 0;
  struct pollfd p = {c->fd, POLLIN, 0};
  int rc = poll(&p, 1, (int)left);
  if (rc <= 0)
    return 0;
  return read_some(c);
}

int conn_write(fsp_conn *c, const uint8_t *data, size_t len, size_t chunk,
               int64_t deadline) {
  size_t at = 0;
  if (chunk == 0)
    chunk = len;
  while (at < len) {
    if (c->write_fail)
      return -1;
    int64_t left = deadline - now_ms();
    if (left <= 0)
      return -1;
    struct pollfd p = {c->fd, POLLOUT | (c->eof ? 0 : POLLIN), 0};
    if (poll(&p, 1, (int)left) <= 0)
      continue;
    if (p.revents & POLLIN)
      read_some(c);
    if (!(p.revents & (POLLOUT | POLLERR | POLLHUP)))
      continue;
    size_t n = len - at < chunk ? len - at : chunk;
    ssize_t w = send(c->fd, data + at, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno == EAGAIN || errno == EINTR)
        continue;
      c->write_fail = 1;
      trace_note(c->trace, "write failed: the backend closed or reset");
      return -1;
    }
    trace_add(c->trace, TR_SENT, data + at, (size_t)w);
    at += (size_t)w;
  }
  return 0;
}

void conn_shutdown_write(fsp_conn *c) {
  shutdown(c->fd, SHUT_WR);
  trace_note(c->trace, "runner half-closed its side");
}
