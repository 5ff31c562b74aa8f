#include "request.h"

#include <string.h>

#include "fcs/fcs.h"

static void encode_params(const fsp_params *p, bytebuf *pairs) {
  for (size_t i = 0; i < p->n; i++) {
    size_t nl = strlen(p->names[i]), vl = strlen(p->values[i]);
    size_t sz = fcs_nv_pair_size((uint32_t)nl, (uint32_t)vl, 0), w;
    bytebuf_reserve(pairs, sz);
    fcs_nv_encode(pairs->p + pairs->len, sz, (const uint8_t *)p->names[i],
                  (uint32_t)nl, (const uint8_t *)p->values[i], (uint32_t)vl, 0,
                  &w);
    pairs->len += w;
  }
}

void request_build(const opts *o, bytebuf *out) {
  fcs_record_opts ro = {.padding = {.mode = FCS_PAD_ALIGN8}};
  bytebuf pairs = {0};
  encode_params(&o->params, &pairs);
  struct {
    uint8_t type;
    const bytebuf *b;
  } streams[] = {
      {FCS_PARAMS, &pairs}, {FCS_STDIN, &o->body}, {FCS_DATA, &o->data}};
  BYTEBUF_ENCODE(out, fcs_encode_begin_request, o->id, o->role, o->keep, &ro);
  for (int i = 0; i < 3; i++) {
    if (streams[i].type == FCS_DATA && o->role != FCS_FILTER)
      break;
    BYTEBUF_ENCODE(out, fcs_encode_stream, streams[i].type, o->id,
                   streams[i].b->p, streams[i].b->len, 1, &ro);
  }
  bytebuf_free(&pairs);
}
