#include "fcs/nv.h"

#include <string.h>

/* Reads one length at buf[*pos]; 0 when it does not fit. */
static int read_length(const uint8_t *buf, size_t len, size_t *pos,
                       uint32_t *out) {
  if (*pos >= len)
    return 0;
  uint8_t b0 = buf[*pos];
  if (!(b0 & 0x80)) {
    *out = b0;
    *pos += 1;
    return 1;
  }
  if (len - *pos < 4)
    return 0;
  const uint8_t *p = buf + *pos;
  *out = ((uint32_t)(p[0] & 0x7f) << 24) | ((uint32_t)p[1] << 16) |
         ((uint32_t)p[2] << 8) | p[3];
  *pos += 4;
  return 1;
}

int fcs_nv_name_is(const fcs_nv_pair *pair, const char *name) {
  size_t n = strlen(name);
  return pair->name_len == n && (n == 0 || !memcmp(pair->name, name, n));
}

size_t fcs_nv_lengths(const uint8_t *buf, size_t len, size_t pos,
                      uint32_t *name_len, uint32_t *value_len) {
  size_t p = pos;
  if (!read_length(buf, len, &p, name_len) ||
      !read_length(buf, len, &p, value_len))
    return 0;
  return p - pos;
}

fcs_nv_result fcs_nv_next(const uint8_t *buf, size_t len, size_t *pos,
                          fcs_nv_pair *pair) {
  if (*pos >= len)
    return FCS_NV_END;
  uint32_t nlen, vlen;
  size_t heads = fcs_nv_lengths(buf, len, *pos, &nlen, &vlen);
  if (!heads)
    return FCS_NV_TRUNCATED;
  size_t p = *pos + heads;
  /* Compare against what is left rather than adding: nlen + vlen may not
   * fit in 32 bits (the CVE-2025-23016 shape). */
  size_t left = len - p;
  if (nlen > left || vlen > left - nlen)
    return FCS_NV_TRUNCATED;
  pair->name = buf + p;
  pair->name_len = nlen;
  pair->value = buf + p + nlen;
  pair->value_len = vlen;
  *pos = p + (size_t)nlen + vlen;
  return FCS_NV_OK;
}

size_t fcs_nv_length_size(uint32_t len) { return len <= 127 ? 1 : 4; }

size_t fcs_nv_pair_size(uint32_t name_len, uint32_t value_len, int force_long) {
  size_t heads =
      force_long ? 8
                 : fcs_nv_length_size(name_len) + fcs_nv_length_size(value_len);
  return heads + (size_t)name_len + value_len;
}

static uint8_t *put_length(uint8_t *out, uint32_t len, int force_long) {
  if (len <= 127 && !force_long) {
    *out++ = (uint8_t)len;
    return out;
  }
  *out++ = (uint8_t)((len >> 24) | 0x80);
  *out++ = (uint8_t)(len >> 16);
  *out++ = (uint8_t)(len >> 8);
  *out++ = (uint8_t)len;
  return out;
}

fcs_err fcs_nv_encode(uint8_t *out, size_t cap, const uint8_t *name,
                      uint32_t name_len, const uint8_t *value,
                      uint32_t value_len, int force_long, size_t *written) {
  if (name_len > FCS_NV_MAX_LEN || value_len > FCS_NV_MAX_LEN) {
    *written = 0;
    return FCS_E_INVALID_ARGUMENT;
  }
  *written = fcs_nv_pair_size(name_len, value_len, force_long);
  if (out == NULL || cap < *written)
    return FCS_E_BUFFER_TOO_SMALL;
  uint8_t *p = put_length(out, name_len, force_long);
  p = put_length(p, value_len, force_long);
  if (name_len)
    memcpy(p, name, name_len);
  if (value_len)
    memcpy(p + name_len, value, value_len);
  return FCS_E_OK;
}

enum {
  NV_NAME_LEN = 0,
  NV_VALUE_LEN,
  NV_LENGTHS, /* report both lengths */
  NV_NAME,
  NV_VALUE,
  NV_PAIR_END /* report the end of the pair */
};

void fcs_nv_parser_init(fcs_nv_parser *p) { memset(p, 0, sizeof(*p)); }

int fcs_nv_parser_at_boundary(const fcs_nv_parser *p) {
  return p->state == NV_NAME_LEN && p->lenhave == 0;
}

/* Gathers one length across calls; returns bytes used, sets *done. */
static size_t gather_length(fcs_nv_parser *p, const uint8_t *in, size_t len,
                            uint32_t *out, int *done) {
  size_t used = 0;
  *done = 0;
  if (p->lenhave == 0) {
    if (len == 0)
      return 0;
    p->lenbuf[0] = in[0];
    p->lenhave = 1;
    p->lenneed = (in[0] & 0x80) ? 4 : 1;
    used = 1;
  }
  while (p->lenhave < p->lenneed && used < len)
    p->lenbuf[p->lenhave++] = in[used++];
  if (p->lenhave == p->lenneed) {
    if (p->lenneed == 1)
      *out = p->lenbuf[0];
    else
      *out = ((uint32_t)(p->lenbuf[0] & 0x7f) << 24) |
             ((uint32_t)p->lenbuf[1] << 16) | ((uint32_t)p->lenbuf[2] << 8) |
             p->lenbuf[3];
    p->lenhave = 0;
    *done = 1;
  }
  return used;
}

size_t fcs_nv_parser_feed(fcs_nv_parser *p, const uint8_t *in, size_t len,
                          fcs_nv_piece *piece) {
  static const uint8_t nothing[1];
  size_t used = 0;
  if (!in) /* len is 0: avoid NULL + 0, undefined in C */
    in = nothing;
  int done;
  memset(piece, 0, sizeof(*piece));
  for (;;) {
    piece->name_len = p->name_len;
    piece->value_len = p->value_len;
    switch (p->state) {
    case NV_NAME_LEN:
      used += gather_length(p, in + used, len - used, &p->name_len, &done);
      if (!done)
        return used;
      p->state = NV_VALUE_LEN;
      break;
    case NV_VALUE_LEN:
      used += gather_length(p, in + used, len - used, &p->value_len, &done);
      if (!done)
        return used;
      p->state = NV_LENGTHS;
      break;
    case NV_LENGTHS:
      piece->kind = FCS_NV_PIECE_LENGTHS;
      piece->name_len = p->name_len;
      piece->value_len = p->value_len;
      p->left = p->name_len;
      p->state = NV_NAME;
      return used;
    case NV_NAME:
    case NV_VALUE: {
      if (p->left == 0) {
        if (p->state == NV_NAME) {
          p->left = p->value_len;
          p->state = NV_VALUE;
        } else {
          p->state = NV_PAIR_END;
        }
        break;
      }
      if (used == len)
        return used;
      size_t take = len - used < p->left ? len - used : p->left;
      piece->kind =
          p->state == NV_NAME ? FCS_NV_PIECE_NAME : FCS_NV_PIECE_VALUE;
      piece->data = in + used;
      piece->len = take;
      p->left -= (uint32_t)take;
      return used + take;
    }
    case NV_PAIR_END:
      piece->kind = FCS_NV_PIECE_PAIR_END;
      p->pairs++;
      p->state = NV_NAME_LEN;
      return used;
    }
  }
}
