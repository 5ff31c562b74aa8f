/* Name-value pairs (spec 3.4): both length forms, the 127/128 boundary, the
 * 31-bit maximum, empty names and values, the long form used for a short
 * length, truncation, and the incremental parser fed in every split. */
#include <stdlib.h>

#include "check.h"
#include "evlog.h"
#include "fcs/fcs.h"

static const uint8_t method_get[] = {0x0e, 0x03, 'R', 'E', 'Q', 'U', 'E',
                                     'S',  'T',  '_', 'M', 'E', 'T', 'H',
                                     'O',  'D',  'G', 'E', 'T'};

static void test_short_form(void) {
  size_t pos = 0;
  fcs_nv_pair p;
  CHECK_EQ(fcs_nv_next(method_get, sizeof method_get, &pos, &p), FCS_NV_OK);
  CHECK_EQ(pos, sizeof method_get);
  CHECK_BYTES(p.name, p.name_len, "REQUEST_METHOD", 14);
  CHECK_BYTES(p.value, p.value_len, "GET", 3);
  CHECK(p.name == method_get + 2); /* zero-copy */
  CHECK_EQ(fcs_nv_next(method_get, sizeof method_get, &pos, &p), FCS_NV_END);
}

/* The same pair with both lengths in the four-byte form: allowed, since the
 * spec says short lengths "can" take one byte. */
static void test_long_form_short_length(void) {
  static const uint8_t in[] = {
      0x80, 0x00, 0x00, 0x0e, 0x80, 0x00, 0x00, 0x03, 'R', 'E', 'Q', 'U', 'E',
      'S',  'T',  '_',  'M',  'E',  'T',  'H',  'O',  'D', 'G', 'E', 'T'};
  size_t pos = 0;
  fcs_nv_pair p;
  CHECK_EQ(fcs_nv_next(in, sizeof in, &pos, &p), FCS_NV_OK);
  CHECK_EQ(p.name_len, 14);
  CHECK_EQ(p.value_len, 3);
  CHECK_EQ(pos, sizeof in);

  uint8_t out[32];
  size_t w;
  CHECK_EQ(fcs_nv_encode(out, sizeof out, (const uint8_t *)"REQUEST_METHOD", 14,
                         (const uint8_t *)"GET", 3, 1, &w),
           FCS_E_OK);
  CHECK_BYTES(out, w, in, sizeof in);
}

/* 127 is the largest one-byte length; 128 needs 80 00 00 80. */
static void test_127_128(void) {
  uint8_t value[128], out[140];
  memset(value, 'v', sizeof value);
  size_t w;
  CHECK_EQ(fcs_nv_length_size(127), 1);
  CHECK_EQ(fcs_nv_length_size(128), 4);
  CHECK_EQ(fcs_nv_encode(out, sizeof out, (const uint8_t *)"N", 1, value, 127,
                         0, &w),
           FCS_E_OK);
  static const uint8_t head127[] = {0x01, 0x7f, 'N', 'v'};
  CHECK_EQ(w, 2 + 1 + 127);
  CHECK_BYTES(out, 4, head127, 4);
  CHECK_EQ(fcs_nv_encode(out, sizeof out, (const uint8_t *)"N", 1, value, 128,
                         0, &w),
           FCS_E_OK);
  static const uint8_t head128[] = {0x01, 0x80, 0x00, 0x00, 0x80, 'N', 'v'};
  CHECK_EQ(w, 5 + 1 + 128);
  CHECK_BYTES(out, 7, head128, 7);
  size_t pos = 0;
  fcs_nv_pair p;
  CHECK_EQ(fcs_nv_next(out, w, &pos, &p), FCS_NV_OK);
  CHECK_EQ(p.value_len, 128); /* high bit masked, not 0x80000080 */
  CHECK_EQ(fcs_nv_pair_size(127, 128, 0), 1 + 4 + 255);
  CHECK_EQ(fcs_nv_pair_size(1, 1, 1), 10);
}

static void test_empty_name_and_value(void) {
  static const uint8_t in[] = {0x00, 0x00, 0x00, 0x01, 'x', 0x01, 0x00, 'X'};
  size_t pos = 0;
  fcs_nv_pair p;
  CHECK_EQ(fcs_nv_next(in, sizeof in, &pos, &p), FCS_NV_OK);
  CHECK_EQ(p.name_len + p.value_len, 0);
  CHECK_EQ(pos, 2);
  CHECK_EQ(fcs_nv_next(in, sizeof in, &pos, &p), FCS_NV_OK);
  CHECK_EQ(p.name_len, 0);
  CHECK_BYTES(p.value, p.value_len, "x", 1);
  CHECK_EQ(fcs_nv_next(in, sizeof in, &pos, &p), FCS_NV_OK);
  CHECK_BYTES(p.name, p.name_len, "X", 1);
  CHECK_EQ(p.value_len, 0);
  CHECK_EQ(fcs_nv_next(in, sizeof in, &pos, &p), FCS_NV_END);
  uint8_t out[2];
  size_t w;
  CHECK_EQ(fcs_nv_encode(out, sizeof out, NULL, 0, NULL, 0, 0, &w), FCS_E_OK);
  CHECK_BYTES(out, w, in, 2);
}

static void check_truncated(const uint8_t *in, size_t len, const char *what) {
  size_t pos = 0;
  fcs_nv_pair p;
  if (!CHECK_EQ(fcs_nv_next(in, len, &pos, &p), FCS_NV_TRUNCATED) ||
      !CHECK_EQ(pos, 0))
    fprintf(stderr, "  for %s\n", what);
}

/* Lengths up to 2^31-1 in a short buffer are truncation, never an overflow
 * of name + value (the CVE-2025-23016 shape). */
static void test_truncation(void) {
  static const uint8_t max_both[] = {0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff};
  static const uint8_t max_name[] = {0xff, 0xff, 0xff, 0xff, 0x00,
                                     'a',  'b',  'c',  'd',  'e',
                                     'f',  'g',  'h',  'i',  'j'};
  static const uint8_t wrap[] = {0xff, 0xff, 0xff, 0xff, 0x80, 0x00,
                                 0x00, 0x02, 'a',  'b',  'c'};
  static const uint8_t half_length[] = {0x80, 0x00, 0x00};
  static const uint8_t no_value_length[] = {0x0e};
  static const uint8_t short_name[] = {0x0e, 0x03, 'R', 'E', 'Q'};
  static const uint8_t short_value[] = {0x01, 0x03, 'A', 'x', 'y'};
  check_truncated(max_both, sizeof max_both, "both lengths 2^31-1");
  check_truncated(max_name, sizeof max_name, "name length 2^31-1");
  check_truncated(wrap, sizeof wrap, "lengths summing past 2^32");
  check_truncated(half_length, sizeof half_length, "3 of 4 length bytes");
  check_truncated(no_value_length, sizeof no_value_length, "no value length");
  check_truncated(short_name, sizeof short_name, "short name");
  check_truncated(short_value, sizeof short_value, "short value");

  /* the parser reports the 31-bit lengths exactly, masked */
  fcs_nv_parser np;
  fcs_nv_piece piece;
  fcs_nv_parser_init(&np);
  CHECK_EQ(fcs_nv_parser_feed(&np, max_both, sizeof max_both, &piece), 8);
  CHECK_EQ(piece.kind, FCS_NV_PIECE_LENGTHS);
  CHECK_EQ(piece.name_len, FCS_NV_MAX_LEN);
  CHECK_EQ(piece.value_len, FCS_NV_MAX_LEN);
  CHECK(!fcs_nv_parser_at_boundary(&np));
  CHECK_EQ(fcs_nv_pair_size(FCS_NV_MAX_LEN, FCS_NV_MAX_LEN, 0),
           8 + 2 * (uint64_t)FCS_NV_MAX_LEN);
}

static void test_encode_errors(void) {
  uint8_t out[8];
  memset(out, 0xcc, sizeof out);
  size_t w;
  /* BUFFER_TOO_SMALL writes nothing and reports the size */
  CHECK_EQ(fcs_nv_encode(out, 5, (const uint8_t *)"AB", 2,
                         (const uint8_t *)"CD", 2, 0, &w),
           FCS_E_BUFFER_TOO_SMALL);
  CHECK_EQ(w, 6);
  for (size_t i = 0; i < sizeof out; i++)
    CHECK_EQ(out[i], 0xcc);
  CHECK_EQ(fcs_nv_encode(NULL, 0, NULL, FCS_NV_MAX_LEN, NULL, 0, 0, &w),
           FCS_E_BUFFER_TOO_SMALL);
  CHECK_EQ(w, 5 + (uint64_t)FCS_NV_MAX_LEN);
  CHECK_EQ(
      fcs_nv_encode(out, sizeof out, NULL, FCS_NV_MAX_LEN + 1u, NULL, 0, 0, &w),
      FCS_E_INVALID_ARGUMENT);
  CHECK_EQ(fcs_nv_encode(out, sizeof out, NULL, 0, NULL, 0xffffffffu, 0, &w),
           FCS_E_INVALID_ARGUMENT);
}

/* Pairs of every shape: short, long form for a short length, a 200-byte
 * value, empty name, empty value, empty both. */
static size_t build_pairs(uint8_t *buf, size_t cap) {
  static uint8_t big[200];
  memset(big, 'b', sizeof big);
  const fcs_nv_pair pairs[] = {
      {(const uint8_t *)"REQUEST_METHOD", 14, (const uint8_t *)"GET", 3},
      {(const uint8_t *)"BIG", 3, big, sizeof big},
      {NULL, 0, (const uint8_t *)"novalue", 7},
      {(const uint8_t *)"EMPTY", 5, NULL, 0},
      {NULL, 0, NULL, 0},
  };
  size_t n = 0, w;
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    fcs_err e =
        fcs_nv_encode(buf + n, cap - n, pairs[i].name, pairs[i].name_len,
                      pairs[i].value, pairs[i].value_len, i == 0, &w);
    CHECK_EQ(e, FCS_E_OK);
    n += w;
  }
  return n;
}

static char *describe_with_next(const uint8_t *buf, size_t len) {
  bytebuf t = {0};
  size_t pos = 0;
  fcs_nv_pair p;
  fcs_nv_result r;
  while ((r = fcs_nv_next(buf, len, &pos, &p)) == FCS_NV_OK) {
    bytebuf_fmt(&t, "%u/%u ", p.name_len, p.value_len);
    evlog_data(&t, p.name, p.name_len);
    evlog_data(&t, p.value, p.value_len);
    bytebuf_str(&t, "\n");
  }
  bytebuf_str(&t, r == FCS_NV_END ? "end\n" : "truncated\n");
  bytebuf_byte(&t, 0);
  return (char *)t.p;
}

typedef struct pair_acc {
  uint8_t name[256], value[256];
  size_t nlen, vlen;
} pair_acc;

/* Feeds one piece (a heap copy of exactly its size) and describes every
 * pair it completes. */
static void parse_piece(fcs_nv_parser *np, pair_acc *acc, bytebuf *t,
                        const uint8_t *src, size_t len) {
  uint8_t *piece = malloc(len);
  memcpy(piece, src, len);
  size_t off = 0;
  for (;;) {
    fcs_nv_piece pc;
    size_t n = fcs_nv_parser_feed(np, piece + off, len - off, &pc);
    off += n;
    if (pc.kind == FCS_NV_PIECE_NONE) {
      CHECK_EQ(off, len);
      break;
    }
    if (pc.kind == FCS_NV_PIECE_LENGTHS) {
      acc->nlen = acc->vlen = 0;
    } else if (pc.kind == FCS_NV_PIECE_NAME &&
               CHECK(acc->nlen + pc.len <= 256)) {
      memcpy(acc->name + acc->nlen, pc.data, pc.len);
      acc->nlen += pc.len;
    } else if (pc.kind == FCS_NV_PIECE_VALUE &&
               CHECK(acc->vlen + pc.len <= 256)) {
      memcpy(acc->value + acc->vlen, pc.data, pc.len);
      acc->vlen += pc.len;
    } else if (pc.kind == FCS_NV_PIECE_PAIR_END) {
      CHECK_EQ(acc->nlen, pc.name_len);
      CHECK_EQ(acc->vlen, pc.value_len);
      bytebuf_fmt(t, "%u/%u ", pc.name_len, pc.value_len);
      evlog_data(t, acc->name, acc->nlen);
      evlog_data(t, acc->value, acc->vlen);
      bytebuf_str(t, "\n");
    }
  }
  free(piece);
}

static char *describe_with_parser(const uint8_t *buf, size_t len,
                                  const size_t *cuts, size_t ncuts) {
  bytebuf t = {0};
  fcs_nv_parser np;
  pair_acc acc = {{0}, {0}, 0, 0};
  fcs_nv_parser_init(&np);
  size_t start = 0;
  for (size_t i = 0; i <= ncuts; i++) {
    size_t end = i < ncuts ? cuts[i] : len;
    parse_piece(&np, &acc, &t, buf + start, end - start);
    start = end;
  }
  bytebuf_str(&t, fcs_nv_parser_at_boundary(&np) ? "end\n" : "truncated\n");
  bytebuf_byte(&t, 0);
  return (char *)t.p;
}

static void compare(const char *want, const uint8_t *buf, size_t len,
                    const size_t *cuts, size_t ncuts) {
  char *got = describe_with_parser(buf, len, cuts, ncuts);
  if (!CHECK_STR(got, want))
    fprintf(stderr, "  with %zu cuts, first at %zu\n", ncuts,
            ncuts ? cuts[0] : 0);
  free(got);
}

static void test_parser_every_split(void) {
  uint8_t buf[512];
  size_t len = build_pairs(buf, sizeof buf);
  char *want = describe_with_next(buf, len);
  CHECK_EQ(len, 25 + 208 + 9 + 7 + 2);
  CHECK(strstr(want, "0/0 [][]\nend\n") != NULL);
  compare(want, buf, len, NULL, 0);
  for (size_t c = 1; c < len; c++)
    compare(want, buf, len, &c, 1);
  size_t *bytes = malloc(len * sizeof *bytes);
  for (size_t i = 0; i + 1 < len; i++)
    bytes[i] = i + 1;
  compare(want, buf, len, bytes, len - 1);
  free(bytes);
  free(want);

  /* three pieces at every pair of cuts, over the pairs without the long
   * value */
  static const uint8_t small[] = {0x80, 0x00, 0x00, 0x01, 0x01, 'A', 'x',
                                  0x00, 0x01, 'y',  0x02, 0x00, 'B', 'C'};
  want = describe_with_next(small, sizeof small);
  CHECK_STR(want, "1/1 [41][78]\n0/1 [][79]\n2/0 [42 43][]\nend\n");
  for (size_t a = 1; a < sizeof small; a++)
    for (size_t b = a + 1; b < sizeof small; b++) {
      size_t cuts[2] = {a, b};
      compare(want, small, sizeof small, cuts, 2);
    }
  free(want);
}

/* A stream that ends inside a pair leaves the parser off a boundary. */
static void test_parser_boundary(void) {
  fcs_nv_parser np;
  fcs_nv_piece pc;
  fcs_nv_parser_init(&np);
  CHECK(fcs_nv_parser_at_boundary(&np));
  CHECK_EQ(fcs_nv_parser_feed(&np, method_get, 1, &pc), 1);
  CHECK_EQ(pc.kind, FCS_NV_PIECE_NONE);
  CHECK(!fcs_nv_parser_at_boundary(&np));
  CHECK_EQ(fcs_nv_parser_feed(&np, method_get + 1, 1, &pc), 1);
  CHECK_EQ(pc.kind, FCS_NV_PIECE_LENGTHS);
  CHECK_EQ(pc.name_len, 14);
  CHECK_EQ(pc.value_len, 3);
  CHECK(!fcs_nv_parser_at_boundary(&np));

  /* inside a four-byte length */
  fcs_nv_parser_init(&np);
  CHECK_EQ(fcs_nv_parser_feed(&np, (const uint8_t *)"\x80\x00", 2, &pc), 2);
  CHECK_EQ(pc.kind, FCS_NV_PIECE_NONE);
  CHECK(!fcs_nv_parser_at_boundary(&np));
}

int main(void) {
  test_short_form();
  test_long_form_short_length();
  test_127_128();
  test_empty_name_and_value();
  test_truncation();
  test_encode_errors();
  test_parser_every_split();
  test_parser_boundary();
  return check_report("test_nv");
}
