/* Encoder: known-answer records written out by hand, stream splitting at
 * 65535 bytes and at max_content, padding modes, empty-stream terminators,
 * BUFFER_TOO_SMALL (nothing written, size reported) and INVALID_ARGUMENT;
 * raw records for malformed input. */
#include <stdlib.h>

#include "check.h"
#include "fcs/fcs.h"

#define BIG (2 * 65536 + 64)
static uint8_t out[BIG];

static void test_fixed_records(void) {
  static const uint8_t begin[] = {0x01, 0x01, 0x00, 0x01, 0x00, 0x08,
                                  0x00, 0x00, 0x00, 0x01, 0x01, 0x00,
                                  0x00, 0x00, 0x00, 0x00};
  static const uint8_t end[] = {0x01, 0x03, 0x01, 0x02, 0x00, 0x08, 0x00, 0x00,
                                0x00, 0x00, 0x01, 0x02, 0x01, 0x00, 0x00, 0x00};
  static const uint8_t unknown[] = {0x01, 0x0b, 0x00, 0x00, 0x00, 0x08,
                                    0x00, 0x00, 0x20, 0x00, 0x00, 0x00,
                                    0x00, 0x00, 0x00, 0x00};
  static const uint8_t abort_req[] = {0x01, 0x02, 0x00, 0x05,
                                      0x00, 0x00, 0x00, 0x00};
  static const uint8_t stdout_hi[] = {0x01, 0x06, 0x00, 0x01, 0x00,
                                      0x02, 0x00, 0x00, 'h',  'i'};
  size_t n;
  CHECK_EQ(fcs_encode_begin_request(out, BIG, 1, FCS_RESPONDER, FCS_KEEP_CONN,
                                    NULL, &n),
           FCS_E_OK);
  CHECK_BYTES(out, n, begin, sizeof begin);
  CHECK_EQ(fcs_encode_end_request(out, BIG, 0x0102, 258, FCS_CANT_MPX_CONN,
                                  NULL, &n),
           FCS_E_OK);
  CHECK_BYTES(out, n, end, sizeof end);
  CHECK_EQ(fcs_encode_unknown_type(out, BIG, 0x20, NULL, &n), FCS_E_OK);
  CHECK_BYTES(out, n, unknown, sizeof unknown);
  CHECK_EQ(fcs_encode_abort_request(out, BIG, 5, NULL, &n), FCS_E_OK);
  CHECK_BYTES(out, n, abort_req, sizeof abort_req);
  CHECK_EQ(fcs_encode_record(out, BIG, FCS_STDOUT, 1, (const uint8_t *)"hi", 2,
                             NULL, &n),
           FCS_E_OK);
  CHECK_BYTES(out, n, stdout_hi, sizeof stdout_hi);
}

/* Spec 4.1: the standard query, and an answer to it padded to 8 bytes. */
static void test_get_values(void) {
  static const uint8_t query[] = {
      0x01, 0x09, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x0e, 0x00, 'F', 'C',
      'G',  'I',  '_',  'M',  'A',  'X',  '_',  'C',  'O',  'N',  'N', 'S',
      0x0d, 0x00, 'F',  'C',  'G',  'I',  '_',  'M',  'A',  'X',  '_', 'R',
      'E',  'Q',  'S',  0x0f, 0x00, 'F',  'C',  'G',  'I',  '_',  'M', 'P',
      'X',  'S',  '_',  'C',  'O',  'N',  'N',  'S'};
  static const uint8_t result[] = {
      0x01, 0x0a, 0x00, 0x00, 0x00, 0x33, 0x05, 0x00, 0x0e, 0x01, 'F',
      'C',  'G',  'I',  '_',  'M',  'A',  'X',  '_',  'C',  'O',  'N',
      'N',  'S',  '1',  0x0d, 0x01, 'F',  'C',  'G',  'I',  '_',  'M',
      'A',  'X',  '_',  'R',  'E',  'Q',  'S',  '1',  0x0f, 0x01, 'F',
      'C',  'G',  'I',  '_',  'M',  'P',  'X',  'S',  '_',  'C',  'O',
      'N',  'N',  'S',  '0',  0x00, 0x00, 0x00, 0x00, 0x00};
  const uint8_t *names[] = {(const uint8_t *)"FCGI_MAX_CONNS",
                            (const uint8_t *)"FCGI_MAX_REQS",
                            (const uint8_t *)"FCGI_MPXS_CONNS"};
  const uint32_t lens[] = {14, 13, 15};
  const char *values = "110";
  fcs_nv_pair q[3], r[3];
  for (int i = 0; i < 3; i++) {
    q[i] = (fcs_nv_pair){names[i], lens[i], NULL, 0};
    r[i] = (fcs_nv_pair){names[i], lens[i], (const uint8_t *)values + i, 1};
  }
  uint8_t pairs[64];
  size_t plen, n;
  CHECK_EQ(fcs_encode_pairs(pairs, sizeof pairs, q, 3, 0, &plen), FCS_E_OK);
  CHECK_EQ(plen, 0x30);
  CHECK_EQ(
      fcs_encode_record(out, BIG, FCS_GET_VALUES, 0, pairs, plen, NULL, &n),
      FCS_E_OK);
  CHECK_BYTES(out, n, query, sizeof query);
  CHECK_EQ(fcs_encode_pairs(pairs, sizeof pairs, r, 3, 0, &plen), FCS_E_OK);
  fcs_record_opts align = {{FCS_PAD_ALIGN8, 0, 0}, 0, 0, 0};
  CHECK_EQ(fcs_encode_record(out, BIG, FCS_GET_VALUES_RESULT, 0, pairs, plen,
                             &align, &n),
           FCS_E_OK);
  CHECK_BYTES(out, n, result, sizeof result);
}

/* Content bytes of record k of a stream split into chunk-sized records
 * (no padding): the header of record k starts at k * (8 + chunk). */
static void check_header_at(size_t at, uint8_t type, uint16_t clen,
                            uint8_t plen) {
  fcs_header h;
  fcs_header_decode(out + at, &h);
  if (!CHECK_EQ(h.type, type) || !CHECK_EQ(h.content_length, clen) ||
      !CHECK_EQ(h.padding_length, plen) || !CHECK_EQ(h.request_id, 1))
    fprintf(stderr, "  header at %zu\n", at);
}

static void test_split_65535(void) {
  uint8_t *data = malloc(65536);
  for (size_t i = 0; i < 65536; i++)
    data[i] = (uint8_t)(i * 7);
  size_t n;
  CHECK_EQ(fcs_encode_stream(out, BIG, FCS_STDIN, 1, data, 65535, 0, NULL, &n),
           FCS_E_OK);
  CHECK_EQ(n, 8 + 65535);
  check_header_at(0, FCS_STDIN, 0xffff, 0);
  CHECK_EQ(fcs_encode_stream(out, BIG, FCS_STDIN, 1, data, 65536, 1, NULL, &n),
           FCS_E_OK);
  CHECK_EQ(n, 8 + 65535 + 8 + 1 + 8);
  check_header_at(0, FCS_STDIN, 0xffff, 0);
  check_header_at(8 + 65535, FCS_STDIN, 1, 0);
  check_header_at(8 + 65535 + 9, FCS_STDIN, 0, 0);
  CHECK_BYTES(out + 8, 65535, data, 65535);
  CHECK_EQ(out[8 + 65535 + 8], data[65535]);
  /* max_content 0 and values past 65535 both mean 65535 */
  fcs_record_opts o = {{FCS_PAD_NONE, 0, 0}, 0, 0, 70000};
  CHECK_EQ(fcs_encode_stream(out, BIG, FCS_STDIN, 1, data, 65536, 0, &o, &n),
           FCS_E_OK);
  CHECK_EQ(n, 8 + 65535 + 8 + 1);
  free(data);
}

static void test_max_content(void) {
  static const uint8_t want[] = {0x01, 0x05, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00,
                                 'a',  'b',  'c',  0x01, 0x05, 0x00, 0x01, 0x00,
                                 0x03, 0x00, 0x00, 'd',  'e',  'f',  0x01, 0x05,
                                 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 'g',  0x01,
                                 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};
  fcs_record_opts o = {{FCS_PAD_NONE, 0, 0}, 0, 0, 3};
  size_t n;
  CHECK_EQ(fcs_encode_stream(out, BIG, FCS_STDIN, 1, (const uint8_t *)"abcdefg",
                             7, 1, &o, &n),
           FCS_E_OK);
  CHECK_BYTES(out, n, want, sizeof want);
  /* an exact multiple gives no empty data record before the terminator */
  CHECK_EQ(fcs_encode_stream(out, BIG, FCS_STDIN, 1, (const uint8_t *)"abcdef",
                             6, 1, &o, &n),
           FCS_E_OK);
  CHECK_EQ(n, 11 + 11 + 8);
}

static void test_padding(void) {
  fcs_padding align = {FCS_PAD_ALIGN8, 0, 0};
  static const size_t clens[] = {0, 1, 7, 8, 9, 65535};
  static const uint8_t pads[] = {0, 7, 1, 0, 7, 1};
  for (size_t i = 0; i < sizeof clens / sizeof clens[0]; i++)
    CHECK_EQ(fcs_padding_for(&align, clens[i]), pads[i]);
  fcs_padding none = {FCS_PAD_NONE, 9, 0xff};
  CHECK_EQ(fcs_padding_for(&none, 3), 0);

  static const uint8_t abc8[] = {0x01, 0x06, 0x00, 0x01, 0x00, 0x03,
                                 0x05, 0x00, 'a',  'b',  'c',  0xaa,
                                 0xaa, 0xaa, 0xaa, 0xaa};
  fcs_record_opts o = {{FCS_PAD_ALIGN8, 0, 0xaa}, 0, 0, 0};
  size_t n;
  CHECK_EQ(fcs_encode_record(out, BIG, FCS_STDOUT, 1, (const uint8_t *)"abc", 3,
                             &o, &n),
           FCS_E_OK);
  CHECK_BYTES(out, n, abc8, sizeof abc8);

  /* fixed 255 bytes on every record, the terminator included */
  fcs_record_opts f = {{FCS_PAD_FIXED, 255, 0x5a}, 0, 0, 0};
  CHECK_EQ(fcs_encode_stream(out, BIG, FCS_STDOUT, 1, (const uint8_t *)"ab", 2,
                             1, &f, &n),
           FCS_E_OK);
  CHECK_EQ(n, 8 + 2 + 255 + 8 + 255);
  check_header_at(0, FCS_STDOUT, 2, 255);
  check_header_at(8 + 2 + 255, FCS_STDOUT, 0, 255);
  size_t fill = 0;
  for (size_t i = 0; i < 255; i++)
    fill += (out[10 + i] == 0x5a) + (out[n - 255 + i] == 0x5a);
  CHECK_EQ(fill, 2 * 255);

  /* version and reserved are written as given */
  static const uint8_t odd[] = {0x02, 0x06, 0x00, 0x01, 0x00, 0x00, 0x00, 0xee};
  fcs_record_opts v = {{FCS_PAD_FIXED, 0, 0}, 2, 0xee, 0};
  CHECK_EQ(fcs_encode_stream(out, BIG, FCS_STDOUT, 1, NULL, 0, 1, &v, &n),
           FCS_E_OK);
  CHECK_BYTES(out, n, odd, sizeof odd);
}

static void test_terminators(void) {
  static const uint8_t s0[] = {0x01, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};
  size_t n;
  CHECK_EQ(fcs_encode_stream(out, BIG, FCS_STDIN, 1, NULL, 0, 1, NULL, &n),
           FCS_E_OK);
  CHECK_BYTES(out, n, s0, sizeof s0);
  /* an empty record needs no alignment padding */
  fcs_record_opts o = {{FCS_PAD_ALIGN8, 0, 0}, 0, 0, 0};
  CHECK_EQ(fcs_encode_stream(out, BIG, FCS_STDIN, 1, NULL, 0, 1, &o, &n),
           FCS_E_OK);
  CHECK_BYTES(out, n, s0, sizeof s0);
  /* nothing to write is no error, even with no buffer */
  CHECK_EQ(fcs_encode_stream(NULL, 0, FCS_STDIN, 1, NULL, 0, 0, NULL, &n),
           FCS_E_OK);
  CHECK_EQ(n, 0);
  CHECK_EQ(fcs_encode_pairs(NULL, 0, NULL, 0, 0, &n), FCS_E_OK);
  CHECK_EQ(n, 0);
}

/* Fills the buffer, asks with one byte too few, checks nothing changed. */
#define CHECK_TOO_SMALL(call_with_cap, want_needed)                            \
  do {                                                                         \
    size_t n_ = 0, cap = (want_needed)-1;                                      \
    memset(out, 0xcc, (want_needed) + 1);                                      \
    CHECK_ERR(call_with_cap, FCS_E_BUFFER_TOO_SMALL);                          \
    CHECK_EQ(n_, want_needed);                                                 \
    size_t same_ = 0;                                                          \
    for (size_t i_ = 0; i_ < (want_needed) + 1; i_++)                          \
      same_ += out[i_] == 0xcc;                                                \
    CHECK_EQ(same_, (want_needed) + 1);                                        \
  } while (0)

static void test_buffer_too_small(void) {
  fcs_nv_pair p = {(const uint8_t *)"A", 1, (const uint8_t *)"B", 1};
  fcs_record_opts o = {{FCS_PAD_ALIGN8, 0, 0}, 0, 0, 2};
  CHECK_TOO_SMALL(fcs_encode_record(out, cap, FCS_STDOUT, 1,
                                    (const uint8_t *)"abc", 3, &o, &n_),
                  16);
  CHECK_TOO_SMALL(fcs_encode_stream(out, cap, FCS_STDOUT, 1,
                                    (const uint8_t *)"abc", 3, 1, &o, &n_),
                  3 * 16 - 8);
  CHECK_TOO_SMALL(fcs_encode_begin_request(out, cap, 1, 1, 0, NULL, &n_), 16);
  CHECK_TOO_SMALL(fcs_encode_end_request(out, cap, 1, 0, 0, NULL, &n_), 16);
  CHECK_TOO_SMALL(fcs_encode_unknown_type(out, cap, 0x20, NULL, &n_), 16);
  CHECK_TOO_SMALL(fcs_encode_abort_request(out, cap, 1, NULL, &n_), 8);
  CHECK_TOO_SMALL(fcs_encode_pairs(out, cap, &p, 1, 1, &n_), 10);
  /* asking with no buffer */
  size_t n;
  CHECK_ERR(fcs_encode_record(NULL, 0, FCS_STDOUT, 1, (const uint8_t *)"abc", 3,
                              NULL, &n),
            FCS_E_BUFFER_TOO_SMALL);
  CHECK_EQ(n, 11);
}

static void test_invalid_argument(void) {
  size_t n = 99;
  CHECK_ERR(fcs_encode_record(out, BIG, FCS_STDOUT, 1, out, 65536, NULL, &n),
            FCS_E_INVALID_ARGUMENT);
  CHECK_EQ(n, 0);
  CHECK_ERR(fcs_encode_record(out, BIG, FCS_STDOUT, 1, NULL, 3, NULL, &n),
            FCS_E_INVALID_ARGUMENT);
  CHECK_ERR(fcs_encode_stream(out, BIG, FCS_STDOUT, 1, NULL, 5, 1, NULL, &n),
            FCS_E_INVALID_ARGUMENT);
  fcs_nv_pair p = {NULL, 0x80000000u, NULL, 0};
  CHECK_ERR(fcs_encode_pairs(out, BIG, &p, 1, 0, &n), FCS_E_INVALID_ARGUMENT);
}

/* Malformed records for the cases: the header exactly as given, with a
 * contentLength that is not the content's, version 0, a reserved byte and
 * padding of a chosen fill. */
static void test_raw_record(void) {
  static const uint8_t want[] = {0x00, 0x05, 0x00, 0x07, 0x01, 0x00,
                                 0x02, 0x5a, 'h',  'i',  0xee, 0xee};
  fcs_header h = {0, FCS_STDIN, 7, 256, 2, 0x5a};
  size_t n;
  CHECK_ERR(
      fcs_encode_raw_record(NULL, 0, &h, (const uint8_t *)"hi", 2, 0xee, &n),
      FCS_E_BUFFER_TOO_SMALL);
  CHECK_EQ(n, sizeof want);
  CHECK_ERR(fcs_encode_raw_record(out, sizeof want, &h, (const uint8_t *)"hi",
                                  2, 0xee, &n),
            FCS_E_OK);
  CHECK_BYTES(out, n, want, sizeof want);
  CHECK_ERR(fcs_encode_raw_record(out, BIG, &h, NULL, 1, 0, &n),
            FCS_E_INVALID_ARGUMENT);
  CHECK_ERR(fcs_encode_raw_record(out, BIG, &h, out, 65536, 0, &n),
            FCS_E_INVALID_ARGUMENT);
}

int main(void) {
  test_raw_record();
  test_fixed_records();
  test_get_values();
  test_split_65535();
  test_max_content();
  test_padding();
  test_terminators();
  test_buffer_too_small();
  test_invalid_argument();
  return check_report("test_encoder");
}
