#include "script.h"

#include <string.h>

int script_pad(const char *path, uint8_t out[GEN_PLACEHOLDER_LEN]) {
  size_t n = strlen(path);
  const char *slash = strchr(path, '/');
  if (!slash || n > GEN_PLACEHOLDER_LEN)
    return -1;
  size_t head = (size_t)(slash - path) + 1, extra = GEN_PLACEHOLDER_LEN - n;
  memcpy(out, path, head);
  memset(out + head, '/', extra);
  memcpy(out + head + extra, path + head, n - head);
  return 0;
}

size_t script_substitute(uint8_t *p, size_t len,
                         const uint8_t with[GEN_PLACEHOLDER_LEN]) {
  uint8_t ph[GEN_PLACEHOLDER_LEN];
  gen_placeholder(ph);
  size_t count = 0;
  for (size_t at = 0; at + GEN_PLACEHOLDER_LEN <= len;) {
    uint8_t *hit = memchr(p + at, ph[0], len - at - GEN_PLACEHOLDER_LEN + 1);
    if (!hit)
      break;
    at = (size_t)(hit - p);
    if (!memcmp(hit, ph, GEN_PLACEHOLDER_LEN)) {
      memcpy(hit, with, GEN_PLACEHOLDER_LEN);
      at += GEN_PLACEHOLDER_LEN;
      count++;
    } else {
      at++;
    }
  }
  return count;
}
