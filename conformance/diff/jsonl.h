/* Pieces of fcgi-diff's JSON lines. Bytes become a JSON string that holds
 * printable ASCII as is and every other byte, and the backslash, as the
 * four characters \xNN (docs/differential.md). */
#ifndef FSP_DIFF_JSONL_H
#define FSP_DIFF_JSONL_H

#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"

/* The quoted JSON string for n bytes at p. */
void jsonl_bytes(bytebuf *out, const uint8_t *p, size_t n);
/* The quoted JSON string for a C string. */
void jsonl_str(bytebuf *out, const char *s);

#endif
