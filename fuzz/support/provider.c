#include "provider.h"

void fz_provider_init(fz_provider *p, const uint8_t *data, size_t len) {
  p->data = data;
  p->len = len;
  p->pos = 0;
}

size_t fz_left(const fz_provider *p) { return p->len - p->pos; }

uint8_t fz_u8(fz_provider *p) {
  return p->pos < p->len ? p->data[p->pos++] : 0;
}

uint16_t fz_u16(fz_provider *p) {
  uint16_t hi = fz_u8(p);
  return (uint16_t)(hi << 8 | fz_u8(p));
}

uint32_t fz_u32(fz_provider *p) {
  uint32_t hi = fz_u16(p);
  return hi << 16 | fz_u16(p);
}

uint32_t fz_range(fz_provider *p, uint32_t lo, uint32_t hi) {
  uint32_t span = hi - lo;
  uint32_t raw;
  if (span < 0x100)
    raw = fz_u8(p);
  else if (span < 0x10000)
    raw = fz_u16(p);
  else
    raw = fz_u32(p);
  return span == UINT32_MAX ? raw : lo + raw % (span + 1);
}

const uint8_t *fz_bytes(fz_provider *p, size_t want, size_t *got) {
  size_t left = fz_left(p);
  *got = want < left ? want : left;
  const uint8_t *at = p->data + p->pos;
  p->pos += *got;
  return at;
}
