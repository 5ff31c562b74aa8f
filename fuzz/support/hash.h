/* FNV-1a, 64 bit: compares byte strings between runs without keeping them.
 * Streaming, so slices hashed one after the other equal the whole. */
#ifndef FZ_HASH_H
#define FZ_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FZ_HASH_INIT 0xcbf29ce484222325ull

static inline uint64_t fz_hash(uint64_t h, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

#endif
