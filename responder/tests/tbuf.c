#include "tbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tbuf_free(tbuf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

void tbuf_clear(tbuf *b) { b->len = 0; }

uint8_t *tbuf_reserve(tbuf *b, size_t n) {
  if (!b->p || b->cap - b->len < n) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n)
      cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
      fprintf(stderr, "tbuf: out of memory\n");
      abort();
    }
    b->p = p;
    b->cap = cap;
  }
  return b->p + b->len;
}

void tbuf_put(tbuf *b, const void *data, size_t n) {
  if (n == 0)
    return;
  memcpy(tbuf_reserve(b, n), data, n);
  b->len += n;
}

void tbuf_puts(tbuf *b, const char *s) { tbuf_put(b, s, strlen(s)); }

int tbuf_contains(const tbuf *b, const char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i + n <= b->len; i++)
    if (memcmp(b->p + i, s, n) == 0)
      return 1;
  return 0;
}
