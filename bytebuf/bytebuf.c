#include "bytebuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t *bytebuf_reserve(bytebuf *b, size_t extra) {
  /* Allocated even for 0 bytes: callers write through the pointer. */
  if (b->p && extra <= b->cap - b->len)
    return b->p + b->len;
  size_t cap = b->cap ? b->cap : 64;
  while (cap - b->len < extra)
    cap *= 2;
  uint8_t *p = realloc(b->p, cap);
  if (!p) {
    fputs("bytebuf: out of memory\n", stderr);
    abort();
  }
  b->p = p;
  b->cap = cap;
  return b->p + b->len;
}

void bytebuf_add(bytebuf *b, const void *data, size_t len) {
  if (!len)
    return;
  memcpy(bytebuf_reserve(b, len), data, len);
  b->len += len;
}

void bytebuf_byte(bytebuf *b, uint8_t c) { bytebuf_add(b, &c, 1); }

void bytebuf_str(bytebuf *b, const char *s) { bytebuf_add(b, s, strlen(s)); }

void bytebuf_fmt(bytebuf *b, const char *fmt, ...) {
  /* Formatted into the room there is, and again only when it did not fit:
   * the tests' logs are made of many short pieces. */
  size_t room = b->p ? b->cap - b->len : 0;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(room ? (char *)b->p + b->len : NULL, room, fmt, ap);
  va_end(ap);
  if (n <= 0)
    return;
  if ((size_t)n >= room) {
    va_start(ap, fmt);
    vsnprintf((char *)bytebuf_reserve(b, (size_t)n + 1), (size_t)n + 1, fmt,
              ap);
    va_end(ap);
  }
  b->len += (size_t)n;
}

void bytebuf_free(bytebuf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

void bytebuf_flag_set(bytebuf *b, size_t i) {
  while (b->len <= i)
    bytebuf_byte(b, 0);
  b->p[i] = 1;
}

int bytebuf_flag(const bytebuf *b, size_t i) {
  return b && i < b->len && b->p[i];
}

void bytebuf_escape(bytebuf *out, const uint8_t *p, size_t n, size_t max) {
  for (size_t i = 0; i < n && i < max; i++) {
    uint8_t c = p[i];
    if (c == '\r')
      bytebuf_str(out, "\\r");
    else if (c == '\n')
      bytebuf_str(out, "\\n");
    else if (c == '\t')
      bytebuf_str(out, "\\t");
    else if (c == '\\' || c == '"')
      bytebuf_fmt(out, "\\%c", c);
    else if (c < 0x20 || c >= 0x7f)
      bytebuf_fmt(out, "\\x%02x", c);
    else
      bytebuf_byte(out, c);
  }
  if (n > max)
    bytebuf_fmt(out, "...(%zu bytes)", n);
}

void bytebuf_escape_bytes(bytebuf *out, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '\\' || p[i] < 0x20 || p[i] >= 0x7f)
      bytebuf_fmt(out, "\\x%02x", p[i]);
    else
      bytebuf_byte(out, p[i]);
  }
}

int bytebuf_contains(const bytebuf *b, const void *needle, size_t nlen) {
  const uint8_t *n = needle;
  if (nlen == 0)
    return 1;
  if (b->len < nlen)
    return 0;
  const uint8_t *end = b->p + b->len - nlen;
  for (const uint8_t *p = b->p; p <= end; p++) {
    p = memchr(p, n[0], (size_t)(end - p) + 1);
    if (!p)
      return 0;
    if (memcmp(p, n, nlen) == 0)
      return 1;
  }
  return 0;
}
