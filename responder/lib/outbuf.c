#include "outbuf.h"

#include <string.h>

#include "fcs/encoder.h"

/* Records of a stream carry at most this much content: the largest
 * multiple of 8 a record can hold, so full records need no padding. */
#define CHUNK_MAX (FCS_MAX_CONTENT & ~(size_t)7)
/* Smaller pieces wait for room rather than fragment the stream. */
#define CHUNK_MIN 512

static const fcs_record_opts aligned = {{FCS_PAD_ALIGN8, 0, 0}, 0, 0, 0};

void fcsr_outbuf_init(fcsr_outbuf *o, uint8_t *mem, size_t cap) {
  o->mem = mem;
  o->cap = cap;
  o->head = o->tail = 0;
}

size_t fcsr_outbuf_room(fcsr_outbuf *o) {
  if (o->head > 0) {
    memmove(o->mem, o->mem + o->head, o->tail - o->head);
    o->tail -= o->head;
    o->head = 0;
  }
  return o->cap - o->tail;
}

size_t fcsr_outbuf_pending(const fcsr_outbuf *o) { return o->tail - o->head; }

const uint8_t *fcsr_outbuf_data(const fcsr_outbuf *o) {
  return o->mem + o->head;
}

void fcsr_outbuf_consume(fcsr_outbuf *o, size_t n) {
  size_t pending = o->tail - o->head;
  o->head += n < pending ? n : pending;
  if (o->head == o->tail)
    o->head = o->tail = 0;
}

int fcsr_outbuf_record(fcsr_outbuf *o, uint8_t type, uint16_t id,
                       const uint8_t *content, size_t clen) {
  size_t room = fcsr_outbuf_room(o), needed;
  if (fcs_encode_record(o->mem + o->tail, room, type, id, content, clen,
                        &aligned, &needed) != FCS_E_OK)
    return 0;
  o->tail += needed;
  return 1;
}

int fcsr_outbuf_stream_chunk(fcsr_outbuf *o, uint8_t type, uint16_t id,
                             const uint8_t *data, size_t len, size_t *pos) {
  size_t left = len - *pos, room = fcsr_outbuf_room(o);
  /* A multiple of 8 fits with no padding; a shorter final piece rounds up
   * to at most that multiple. */
  size_t fit = room > FCS_HEADER_LEN ? (room - FCS_HEADER_LEN) & ~(size_t)7 : 0;
  size_t n = left;
  if (n > fit)
    n = fit;
  if (n > CHUNK_MAX)
    n = CHUNK_MAX;
  if (n == 0 || n < (left < CHUNK_MIN ? left : CHUNK_MIN))
    return 0;
  if (!fcsr_outbuf_record(o, type, id, data + *pos, n))
    return 0;
  *pos += n;
  return 1;
}
