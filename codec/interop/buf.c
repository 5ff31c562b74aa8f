#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t *buf_extend(interop_buf *b, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n)
      cap *= 2;
    uint8_t *bigger = realloc(b->data, cap);
    if (!bigger) {
      fprintf(stderr, "out of memory (%zu bytes)\n", cap);
      exit(1);
    }
    b->data = bigger;
    b->cap = cap;
  }
  b->len += n;
  return b->data + b->len - n;
}

void buf_append(interop_buf *b, const void *p, size_t n) {
  if (n)
    memcpy(buf_extend(b, n), p, n);
}

void buf_free(interop_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}
