/* Every record-layer error of the decoder (spec 3.3, 4, 5), in strict mode
 * and what lenient mode does with the same bytes; the exact offset, record
 * index, id and type of each error; the error repeating without consuming;
 * and truncation at finish. */
#include "check.h"
#include "fcs/fcs.h"

/* Two good records (16 bytes) so errors land at record 2, offset 16 + n:
 * an empty GET_VALUES and an empty STDIN (a stream end). */
static const uint8_t prefix[] = {0x01, 0x09, 0x00, 0x00, 0x00, 0x00,
                                 0x00, 0x00, 0x01, 0x05, 0x00, 0x01,
                                 0x00, 0x00, 0x00, 0x00};
#define BASE 16

typedef struct err_case {
  const char *what;
  uint8_t rec[24];
  size_t len;
  fcs_err strict, lenient; /* FCS_E_OK: accepted */
  uint64_t at;             /* offset of the offending byte */
} err_case;

static const err_case cases[] = {
    {"version 2",
     {0x02, 0x01, 0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0},
     16,
     FCS_E_BAD_VERSION,
     FCS_E_OK,
     BASE + 0},
    {"version 0",
     {0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00},
     8,
     FCS_E_BAD_VERSION,
     FCS_E_BAD_VERSION,
     BASE + 0},
    {"GET_VALUES on id 1",
     {0x01, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00},
     8,
     FCS_E_MGMT_NONZERO_ID,
     FCS_E_OK,
     BASE + 2},
    {"UNKNOWN_TYPE on id 256",
     {0x01, 0x0b, 0x01, 0x00, 0x00, 0x08, 0x00, 0x00, 0x20, 0, 0, 0, 0, 0, 0,
      0},
     16,
     FCS_E_MGMT_NONZERO_ID,
     FCS_E_OK,
     BASE + 2},
    {"STDIN on id 0",
     {0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
     8,
     FCS_E_APP_RECORD_NULL_ID,
     FCS_E_OK,
     BASE + 2},
    {"BEGIN_REQUEST on id 0",
     {0x01, 0x01, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0},
     16,
     FCS_E_APP_RECORD_NULL_ID,
     FCS_E_OK,
     BASE + 2},
    {"BEGIN_REQUEST with 7 bytes",
     {0x01, 0x01, 0x00, 0x01, 0x00, 0x07, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0},
     15,
     FCS_E_BODY_TOO_SHORT,
     FCS_E_BODY_TOO_SHORT,
     BASE + 4},
    {"END_REQUEST with 0 bytes",
     {0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00},
     8,
     FCS_E_BODY_TOO_SHORT,
     FCS_E_BODY_TOO_SHORT,
     BASE + 4},
    {"UNKNOWN_TYPE with 4 bytes",
     {0x01, 0x0b, 0x00, 0x00, 0x00, 0x04, 0x04, 0x00, 0x20, 0, 0, 0, 0, 0, 0,
      0},
     16,
     FCS_E_BODY_TOO_SHORT,
     FCS_E_BODY_TOO_SHORT,
     BASE + 4},
    {"END_REQUEST with 9 bytes",
     {0x01, 0x03, 0x00, 0x01, 0x00, 0x09, 0x00, 0x00, 0, 0, 1, 2, 3, 0, 0, 0,
      0x77},
     17,
     FCS_E_BODY_LENGTH,
     FCS_E_OK,
     BASE + 4},
    {"BEGIN_REQUEST with 16 bytes",
     {0x01, 0x01, 0x00, 0x01, 0x00, 0x10, 0x00, 0x00, 0, 1, 0, 0,
      0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0},
     24,
     FCS_E_BODY_LENGTH,
     FCS_E_OK,
     BASE + 4},
    {"ABORT_REQUEST with content",
     {0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 'x'},
     9,
     FCS_E_ABORT_HAS_CONTENT,
     FCS_E_OK,
     BASE + 4},
};

/* Feeds everything in one buffer; returns the first ERROR (type NONE if
 * there was none) and counts RECORD_ENDs. */
static fcs_event run(fcs_decoder *d, const uint8_t *in, size_t len,
                     int *records) {
  fcs_event ev;
  size_t off = 0;
  *records = 0;
  for (;;) {
    off += fcs_decoder_feed(d, in + off, len - off, &ev);
    if (ev.type == FCS_EV_ERROR || ev.type == FCS_EV_NONE)
      return ev;
    *records += ev.type == FCS_EV_RECORD_END;
  }
}

static void check_case(const err_case *c, fcs_mode mode) {
  fcs_err want = mode == FCS_STRICT ? c->strict : c->lenient;
  uint8_t in[sizeof prefix + 24];
  memcpy(in, prefix, sizeof prefix);
  memcpy(in + sizeof prefix, c->rec, c->len);
  size_t len = sizeof prefix + c->len;
  fcs_header h;
  fcs_header_decode(c->rec, &h);
  fcs_decoder d;
  fcs_decoder_init(&d, mode);
  int records;
  fcs_event ev = run(&d, in, len, &records);
  int ok = CHECK_ERR(fcs_header_check(&h, mode), want);
  if (want == FCS_E_OK) {
    /* accepted: the record decodes to its end */
    ok &= CHECK_EQ(ev.type, FCS_EV_NONE);
    ok &= CHECK_EQ(records, 3);
    ok &= CHECK_EQ(fcs_decoder_finish(&d, &ev), FCS_E_OK);
  } else {
    ok &= CHECK_EQ(ev.type, FCS_EV_ERROR);
    ok &= CHECK_ERR(ev.error.code, want);
    ok &= CHECK_EQ(ev.error.offset, c->at);
    ok &= CHECK_EQ(ev.offset, c->at);
    ok &= CHECK_EQ(ev.error.record, 2);
    ok &= CHECK_EQ(ev.record, 2);
    ok &= CHECK_EQ(ev.error.request_id, h.request_id);
    ok &= CHECK_EQ(ev.error.type, h.type);
    ok &= CHECK_EQ(ev.header.version, h.version); /* the offending header */
    ok &= CHECK_EQ(ev.header.request_id, h.request_id);
    ok &= CHECK_EQ(records, 2);
    /* stopped for good: nothing consumed, the same error again */
    fcs_event again;
    ok &= CHECK_EQ(fcs_decoder_feed(&d, prefix, sizeof prefix, &again), 0);
    ok &= CHECK_EQ(again.type, FCS_EV_ERROR);
    ok &= CHECK_ERR(again.error.code, want);
    ok &= CHECK_EQ(again.error.offset, c->at);
    ok &= CHECK_EQ(again.header.type, h.type);
    ok &= CHECK_ERR(fcs_decoder_finish(&d, &again), want);
    ok &= CHECK_EQ(again.error.offset, c->at);
  }
  if (!ok)
    fprintf(stderr, "  in case \"%s\", %s mode\n", c->what,
            mode == FCS_STRICT ? "strict" : "lenient");
}

/* Lenient mode decodes a long fixed-size body from its first 8 bytes. */
static void test_lenient_long_body(void) {
  static const uint8_t in[] = {0x01, 0x03, 0x00, 0x01, 0x00, 0x09,
                               0x00, 0x00, 0x00, 0x00, 0x01, 0x02,
                               0x03, 0x00, 0x00, 0x00, 0x77};
  fcs_decoder d;
  fcs_decoder_init(&d, FCS_LENIENT);
  fcs_event ev;
  size_t off = 0, content = 0;
  for (;;) { /* one byte at a time */
    off += fcs_decoder_feed(&d, in + off, off < sizeof in, &ev);
    content += ev.type == FCS_EV_CONTENT ? ev.len : 0;
    if (ev.type == FCS_EV_RECORD_END ||
        (ev.type == FCS_EV_NONE && off == sizeof in))
      break;
  }
  CHECK_EQ(ev.type, FCS_EV_RECORD_END);
  CHECK_EQ(content, 9);
  CHECK_EQ(ev.body.end.app_status, 258);
  CHECK_EQ(ev.body.end.protocol_status, 3);
}

typedef struct trunc_case {
  const char *what;
  uint8_t rec[16];
  size_t len;
  uint16_t id;
  uint8_t type;
} trunc_case;

static const trunc_case truncs[] = {
    {"3 header bytes", {0x01, 0x05, 0x01}, 3, 0x0100, 5},
    {"half the content",
     {0x01, 0x05, 0x00, 0x01, 0x00, 0x04, 0x00, 0x00, 'a', 'b'},
     10,
     1,
     5},
    {"half the padding",
     {0x01, 0x06, 0x00, 0x02, 0x00, 0x01, 0x02, 0x00, 'a', 0x00},
     10,
     2,
     6},
};

/* TRUNCATED at finish: input ended inside a record, in both modes. */
static void test_truncated(void) {
  for (size_t i = 0; i < sizeof truncs / sizeof truncs[0]; i++) {
    for (int m = 0; m < 2; m++) {
      fcs_mode mode = m ? FCS_LENIENT : FCS_STRICT;
      const trunc_case *c = &truncs[i];
      uint8_t in[sizeof prefix + 16];
      memcpy(in, prefix, sizeof prefix);
      memcpy(in + sizeof prefix, c->rec, c->len);
      fcs_decoder d;
      fcs_decoder_init(&d, mode);
      int records;
      fcs_event ev = run(&d, in, sizeof prefix + c->len, &records);
      int ok = CHECK_EQ(ev.type, FCS_EV_NONE);
      ok &= CHECK_ERR(fcs_decoder_finish(&d, &ev), FCS_E_TRUNCATED);
      ok &= CHECK_EQ(ev.type, FCS_EV_ERROR);
      ok &= CHECK_EQ(ev.error.offset, sizeof prefix + c->len);
      ok &= CHECK_EQ(ev.error.record, 2);
      ok &= CHECK_EQ(ev.error.request_id, c->id);
      ok &= CHECK_EQ(ev.error.type, c->type);
      fcs_event again;
      ok &= CHECK_EQ(fcs_decoder_feed(&d, prefix, sizeof prefix, &again), 0);
      ok &= CHECK_ERR(again.error.code, FCS_E_TRUNCATED);
      ok &= CHECK_ERR(fcs_decoder_finish(&d, &again), FCS_E_TRUNCATED);
      if (!ok)
        fprintf(stderr, "  in truncation case \"%s\", mode %d\n", c->what,
                mode);
    }
  }
  /* ending between records is fine, also before any byte */
  fcs_decoder d;
  fcs_event ev;
  fcs_decoder_init(&d, FCS_STRICT);
  CHECK_EQ(fcs_decoder_finish(&d, &ev), FCS_E_OK);
  int records;
  fcs_decoder_init(&d, FCS_STRICT);
  run(&d, prefix, sizeof prefix, &records);
  CHECK_EQ(records, 2);
  CHECK_EQ(fcs_decoder_finish(&d, &ev), FCS_E_OK);
}

/* Types beyond FCGI_MAXTYPE are not a record-layer error: the spec answers
 * them with UNKNOWN_TYPE, which is the assembler's business. */
static void test_unknown_types_pass(void) {
  fcs_header mgmt = {1, 0x20, 0, 8, 0, 0}, app = {1, 0xff, 7, 0, 0, 0},
             zero = {1, 0, 0, 3, 5, 0};
  CHECK_ERR(fcs_header_check(&mgmt, FCS_STRICT), FCS_E_OK);
  CHECK_ERR(fcs_header_check(&app, FCS_STRICT), FCS_E_OK);
  CHECK_ERR(fcs_header_check(&zero, FCS_STRICT), FCS_E_OK);
}

/* The relaxation that waives a rule, 0 for rules no mode waives. */
static fcs_mode waiver(fcs_err rule) {
  switch (rule) {
  case FCS_E_BAD_VERSION:
    return FCS_RELAX_VERSION;
  case FCS_E_MGMT_NONZERO_ID:
    return FCS_RELAX_MGMT_ID;
  case FCS_E_APP_RECORD_NULL_ID:
    return FCS_RELAX_NULL_ID;
  case FCS_E_BODY_LENGTH:
    return FCS_RELAX_BODY_LENGTH;
  case FCS_E_ABORT_HAS_CONTENT:
    return FCS_RELAX_ABORT_CONTENT;
  default:
    return FCS_STRICT;
  }
}

/* Each relaxation waives its rule and no other: with it alone, the rule a
 * header breaks first is no longer reported, unless lenient mode rejects
 * it too; with every relaxation but it, the same rule still is. */
static void test_each_relaxation(const err_case *c) {
  fcs_header h;
  fcs_header_decode(c->rec, &h);
  fcs_mode own = c->strict == c->lenient ? FCS_STRICT : waiver(c->strict);
  int ok = 1;
  for (fcs_mode f = FCS_RELAX_VERSION; f <= FCS_RELAX_ABORT_CONTENT;
       f = (fcs_mode)(f << 1)) {
    fcs_err alone = fcs_header_check(&h, f);
    fcs_err but = fcs_header_check(&h, (fcs_mode)(FCS_LENIENT & ~f));
    if (f == own) {
      ok &= CHECK(alone != c->strict);
      ok &= CHECK_ERR(but, c->strict);
    } else {
      ok &= CHECK_ERR(alone, c->strict);
    }
  }
  if (c->strict != FCS_E_OK && c->strict != c->lenient)
    ok &= CHECK(own != FCS_STRICT); /* every waivable rule has its flag */
  if (!ok)
    fprintf(stderr, "  in case \"%s\", one relaxation at a time\n", c->what);
}

int main(void) {
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    check_case(&cases[i], FCS_STRICT);
    check_case(&cases[i], FCS_LENIENT);
    test_each_relaxation(&cases[i]);
  }
  test_lenient_long_body();
  test_truncated();
  test_unknown_types_pass();
  return check_report("test_decoder_errors");
}
