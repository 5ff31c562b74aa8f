/* What the responder remembers of one input stream (STDIN or DATA) of a
 * request: its length and CRC-32 over every byte, and the first bytes, up
 * to a fixed capacity, for the verbatim echo. Constant memory whatever the
 * stream's size. */
#ifndef FCSR_STREAM_H
#define FCSR_STREAM_H

#include <stddef.h>
#include <stdint.h>

typedef struct fcsr_stream {
  uint64_t total; /* bytes received */
  uint32_t crc;   /* CRC-32 of all of them */
  uint32_t kept;  /* bytes stored in echo */
  uint32_t cap;   /* capacity of echo */
  uint8_t *echo;
} fcsr_stream;

void fcsr_stream_init(fcsr_stream *s, uint8_t *echo, uint32_t cap);
void fcsr_stream_reset(fcsr_stream *s);
void fcsr_stream_add(fcsr_stream *s, const uint8_t *p, size_t n);

#endif
