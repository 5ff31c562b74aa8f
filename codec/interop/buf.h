/* A growing byte buffer. */
#ifndef FCS_INTEROP_BUF_H
#define FCS_INTEROP_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct interop_buf {
  uint8_t *data;
  size_t len, cap;
} interop_buf;

/* Makes the buffer n bytes longer and returns where those bytes start (their
 * content is for the caller to fill). Exits with a message when memory runs
 * out. */
uint8_t *buf_extend(interop_buf *b, size_t n);
void buf_append(interop_buf *b, const void *p, size_t n);
void buf_free(interop_buf *b);

#endif
