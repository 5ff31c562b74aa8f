#include "stream.h"

#include <string.h>

#include "fcs_crc32.h"

void fcsr_stream_init(fcsr_stream *s, uint8_t *echo, uint32_t cap) {
  s->echo = echo;
  s->cap = cap;
  fcsr_stream_reset(s);
}

void fcsr_stream_reset(fcsr_stream *s) {
  s->total = 0;
  s->crc = FCSR_CRC32_INIT;
  s->kept = 0;
}

void fcsr_stream_add(fcsr_stream *s, const uint8_t *p, size_t n) {
  size_t room = s->cap - s->kept, keep = n < room ? n : room;
  if (keep) {
    memcpy(s->echo + s->kept, p, keep);
    s->kept += (uint32_t)keep;
  }
  s->total += n;
  s->crc = fcsr_crc32_update(s->crc, p, n);
}
