/* A growable byte buffer for building test input and collecting output.
 * Tests may allocate freely; running out of memory aborts the test. */
#ifndef RESPONDER_TESTS_TBUF_H
#define RESPONDER_TESTS_TBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct tbuf {
  uint8_t *p;
  size_t len, cap;
} tbuf;

void tbuf_free(tbuf *b);
void tbuf_clear(tbuf *b);
/* Room for n more bytes at p + len. */
uint8_t *tbuf_reserve(tbuf *b, size_t n);
void tbuf_put(tbuf *b, const void *data, size_t n);
void tbuf_puts(tbuf *b, const char *s);
/* 1 when the bytes of s occur in b. */
int tbuf_contains(const tbuf *b, const char *s);

#endif
