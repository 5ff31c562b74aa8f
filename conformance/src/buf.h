/* A growable byte buffer. Allocation failure aborts: the runner and its
 * tools cannot do anything useful without memory. */
#ifndef FSP_BUF_H
#define FSP_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct fsp_buf {
  uint8_t *p;
  size_t len, cap;
} fsp_buf;

void buf_reserve(fsp_buf *b, size_t extra);
void buf_add(fsp_buf *b, const void *data, size_t len);
void buf_byte(fsp_buf *b, uint8_t c);
void buf_str(fsp_buf *b, const char *s);
void buf_fmt(fsp_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_free(fsp_buf *b);
/* A buffer used as one flag per index: set flag i (growing b), and read
 * it (b may be NULL or shorter: unset). */
void buf_flag_set(fsp_buf *b, size_t i);
int buf_flag(const fsp_buf *b, size_t i);
/* Appends p's first max bytes escaped for one line of text (\r \n \t \\
 * \" and \xHH for other bytes that are not printable ASCII), then, when n
 * is larger, "...(N bytes)". */
void buf_escape(fsp_buf *out, const uint8_t *p, size_t n, size_t max);
/* Appends p's n bytes with printable ASCII as is and every other byte and
 * the backslash as \xNN: the byte form of the differential views. */
void buf_escape_bytes(fsp_buf *out, const uint8_t *p, size_t n);
/* 1 when needle (nlen bytes) occurs in b. */
int buf_contains(const fsp_buf *b, const uint8_t *needle, size_t nlen);

/* Appends what one of the codec's encoder calls writes: fn is called with
 * (out, cap, args..., &needed), once to ask the size and once to write.
 * The arguments must not change between the two calls. */
#define BUF_ENCODE(b, fn, ...)                                                 \
  do {                                                                         \
    size_t buf_need_;                                                          \
    fn(NULL, 0, __VA_ARGS__, &buf_need_);                                      \
    buf_reserve((b), buf_need_);                                               \
    fn((b)->p + (b)->len, buf_need_, __VA_ARGS__, &buf_need_);                 \
    (b)->len += buf_need_;                                                     \
  } while (0)

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
