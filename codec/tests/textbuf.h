/* A growing NUL-terminated text buffer for building event logs. */
#ifndef FCS_TESTS_TEXTBUF_H
#define FCS_TESTS_TEXTBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct textbuf {
  char *s;
  size_t len, cap;
} textbuf;

void tb_init(textbuf *t);
void tb_printf(textbuf *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Short data as hex, long data as its length and a hash (readable diffs
 * without megabyte lines). */
void tb_data(textbuf *t, const uint8_t *p, size_t n);
/* Hands the text to the caller, who frees it. */
char *tb_take(textbuf *t);

#endif
