#include "exchange.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "clock.h"
#include "request.h"
#include "xalloc.h"

/* After END_REQUEST without KEEP_CONN the backend must close: reading on
 * this long shows what else it sends (a second END_REQUEST, ...). */
#define LINGER_MS 200

typedef struct reply {
  fcs_assembler as;
  void *mem;
  fcs_decoder trace; /* -v: where each record starts */
  output *out;
  int stopped; /* the bytes no longer frame as records */
} reply;

static void reply_open(reply *rp, const opts *o, output *out) {
  /* Nothing is kept: STDOUT and STDERR pass through as they arrive. */
  fcs_limits l = {.max_params_bytes = 1, .max_requests = 1};
  size_t n = fcs_assembler_memory_size(&l);
  memset(rp, 0, sizeof(*rp));
  rp->mem = xmalloc(n);
  rp->out = out;
  fcs_decoder_init(&rp->trace, FCS_LENIENT);
  if (fcs_assembler_init(&rp->as, FCS_SIDE_CLIENT, FCS_LENIENT, &l, rp->mem,
                         n) != FCS_E_OK ||
      fcs_assembler_observe(&rp->as, 1) != FCS_E_OK ||
      fcs_assembler_begin(&rp->as, o->id, o->role,
                          o->keep ? FCS_KEEP_CONN : 0) != FCS_E_OK) {
    fprintf(stderr, "fcgi-curl: cannot set up the reply reader\n");
    exit(1);
  }
}

static void on_end_request(reply *rp, const fcs_end_body *e) {
  outcome *r = rp->out->r;
  verbose_end_request(rp->out->v, e);
  r->ended = 1;
  r->end = *e;
  if (e->protocol_status != FCS_REQUEST_COMPLETE)
    output_error(rp->out, 0, "request refused: %s (protocolStatus %u)",
                 fcs_protocol_status_name(e->protocol_status),
                 e->protocol_status);
}

/* An input error: fatal before END_REQUEST, a broken rule after it. */
static void on_error(reply *rp, const fcs_error *e) {
  rp->stopped = 1;
  if (rp->out->r->ended)
    output_warning(rp->out, e);
  else
    output_error(rp->out, EXIT_PROTOCOL,
                 "bad bytes from the backend: %s at byte %llu",
                 fcs_err_message(e->code), (unsigned long long)e->offset);
}

static void assemble(reply *rp, const uint8_t *p, size_t len) {
  while (!rp->stopped) {
    fcs_asm_event ev;
    size_t u = fcs_assembler_feed(&rp->as, p, len, &ev);
    p += u, len -= u;
    if (ev.type != FCS_AE_ERROR && ev.error.code != FCS_E_OK)
      output_warning(rp->out, &ev.error);
    switch (ev.type) {
    case FCS_AE_NONE:
      return;
    case FCS_AE_STREAM_DATA:
      if (ev.record_type == FCS_STDOUT)
        output_stdout(rp->out, ev.data, ev.len);
      else
        output_stderr(rp->out, ev.data, ev.len);
      break;
    case FCS_AE_END_REQUEST:
      on_end_request(rp, &ev.end);
      break;
    case FCS_AE_ERROR:
      on_error(rp, &ev.error);
      break;
    default:
      break;
    }
  }
}

/* With -v the bytes go to the assembler a record part at a time, so each
 * record's header line comes before what the assembler makes of it. */
static void reply_feed(reply *rp, const uint8_t *p, size_t len) {
  if (!rp->out->v->on) {
    assemble(rp, p, len);
    return;
  }
  while (len > 0) {
    fcs_event ev;
    size_t u = fcs_decoder_feed(&rp->trace, p, len, &ev);
    if (ev.type == FCS_EV_HEADER)
      verbose_record(rp->out->v, '<', &ev.header);
    if (ev.type == FCS_EV_ERROR)
      u = len;
    assemble(rp, p, u);
    p += u, len -= u;
  }
}

/* The connection ended: a record cut short is one more broken rule. */
static void reply_eof(reply *rp) {
  fcs_asm_event ev;
  if (!rp->out->r->ended)
    output_error(rp->out, EXIT_PROTOCOL,
                 "the backend closed the connection before END_REQUEST");
  else if (!rp->stopped && fcs_assembler_finish(&rp->as, &ev) != FCS_E_OK)
    output_warning(rp->out, &ev.error);
}

static int send_request(const opts *o, output *out, int fd) {
  bytebuf req = {0};
  request_build(o, &req);
  verbose_params(out->v, &o->params);
  if (out->v->on) {
    fcs_decoder d;
    fcs_decoder_init(&d, FCS_LENIENT);
    fcs_event ev;
    for (size_t at = 0; at < req.len;) {
      at += fcs_decoder_feed(&d, req.p + at, req.len - at, &ev);
      if (ev.type == FCS_EV_HEADER)
        verbose_record(out->v, '>', &ev.header);
    }
  }
  int rc = 0;
  for (size_t at = 0; at < req.len && rc == 0;) {
    ssize_t w = write(fd, req.p + at, req.len - at);
    if (w <= 0) {
      output_error(out, EXIT_PROTOCOL, "cannot send the request: %s",
                   strerror(errno));
      rc = -1;
    }
    at += w > 0 ? (size_t)w : 0;
  }
  bytebuf_free(&req);
  return rc;
}

/* Reads until END_REQUEST (then on until the backend closes, for at most
 * LINGER_MS, unless KEEP_CONN asked it to stay open), a framing error, EOF
 * or the deadline. */
static void read_reply(const opts *o, output *out, int fd, int64_t deadline,
                       int64_t t0_us) {
  reply rp;
  reply_open(&rp, o, out);
  outcome *r = out->r;
  uint8_t buf[65536];
  while (!rp.stopped) {
    int64_t left = deadline - now_ms();
    if (left <= 0) {
      if (!r->ended)
        output_error(out, EXIT_PROTOCOL, "no END_REQUEST within --max-time");
      break;
    }
    struct timeval tv = {(time_t)(left / 1000),
                         (suseconds_t)(left % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue; /* EAGAIN: the timeout, checked above */
    if (n <= 0) {
      verbose_note(out->v, "the backend closed the connection");
      reply_eof(&rp);
      break;
    }
    if (r->t.first_byte < 0)
      r->t.first_byte = now_us() - t0_us;
    int ended = r->ended;
    reply_feed(&rp, buf, (size_t)n);
    if (!ended && r->ended) {
      if (o->keep)
        break;
      if (deadline > now_ms() + LINGER_MS)
        deadline = now_ms() + LINGER_MS;
    }
  }
  free(rp.mem);
}

void exchange_run(const opts *o, output *out, int64_t t0_us) {
  outcome *r = out->r;
  int64_t deadline = now_ms() + o->max_time_ms;
  char err[256];
  r->t = (timings){-1, -1, -1};
  verbose_note(out->v, "connecting to %s", o->target_name);
  int fd = target_connect(&o->target, deadline, err, sizeof(err));
  if (fd < 0) {
    output_error(out, EXIT_UNREACHABLE, "cannot connect to %s: %s",
                 o->target_name, err);
  } else {
    r->t.connect = now_us() - t0_us;
    verbose_note(out->v, "connected");
    if (send_request(o, out, fd) == 0)
      read_reply(o, out, fd, deadline, t0_us);
    close(fd);
  }
  r->t.total = now_us() - t0_us;
}
