#include "replies.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Requests open at once that the tracker follows; a case begins far fewer. */
#define OPEN_REQUESTS 256
/* Breaches kept; a flood of bad records is counted past it. */
#define BREACHES_KEPT 4096

void replies_init(fsp_replies *r, uint64_t budget) {
  memset(r, 0, sizeof(*r));
  r->budget = budget;
  /* Replies carry no params; streams pass through as STREAM_DATA events and
   * are kept here, within the budget. */
  fcs_limits l = {.max_params_bytes = 1,
                  .max_pairs = 1,
                  .max_requests = OPEN_REQUESTS,
                  .max_stream_bytes = 0};
  size_t size = fcs_assembler_memory_size(&l);
  r->mem = xmalloc(size);
  fcs_assembler_init(&r->a, FCS_SIDE_CLIENT, FCS_LENIENT, &l, r->mem, size);
  fcs_assembler_observe(&r->a, 1);
}

void replies_free(fsp_replies *r) {
  for (size_t i = 0; i < r->n; i++) {
    bytebuf_free(&r->v[i].out);
    bytebuf_free(&r->v[i].err);
  }
  for (size_t i = 0; i < r->nmgmt; i++)
    bytebuf_free(&r->mgmt[i].pairs);
  free(r->v);
  free(r->breach);
  free(r->mgmt);
  free(r->begun);
  free(r->mem);
  memset(r, 0, sizeof(*r));
}

void replies_begin(fsp_replies *r, uint16_t id, uint16_t role, uint8_t flags) {
  /* A BEGIN for an id still active is the backend's to refuse; replies for
   * the id still answer the first one. */
  if (fcs_assembler_begin(&r->a, id, role, flags) != FCS_E_OK)
    return;
  r->begun = xrealloc(r->begun, (r->nbegun + 1) * sizeof(*r->begun));
  r->begun[r->nbegun++] = (fsp_declared){id, role, flags};
}

/* The reply being received for id: the open one, or a new one answering
 * the latest BEGIN the runner sent for id. */
static fsp_reply *open_reply(fsp_replies *r, uint16_t id, uint64_t record) {
  for (size_t i = r->n; i-- > 0;)
    if (r->v[i].id == id && !r->v[i].ended)
      return &r->v[i];
  size_t nth = 0;
  for (size_t i = 0; i < r->nbegun; i++)
    nth += r->begun[i].id == id;
  r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
  fsp_reply *rep = &r->v[r->n++];
  memset(rep, 0, sizeof(*rep));
  rep->id = id;
  rep->nth = nth ? nth - 1 : 0;
  rep->first_record = record;
  return rep;
}

static void keep(fsp_replies *r, bytebuf *b, const uint8_t *p, size_t len) {
  size_t room = r->kept < r->budget ? (size_t)(r->budget - r->kept) : 0;
  size_t n = len < room ? len : room;
  bytebuf_add(b, p, n);
  r->kept += n;
}

static void add_breach(fsp_replies *r, const fcs_asm_event *ev, fcs_err why,
                       int ignored) {
  if (r->nbreach >= BREACHES_KEPT) {
    r->breaches_dropped++;
    return;
  }
  r->breach = xrealloc(r->breach, (r->nbreach + 1) * sizeof(*r->breach));
  r->breach[r->nbreach++] = (fsp_breach){
      why, ignored, ev->request_id, ev->record_type, ev->record, ev->offset};
}

static void add_mgmt(fsp_replies *r, const fcs_asm_event *ev) {
  r->mgmt = xrealloc(r->mgmt, (r->nmgmt + 1) * sizeof(*r->mgmt));
  fsp_mgmt *m = &r->mgmt[r->nmgmt++];
  memset(m, 0, sizeof(*m));
  m->type = ev->record_type;
  m->id = ev->request_id;
  m->record = ev->record;
  if (ev->type == FCS_AE_GET_VALUES_RESULT)
    bytebuf_add(&m->pairs, ev->data, ev->len);
  else
    m->unknown = ev->unknown_type;
}

static void on_event(fsp_replies *r, const fcs_asm_event *ev) {
  fsp_reply *rep;
  int err = ev->record_type == FCS_STDERR;
  switch (ev->type) {
  case FCS_AE_STREAM_DATA:
    rep = open_reply(r, ev->request_id, ev->record);
    keep(r, err ? &rep->err : &rep->out, ev->data, ev->len);
    *(err ? &rep->err_total : &rep->out_total) += ev->len;
    rep->err_used |= err && ev->len;
    break;
  case FCS_AE_STREAM_END:
    rep = open_reply(r, ev->request_id, ev->record);
    *(err ? &rep->err_ended : &rep->out_ended) = 1;
    break;
  case FCS_AE_END_REQUEST:
    rep = open_reply(r, ev->request_id, ev->record);
    rep->ended = 1;
    rep->end = ev->end;
    rep->end_record = ev->record;
    break;
  case FCS_AE_GET_VALUES_RESULT:
  case FCS_AE_UNKNOWN_TYPE:
    add_mgmt(r, ev);
    break;
  case FCS_AE_UNKNOWN_RECORD: /* a type no application sends */
    add_breach(r, ev, FCS_E_WRONG_DIRECTION, 1);
    break;
  case FCS_AE_VIOLATION:
    add_breach(r, ev, ev->reason, 0);
    break;
  case FCS_AE_IGNORED:
    add_breach(r, ev, ev->reason, 1);
    break;
  default:
    break;
  }
}

void replies_feed(fsp_replies *r, const uint8_t *p, size_t len) {
  while (!r->failed) {
    fcs_asm_event ev;
    size_t used = fcs_assembler_feed(&r->a, p, len, &ev);
    p += used;
    len -= used;
    if (ev.type == FCS_AE_NONE)
      return;
    if (ev.type == FCS_AE_ERROR) {
      r->failed = 1;
      r->error = ev.error;
      return;
    }
    on_event(r, &ev);
  }
}

const fsp_reply *replies_next_end(const fsp_replies *r, uint16_t id,
                                  const bytebuf *used, size_t *idx) {
  for (size_t i = 0; i < r->n; i++) {
    if (bytebuf_flag(used, i))
      continue;
    if (r->v[i].id == id && r->v[i].ended) {
      if (idx)
        *idx = i;
      return &r->v[i];
    }
  }
  return NULL;
}

const fsp_reply *replies_last_end(const fsp_replies *r, uint16_t id,
                                  size_t *idx) {
  for (size_t i = r->n; i-- > 0;)
    if (r->v[i].id == id && r->v[i].ended) {
      if (idx)
        *idx = i;
      return &r->v[i];
    }
  return NULL;
}

int replies_all_ended(const fsp_replies *r) {
  /* Each reply answers one BEGIN the runner sent, and the next reply for
   * an id opens only once the last one ended. */
  size_t ended = 0;
  for (size_t i = 0; i < r->n; i++)
    ended += r->v[i].ended;
  return ended >= r->nbegun;
}
