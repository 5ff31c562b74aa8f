#include "sent.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Bounds of the view: larger than anything the catalog sends. */
#define SENT_REQUESTS 64
#define SENT_PARAMS_BYTES (256u << 10)
#define SENT_STREAM_BYTES (4u << 20)

void sent_init(fsp_sent *s) {
  memset(s, 0, sizeof(*s));
  fcs_limits l = {.max_params_bytes = SENT_PARAMS_BYTES,
                  .max_pairs = 1u << 16,
                  .max_requests = SENT_REQUESTS,
                  .max_stream_bytes = 0};
  size_t size = fcs_assembler_memory_size(&l);
  s->mem = xmalloc(size);
  fcs_assembler_init(&s->a, FCS_SIDE_APP, FCS_LENIENT, &l, s->mem, size);
  fcs_assembler_observe(&s->a, 1);
}

void sent_free(fsp_sent *s) {
  for (size_t i = 0; i < s->n; i++) {
    bytebuf_free(&s->v[i].params);
    bytebuf_free(&s->v[i].in);
    bytebuf_free(&s->v[i].data);
  }
  free(s->v);
  free(s->mem);
  memset(s, 0, sizeof(*s));
}

/* The active request with this id: the latest one begun. */
static fsp_sent_req *current(fsp_sent *s, uint16_t id) {
  for (size_t i = s->n; i-- > 0;)
    if (s->v[i].id == id)
      return &s->v[i];
  return NULL;
}

static void add_stream(bytebuf *b, const uint8_t *p, size_t len) {
  size_t room = b->len < SENT_STREAM_BYTES ? SENT_STREAM_BYTES - b->len : 0;
  bytebuf_add(b, p, len < room ? len : room);
}

static void on_event(fsp_sent *s, const fcs_asm_event *ev) {
  const fcs_request *q = fcs_assembler_request(&s->a, ev->request_id);
  fsp_sent_req *r = q && q->active ? current(s, ev->request_id) : NULL;
  switch (ev->type) {
  case FCS_AE_REFUSED:
    /* A second BEGIN for an active id leaves open which one the app
     * serves; one refused for want of room still went to the backend. */
    if (ev->reason != FCS_E_LIMIT_REQUESTS) {
      if (r && !r->unclean)
        r->unclean = ev->reason;
      break;
    }
    /* fall through */
  case FCS_AE_BEGIN:
    s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
    r = &s->v[s->n++];
    memset(r, 0, sizeof(*r));
    r->id = ev->request_id;
    r->role = ev->role;
    r->flags = ev->flags;
    r->unclean = ev->type == FCS_AE_REFUSED ? ev->reason : FCS_E_OK;
    break;
  case FCS_AE_PARAMS:
    if (r) {
      bytebuf_add(&r->params, ev->data, ev->len);
      r->npairs = ev->npairs;
      r->params_done = 1;
    }
    break;
  case FCS_AE_STREAM_DATA:
    if (r)
      add_stream(ev->record_type == FCS_DATA ? &r->data : &r->in, ev->data,
                 ev->len);
    break;
  case FCS_AE_STREAM_END:
    if (r)
      *(ev->record_type == FCS_DATA ? &r->data_done : &r->in_done) = 1;
    break;
  case FCS_AE_ABORT:
    if (r)
      r->aborted = 1;
    break;
  case FCS_AE_VIOLATION:
  case FCS_AE_IGNORED:
    /* Only rules broken inside an active request leave its view open;
     * records for other ids are ignored by the spec's own rule. */
    if (r && !r->unclean && ev->reason != FCS_E_NOT_ACTIVE)
      r->unclean = ev->reason;
    break;
  default:
    break;
  }
}

void sent_feed(fsp_sent *s, const uint8_t *p, size_t len,
               void (*begun)(void *ctx, uint16_t id, uint16_t role,
                             uint8_t flags),
               void *ctx) {
  while (!s->failed) {
    fcs_asm_event ev;
    size_t used = fcs_assembler_feed(&s->a, p, len, &ev);
    p += used;
    len -= used;
    if (ev.type == FCS_AE_NONE)
      return;
    if (ev.type == FCS_AE_ERROR) {
      s->failed = 1;
      s->error = ev.error;
      return;
    }
    int is_begin =
        ev.type == FCS_AE_BEGIN ||
        (ev.type == FCS_AE_REFUSED && ev.reason == FCS_E_LIMIT_REQUESTS);
    /* On id 0 the assembler reads it as a management record of an unknown
     * type; its body is not decoded. */
    int on_id0 = ev.type == FCS_AE_UNKNOWN_RECORD &&
                 ev.record_type == FCS_BEGIN_REQUEST &&
                 ev.request_id == FCS_NULL_REQUEST_ID;
    if (is_begin && begun)
      begun(ctx, ev.request_id, ev.role, ev.flags);
    else if (on_id0 && begun)
      begun(ctx, FCS_NULL_REQUEST_ID, 0, 0);
    on_event(s, &ev);
  }
}

void sent_ended(fsp_sent *s, uint16_t id) { fcs_assembler_end(&s->a, id); }

const fsp_sent_req *sent_find(const fsp_sent *s, uint16_t id, size_t k) {
  for (size_t i = 0; i < s->n; i++)
    if (s->v[i].id == id && k-- == 0)
      return &s->v[i];
  return NULL;
}
