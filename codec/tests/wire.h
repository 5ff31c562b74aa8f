/* Builds input for assembler tests record by record, writing header bytes
 * directly (not through the encoder under test). */
#ifndef FCS_TESTS_WIRE_H
#define FCS_TESTS_WIRE_H

#include <stddef.h>
#include <stdint.h>

typedef struct wire {
  uint8_t buf[8192];
  size_t len;
} wire;

/* A version-1 record with pad zero padding bytes; returns its offset. */
size_t w_rec(wire *w, uint8_t type, uint16_t id, const void *content,
             size_t clen, uint8_t pad);
/* A string as a stream record (an empty string gives the terminator). */
size_t w_str(wire *w, uint8_t type, uint16_t id, const char *s);
size_t w_begin(wire *w, uint16_t id, uint16_t role, uint8_t flags);
size_t w_end(wire *w, uint16_t id, uint32_t app_status, uint8_t protocol);

#endif
