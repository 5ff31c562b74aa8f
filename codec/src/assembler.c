#include "fcs/assembler.h"

#include <stdint.h>
#include <string.h>

#define MGMT_CAP FCS_MAX_CONTENT

/* How the record being decoded is handled, decided at its header. */
enum {
  K_SKIP = 0,  /* ignored (already reported) */
  K_MGMT,      /* GET_VALUES (app) or GET_VALUES_RESULT (client) */
  K_UNKNOWN,   /* answer with UNKNOWN_TYPE */
  K_BEGIN,     /* BEGIN_REQUEST for an inactive id */
  K_BEGIN_DUP, /* lenient: BEGIN_REQUEST for an active id */
  K_PARAMS,
  K_STREAM0, /* STDIN or STDOUT */
  K_STREAM1, /* DATA or STDERR */
  K_ABORT,
  K_END,          /* END_REQUEST (client) */
  K_UNKNOWN_REPLY /* UNKNOWN_TYPE (client) */
};

void fcs_limits_default(fcs_limits *l) {
  l->max_params_bytes = 64 * 1024;
  l->max_pairs = 512;
  l->max_requests = 8;
  l->max_stream_bytes = 64 * 1024;
}

static size_t align_up(size_t n) {
  size_t a = sizeof(void *);
  return (n + a - 1) / a * a;
}

static size_t slot_bytes(const fcs_limits *l) {
  return align_up(sizeof(fcs_nv_pair) * (size_t)l->max_pairs) +
         align_up(l->max_params_bytes) + 2 * align_up(l->max_stream_bytes);
}

size_t fcs_assembler_memory_size(const fcs_limits *limits) {
  fcs_limits d;
  if (!limits) {
    fcs_limits_default(&d);
    limits = &d;
  }
  size_t n = limits->max_requests;
  size_t per_request =
      sizeof(fcs_request) + sizeof(void *) + slot_bytes(limits);
  size_t fixed = align_up(MGMT_CAP);
  if (n && per_request > (SIZE_MAX - fixed) / n)
    return 0;
  return align_up(sizeof(fcs_request) * n) + fixed + slot_bytes(limits) * n;
}

fcs_err fcs_assembler_init(fcs_assembler *a, fcs_side side, fcs_mode mode,
                           const fcs_limits *limits, void *mem, size_t memlen) {
  memset(a, 0, sizeof(*a));
  if (limits)
    a->limits = *limits;
  else
    fcs_limits_default(&a->limits);
  if (a->limits.max_requests == 0 || a->limits.max_params_bytes == 0 || !mem)
    return FCS_E_INVALID_ARGUMENT;
  size_t need = fcs_assembler_memory_size(&a->limits);
  if (need == 0)
    return FCS_E_INVALID_ARGUMENT;
  if (memlen < need)
    return FCS_E_BUFFER_TOO_SMALL;
  a->side = side;
  fcs_decoder_init(&a->dec, mode);
  uint8_t *p = mem;
  a->req = (fcs_request *)(void *)p;
  p += align_up(sizeof(fcs_request) * a->limits.max_requests);
  a->mgmt = p;
  p += align_up(MGMT_CAP);
  for (uint32_t i = 0; i < a->limits.max_requests; i++) {
    fcs_request *r = &a->req[i];
    memset(r, 0, sizeof(*r));
    r->pairs = (fcs_nv_pair *)(void *)p;
    p += align_up(sizeof(fcs_nv_pair) * (size_t)a->limits.max_pairs);
    r->params = p;
    r->stream[0] = p + align_up(a->limits.max_params_bytes);
    r->stream[1] = r->stream[0] + align_up(a->limits.max_stream_bytes);
    p = r->stream[1] + align_up(a->limits.max_stream_bytes);
  }
  return FCS_E_OK;
}

static fcs_request *find(const fcs_assembler *a, uint16_t id) {
  for (uint32_t i = 0; i < a->limits.max_requests; i++)
    if ((a->req[i].active || a->req[i].ended) && a->req[i].id == id)
      return &a->req[i];
  return NULL;
}

static fcs_request *find_active(const fcs_assembler *a, uint16_t id) {
  fcs_request *r = find(a, id);
  return r && r->active ? r : NULL;
}

const fcs_request *fcs_assembler_request(const fcs_assembler *a, uint16_t id) {
  return find(a, id);
}

uint32_t fcs_assembler_active(const fcs_assembler *a) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < a->limits.max_requests; i++)
    n += a->req[i].active;
  return n;
}

/* Takes a slot for a new request: the ended slot of the same id if any,
 * else a free one, else the first ended one. */
static fcs_request *open_slot(fcs_assembler *a, uint16_t id, uint16_t role,
                              uint8_t flags) {
  fcs_request *r = find(a, id), *spare = NULL;
  if (!r) {
    for (uint32_t i = 0; i < a->limits.max_requests && !r; i++) {
      fcs_request *s = &a->req[i];
      if (!s->active && !s->ended)
        r = s;
      else if (!s->active && !spare)
        spare = s;
    }
    if (!r)
      r = spare;
  }
  if (!r)
    return NULL;
  uint8_t *params = r->params, *s0 = r->stream[0], *s1 = r->stream[1];
  fcs_nv_pair *pairs = r->pairs;
  memset(r, 0, sizeof(*r));
  r->pairs = pairs;
  r->params = params;
  r->stream[0] = s0;
  r->stream[1] = s1;
  r->id = id;
  r->role = role;
  r->flags = flags;
  r->active = 1;
  return r;
}

fcs_err fcs_assembler_begin(fcs_assembler *a, uint16_t id, uint16_t role,
                            uint8_t flags) {
  if (a->side != FCS_SIDE_CLIENT || id == FCS_NULL_REQUEST_ID)
    return FCS_E_INVALID_ARGUMENT;
  if (find_active(a, id))
    return FCS_E_DUPLICATE_BEGIN;
  return open_slot(a, id, role, flags) ? FCS_E_OK : FCS_E_LIMIT_REQUESTS;
}

fcs_err fcs_assembler_observe(fcs_assembler *a, int on) {
  if (a->dec.mode != FCS_LENIENT)
    return FCS_E_INVALID_ARGUMENT;
  a->observe = on != 0;
  return FCS_E_OK;
}

fcs_err fcs_assembler_end(fcs_assembler *a, uint16_t id) {
  fcs_request *r = find_active(a, id);
  if (a->side != FCS_SIDE_APP || !r)
    return FCS_E_NOT_ACTIVE;
  r->active = 0;
  r->ended = 1;
  return FCS_E_OK;
}

/* Zero without a request, so nothing carries over from an earlier record. */
static void fill_request(fcs_asm_event *ev, const fcs_request *r) {
  ev->role = r ? r->role : 0;
  ev->flags = r ? r->flags : 0;
}

/* Records a fatal error in the record ev stands for (the decoder has
 * counted that record as done by its RECORD_END or STREAM_END); the next
 * call to feed reports it. */
static void stop(fcs_assembler *a, fcs_err code, uint64_t offset,
                 const fcs_asm_event *ev) {
  a->failed = 1;
  a->error.code = code;
  a->error.offset = offset;
  a->error.record = ev->record;
  a->error.request_id = ev->request_id;
  a->error.type = ev->record_type;
}

/* The ERROR event of the recorded error, alike on every call. */
static void report_failure(const fcs_assembler *a, fcs_asm_event *ev) {
  ev->type = FCS_AE_ERROR;
  ev->error = a->error;
  ev->request_id = a->error.request_id;
  ev->record_type = a->error.type;
  ev->record = a->error.record;
  ev->offset = a->error.offset;
  fill_request(ev, find_active(a, a->error.request_id));
}

static int fail(fcs_assembler *a, fcs_err code, uint64_t offset,
                fcs_asm_event *ev) {
  stop(a, code, offset, ev);
  report_failure(a, ev);
  return 1;
}

/* The reason of an event, and, for a rule the input broke, the rule and
 * the byte at fault in error. */
static void set_reason(fcs_asm_event *ev, fcs_err why, int broken,
                       uint64_t at) {
  ev->reason = why;
  if (!broken)
    return;
  ev->error.code = why;
  ev->error.offset = at;
  ev->error.record = ev->record;
  ev->error.request_id = ev->request_id;
  ev->error.type = ev->record_type;
}

/* Observe mode: queues a VIOLATION of why, at the byte at, for the record
 * ev stands for and the request active with its id. */
static void observed(fcs_assembler *a, fcs_err why, uint64_t at,
                     const fcs_asm_event *ev) {
  fcs_asm_event *v = &a->due[a->ndue++];
  memset(v, 0, sizeof(*v));
  v->type = FCS_AE_VIOLATION;
  v->request_id = ev->request_id;
  v->record_type = ev->record_type;
  v->record = ev->record;
  v->offset = ev->offset;
  fill_request(v, find_active(a, ev->request_id));
  set_reason(v, why, 1, at);
}

/* A rule the input broke, at the byte at, that lenient mode reads past:
 * strict mode stops (returns 1), observe mode reports it. */
static int broke(fcs_assembler *a, fcs_err why, uint64_t at,
                 fcs_asm_event *ev) {
  if (!(a->dec.mode & FCS_RELAX_SESSION))
    return fail(a, why, at, ev);
  if (a->observe)
    observed(a, why, at, ev);
  return 0;
}

/* A record the assembler skips, saying why; broken says whether it breaks
 * a rule. */
static int ignore_record(fcs_assembler *a, fcs_err why, int broken,
                         const fcs_event *de, fcs_asm_event *ev) {
  a->cur_kind = K_SKIP;
  ev->type = FCS_AE_IGNORED;
  set_reason(ev, why, broken, de->offset);
  return 1;
}

/* A record that breaks a rule: strict mode stops on it, lenient mode
 * ignores it and says why. */
static int stop_or_ignore(fcs_assembler *a, fcs_err why, const fcs_event *de,
                          fcs_asm_event *ev) {
  if (!(a->dec.mode & FCS_RELAX_SESSION))
    return fail(a, why, de->offset, ev);
  return ignore_record(a, why, 1, de, ev);
}

/* Observe mode: the rule of strict mode's record layer that h breaks, if
 * any, unless the lenient decoder stops on it anyway (known). ev stands for
 * the record h starts. */
static void observe_header(fcs_assembler *a, const fcs_header *h, fcs_err known,
                           const fcs_asm_event *ev) {
  unsigned at;
  fcs_err e = fcs_header_check_at(h, FCS_STRICT, &at);
  if (e != FCS_E_OK && e != known)
    observed(a, e, ev->offset + at, ev);
}

static int app_header(fcs_assembler *a, const fcs_event *de,
                      fcs_asm_event *ev) {
  const fcs_header *h = &de->header;
  fcs_request *r = find_active(a, h->request_id);
  a->cur = r;
  fill_request(ev, r);
  if (h->type == FCS_GET_VALUES) {
    a->cur_kind = K_MGMT;
    return 0;
  }
  if (!fcs_type_is_known(h->type)) {
    a->cur_kind = K_UNKNOWN;
    return 0;
  }
  if (fcs_type_is_to_server(h->type)) {
    if (h->request_id != FCS_NULL_REQUEST_ID)
      return stop_or_ignore(a, FCS_E_WRONG_DIRECTION, de, ev);
    /* lenient: on id 0 it is answered as an unknown management type */
    a->cur_kind = K_UNKNOWN;
    return broke(a, FCS_E_WRONG_DIRECTION, de->offset, ev);
  }
  if (h->request_id == FCS_NULL_REQUEST_ID) { /* lenient only */
    a->cur_kind = K_UNKNOWN;
    return 0;
  }
  if (h->type == FCS_BEGIN_REQUEST) {
    if (!r) {
      a->cur_kind = K_BEGIN;
      return 0;
    }
    if (!(a->dec.mode & FCS_RELAX_SESSION))
      return fail(a, FCS_E_DUPLICATE_BEGIN, de->offset, ev);
    a->cur_kind = K_BEGIN_DUP;
    return 0;
  }
  if (!r) /* spec 3.3: records for inactive ids are ignored */
    return ignore_record(a, FCS_E_NOT_ACTIVE, 0, de, ev);
  switch (h->type) {
  case FCS_ABORT_REQUEST:
    a->cur_kind = K_ABORT;
    return 0;
  case FCS_PARAMS:
    if (r->params_done)
      return stop_or_ignore(a, FCS_E_STREAM_AFTER_END, de, ev);
    a->cur_kind = K_PARAMS;
    return 0;
  case FCS_STDIN:
    if (r->in_done)
      return stop_or_ignore(a, FCS_E_STREAM_AFTER_END, de, ev);
    a->cur_kind = K_STREAM0;
    return r->params_done ? 0 : broke(a, FCS_E_STREAM_ORDER, de->offset, ev);
  default: /* FCS_DATA */
    if (r->data_done)
      return stop_or_ignore(a, FCS_E_STREAM_AFTER_END, de, ev);
    a->cur_kind = K_STREAM1;
    return r->in_done ? 0 : broke(a, FCS_E_STREAM_ORDER, de->offset, ev);
  }
}

static int client_header(fcs_assembler *a, const fcs_event *de,
                         fcs_asm_event *ev) {
  const fcs_header *h = &de->header;
  a->cur = NULL;
  if (!fcs_type_is_known(h->type)) {
    a->cur_kind = K_UNKNOWN;
    return 0;
  }
  if (fcs_type_is_to_app(h->type))
    return stop_or_ignore(a, FCS_E_WRONG_DIRECTION, de, ev);
  if (h->type == FCS_GET_VALUES_RESULT) {
    a->cur_kind = K_MGMT;
    return 0;
  }
  if (h->type == FCS_UNKNOWN_TYPE) {
    a->cur_kind = K_UNKNOWN_REPLY;
    return 0;
  }
  fcs_request *r = find(a, h->request_id);
  a->cur = r;
  fill_request(ev, r);
  if (!r)
    return stop_or_ignore(a, FCS_E_UNEXPECTED_ID, de, ev);
  if (!r->active)
    return stop_or_ignore(a, FCS_E_RECORD_AFTER_END, de, ev);
  if (h->type == FCS_END_REQUEST) {
    a->cur_kind = K_END;
    return 0;
  }
  int out = h->type == FCS_STDOUT;
  if (out ? r->out_done : r->err_done)
    return stop_or_ignore(a, FCS_E_STREAM_AFTER_END, de, ev);
  a->cur_kind = out ? K_STREAM0 : K_STREAM1;
  return 0;
}

static int on_params_content(fcs_assembler *a, const fcs_event *de,
                             fcs_asm_event *ev) {
  fcs_request *r = a->cur;
  uint32_t room = a->limits.max_params_bytes - r->params_len;
  if (de->len > room)
    return fail(a, FCS_E_LIMIT_PARAMS_BYTES, de->offset + room, ev);
  uint32_t base = r->params_len; /* params[base] is de->data[0] */
  memcpy(r->params + base, de->data, de->len);
  r->params_len += (uint32_t)de->len;
  /* Record the pairs these bytes complete. A pair's lengths or its end
   * first fit with these bytes, so the byte at fault for a limit (the last
   * length byte, or the pair's last byte) is in them. */
  size_t pos = r->params_parsed;
  for (;;) {
    uint32_t nlen, vlen;
    size_t heads = fcs_nv_lengths(r->params, r->params_len, pos, &nlen, &vlen);
    if (!heads)
      break;
    if ((uint64_t)nlen + vlen > a->limits.max_params_bytes)
      return fail(a, FCS_E_LIMIT_PARAMS_BYTES,
                  de->offset + (pos + heads - 1 - base), ev);
    size_t end = pos + heads + nlen + vlen;
    if (end > r->params_len)
      break;
    if (r->npairs == a->limits.max_pairs)
      return fail(a, FCS_E_LIMIT_PAIRS, de->offset + (end - 1 - base), ev);
    fcs_nv_pair *pair = &r->pairs[r->npairs++];
    pair->name = r->params + pos + heads;
    pair->name_len = nlen;
    pair->value = pair->name + nlen;
    pair->value_len = vlen;
    pos = end;
  }
  r->params_parsed = (uint32_t)pos;
  return 0;
}

static int on_stream_content(fcs_assembler *a, int idx, const fcs_event *de,
                             fcs_asm_event *ev) {
  fcs_request *r = a->cur;
  uint32_t cap = a->limits.max_stream_bytes;
  size_t len = de->len;
  if (cap) {
    uint32_t room = cap - r->stream_len[idx];
    if (len > room) {
      if (room == 0)
        return fail(a, FCS_E_LIMIT_STREAM_BYTES, de->offset, ev);
      /* Hand up the bytes that fit and report the error on the next call:
       * the events then do not depend on how the input was split. */
      stop(a, FCS_E_LIMIT_STREAM_BYTES, de->offset + room, ev);
      len = room;
    }
    memcpy(r->stream[idx] + r->stream_len[idx], de->data, len);
    r->stream_len[idx] += (uint32_t)len;
  }
  r->stream_total[idx] += len;
  if (a->side == FCS_SIDE_CLIENT) {
    if (idx == 0)
      r->out_used = 1;
    else
      r->err_used = 1;
  }
  ev->type = FCS_AE_STREAM_DATA;
  ev->data = de->data;
  ev->len = len;
  return 1;
}

static int on_content(fcs_assembler *a, const fcs_event *de,
                      fcs_asm_event *ev) {
  switch (a->cur_kind) {
  case K_MGMT:
    memcpy(a->mgmt + a->mgmt_len, de->data, de->len);
    a->mgmt_len += (uint32_t)de->len;
    return 0;
  case K_PARAMS:
    return on_params_content(a, de, ev);
  case K_STREAM0:
    return on_stream_content(a, 0, de, ev);
  case K_STREAM1:
    return on_stream_content(a, 1, de, ev);
  default:
    return 0;
  }
}

static int on_mgmt_end(fcs_assembler *a, const fcs_event *de,
                       fcs_asm_event *ev) {
  size_t pos = 0;
  fcs_nv_pair pair;
  fcs_nv_result res;
  uint32_t n = 0;
  while ((res = fcs_nv_next(a->mgmt, a->mgmt_len, &pos, &pair)) == FCS_NV_OK)
    n++;
  if (res == FCS_NV_TRUNCATED &&
      broke(a, FCS_E_NV_IN_RECORD, de->offset + FCS_HEADER_LEN + (uint64_t)pos,
            ev))
    return 1;
  ev->type =
      a->side == FCS_SIDE_APP ? FCS_AE_GET_VALUES : FCS_AE_GET_VALUES_RESULT;
  ev->data = a->mgmt;
  ev->len = a->mgmt_len;
  ev->npairs = n;
  return 1;
}

static int on_record_end(fcs_assembler *a, const fcs_event *de,
                         fcs_asm_event *ev) {
  fcs_request *r = a->cur;
  int stopped = 0;
  switch (a->cur_kind) {
  case K_MGMT:
    return on_mgmt_end(a, de, ev);
  case K_UNKNOWN:
    ev->type = FCS_AE_UNKNOWN_RECORD;
    return 1;
  case K_BEGIN:
    ev->role = de->body.begin.role;
    ev->flags = de->body.begin.flags;
    r = open_slot(a, de->header.request_id, ev->role, ev->flags);
    if (!r) {
      ev->type = FCS_AE_REFUSED;
      ev->reason = FCS_E_LIMIT_REQUESTS;
      return 1;
    }
    ev->type = FCS_AE_BEGIN;
    return 1;
  case K_BEGIN_DUP:
    ev->role = de->body.begin.role;
    ev->flags = de->body.begin.flags;
    ev->type = FCS_AE_REFUSED;
    set_reason(ev, FCS_E_DUPLICATE_BEGIN, 1, de->offset);
    return 1;
  case K_ABORT:
    r->aborted = 1;
    ev->type = FCS_AE_ABORT;
    return 1;
  case K_END:
    ev->end = de->body.end;
    if (ev->end.protocol_status > FCS_UNKNOWN_ROLE)
      stopped = broke(a, FCS_E_BAD_PROTOCOL_STATUS,
                      de->offset + FCS_HEADER_LEN + 4 /* protocolStatus */, ev);
    else if (ev->end.protocol_status == FCS_REQUEST_COMPLETE &&
             (!r->out_done || (r->err_used && !r->err_done)))
      stopped = broke(a, FCS_E_MISSING_STREAM_END, de->offset, ev);
    if (stopped)
      return 1;
    r->active = 0;
    r->ended = 1;
    ev->type = FCS_AE_END_REQUEST;
    return 1;
  case K_UNKNOWN_REPLY:
    ev->unknown_type = de->body.unknown_type;
    ev->type = FCS_AE_UNKNOWN_TYPE;
    return 1;
  default:
    return 0;
  }
}

static int on_stream_end(fcs_assembler *a, const fcs_event *de,
                         fcs_asm_event *ev) {
  fcs_request *r = a->cur;
  int idx;
  switch (a->cur_kind) {
  case K_PARAMS:
    if (r->params_parsed != r->params_len) {
      /* Lenient mode stops too: the last pair cannot be read. Observe mode
       * hands up the complete ones. */
      if (!a->observe)
        return fail(a, FCS_E_NV_TRUNCATED, de->offset, ev);
      observed(a, FCS_E_NV_TRUNCATED, de->offset, ev);
      r->params_len = r->params_parsed;
    }
    r->params_done = 1;
    ev->type = FCS_AE_PARAMS;
    ev->data = r->params;
    ev->len = r->params_len;
    ev->npairs = r->npairs;
    ev->pairs = r->pairs;
    return 1;
  case K_STREAM0:
  case K_STREAM1:
    idx = a->cur_kind == K_STREAM1;
    if (a->side == FCS_SIDE_APP) {
      if (idx)
        r->data_done = 1;
      else
        r->in_done = 1;
    } else if (idx) {
      r->err_done = 1;
    } else {
      r->out_done = 1;
    }
    ev->type = FCS_AE_STREAM_END;
    ev->data = r->stream[idx];
    ev->len = r->stream_len[idx];
    return 1;
  default:
    return 0;
  }
}

/* Observe mode: the VIOLATIONs queued for one decoder event come first,
 * then the event it gave (got); reports the first and keeps the rest. */
static void report_due(fcs_assembler *a, int got, fcs_asm_event *ev) {
  if (got)
    a->due[a->ndue++] = *ev;
  *ev = a->due[0];
  a->next_due = 1;
}

size_t fcs_assembler_feed(fcs_assembler *a, const uint8_t *in, size_t len,
                          fcs_asm_event *ev) {
  size_t used = 0;
  if (a->next_due < a->ndue) {
    *ev = a->due[a->next_due++];
    return 0;
  }
  a->ndue = a->next_due = 0;
  memset(ev, 0, sizeof(*ev));
  if (a->failed) {
    report_failure(a, ev);
    return 0;
  }
  for (;;) {
    fcs_event de;
    /* in may be NULL when len is 0 (draining events), and NULL + 0 is
     * undefined in C */
    used += fcs_decoder_feed(&a->dec, used ? in + used : in, len - used, &de);
    int got = 0;
    ev->request_id = de.header.request_id;
    ev->record_type = de.header.type;
    ev->record = de.record;
    ev->offset = de.offset;
    fill_request(ev, a->cur);
    switch (de.type) {
    case FCS_EV_NONE:
      ev->type = FCS_AE_NONE;
      return used;
    case FCS_EV_ERROR:
      /* A header lenient mode stops at may break a rule strict mode checks
       * first (the decoder's errors are all header errors). */
      if (a->observe) {
        ev->offset = a->dec.record_offset; /* de.offset is the error's */
        observe_header(a, &de.header, de.error.code, ev);
      }
      a->failed = 1;
      a->error = de.error;
      report_failure(a, ev);
      got = 1;
      break;
    case FCS_EV_HEADER:
      a->mgmt_len = 0;
      a->cur = NULL;
      /* Filled above from the previous record's request; the new record's
       * request (if any) is filled by the header handlers. */
      ev->role = 0;
      ev->flags = 0;
      if (a->observe)
        observe_header(a, &de.header, FCS_E_OK, ev);
      got = a->side == FCS_SIDE_APP ? app_header(a, &de, ev)
                                    : client_header(a, &de, ev);
      break;
    case FCS_EV_CONTENT:
      got = on_content(a, &de, ev);
      break;
    case FCS_EV_RECORD_END:
      got = on_record_end(a, &de, ev);
      break;
    case FCS_EV_STREAM_END:
      got = on_stream_end(a, &de, ev);
      break;
    case FCS_EV_RECORD: /* a->dec never runs in whole-records mode: one
                           record can give the assembler several events */
      break;
    }
    if (a->ndue)
      report_due(a, got, ev);
    else if (!got)
      continue;
    return used;
  }
}

fcs_err fcs_assembler_finish(fcs_assembler *a, fcs_asm_event *ev) {
  memset(ev, 0, sizeof(*ev));
  if (a->failed) {
    report_failure(a, ev);
    return a->error.code;
  }
  fcs_event de;
  fcs_err e = fcs_decoder_finish(&a->dec, &de);
  if (e != FCS_E_OK) {
    a->failed = 1;
    a->error = de.error;
    report_failure(a, ev);
  }
  return e;
}
