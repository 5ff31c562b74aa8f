#include "rec_session.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xalloc.h"

/* What GET_VALUES is answered with. */
static const struct {
  const char *name, *value;
} known_values[] = {
    {FCS_MAX_CONNS, "100"}, {FCS_MAX_REQS, "100"}, {FCS_MPXS_CONNS, "1"}};
#define NKNOWN (sizeof known_values / sizeof known_values[0])

/* ---- the store ----------------------------------------------------------- */

/* Room for one more element of an array that doubles. */
static void *grow(void *p, size_t n, size_t *cap, size_t size) {
  if (n < *cap)
    return p;
  *cap = *cap ? *cap * 2 : 16;
  return xrealloc(p, *cap * size);
}

static rec_conn *conn_of(rec_store *store, const rec_session *s) {
  return &store->st.conns[s->conn];
}

static void violation(rec_conn *c, const fcs_error *e) {
  bytebuf_fmt(&c->violations, "%s at byte %" PRIu64 "\n", fcs_err_name(e->code),
              e->offset);
  c->nviolations++;
}

static rec_active *find_active(rec_session *s, uint16_t id) {
  for (size_t i = 0; i < s->nact; i++)
    if (s->act[i].id == id)
      return &s->act[i];
  return NULL;
}

static void drop_active(rec_session *s, rec_active *a) {
  *a = s->act[--s->nact];
}

/* ---- replies (every byte from the codec's encoder) ----------------------- */

static void put_record(rec_session *s, uint8_t type, uint16_t id,
                       const void *content, size_t clen) {
  BYTEBUF_ENCODE(&s->out, fcs_encode_record, type, id, content, clen, NULL);
}

/* STDOUT carrying text (none: only its empty record), then END_REQUEST. */
static void put_reply(rec_session *s, uint16_t id, const char *text,
                      uint8_t protocol_status) {
  size_t len = text ? strlen(text) : 0;
  if (protocol_status == FCS_REQUEST_COMPLETE)
    BYTEBUF_ENCODE(&s->out, fcs_encode_stream, FCS_STDOUT, id,
                   (const uint8_t *)text, len, 1, NULL);
  BYTEBUF_ENCODE(&s->out, fcs_encode_end_request, id, 0, protocol_status, NULL);
}

static void put_unknown_type(rec_session *s, uint8_t type) {
  BYTEBUF_ENCODE(&s->out, fcs_encode_unknown_type, type, NULL);
}

/* Each known name asked for, once, in the order first asked. */
static void answer_get_values(rec_session *s, const uint8_t *query,
                              size_t len) {
  fcs_nv_pair answer[NKNOWN], q;
  size_t n = 0, pos = 0;
  unsigned asked = 0;
  while (fcs_nv_next(query, len, &pos, &q) == FCS_NV_OK)
    for (size_t k = 0; k < NKNOWN; k++) {
      if ((asked & (1u << k)) || !fcs_nv_name_is(&q, known_values[k].name))
        continue;
      asked |= 1u << k;
      answer[n++] = (fcs_nv_pair){(const uint8_t *)known_values[k].name,
                                  (uint32_t)strlen(known_values[k].name),
                                  (const uint8_t *)known_values[k].value,
                                  (uint32_t)strlen(known_values[k].value)};
    }
  uint8_t content[128];
  size_t clen;
  fcs_encode_pairs(content, sizeof content, answer, n, 0, &clen);
  put_record(s, FCS_GET_VALUES_RESULT, FCS_NULL_REQUEST_ID, content, clen);
}

/* The request is answered: it leaves the assembler and the active list. */
static void retire(rec_store *store, rec_session *s, rec_active *a) {
  rec_request *q = &store->st.reqs[a->req];
  fcs_assembler_end(&s->as, a->id);
  q->answered = 1;
  q->ended = now_ms();
  drop_active(s, a);
}

/* The request has its END_REQUEST, and a request without KEEP_CONN takes
 * the connection with it. */
static void finish(rec_store *store, rec_session *s, rec_active *a,
                   uint8_t protocol_status, const char *text) {
  put_reply(s, a->id, text, protocol_status);
  if (!(store->st.reqs[a->req].flags & FCS_KEEP_CONN))
    s->closing = 1;
  retire(store, s, a);
}

static int input_complete(const rec_request *q) {
  switch (q->role) {
  case FCS_AUTHORIZER:
    return q->params_done;
  case FCS_FILTER:
    return q->params_done && q->in_done && q->data_done;
  default:
    return q->params_done && q->in_done;
  }
}

static void answer_if_complete(rec_store *store, rec_session *s,
                               rec_active *a) {
  rec_request *q = &store->st.reqs[a->req];
  if (!input_complete(q))
    return;
  const rec_script *sc = rec_script_for(store, q);
  if (sc) { /* the case's reply lines instead of ours */
    q->scripted = 1;
    rec_play_start(s, sc, a->id, q->flags & FCS_KEEP_CONN);
    retire(store, s, a);
    rec_play_tick(s, now_ms());
    return;
  }
  char text[160];
  snprintf(text, sizeof text,
           "Status: 200 OK\r\nContent-Type: text/plain\r\n" REC_REPLY_HEADER
           ": %zu\r\n\r\nrecorded request %zu\n",
           a->req, a->req);
  finish(store, s, a, FCS_REQUEST_COMPLETE, text);
}

/* ---- requests ------------------------------------------------------------ */

static void on_begin(rec_store *store, rec_session *s,
                     const fcs_asm_event *ev) {
  rec_state *st = &store->st;
  st->reqs = grow(st->reqs, st->nreqs, &store->reqs_cap, sizeof *st->reqs);
  rec_request *q = &st->reqs[st->nreqs];
  memset(q, 0, sizeof *q);
  q->conn = s->conn;
  q->id = ev->request_id;
  q->role = ev->role;
  q->flags = ev->flags;
  q->others_active = (uint32_t)s->nact;
  q->begun = now_ms();
  conn_of(store, s)->requests++;
  rec_active *a = &s->act[s->nact++];
  *a = (rec_active){ev->request_id, st->nreqs++, ev->record, ev->record};
  if (ev->role != FCS_RESPONDER && ev->role != FCS_AUTHORIZER &&
      ev->role != FCS_FILTER)
    finish(store, s, a, FCS_UNKNOWN_ROLE, NULL);
}

/* Where this request's PARAMS records end in its PARAMS stream, up to the
 * record of ev (its empty one): one offset per record. */
static size_t params_bounds(const rec_conn *c, const rec_active *a,
                            uint64_t last, uint64_t **bounds) {
  size_t n = 0;
  uint64_t at = 0;
  *bounds = xmalloc((size_t)(last - a->begin_record) * sizeof **bounds);
  for (uint64_t i = a->begin_record + 1; i <= last && i < c->nrecords; i++) {
    const rec_record *h = &c->records[i];
    if (h->type != FCS_PARAMS || h->id != a->id)
      continue;
    at += h->clen;
    (*bounds)[n++] = at;
  }
  return n;
}

static void on_params(rec_store *store, rec_session *s, rec_active *a,
                      const fcs_asm_event *ev) {
  rec_request *q = &store->st.reqs[a->req];
  uint64_t *bounds;
  size_t nb = params_bounds(conn_of(store, s), a, ev->record, &bounds), b = 0;
  q->params_records = nb;
  q->params_done = 1;
  size_t pos = 0, start = 0, cap = 0;
  fcs_nv_pair pair;
  while (fcs_nv_next(ev->data, ev->len, &pos, &pair) == FCS_NV_OK) {
    q->params = grow(q->params, q->nparams, &cap, sizeof *q->params);
    rec_param *p = &q->params[q->nparams++];
    memset(p, 0, sizeof *p);
    bytebuf_add(&p->name, pair.name, pair.name_len);
    bytebuf_add(&p->value, pair.value, pair.value_len);
    /* The pair's head is its two lengths, before the name; the name's
     * length took 4 bytes when its first byte has the high bit set (spec
     * 3.4), the value's takes the rest of the head. */
    size_t head = (size_t)(pair.name - (ev->data + start));
    p->name_long = (ev->data[start] & 0x80) != 0;
    p->value_long = head - (p->name_long ? 4u : 1u) == 4;
    while (b < nb && bounds[b] <= start)
      b++;
    p->straddles = b < nb && bounds[b] < pos;
    start = pos;
  }
  free(bounds);
}

static void on_stream_data(rec_store *store, rec_active *a,
                           const fcs_asm_event *ev) {
  rec_request *q = &store->st.reqs[a->req];
  int data = ev->record_type == FCS_DATA;
  bytebuf *keep = data ? &q->data : &q->in;
  size_t left = keep->len < REC_STREAM_KEEP ? REC_STREAM_KEEP - keep->len : 0;
  bytebuf_add(keep, ev->data, ev->len < left ? ev->len : left);
  *(data ? &q->data_total : &q->in_total) += ev->len;
  if (ev->record != a->last_record)
    (*(data ? &q->data_records : &q->in_records))++;
  a->last_record = ev->record;
}

static void on_event(rec_store *store, rec_session *s,
                     const fcs_asm_event *ev) {
  rec_conn *c = conn_of(store, s);
  if (ev->error.code != FCS_E_OK)
    violation(c, &ev->error);
  rec_active *a = ev->request_id ? find_active(s, ev->request_id) : NULL;
  switch (ev->type) {
  case FCS_AE_GET_VALUES:
    c->get_values++;
    answer_get_values(s, ev->data, ev->len);
    break;
  case FCS_AE_UNKNOWN_RECORD:
    put_unknown_type(s, ev->record_type);
    break;
  case FCS_AE_BEGIN:
    on_begin(store, s, ev);
    break;
  case FCS_AE_REFUSED:
    /* No slot left: the id stays inactive. A second BEGIN for an active id
     * is a broken rule (recorded above); that request goes on. */
    if (ev->reason == FCS_E_LIMIT_REQUESTS) {
      put_reply(s, ev->request_id, NULL, FCS_OVERLOADED);
      if (!(ev->flags & FCS_KEEP_CONN))
        s->closing = 1;
    }
    break;
  case FCS_AE_PARAMS:
    if (a) {
      on_params(store, s, a, ev);
      answer_if_complete(store, s, a);
    }
    break;
  case FCS_AE_STREAM_DATA:
    if (a)
      on_stream_data(store, a, ev);
    break;
  case FCS_AE_STREAM_END:
    if (a) {
      *(ev->record_type == FCS_DATA ? &store->st.reqs[a->req].data_done
                                    : &store->st.reqs[a->req].in_done) = 1;
      answer_if_complete(store, s, a);
    }
    break;
  case FCS_AE_ABORT: /* spec 5.4: the application answers END_REQUEST */
    if (a) {
      store->st.reqs[a->req].aborted = 1;
      finish(store, s, a, FCS_REQUEST_COMPLETE, NULL);
    }
    break;
  case FCS_AE_ERROR:
    s->failed = 1;
    s->closing = 1;
    break;
  default: /* IGNORED, VIOLATION: their rule, if any, is recorded above */
    break;
  }
}

/* ---- bytes in ------------------------------------------------------------ */

/* The record log: one rec_record per header. */
static void log_records(rec_store *store, rec_session *s, const uint8_t *p,
                        size_t len) {
  rec_conn *c = conn_of(store, s);
  int64_t t = now_ms();
  for (;;) {
    fcs_event ev;
    size_t used = fcs_decoder_feed(&s->dec, p, len, &ev);
    p += used;
    len -= used;
    if (ev.type == FCS_EV_NONE || ev.type == FCS_EV_ERROR)
      return;
    if (ev.type != FCS_EV_HEADER)
      continue;
    c->records =
        grow(c->records, c->nrecords, &s->records_cap, sizeof *c->records);
    const fcs_header *h = &ev.header;
    c->records[c->nrecords++] = (rec_record){.version = h->version,
                                             .type = h->type,
                                             .padding = h->padding_length,
                                             .reserved = h->reserved,
                                             .id = h->request_id,
                                             .clen = h->content_length,
                                             .offset = ev.offset,
                                             .t = t};
  }
}

/* The record log first, so a request's PARAMS records are all in it when
 * the assembler reports the stream complete. */
void rec_session_feed(rec_store *store, rec_session *s, const uint8_t *p,
                      size_t len) {
  log_records(store, s, p, len);
  conn_of(store, s)->bytes += len;
  while (!s->failed) {
    fcs_asm_event ev;
    size_t used = fcs_assembler_feed(&s->as, p, len, &ev);
    p += used;
    len -= used;
    if (ev.type == FCS_AE_NONE)
      break;
    on_event(store, s, &ev);
  }
}

/* ---- opening and closing ------------------------------------------------- */

void rec_session_open(rec_store *store, rec_session *s) {
  rec_state *st = &store->st;
  st->conns = grow(st->conns, st->nconns, &store->conns_cap, sizeof *st->conns);
  rec_conn *c = &st->conns[st->nconns];
  memset(c, 0, sizeof *c);
  c->opened = now_ms();
  memset(s, 0, sizeof *s);
  s->conn = st->nconns++;
  fcs_decoder_init(&s->dec, FCS_LENIENT);
  fcs_limits lim = {.max_params_bytes = 1u << 20,
                    .max_pairs = 8192,
                    .max_requests = REC_MAX_ACTIVE,
                    .max_stream_bytes = 0};
  size_t size = fcs_assembler_memory_size(&lim);
  s->as_mem = xmalloc(size);
  fcs_assembler_init(&s->as, FCS_SIDE_APP, FCS_LENIENT, &lim, s->as_mem, size);
  fcs_assembler_observe(&s->as, 1);
}

void rec_session_eof(rec_store *store, rec_session *s) {
  fcs_asm_event ev;
  if (!s->failed && fcs_assembler_finish(&s->as, &ev) != FCS_E_OK)
    violation(conn_of(store, s), &ev.error);
}

void rec_session_closed(rec_store *store, rec_session *s, int by_us) {
  rec_conn *c = conn_of(store, s);
  int64_t t = now_ms();
  c->closed = t;
  c->closed_by_us = by_us;
  for (size_t i = 0; i < s->nact; i++) {
    rec_request *q = &store->st.reqs[s->act[i].req];
    q->cut = 1;
    q->ended = t;
  }
  s->nact = 0;
}

void rec_session_free(rec_session *s) {
  bytebuf_free(&s->out);
  free(s->as_mem);
}

void rec_store_add_script(rec_store *store, const char *marker,
                          const fsp_step *steps, size_t n) {
  store->scripts = grow(store->scripts, store->nscripts, &store->scripts_cap,
                        sizeof *store->scripts);
  rec_script *sc = &store->scripts[store->nscripts++];
  snprintf(sc->marker, sizeof sc->marker, "%s", marker);
  sc->steps = steps;
  sc->n = n;
}

void rec_store_free(rec_store *store) {
  rec_state *st = &store->st;
  for (size_t i = 0; i < st->nreqs; i++) {
    rec_request *q = &st->reqs[i];
    for (size_t k = 0; k < q->nparams; k++) {
      bytebuf_free(&q->params[k].name);
      bytebuf_free(&q->params[k].value);
    }
    free(q->params);
    bytebuf_free(&q->in);
    bytebuf_free(&q->data);
  }
  for (size_t i = 0; i < st->nconns; i++) {
    free(st->conns[i].records);
    bytebuf_free(&st->conns[i].violations);
  }
  free(st->reqs);
  free(st->conns);
  free(store->scripts);
}
