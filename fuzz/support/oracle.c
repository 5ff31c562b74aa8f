#include "oracle.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fz_fail(const char *file, int line, const char *cond, const char *fmt,
             ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("FUZZ ORACLE FAILED: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n  check (%s) at %s:%d\n", cond, file, line);
  fflush(stderr);
  abort();
}

int fz_same(const void *a, const void *b, size_t n) {
  const unsigned char *p = a, *q = b;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) { /* a word at a time, stopping early */
    uint64_t x, y;
    memcpy(&x, p + i, 8);
    memcpy(&y, q + i, 8);
    if (x != y)
      return 0;
  }
  for (; i < n; i++)
    if (p[i] != q[i])
      return 0;
  return 1;
}

int fz_streq(const char *a, const char *b) {
  while (*a && *a == *b)
    a++, b++;
  return *a == *b;
}

int fz_contains(const void *hay, size_t n, const void *needle, size_t m) {
  const unsigned char *h = hay, *first = needle;
  for (size_t i = 0; m && i + m <= n; i++)
    if (h[i] == *first && fz_same(h + i, needle, m))
      return 1;
  return 0;
}
