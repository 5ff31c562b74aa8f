/* Bounded output buffer of one connection: records are appended at the
 * tail, the embedder takes bytes from the head. Every record is padded to
 * a multiple of 8 bytes (the alignment the spec recommends). */
#ifndef FCSR_OUTBUF_H
#define FCSR_OUTBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct fcsr_outbuf {
  uint8_t *mem;
  size_t cap;
  size_t head; /* first byte not yet taken */
  size_t tail; /* end of the bytes written */
} fcsr_outbuf;

void fcsr_outbuf_init(fcsr_outbuf *o, uint8_t *mem, size_t cap);

/* Bytes that can be appended now (moves pending bytes to the front). */
size_t fcsr_outbuf_room(fcsr_outbuf *o);

size_t fcsr_outbuf_pending(const fcsr_outbuf *o);
const uint8_t *fcsr_outbuf_data(const fcsr_outbuf *o);
void fcsr_outbuf_consume(fcsr_outbuf *o, size_t n);

/* Appends one padded record; 0 (writing nothing) when it does not fit. */
int fcsr_outbuf_record(fcsr_outbuf *o, uint8_t type, uint16_t id,
                       const uint8_t *content, size_t clen);

/* Appends up to *pos..len of a stream's data as one record, as large as
 * the room allows. Returns 0 when the room is too small for a worthwhile
 * record (then nothing is written). */
int fcsr_outbuf_stream_chunk(fcsr_outbuf *o, uint8_t type, uint16_t id,
                             const uint8_t *data, size_t len, size_t *pos);

#endif
