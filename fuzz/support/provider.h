/* Structured values drawn from fuzz input, front to back. Once the input is
 * used up every draw returns zeros (or empty slices), so a generator always
 * terminates and short inputs still make small valid structures. */
#ifndef FZ_PROVIDER_H
#define FZ_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

typedef struct fz_provider {
  const uint8_t *data;
  size_t len, pos;
} fz_provider;

void fz_provider_init(fz_provider *p, const uint8_t *data, size_t len);
size_t fz_left(const fz_provider *p);
uint8_t fz_u8(fz_provider *p);
uint16_t fz_u16(fz_provider *p); /* big-endian, like the wire */
uint32_t fz_u32(fz_provider *p);
/* A value in [lo, hi]; lo when the input is used up. */
uint32_t fz_range(fz_provider *p, uint32_t lo, uint32_t hi);
/* Up to want bytes of the input itself (no copy); *got says how many. */
const uint8_t *fz_bytes(fz_provider *p, size_t want, size_t *got);

#endif
