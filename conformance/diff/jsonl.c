#include "jsonl.h"

#include <string.h>

void jsonl_bytes(bytebuf *out, const uint8_t *p, size_t n) {
  bytebuf_byte(out, '"');
  for (size_t i = 0; i < n; i++) {
    uint8_t c = p[i];
    if (c == '"')
      bytebuf_str(out, "\\\"");
    else if (c >= 0x20 && c < 0x7f && c != '\\')
      bytebuf_byte(out, c);
    else /* the value's backslash is itself escaped in JSON */
      bytebuf_fmt(out, "\\\\x%02x", c);
  }
  bytebuf_byte(out, '"');
}

void jsonl_str(bytebuf *out, const char *s) {
  jsonl_bytes(out, (const uint8_t *)s, strlen(s));
}
