#include "serve.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fcs/fcs.h"
#include "fcs_responder.h"

typedef struct mconn {
  int fd;
  fcs_responder *r;
  mutant_state m;
  bytebuf in, out; /* partial records, each direction */
  int failed;      /* a write failed: the peer is gone */
} mconn;

static void send_all(mconn *c, const uint8_t *p, size_t n) {
  while (n && !c->failed) {
    size_t piece = n;
    if (c->m.rule == M_TRICKLE) {
      piece = n < 7 ? n : 7;
      struct timespec ms = {0, 1000000};
      nanosleep(&ms, NULL);
    }
    ssize_t w = send(c->fd, p, piece, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      c->failed = 1;
      return;
    }
    p += w;
    n -= (size_t)w;
  }
}

/* Calls fn on every whole record at the front of b and removes it; at_eof
 * hands over a trailing partial record too. */
static void whole_records(mconn *c, bytebuf *b, int at_eof,
                          void (*fn)(mconn *, const uint8_t *, size_t)) {
  size_t at = 0;
  while (b->len - at >= FCS_HEADER_LEN) {
    fcs_header h;
    fcs_header_decode(b->p + at, &h);
    size_t total = FCS_HEADER_LEN + h.content_length + h.padding_length;
    if (b->len - at < total)
      break;
    fn(c, b->p + at, total);
    at += total;
  }
  if (at_eof && at < b->len) {
    fn(c, b->p + at, b->len - at);
    at = b->len;
  }
  if (at) {
    memmove(b->p, b->p + at, b->len - at);
    b->len -= at;
  }
}

static void emit(mconn *c, const uint8_t *rec, size_t len) {
  bytebuf wire = {0};
  if (len >= FCS_HEADER_LEN)
    rule_output(&c->m, rec, len, &wire);
  else
    bytebuf_add(&wire, rec, len);
  send_all(c, wire.p, wire.len);
  bytebuf_free(&wire);
}

/* Moves the responder's output through the output rule to the socket. */
static void drain(mconn *c) {
  for (;;) {
    const uint8_t *p;
    size_t n;
    fcs_responder_output(c->r, &p, &n);
    if (!n)
      return;
    bytebuf_add(&c->out, p, n);
    fcs_responder_output_consumed(c->r, n);
    whole_records(c, &c->out, 0, emit);
  }
}

static void to_responder(mconn *c, const uint8_t *p, size_t n) {
  while (n && !fcs_responder_should_close(c->r)) {
    size_t used = fcs_responder_input(c->r, p, n);
    p += used;
    n -= used;
    drain(c);
  }
}

static void accept_record(mconn *c, const uint8_t *rec, size_t len) {
  bytebuf app = {0}, direct = {0};
  if (len >= FCS_HEADER_LEN)
    rule_input(&c->m, rec, len, &app, &direct);
  else if (c->m.rule != M_HANG)
    bytebuf_add(&app, rec, len);
  send_all(c, direct.p, direct.len);
  to_responder(c, app.p, app.len);
  bytebuf_free(&app);
  bytebuf_free(&direct);
}

static void flood(mconn *c) {
  static uint8_t chunk[FCS_HEADER_LEN + 32768];
  fcs_header h = {FCS_VERSION_1, FCS_STDOUT, (uint16_t)c->m.flood_id,
                  32768,         0,          0};
  fcs_header_encode(&h, chunk);
  memset(chunk + FCS_HEADER_LEN, 'F', 32768);
  while (!c->failed)
    send_all(c, chunk, sizeof(chunk));
}

/* Half-close, then read what the peer still sends so the close does not
 * turn into a reset that could destroy replies it has not read yet. */
static void finish(int fd) {
  shutdown(fd, SHUT_WR);
  uint8_t sink[4096];
  struct pollfd p = {fd, POLLIN, 0};
  while (poll(&p, 1, 200) > 0 && read(fd, sink, sizeof(sink)) > 0)
    ;
  close(fd);
}

void serve_connection(int fd, mutant_rule rule) {
  fcs_responder_config cfg;
  fcs_responder_config_default(&cfg);
  mconn c = {.fd = fd, .r = fcs_responder_new(&cfg)};
  c.m.rule = rule;
  uint8_t buf[65536];
  while (c.r && !c.failed && !c.m.close_now &&
         !fcs_responder_should_close(c.r)) {
    if (c.m.flood_id) {
      flood(&c);
      break;
    }
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      whole_records(&c, &c.in, 1, accept_record);
      fcs_responder_input_eof(c.r);
      drain(&c);
      break;
    }
    bytebuf_add(&c.in, buf, (size_t)n);
    whole_records(&c, &c.in, 0, accept_record);
  }
  if (c.r)
    drain(&c);
  fcs_responder_free(c.r);
  bytebuf_free(&c.in);
  bytebuf_free(&c.out);
  finish(fd);
}
