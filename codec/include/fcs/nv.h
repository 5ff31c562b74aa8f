/* Name-value pairs (spec section 3.4): nameLength, valueLength, name, value.
 * A length of 0-127 takes one byte; any length may take four bytes with the
 * high bit of the first set, giving 31 bits. */
#ifndef FCS_NV_H
#define FCS_NV_H

#include <stddef.h>
#include <stdint.h>

#include "fcs/error.h"
#include "fcs/proto.h"

typedef struct fcs_nv_pair {
  const uint8_t *name;
  uint32_t name_len;
  const uint8_t *value;
  uint32_t value_len;
} fcs_nv_pair;

typedef enum fcs_nv_result {
  FCS_NV_OK = 0,       /* *pair filled, *pos advanced past it */
  FCS_NV_END = 1,      /* *pos == len: no more pairs */
  FCS_NV_TRUNCATED = 2 /* a pair starts at *pos but does not fit */
} fcs_nv_result;

/* The two lengths of the pair at buf[pos]: returns the bytes they take (2
 * to 8), or 0 when they do not fit in len. */
size_t fcs_nv_lengths(const uint8_t *buf, size_t len, size_t pos,
                      uint32_t *name_len, uint32_t *value_len);

/* Zero-copy: pair->name and pair->value point into buf. */
fcs_nv_result fcs_nv_next(const uint8_t *buf, size_t len, size_t *pos,
                          fcs_nv_pair *pair);

/* 1 when the pair's name is exactly the C string name. */
int fcs_nv_name_is(const fcs_nv_pair *pair, const char *name);

/* Bytes one length takes in its shortest form (1 or 4). */
size_t fcs_nv_length_size(uint32_t len);
/* Size of the pair's encoding: shortest form unless force_long. */
size_t fcs_nv_pair_size(uint32_t name_len, uint32_t value_len, int force_long);
/* Writes one pair; returns FCS_E_BUFFER_TOO_SMALL (writing nothing) when cap
 * is short, FCS_E_INVALID_ARGUMENT when a length exceeds 2^31-1. *written
 * gets the size either way. */
fcs_err fcs_nv_encode(uint8_t *out, size_t cap, const uint8_t *name,
                      uint32_t name_len, const uint8_t *value,
                      uint32_t value_len, int force_long, size_t *written);

/* Incremental parser for pairs that straddle record boundaries: feed it the
 * content slices of one stream in order; it reports the pieces of each pair
 * without copying. State is constant. */
typedef enum fcs_nv_piece_kind {
  FCS_NV_PIECE_NONE = 0, /* input used up, nothing to report */
  FCS_NV_PIECE_LENGTHS,  /* both lengths known: name_len, value_len */
  FCS_NV_PIECE_NAME,     /* a slice of the name (may be empty) */
  FCS_NV_PIECE_VALUE,    /* a slice of the value (may be empty) */
  FCS_NV_PIECE_PAIR_END  /* the pair is complete */
} fcs_nv_piece_kind;

typedef struct fcs_nv_piece {
  fcs_nv_piece_kind kind;
  uint32_t name_len, value_len; /* valid from LENGTHS to PAIR_END */
  const uint8_t *data;          /* NAME, VALUE: slice of the input */
  size_t len;
} fcs_nv_piece;

typedef struct fcs_nv_parser {
  int state;
  uint8_t lenbuf[4];
  uint8_t lenhave, lenneed;
  uint32_t name_len, value_len, left;
  uint64_t pairs;
} fcs_nv_parser;

void fcs_nv_parser_init(fcs_nv_parser *p);
/* Returns bytes consumed from in; piece->kind says what, if anything, was
 * found. Call again with the rest of the input until it returns 0 and
 * reports FCS_NV_PIECE_NONE. */
size_t fcs_nv_parser_feed(fcs_nv_parser *p, const uint8_t *in, size_t len,
                          fcs_nv_piece *piece);
/* 1 when the parser stands between pairs (a stream may end here). */
int fcs_nv_parser_at_boundary(const fcs_nv_parser *p);

#endif
