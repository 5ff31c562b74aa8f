#include "wire.h"

#include <stdlib.h>
#include <string.h>

size_t w_rec(wire *w, uint8_t type, uint16_t id, const void *content,
             size_t clen, uint8_t pad) {
  size_t at = w->len;
  if (clen > 0xffff || at + 8 + clen + pad > sizeof w->buf)
    abort(); /* a test bug, not a codec one */
  uint8_t *p = w->buf + at;
  const uint8_t head[8] = {1,
                           type,
                           (uint8_t)(id >> 8),
                           (uint8_t)id,
                           (uint8_t)(clen >> 8),
                           (uint8_t)clen,
                           pad,
                           0};
  memcpy(p, head, 8);
  if (clen)
    memcpy(p + 8, content, clen);
  memset(p + 8 + clen, 0, pad);
  w->len += 8 + clen + pad;
  return at;
}

size_t w_str(wire *w, uint8_t type, uint16_t id, const char *s) {
  return w_rec(w, type, id, s, strlen(s), 0);
}

size_t w_begin(wire *w, uint16_t id, uint16_t role, uint8_t flags) {
  const uint8_t body[8] = {(uint8_t)(role >> 8), (uint8_t)role, flags};
  return w_rec(w, 1, id, body, 8, 0);
}

size_t w_end(wire *w, uint16_t id, uint32_t app_status, uint8_t protocol) {
  const uint8_t body[8] = {
      (uint8_t)(app_status >> 24), (uint8_t)(app_status >> 16),
      (uint8_t)(app_status >> 8), (uint8_t)app_status, protocol};
  return w_rec(w, 3, id, body, 8, 0);
}
