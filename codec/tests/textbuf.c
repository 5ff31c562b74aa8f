#include "textbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define HEX_LIMIT 48

void tb_init(textbuf *t) {
  t->cap = 256;
  t->len = 0;
  t->s = malloc(t->cap);
  if (!t->s)
    abort();
  t->s[0] = '\0';
}

void tb_printf(textbuf *t, const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n < 0)
      abort();
    if ((size_t)n < t->cap - t->len) {
      t->len += (size_t)n;
      return;
    }
    t->cap = 2 * (t->cap + (size_t)n);
    t->s = realloc(t->s, t->cap);
    if (!t->s)
      abort();
  }
}

void tb_data(textbuf *t, const uint8_t *p, size_t n) {
  if (n <= HEX_LIMIT) {
    tb_printf(t, "[");
    for (size_t i = 0; i < n; i++)
      tb_printf(t, "%s%02x", i ? " " : "", p[i]);
    tb_printf(t, "]");
    return;
  }
  uint32_t h = 2166136261u; /* FNV-1a */
  for (size_t i = 0; i < n; i++)
    h = (h ^ p[i]) * 16777619u;
  tb_printf(t, "[%zu bytes fnv %08x]", n, h);
}

char *tb_take(textbuf *t) {
  char *s = t->s;
  t->s = NULL;
  t->len = t->cap = 0;
  return s;
}
