/* One connection of the reference responder: feeds input to the app-side
 * assembler, turns its events into replies, and writes them to the bounded
 * output buffer. At most one reply that carries END_REQUEST is in progress
 * at a time; while it waits for output room, input is not read, which is
 * how back-pressure reaches the peer. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "echo.h"
#include "fcs/assembler.h"
#include "fcs_responder.h"
#include "knobs.h"
#include "layout.h"
#include "mgmt.h"
#include "outbuf.h"
#include "reply.h"
#include "stream.h"

/* What the responder keeps of a request beside the assembler's own record
 * of it: the echo of its STDIN and DATA, by the request's slot there. */
typedef struct echo_streams {
  fcsr_stream in, data;
} echo_streams;

/* The reply in progress and what to do once it is written. */
typedef struct pending {
  fcsr_reply reply;
  uint8_t keep_conn;
  uint8_t in_assembler; /* the id is active there: end it when done */
  uint8_t accepted;     /* a request taken, not refused: release it */
} pending;

struct fcs_responder {
  fcs_responder_config cfg;
  fcsr_layout layout;
  fcs_assembler assembler;
  void *assembler_mem;
  echo_streams *streams; /* one per assembler slot */
  uint32_t accepted;     /* requests taken and not yet answered */
  uint8_t *echo_mem;
  uint8_t *text;
  uint8_t *fixed; /* the fixed reply (cfg.body_bytes), built once */
  size_t fixed_len;
  uint8_t *output_mem;
  fcsr_outbuf out;
  pending pending;
  uint8_t close_after; /* a request with KEEP_CONN clear has ended */
  uint8_t done;        /* no more input will be read */
  uint8_t eof;
  uint8_t failed;
  fcs_error error;
  char error_text[160];
};

size_t fcs_responder_memory_size(const fcs_responder_config *cfg) {
  fcsr_layout l;
  fcsr_layout_compute(cfg, &l);
  return sizeof(fcs_responder) + (size_t)l.slots * sizeof(echo_streams) +
         l.buffer_bytes;
}

fcs_responder *fcs_responder_new(const fcs_responder_config *cfg) {
  if (fcs_responder_config_check(cfg))
    return NULL;
  fcs_responder *r = calloc(1, sizeof(*r));
  if (!r)
    return NULL;
  r->cfg = *cfg;
  fcsr_layout_compute(cfg, &r->layout);
  const fcsr_layout *l = &r->layout;
  r->assembler_mem = malloc(l->assembler_bytes);
  r->streams = calloc(l->slots, sizeof(echo_streams));
  r->echo_mem = malloc(l->echo_bytes ? l->echo_bytes : 1);
  r->text = malloc(l->text_bytes);
  r->output_mem = malloc(l->output_bytes);
  if (!r->assembler_mem || !r->streams || !r->echo_mem || !r->text ||
      !r->output_mem ||
      fcs_assembler_init(&r->assembler, FCS_SIDE_APP, FCS_STRICT, &l->limits,
                         r->assembler_mem, l->assembler_bytes) != FCS_E_OK) {
    fcs_responder_free(r);
    return NULL;
  }
  for (uint32_t i = 0; i < l->slots; i++) {
    uint8_t *echo = r->echo_mem + (size_t)i * 2 * cfg->echo_bytes;
    fcsr_stream_init(&r->streams[i].in, echo, cfg->echo_bytes);
    fcsr_stream_init(&r->streams[i].data, echo + cfg->echo_bytes,
                     cfg->echo_bytes);
  }
  if (cfg->body_bytes) {
    r->fixed = malloc(l->fixed_bytes);
    if (!r->fixed) {
      fcs_responder_free(r);
      return NULL;
    }
    int head = snprintf((char *)r->fixed, FCSR_FIXED_HEAD_MAX,
                        "Status: 200 OK\r\n"
                        "Content-Type: application/octet-stream\r\n"
                        "Content-Length: %" PRIu32 "\r\n\r\n",
                        cfg->body_bytes);
    for (uint32_t i = 0; i < cfg->body_bytes; i++)
      r->fixed[head + i] = (uint8_t)('a' + i % 26);
    r->fixed_len = (size_t)head + cfg->body_bytes;
  }
  fcsr_outbuf_init(&r->out, r->output_mem, l->output_bytes);
  return r;
}

void fcs_responder_free(fcs_responder *r) {
  if (!r)
    return;
  if (r->cfg.budget)
    r->cfg.budget->active -= r->accepted;
  free(r->assembler_mem);
  free(r->streams);
  free(r->echo_mem);
  free(r->text);
  free(r->fixed);
  free(r->output_mem);
  free(r);
}

/* The request the assembler holds under id, if active. Between replies
 * every active request is one the responder took: a refused one ends with
 * its reply, before more input is read. */
static const fcs_request *request(const fcs_responder *r, uint16_t id) {
  const fcs_request *q = fcs_assembler_request(&r->assembler, id);
  return q && q->active ? q : NULL;
}

static echo_streams *streams_of(fcs_responder *r, const fcs_request *q) {
  return &r->streams[q - r->assembler.req];
}

static void accept_request(fcs_responder *r, uint16_t id) {
  echo_streams *s = streams_of(r, request(r, id));
  fcsr_stream_reset(&s->in);
  fcsr_stream_reset(&s->data);
  r->accepted++;
  if (r->cfg.budget)
    r->cfg.budget->active++;
}

/* ---- replies ---------------------------------------------------------- */

static void finish_reply(fcs_responder *r) {
  pending *p = &r->pending;
  if (p->in_assembler)
    fcs_assembler_end(&r->assembler, p->reply.id);
  if (p->accepted) {
    r->accepted--;
    if (r->cfg.budget)
      r->cfg.budget->active--;
  }
  if (!p->keep_conn)
    r->close_after = 1;
  if (r->close_after && fcs_assembler_active(&r->assembler) == 0)
    r->done = 1;
}

/* Writes as much of the reply in progress as the output room allows. */
static void pump(fcs_responder *r) {
  if (fcsr_reply_write(&r->pending.reply, &r->out))
    finish_reply(r);
}

static int replying(const fcs_responder *r) {
  return fcsr_reply_active(&r->pending.reply);
}

static void start_reply(fcs_responder *r, const pending *p) {
  r->pending = *p;
  fcsr_reply_start(&r->pending.reply);
  pump(r);
}

/* END_REQUEST alone, refusing the request of a BEGIN or REFUSED event
 * (which the assembler did not make active). */
static void reject(fcs_responder *r, const fcs_asm_event *ev,
                   uint8_t protocol_status) {
  pending p = {0};
  p.reply.id = ev->request_id;
  p.reply.protocol_status = protocol_status;
  p.keep_conn = ev->flags & FCS_KEEP_CONN;
  p.in_assembler = ev->type == FCS_AE_BEGIN;
  start_reply(r, &p);
}

/* The role's response: its echo, the knobs' STDERR and appStatus. */
static void respond(fcs_responder *r, const fcs_request *q) {
  echo_streams *s = streams_of(r, q);
  fcsr_knobs knobs;
  fcsr_knobs_read(q->pairs, q->npairs, &knobs);
  fcsr_echo_request rq = {q->id,
                          q->role,
                          q->flags,
                          q->pairs,
                          q->npairs,
                          q->role == FCS_AUTHORIZER ? NULL : &s->in,
                          q->role == FCS_FILTER ? &s->data : NULL};
  pending p = {0};
  fcsr_reply *rp = &p.reply;
  rp->id = q->id;
  rp->with_stdout = 1;
  if (r->fixed && q->role == FCS_RESPONDER) {
    rp->out = r->fixed; /* never changes: replies may share it */
    rp->out_len = r->fixed_len;
  } else {
    rp->out = r->text;
    rp->out_len =
        fcsr_echo_write(r->text, r->layout.text_bytes,
                        (fcs_echo_format)r->cfg.echo_format, &rq, &knobs);
  }
  rp->with_stderr = knobs.has_stderr;
  rp->err = knobs.stderr_text;
  rp->err_len = knobs.stderr_len;
  rp->app_status = knobs.app_status;
  rp->protocol_status = FCS_REQUEST_COMPLETE;
  p.keep_conn = q->flags & FCS_KEEP_CONN;
  p.in_assembler = 1;
  p.accepted = 1;
  start_reply(r, &p);
}

/* An empty STDOUT, then END_REQUEST with a fixed appStatus; with text, a
 * STDERR stream carrying it first. */
static void end_early(fcs_responder *r, const fcs_request *q,
                      uint32_t app_status, const char *stderr_text,
                      int in_assembler) {
  pending p = {0};
  fcsr_reply *rp = &p.reply;
  rp->id = q->id;
  rp->with_stdout = 1;
  if (stderr_text) {
    rp->with_stderr = 1;
    rp->err = (const uint8_t *)stderr_text;
    rp->err_len = strlen(stderr_text);
  }
  rp->app_status = app_status;
  rp->protocol_status = FCS_REQUEST_COMPLETE;
  p.keep_conn = q->flags & FCS_KEEP_CONN;
  p.in_assembler = (uint8_t)in_assembler;
  p.accepted = 1;
  start_reply(r, &p);
}

/* ---- requests ----------------------------------------------------------- */

static int role_known(uint16_t role) {
  return role == FCS_RESPONDER || role == FCS_AUTHORIZER || role == FCS_FILTER;
}

/* A BEGIN the assembler took, or REFUSED when its slots, this connection's
 * cap, are all active (a second request without FCGI_MPXS_CONNS). */
static void on_begin(fcs_responder *r, const fcs_asm_event *ev) {
  const fcs_responder_budget *b = r->cfg.budget;
  int refused = ev->type == FCS_AE_REFUSED;
  if (refused && !r->cfg.mpxs_conns)
    reject(r, ev, FCS_CANT_MPX_CONN);
  else if (refused || (b && b->active >= r->cfg.max_reqs))
    reject(r, ev, FCS_OVERLOADED);
  else if (!role_known(ev->role))
    reject(r, ev, FCS_UNKNOWN_ROLE);
  else
    accept_request(r, ev->request_id);
}

static void on_stream_data(fcs_responder *r, const fcs_asm_event *ev) {
  echo_streams *s = streams_of(r, request(r, ev->request_id));
  fcsr_stream_add(ev->record_type == FCS_DATA ? &s->data : &s->in, ev->data,
                  ev->len);
}

/* A RESPONDER answers once STDIN has ended, a FILTER once DATA has, an
 * AUTHORIZER (which gets no body) once PARAMS has. */
static void on_input_done(fcs_responder *r, const fcs_asm_event *ev,
                          uint8_t stream) {
  const fcs_request *q = request(r, ev->request_id);
  uint8_t last = q->role == FCS_AUTHORIZER ? FCS_PARAMS
                 : q->role == FCS_FILTER   ? FCS_DATA
                                           : FCS_STDIN;
  if (stream == last)
    respond(r, q);
}

static void on_abort(fcs_responder *r, const fcs_asm_event *ev) {
  end_early(r, request(r, ev->request_id), FCS_RESPONDER_STATUS_ABORTED, NULL,
            1);
}

/* Record-layer errors carry whatever request id the broken header had;
 * only the request layer's errors surely belong to the request named. */
static int error_names_request(fcs_err code) {
  return code != FCS_E_BAD_VERSION && code != FCS_E_TRUNCATED &&
         code != FCS_E_MGMT_NONZERO_ID;
}

static void on_error(fcs_responder *r, const fcs_error *e) {
  r->failed = 1;
  r->done = 1;
  r->error = *e;
  snprintf(r->error_text, sizeof r->error_text,
           "protocol error %s at offset %" PRIu64 ", record %" PRIu64 ": %s\n",
           fcs_err_name(e->code), e->offset, e->record,
           fcs_err_message(e->code));
  const fcs_request *q = e->request_id && error_names_request(e->code)
                             ? request(r, e->request_id)
                             : NULL;
  /* The assembler has stopped, so the request is released here only. */
  if (q && !replying(r))
    end_early(r, q, FCS_RESPONDER_STATUS_PROTOCOL_ERROR, r->error_text, 0);
}

static void on_event(fcs_responder *r, const fcs_asm_event *ev) {
  switch (ev->type) {
  case FCS_AE_GET_VALUES:
    fcsr_mgmt_get_values(&r->out, &r->cfg, ev->data, ev->len);
    break;
  case FCS_AE_UNKNOWN_RECORD:
    fcsr_mgmt_unknown_type(&r->out, ev->record_type);
    break;
  case FCS_AE_BEGIN:
  case FCS_AE_REFUSED:
    on_begin(r, ev);
    break;
  case FCS_AE_PARAMS:
    on_input_done(r, ev, FCS_PARAMS);
    break;
  case FCS_AE_STREAM_DATA:
    on_stream_data(r, ev);
    break;
  case FCS_AE_STREAM_END:
    on_input_done(r, ev, ev->record_type);
    break;
  case FCS_AE_ABORT:
    on_abort(r, ev);
    break;
  case FCS_AE_ERROR:
    on_error(r, &ev->error);
    break;
  default: /* IGNORED, and client-side events that cannot occur here */
    break;
  }
}

/* ---- public API -----------------------------------------------------------
 */

size_t fcs_responder_input(fcs_responder *r, const uint8_t *in, size_t len) {
  static const uint8_t nothing[1];
  size_t used = 0;
  if (!in) {
    in = nothing;
    len = 0;
  }
  for (;;) {
    pump(r);
    /* Room is kept for a management reply, which is written at once. */
    if (replying(r) || r->done ||
        fcsr_outbuf_room(&r->out) < FCSR_MGMT_REPLY_MAX)
      return used;
    fcs_asm_event ev;
    /* Called even when nothing is left: a record's last events may need
     * no further bytes. */
    used += fcs_assembler_feed(&r->assembler, in + used, len - used, &ev);
    if (ev.type == FCS_AE_NONE)
      return used;
    on_event(r, &ev);
  }
}

void fcs_responder_input_eof(fcs_responder *r) {
  if (r->eof)
    return;
  r->eof = 1;
  if (r->failed)
    return;
  fcs_asm_event ev;
  if (fcs_assembler_finish(&r->assembler, &ev) != FCS_E_OK)
    on_error(r, &ev.error);
  r->done = 1;
}

void fcs_responder_output(const fcs_responder *r, const uint8_t **data,
                          size_t *len) {
  *data = fcsr_outbuf_data(&r->out);
  *len = fcsr_outbuf_pending(&r->out);
}

void fcs_responder_output_consumed(fcs_responder *r, size_t n) {
  fcsr_outbuf_consume(&r->out, n);
  pump(r);
}

int fcs_responder_should_close(const fcs_responder *r) {
  return r->done && !replying(r);
}

const fcs_error *fcs_responder_error(const fcs_responder *r) {
  return r->failed ? &r->error : NULL;
}
