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
#include "fcs/encoder.h"
#include "fcs/nv.h"
#include "fcs_responder.h"
#include "knobs.h"
#include "layout.h"
#include "outbuf.h"
#include "stream.h"

/* Output room needed before reading more input: enough for the replies
 * written straight away (GET_VALUES_RESULT, at most 80 bytes, and
 * UNKNOWN_TYPE). */
#define REPLY_RESERVE 128

/* An accepted request: what the responder keeps beside the assembler. */
typedef struct slot {
  uint8_t used;
  uint8_t flags;
  uint16_t id;
  uint16_t role;
  fcsr_stream in, data;
} slot;

enum phase {
  PH_IDLE = 0, /* no reply in progress */
  PH_STDOUT,
  PH_STDOUT_END,
  PH_STDERR,
  PH_STDERR_END,
  PH_END
};

/* A reply that ends with END_REQUEST: optional STDOUT and STDERR streams,
 * each terminated by its empty record, then the END_REQUEST. */
typedef struct reply {
  uint8_t phase;
  uint8_t with_stdout, with_stderr;
  uint8_t keep_conn;
  uint8_t in_assembler; /* the id is active there: end it when done */
  uint8_t protocol_status;
  uint16_t id;
  uint32_t app_status;
  slot *slot; /* the accepted request to release when done, or NULL */
  const uint8_t *out, *err;
  size_t out_len, out_pos, err_len, err_pos;
} reply;

struct fcs_responder {
  fcs_responder_config cfg;
  fcsr_layout layout;
  fcs_assembler assembler;
  void *assembler_mem;
  slot *slots;
  uint32_t accepted; /* slots in use */
  uint8_t *echo_mem;
  uint8_t *text;
  uint8_t *output_mem;
  fcsr_outbuf out;
  reply reply;
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
  return sizeof(fcs_responder) + (size_t)l.slots * sizeof(slot) +
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
  r->slots = calloc(l->slots, sizeof(slot));
  r->echo_mem = malloc(l->echo_bytes ? l->echo_bytes : 1);
  r->text = malloc(l->text_bytes);
  r->output_mem = malloc(l->output_bytes);
  if (!r->assembler_mem || !r->slots || !r->echo_mem || !r->text ||
      !r->output_mem ||
      fcs_assembler_init(&r->assembler, FCS_SIDE_APP, FCS_STRICT, &l->limits,
                         r->assembler_mem, l->assembler_bytes) != FCS_E_OK) {
    fcs_responder_free(r);
    return NULL;
  }
  for (uint32_t i = 0; i < l->slots; i++) {
    uint8_t *echo = r->echo_mem + (size_t)i * 2 * cfg->echo_bytes;
    fcsr_stream_init(&r->slots[i].in, echo, cfg->echo_bytes);
    fcsr_stream_init(&r->slots[i].data, echo + cfg->echo_bytes,
                     cfg->echo_bytes);
  }
  fcsr_outbuf_init(&r->out, r->output_mem, l->output_bytes);
  return r;
}

static void release_slot(fcs_responder *r, slot *s) {
  s->used = 0;
  r->accepted--;
  if (r->cfg.budget)
    r->cfg.budget->active--;
}

void fcs_responder_free(fcs_responder *r) {
  if (!r)
    return;
  for (uint32_t i = 0; r->slots && i < r->layout.slots; i++)
    if (r->slots[i].used)
      release_slot(r, &r->slots[i]);
  free(r->assembler_mem);
  free(r->slots);
  free(r->echo_mem);
  free(r->text);
  free(r->output_mem);
  free(r);
}

static slot *find_slot(fcs_responder *r, uint16_t id) {
  for (uint32_t i = 0; i < r->layout.slots; i++)
    if (r->slots[i].used && r->slots[i].id == id)
      return &r->slots[i];
  return NULL;
}

static slot *take_slot(fcs_responder *r, uint16_t id, uint16_t role,
                       uint8_t flags) {
  for (uint32_t i = 0; i < r->layout.slots; i++) {
    slot *s = &r->slots[i];
    if (s->used)
      continue;
    s->used = 1;
    s->id = id;
    s->role = role;
    s->flags = flags;
    fcsr_stream_reset(&s->in);
    fcsr_stream_reset(&s->data);
    r->accepted++;
    if (r->cfg.budget)
      r->cfg.budget->active++;
    return s;
  }
  return NULL;
}

/* ---- replies ---------------------------------------------------------- */

static void finish_reply(fcs_responder *r) {
  reply *rp = &r->reply;
  if (rp->in_assembler)
    fcs_assembler_end(&r->assembler, rp->id);
  if (rp->slot)
    release_slot(r, rp->slot);
  if (!rp->keep_conn)
    r->close_after = 1;
  rp->phase = PH_IDLE;
  if (r->close_after && fcs_assembler_active(&r->assembler) == 0)
    r->done = 1;
}

/* Writes as much of the reply in progress as the output room allows. */
static void pump(fcs_responder *r) {
  reply *rp = &r->reply;
  for (;;) {
    switch (rp->phase) {
    case PH_IDLE:
      return;
    case PH_STDOUT:
      while (rp->out_pos < rp->out_len)
        if (!fcsr_outbuf_stream_chunk(&r->out, FCS_STDOUT, rp->id, rp->out,
                                      rp->out_len, &rp->out_pos))
          return;
      rp->phase = PH_STDOUT_END;
      break;
    case PH_STDOUT_END:
      if (!fcsr_outbuf_record(&r->out, FCS_STDOUT, rp->id, NULL, 0))
        return;
      rp->phase = rp->with_stderr ? PH_STDERR : PH_END;
      break;
    case PH_STDERR:
      while (rp->err_pos < rp->err_len)
        if (!fcsr_outbuf_stream_chunk(&r->out, FCS_STDERR, rp->id, rp->err,
                                      rp->err_len, &rp->err_pos))
          return;
      rp->phase = PH_STDERR_END;
      break;
    case PH_STDERR_END:
      if (!fcsr_outbuf_record(&r->out, FCS_STDERR, rp->id, NULL, 0))
        return;
      rp->phase = PH_END;
      break;
    case PH_END: {
      fcs_end_body body = {rp->app_status, rp->protocol_status, {0}};
      uint8_t content[FCS_BODY_LEN];
      fcs_end_body_encode(&body, content);
      if (!fcsr_outbuf_record(&r->out, FCS_END_REQUEST, rp->id, content,
                              sizeof content))
        return;
      finish_reply(r);
      break;
    }
    }
  }
}

static void start_reply(fcs_responder *r, const reply *rp) {
  r->reply = *rp;
  r->reply.phase = rp->with_stdout   ? PH_STDOUT
                   : rp->with_stderr ? PH_STDERR
                                     : PH_END;
  pump(r);
}

/* END_REQUEST alone, refusing a new request. */
static void reject(fcs_responder *r, uint16_t id, uint8_t flags,
                   uint8_t protocol_status, int in_assembler) {
  reply rp = {0};
  rp.id = id;
  rp.keep_conn = flags & FCS_KEEP_CONN;
  rp.in_assembler = (uint8_t)in_assembler;
  rp.protocol_status = protocol_status;
  start_reply(r, &rp);
}

/* The role's response: its echo, the knobs' STDERR and appStatus. */
static void respond(fcs_responder *r, slot *s) {
  const fcs_request *ar = fcs_assembler_request(&r->assembler, s->id);
  fcsr_knobs knobs;
  fcsr_knobs_read(ar->params, ar->params_len, &knobs);
  fcsr_echo_request rq = {s->id,
                          s->role,
                          s->flags,
                          ar->params,
                          ar->params_len,
                          ar->npairs,
                          s->role == FCS_AUTHORIZER ? NULL : &s->in,
                          s->role == FCS_FILTER ? &s->data : NULL};
  reply rp = {0};
  rp.id = s->id;
  rp.keep_conn = s->flags & FCS_KEEP_CONN;
  rp.in_assembler = 1;
  rp.slot = s;
  rp.with_stdout = 1;
  rp.out = r->text;
  rp.out_len = fcsr_echo_write(r->text, r->layout.text_bytes, &rq, &knobs);
  rp.with_stderr = knobs.has_stderr;
  rp.err = knobs.stderr_text;
  rp.err_len = knobs.stderr_len;
  rp.app_status = knobs.app_status;
  rp.protocol_status = FCS_REQUEST_COMPLETE;
  start_reply(r, &rp);
}

/* An empty STDOUT, then END_REQUEST with a fixed appStatus; with text, a
 * STDERR stream carrying it first. */
static void end_early(fcs_responder *r, slot *s, uint32_t app_status,
                      const char *stderr_text, int in_assembler) {
  reply rp = {0};
  rp.id = s->id;
  rp.keep_conn = s->flags & FCS_KEEP_CONN;
  rp.in_assembler = (uint8_t)in_assembler;
  rp.slot = s;
  rp.with_stdout = 1;
  if (stderr_text) {
    rp.with_stderr = 1;
    rp.err = (const uint8_t *)stderr_text;
    rp.err_len = strlen(stderr_text);
  }
  rp.app_status = app_status;
  rp.protocol_status = FCS_REQUEST_COMPLETE;
  start_reply(r, &rp);
}

/* ---- management records ------------------------------------------------ */

static void answer_get_values(fcs_responder *r, const uint8_t *query,
                              size_t len) {
  static const char *const names[3] = {"FCGI_MAX_CONNS", "FCGI_MAX_REQS",
                                       "FCGI_MPXS_CONNS"};
  char values[3][11];
  snprintf(values[0], sizeof values[0], "%" PRIu32, r->cfg.max_conns);
  snprintf(values[1], sizeof values[1], "%" PRIu32, r->cfg.max_reqs);
  snprintf(values[2], sizeof values[2], "%u", (unsigned)r->cfg.mpxs_conns);
  /* Each known name once, in the order first asked; the rest omitted. */
  fcs_nv_pair answer[3];
  uint32_t n = 0, asked = 0;
  size_t pos = 0;
  fcs_nv_pair q;
  while (fcs_nv_next(query, len, &pos, &q) == FCS_NV_OK) {
    for (uint32_t k = 0; k < 3; k++) {
      size_t nlen = strlen(names[k]);
      if ((asked & (1u << k)) || q.name_len != nlen ||
          memcmp(q.name, names[k], nlen) != 0)
        continue;
      asked |= 1u << k;
      answer[n++] = (fcs_nv_pair){(const uint8_t *)names[k], (uint32_t)nlen,
                                  (const uint8_t *)values[k],
                                  (uint32_t)strlen(values[k])};
    }
  }
  uint8_t content[REPLY_RESERVE];
  size_t clen;
  if (fcs_encode_pairs(content, sizeof content, answer, n, 0, &clen) ==
      FCS_E_OK)
    fcsr_outbuf_record(&r->out, FCS_GET_VALUES_RESULT, FCS_NULL_REQUEST_ID,
                       content, clen);
}

static void answer_unknown_type(fcs_responder *r, uint8_t type) {
  fcs_unknown_type_body body = {type, {0}};
  uint8_t content[FCS_BODY_LEN];
  fcs_unknown_type_body_encode(&body, content);
  fcsr_outbuf_record(&r->out, FCS_UNKNOWN_TYPE, FCS_NULL_REQUEST_ID, content,
                     sizeof content);
}

/* ---- requests ----------------------------------------------------------- */

static int role_known(uint16_t role) {
  return role == FCS_RESPONDER || role == FCS_AUTHORIZER || role == FCS_FILTER;
}

static void on_begin(fcs_responder *r, const fcs_asm_event *ev) {
  const fcs_responder_budget *b = r->cfg.budget;
  if (!r->cfg.mpxs_conns && r->accepted > 0)
    reject(r, ev->request_id, ev->flags, FCS_CANT_MPX_CONN, 1);
  else if (r->accepted >= r->layout.slots ||
           (b && b->active >= r->cfg.max_reqs))
    reject(r, ev->request_id, ev->flags, FCS_OVERLOADED, 1);
  else if (!role_known(ev->role))
    reject(r, ev->request_id, ev->flags, FCS_UNKNOWN_ROLE, 1);
  else
    take_slot(r, ev->request_id, ev->role, ev->flags);
}

static void on_stream_data(fcs_responder *r, const fcs_asm_event *ev) {
  slot *s = find_slot(r, ev->request_id);
  if (!s)
    return;
  fcsr_stream_add(ev->record_type == FCS_DATA ? &s->data : &s->in, ev->data,
                  ev->len);
}

/* A RESPONDER answers once STDIN has ended, a FILTER once DATA has, an
 * AUTHORIZER (which gets no body) once PARAMS has. */
static void on_input_done(fcs_responder *r, const fcs_asm_event *ev,
                          uint8_t stream) {
  slot *s = find_slot(r, ev->request_id);
  if (!s)
    return;
  uint8_t last = s->role == FCS_AUTHORIZER ? FCS_PARAMS
                 : s->role == FCS_FILTER   ? FCS_DATA
                                           : FCS_STDIN;
  if (stream == last)
    respond(r, s);
}

static void on_abort(fcs_responder *r, const fcs_asm_event *ev) {
  slot *s = find_slot(r, ev->request_id);
  if (s)
    end_early(r, s, FCS_RESPONDER_STATUS_ABORTED, NULL, 1);
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
  slot *s = e->request_id && error_names_request(e->code)
                ? find_slot(r, e->request_id)
                : NULL;
  /* The assembler has stopped, so the request is released here only. */
  if (s && r->reply.phase == PH_IDLE)
    end_early(r, s, FCS_RESPONDER_STATUS_PROTOCOL_ERROR, r->error_text, 0);
}

static void on_event(fcs_responder *r, const fcs_asm_event *ev) {
  switch (ev->type) {
  case FCS_AE_GET_VALUES:
    answer_get_values(r, ev->data, ev->len);
    break;
  case FCS_AE_UNKNOWN_RECORD:
    answer_unknown_type(r, ev->record_type);
    break;
  case FCS_AE_BEGIN:
    on_begin(r, ev);
    break;
  case FCS_AE_REFUSED: /* no assembler slot left: not active there */
    reject(r, ev->request_id, ev->flags, FCS_OVERLOADED, 0);
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
    if (r->reply.phase != PH_IDLE || r->done ||
        fcsr_outbuf_room(&r->out) < REPLY_RESERVE)
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
  return r->done && r->reply.phase == PH_IDLE;
}

const fcs_error *fcs_responder_error(const fcs_responder *r) {
  return r->failed ? &r->error : NULL;
}
