/* Assembler limits: params bytes, pairs, open requests (application and
 * client side), stream bytes, and a huge declared name-value length
 * rejected as soon as its length bytes are in. Reaching a limit is fine,
 * passing it gives the named error at the byte that passed it, in both
 * modes. */
#include "check.h"
#include "fixture.h"
#include "wire.h"

#define MAXEV 16

/* Feeds w to a fresh application-side assembler; returns the last event. */
static fcs_asm_event last_event(const fcs_limits *lim, fcs_mode mode,
                                const wire *w, size_t *count) {
  fixture f;
  fcs_asm_event ev[MAXEV];
  fx_init(&f, FCS_SIDE_APP, mode, lim);
  size_t n = fx_feed(&f, w->buf, w->len, ev, MAXEV);
  fx_free(&f);
  *count = n;
  CHECK(n >= 1 && n <= MAXEV);
  return ev[n >= 1 && n <= MAXEV ? n - 1 : 0];
}

static void expect_error(const fcs_limits *lim, const wire *w, fcs_err code,
                         uint64_t offset, uint64_t record, const char *what) {
  for (int m = 0; m < 2; m++) {
    fcs_mode mode = m ? FCS_LENIENT : FCS_STRICT;
    size_t n;
    fcs_asm_event e = last_event(lim, mode, w, &n);
    if (!CHECK_EQ(e.type, FCS_AE_ERROR) || !CHECK_ERR(e.error.code, code) ||
        !CHECK_EQ(e.error.offset, offset) || !CHECK_EQ(e.error.record, record))
      fprintf(stderr, "  %s, mode %d\n", what, mode);
  }
}

static void expect_params(const fcs_limits *lim, const wire *w, uint32_t npairs,
                          const char *what) {
  size_t n;
  fcs_asm_event e = last_event(lim, FCS_STRICT, w, &n);
  if (!CHECK_EQ(e.type, FCS_AE_PARAMS) || !CHECK_EQ(e.npairs, npairs))
    fprintf(stderr, "  %s\n", what);
}

static const char value30[] = "123456789012345678901234567890";

static void test_params_bytes(void) {
  fcs_limits lim = {32, 512, 8, 1024};
  wire w = {{0}, 0};
  char pair[40] = "\x01\x1dN";
  memcpy(pair + 3, value30, 29); /* 32 bytes: N=1234...9 */
  w_begin(&w, 1, FCS_RESPONDER, 0);
  w_rec(&w, FCS_PARAMS, 1, pair, 32, 0);
  w_str(&w, FCS_PARAMS, 1, "");
  expect_params(&lim, &w, 1, "params exactly at the limit");

  pair[1] = 0x1e; /* 33 bytes, in one record: the 33rd byte passes */
  memcpy(pair + 3, value30, 30);
  w.len = 16;
  w_rec(&w, FCS_PARAMS, 1, pair, 33, 0);
  expect_error(&lim, &w, FCS_E_LIMIT_PARAMS_BYTES, 24 + 32, 1,
               "33 params bytes in one record");

  w.len = 16; /* the same bytes as 20 + 13 */
  w_rec(&w, FCS_PARAMS, 1, pair, 20, 0);
  w_rec(&w, FCS_PARAMS, 1, pair + 20, 13, 0);
  expect_error(&lim, &w, FCS_E_LIMIT_PARAMS_BYTES, 44 + 8 + 12, 2,
               "33 params bytes in two records");
}

/* A pair declaring more than max_params_bytes fails at its last length
 * byte, before any of its data is awaited. */
static void test_huge_length(void) {
  fcs_limits lim;
  fcs_limits_default(&lim);
  wire w = {{0}, 0};
  w_begin(&w, 1, FCS_RESPONDER, 0);
  w_rec(&w, FCS_PARAMS, 1, "\xff\xff\xff\xff\x00", 5, 0);
  expect_error(&lim, &w, FCS_E_LIMIT_PARAMS_BYTES, 24 + 4, 1,
               "name length 2^31-1");
  w.len = 16; /* both lengths 2^31-1: the sum must not wrap */
  w_rec(&w, FCS_PARAMS, 1, "\xff\xff\xff\xff\xff\xff\xff\xff", 8, 0);
  expect_error(&lim, &w, FCS_E_LIMIT_PARAMS_BYTES, 24 + 7, 1,
               "both lengths 2^31-1");
  w.len = 16; /* lengths split across records */
  w_rec(&w, FCS_PARAMS, 1, "\xff\xff", 2, 0);
  w_rec(&w, FCS_PARAMS, 1, "\xff\xff\x00", 3, 0);
  expect_error(&lim, &w, FCS_E_LIMIT_PARAMS_BYTES, 26 + 8 + 2, 2,
               "length split across records");
  w.len = 16; /* one byte over the default 64 KiB */
  w_rec(&w, FCS_PARAMS, 1, "\x80\x01\x00\x00\x01", 5, 0);
  expect_error(&lim, &w, FCS_E_LIMIT_PARAMS_BYTES, 24 + 4, 1,
               "65537 declared bytes");
}

static void test_pairs(void) {
  fcs_limits lim = {1024, 2, 8, 1024};
  wire w = {{0}, 0};
  w_begin(&w, 1, FCS_RESPONDER, 0);
  w_rec(&w, FCS_PARAMS, 1,
        "\x01\x01"
        "AB\x01\x01"
        "CD",
        8, 0);
  w_str(&w, FCS_PARAMS, 1, "");
  expect_params(&lim, &w, 2, "two pairs, limit two");
  w.len = 16;
  w_rec(&w, FCS_PARAMS, 1,
        "\x01\x01"
        "AB\x01\x01"
        "CD\x00\x00",
        10, 0);
  expect_error(&lim, &w, FCS_E_LIMIT_PAIRS, 24 + 9, 1,
               "three pairs, limit two");
}

static void test_requests_app(void) {
  fcs_limits lim = {1024, 64, 2, 64};
  fixture f;
  fcs_asm_event ev[MAXEV];
  fx_init(&f, FCS_SIDE_APP, FCS_STRICT, &lim);
  wire w = {{0}, 0};
  w_begin(&w, 1, FCS_RESPONDER, 0);
  w_begin(&w, 2, FCS_RESPONDER, 0);
  w_begin(&w, 3, FCS_FILTER, 0);
  w_str(&w, FCS_PARAMS, 3, "");
  if (CHECK_EQ(fx_feed(&f, w.buf, w.len, ev, MAXEV), 4)) {
    CHECK(ev[2].type == FCS_AE_REFUSED && ev[2].request_id == 3);
    CHECK_ERR(ev[2].reason, FCS_E_LIMIT_REQUESTS);
    CHECK_EQ(ev[2].role, FCS_FILTER); /* to answer it */
    CHECK(ev[3].type == FCS_AE_IGNORED && ev[3].reason == FCS_E_NOT_ACTIVE);
  }
  CHECK_EQ(fcs_assembler_active(&f.a), 2);
  CHECK_ERR(fcs_assembler_end(&f.a, 1), FCS_E_OK);
  w.len = 0;
  w_begin(&w, 3, FCS_FILTER, 0);
  if (CHECK_EQ(fx_feed(&f, w.buf, w.len, ev, MAXEV), 1))
    CHECK_EQ(ev[0].type, FCS_AE_BEGIN);
  CHECK(fcs_assembler_request(&f.a, 1) == NULL); /* its slot went to 3 */
  fx_free(&f);
}

static void test_requests_client(void) {
  fcs_limits lim = {1024, 64, 2, 64};
  fixture f;
  fcs_asm_event ev[MAXEV];
  fx_init(&f, FCS_SIDE_CLIENT, FCS_STRICT, &lim);
  CHECK_ERR(fcs_assembler_begin(&f.a, 1, FCS_RESPONDER, 0), FCS_E_OK);
  CHECK_ERR(fcs_assembler_begin(&f.a, 2, FCS_RESPONDER, 0), FCS_E_OK);
  CHECK_ERR(fcs_assembler_begin(&f.a, 3, FCS_RESPONDER, 0),
            FCS_E_LIMIT_REQUESTS);
  wire w = {{0}, 0};
  w_end(&w, 2, 0, FCS_OVERLOADED);
  CHECK_EQ(fx_feed(&f, w.buf, w.len, ev, MAXEV), 1);
  CHECK_ERR(fcs_assembler_begin(&f.a, 3, FCS_RESPONDER, 0), FCS_E_OK);
  CHECK_EQ(fcs_assembler_active(&f.a), 2);
  fx_free(&f);
}

static void test_stream_bytes(void) {
  fcs_limits lim = {1024, 64, 8, 4};
  wire w = {{0}, 0};
  w_begin(&w, 1, FCS_FILTER, 0);
  w_str(&w, FCS_PARAMS, 1, "");
  size_t at = w_str(&w, FCS_STDIN, 1, "abcd");
  w_str(&w, FCS_STDIN, 1, "");
  w_str(&w, FCS_DATA, 1, "wxyz"); /* DATA has its own 4 bytes */
  w_str(&w, FCS_DATA, 1, "");
  size_t n;
  fcs_asm_event e = last_event(&lim, FCS_STRICT, &w, &n);
  CHECK(e.type == FCS_AE_STREAM_END && e.len == 4 && n == 6);

  w.len = at;
  w_str(&w, FCS_STDIN, 1, "ab");
  w_str(&w, FCS_STDIN, 1, "cde");
  expect_error(&lim, &w, FCS_E_LIMIT_STREAM_BYTES, at + 10 + 8 + 2, 3,
               "5 STDIN bytes, limit 4");

  /* client side: STDOUT and STDERR count separately */
  fixture f;
  fcs_asm_event ev[MAXEV];
  fx_init(&f, FCS_SIDE_CLIENT, FCS_STRICT, &lim);
  fcs_assembler_begin(&f.a, 1, FCS_RESPONDER, 0);
  w.len = 0;
  w_str(&w, FCS_STDOUT, 1, "abcd");
  w_str(&w, FCS_STDERR, 1, "abcd");
  size_t over = w_str(&w, FCS_STDOUT, 1, "e");
  n = fx_feed(&f, w.buf, w.len, ev, MAXEV);
  if (CHECK_EQ(n, 3)) {
    CHECK_ERR(ev[2].error.code, FCS_E_LIMIT_STREAM_BYTES);
    CHECK_EQ(ev[2].error.offset, over + 8);
  }
  fx_free(&f);
}

/* Limits whose memory size does not fit in size_t are refused, not wrapped
 * round to a small size that init would then accept. */
static void test_memory_size_overflow(void) {
  fcs_limits lim = {0xffffffffu, 1, 0xffffffffu, 0xffffffffu};
  CHECK_EQ(fcs_assembler_memory_size(&lim), 0);
  uint8_t mem[64];
  fcs_assembler a;
  CHECK_ERR(
      fcs_assembler_init(&a, FCS_SIDE_APP, FCS_STRICT, &lim, mem, sizeof mem),
      FCS_E_INVALID_ARGUMENT);
}

int main(void) {
  test_memory_size_overflow();
  test_params_bytes();
  test_huge_length();
  test_pairs();
  test_requests_app();
  test_requests_client();
  test_stream_bytes();
  return check_report("test_limits");
}
