/* A growable byte buffer, for building bytes and text: the runner and its
 * tools, the codec's and the responder's tests and the fuzz targets all use
 * it. A zeroed bytebuf is empty. Running out of memory aborts: none of them
 * can do anything useful without it. */
#ifndef BYTEBUF_H
#define BYTEBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct bytebuf {
  uint8_t *p;
  size_t len, cap;
} bytebuf;

/* Room for extra more bytes; returns where they go (p + len, never NULL). */
uint8_t *bytebuf_reserve(bytebuf *b, size_t extra);
void bytebuf_add(bytebuf *b, const void *data, size_t len);
void bytebuf_byte(bytebuf *b, uint8_t c);
void bytebuf_str(bytebuf *b, const char *s);
void bytebuf_fmt(bytebuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void bytebuf_free(bytebuf *b);
/* A buffer used as one flag per index: set flag i (growing b), and read
 * it (b may be NULL or shorter: unset). */
void bytebuf_flag_set(bytebuf *b, size_t i);
int bytebuf_flag(const bytebuf *b, size_t i);
/* Appends p's first max bytes escaped for one line of text (\r \n \t \\
 * \" and \xHH for other bytes that are not printable ASCII), then, when n
 * is larger, "...(N bytes)". */
void bytebuf_escape(bytebuf *out, const uint8_t *p, size_t n, size_t max);
/* Appends p's n bytes with printable ASCII as is and every other byte and
 * the backslash as \xNN: the byte form of the differential views. */
void bytebuf_escape_bytes(bytebuf *out, const uint8_t *p, size_t n);
/* 1 when needle (nlen bytes) occurs in b. */
int bytebuf_contains(const bytebuf *b, const void *needle, size_t nlen);

/* Appends what one of the codec's encoder calls writes: fn is called with
 * (out, cap, args..., &needed), once to ask the size and once to write.
 * The arguments must not change between the two calls. */
#define BYTEBUF_ENCODE(b, fn, ...)                                             \
  do {                                                                         \
    size_t bytebuf_need_;                                                      \
    fn(NULL, 0, __VA_ARGS__, &bytebuf_need_);                                  \
    fn(bytebuf_reserve((b), bytebuf_need_), bytebuf_need_, __VA_ARGS__,        \
       &bytebuf_need_);                                                        \
    (b)->len += bytebuf_need_;                                                 \
  } while (0)

#endif
