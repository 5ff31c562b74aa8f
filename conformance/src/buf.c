#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(void) {
  fputs("fcgispec: out of memory\n", stderr);
  abort();
}

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p)
    oom();
  return p;
}

void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p)
    oom();
  return p;
}

void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p)
    oom();
  return p;
}

char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(xmalloc(n), s, n);
}

void buf_reserve(fsp_buf *b, size_t extra) {
  if (b->len + extra <= b->cap)
    return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra)
    cap *= 2;
  b->p = xrealloc(b->p, cap);
  b->cap = cap;
}

void buf_add(fsp_buf *b, const void *data, size_t len) {
  if (!len)
    return;
  buf_reserve(b, len);
  memcpy(b->p + b->len, data, len);
  b->len += len;
}

void buf_byte(fsp_buf *b, uint8_t c) { buf_add(b, &c, 1); }

void buf_str(fsp_buf *b, const char *s) { buf_add(b, s, strlen(s)); }

void buf_fmt(fsp_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n <= 0)
    return;
  buf_reserve(b, (size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void buf_free(fsp_buf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

void buf_escape_bytes(fsp_buf *out, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '\\' || p[i] < 0x20 || p[i] >= 0x7f)
      buf_fmt(out, "\\x%02x", p[i]);
    else
      buf_byte(out, p[i]);
  }
}

int buf_contains(const fsp_buf *b, const uint8_t *needle, size_t nlen) {
  if (nlen == 0)
    return 1;
  if (b->len < nlen)
    return 0;
  const uint8_t *end = b->p + b->len - nlen;
  for (const uint8_t *p = b->p; p <= end; p++) {
    p = memchr(p, needle[0], (size_t)(end - p) + 1);
    if (!p)
      return 0;
    if (memcmp(p, needle, nlen) == 0)
      return 1;
  }
  return 0;
}

void buf_flag_set(fsp_buf *b, size_t i) {
  while (b->len <= i)
    buf_byte(b, 0);
  b->p[i] = 1;
}

int buf_flag(const fsp_buf *b, size_t i) { return b && i < b->len && b->p[i]; }

void buf_escape(fsp_buf *out, const uint8_t *p, size_t n, size_t max) {
  for (size_t i = 0; i < n && i < max; i++) {
    uint8_t b = p[i];
    if (b == '\r')
      buf_str(out, "\\r");
    else if (b == '\n')
      buf_str(out, "\\n");
    else if (b == '\t')
      buf_str(out, "\\t");
    else if (b == '\\' || b == '"')
      buf_fmt(out, "\\%c", b);
    else if (b < 0x20 || b >= 0x7f)
      buf_fmt(out, "\\x%02x", b);
    else
      buf_byte(out, b);
  }
  if (n > max)
    buf_fmt(out, "...(%zu bytes)", n);
}
