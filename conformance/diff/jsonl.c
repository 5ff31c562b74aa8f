#include "jsonl.h"

#include <string.h>

void jsonl_bytes(fsp_buf *out, const uint8_t *p, size_t n) {
  buf_byte(out, '"');
  for (size_t i = 0; i < n; i++) {
    uint8_t c = p[i];
    if (c == '"')
      buf_str(out, "\\\"");
    else if (c >= 0x20 && c < 0x7f && c != '\\')
      buf_byte(out, c);
    else /* the value's backslash is itself escaped in JSON */
      buf_fmt(out, "\\\\x%02x", c);
  }
  buf_byte(out, '"');
}

void jsonl_str(fsp_buf *out, const char *s) {
  jsonl_bytes(out, (const uint8_t *)s, strlen(s));
}
