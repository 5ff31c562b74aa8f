/* Known-answer decoding: the hand-written vectors give exactly the events
 * written out below (record index, offset, header, content, bodies), and
 * so do an UNKNOWN_TYPE record and the largest record the spec allows. */
#include <stdlib.h>

#include "check.h"
#include "evlog.h"
#include "vectors.h"

static void expect_log(fcs_mode mode, const uint8_t *in, size_t len,
                       const char *want, const char *what) {
  char *got = decoder_log(mode, in, len, NULL, 0);
  if (!CHECK_STR(got, want))
    fprintf(stderr, "  decoding %s\n", what);
  free(got);
}

static void test_responder(void) {
  expect_log(FCS_STRICT, vec_responder.bytes, vec_responder.len,
             "r0 @0 HEADER v1 t1 id1 c8 p0 res0\n"
             "r0 @8 CONTENT [00 01 01 00 00 00 00 00]\n"
             "r0 @0 RECORD_END v1 t1 id1 c8 p0 res0 role1 flags1 "
             "rsv[00 00 00 00 00]\n"
             "r1 @16 HEADER v1 t4 id1 c10 p6 res0\n"
             "r1 @24 CONTENT [0e 03 52 45 51 55 45 53 54 5f]\n"
             "r1 @16 RECORD_END v1 t4 id1 c10 p6 res0\n"
             "r2 @40 HEADER v1 t4 id1 c23 p1 res0\n"
             "r2 @48 CONTENT [4d 45 54 48 4f 44 47 45 54 0c 00 51 55 45 52 "
             "59 5f 53 54 52 49 4e 47]\n"
             "r2 @40 RECORD_END v1 t4 id1 c23 p1 res0\n"
             "r3 @72 HEADER v1 t4 id1 c0 p0 res0\n"
             "r3 @72 RECORD_END v1 t4 id1 c0 p0 res0\n"
             "r3 @72 STREAM_END v1 t4 id1 c0 p0 res0\n"
             "r4 @80 HEADER v1 t5 id1 c5 p3 res0\n"
             "r4 @88 CONTENT [68 65 6c 6c 6f]\n"
             "r4 @80 RECORD_END v1 t5 id1 c5 p3 res0\n"
             "r5 @96 HEADER v1 t5 id1 c0 p8 res0\n"
             "r5 @96 RECORD_END v1 t5 id1 c0 p8 res0\n"
             "r5 @96 STREAM_END v1 t5 id1 c0 p8 res0\n"
             "FINISH OK\n",
             vec_responder.name);
}

static void test_client_replies(void) {
  expect_log(FCS_STRICT, vec_client_replies.bytes, vec_client_replies.len,
             "r0 @0 HEADER v1 t6 id1 c3 p5 res0\n"
             "r0 @8 CONTENT [68 69 0a]\n"
             "r0 @0 RECORD_END v1 t6 id1 c3 p5 res0\n"
             "r1 @16 HEADER v1 t6 id2 c1 p0 res0\n"
             "r1 @24 CONTENT [42]\n"
             "r1 @16 RECORD_END v1 t6 id2 c1 p0 res0\n"
             "r2 @25 HEADER v1 t7 id1 c1 p7 res0\n"
             "r2 @33 CONTENT [65]\n"
             "r2 @25 RECORD_END v1 t7 id1 c1 p7 res0\n"
             "r3 @41 HEADER v1 t6 id1 c0 p0 res0\n"
             "r3 @41 RECORD_END v1 t6 id1 c0 p0 res0\n"
             "r3 @41 STREAM_END v1 t6 id1 c0 p0 res0\n"
             "r4 @49 HEADER v1 t7 id1 c0 p0 res0\n"
             "r4 @49 RECORD_END v1 t7 id1 c0 p0 res0\n"
             "r4 @49 STREAM_END v1 t7 id1 c0 p0 res0\n"
             "r5 @57 HEADER v1 t6 id2 c0 p0 res0\n"
             "r5 @57 RECORD_END v1 t6 id2 c0 p0 res0\n"
             "r5 @57 STREAM_END v1 t6 id2 c0 p0 res0\n"
             "r6 @65 HEADER v1 t3 id2 c8 p0 res0\n"
             "r6 @73 CONTENT [00 00 00 00 00 00 00 00]\n"
             "r6 @65 RECORD_END v1 t3 id2 c8 p0 res0 app0 proto0 "
             "rsv[00 00 00]\n"
             "r7 @81 HEADER v1 t3 id1 c8 p0 res0\n"
             "r7 @89 CONTENT [00 00 01 02 00 00 00 00]\n"
             "r7 @81 RECORD_END v1 t3 id1 c8 p0 res0 app258 proto0 "
             "rsv[00 00 00]\n"
             "r8 @97 HEADER v1 t10 id0 c18 p6 res0\n"
             "r8 @105 CONTENT [0f 01 46 43 47 49 5f 4d 50 58 53 5f 43 4f 4e "
             "4e 53 31]\n"
             "r8 @97 RECORD_END v1 t10 id0 c18 p6 res0\n"
             "FINISH OK\n",
             vec_client_replies.name);
}

/* The record types the two vectors above leave out: ABORT_REQUEST and DATA
 * (vec_multiplexed), GET_VALUES (vec_get_values_request), UNKNOWN_TYPE. */
static void test_other_types(void) {
  static const uint8_t unknown[] = {0x01, 0x0b, 0x00, 0x00, 0x00, 0x08,
                                    0x00, 0x00, 0x20, 0x01, 0x02, 0x03,
                                    0x04, 0x05, 0x06, 0x07};
  expect_log(FCS_STRICT, unknown, sizeof unknown,
             "r0 @0 HEADER v1 t11 id0 c8 p0 res0\n"
             "r0 @8 CONTENT [20 01 02 03 04 05 06 07]\n"
             "r0 @0 RECORD_END v1 t11 id0 c8 p0 res0 type32 "
             "rsv[01 02 03 04 05 06 07]\n"
             "FINISH OK\n",
             "UNKNOWN_TYPE");
  char *log = decoder_log(FCS_STRICT, vec_multiplexed.bytes,
                          vec_multiplexed.len, NULL, 0);
  CHECK(strstr(log, "r10 @115 HEADER v1 t8 id2 c1 p0 res0\n"
                    "r10 @123 CONTENT [64]\n") != NULL);
  CHECK(strstr(log, "r11 @124 HEADER v1 t2 id1 c0 p0 res0\n"
                    "r11 @124 RECORD_END v1 t2 id1 c0 p0 res0\n"
                    "r12 @132") != NULL);
  CHECK(strstr(log, "FINISH OK\n") != NULL);
  free(log);
  log = decoder_log(FCS_STRICT, vec_get_values_request.bytes,
                    vec_get_values_request.len, NULL, 0);
  const char *query =
      "r0 @0 HEADER v1 t9 id0 c48 p0 res0\n"
      "r0 @8 CONTENT [0e 00 46 43 47 49 5f 4d 41 58 5f 43 4f 4e 4e 53 0d 00 "
      "46 43 47 49 5f 4d 41 58 5f 52 45 51 53 0f 00 46 43 47 49 5f 4d 50 58 "
      "53 5f 43 4f 4e 4e 53]\n"
      "r0 @0 RECORD_END v1 t9 id0 c48 p0 res0\n"
      "r1 @56 HEADER v1 t1 id1 c8 p0 res0\n";
  CHECK(strncmp(log, query, strlen(query)) == 0);
  CHECK(strstr(log, "r1 @56 RECORD_END v1 t1 id1 c8 p0 res0 role1 flags0") !=
        NULL);
  free(log);
}

/* Spec 3.3: receivers must take contentLength 65535 with paddingLength
 * 255, the largest record. */
static void test_largest_record(void) {
  size_t len = FCS_MAX_RECORD + 8;
  uint8_t *in = calloc(1, len);
  memcpy(in, "\x01\x06\x00\x01\xff\xff\xff\x00", 8);
  in[8] = 'a';
  in[8 + 65534] = 'z';
  memcpy(in + FCS_MAX_RECORD, "\x01\x06\x00\x01\x00\x00\x00\x00", 8);
  fcs_decoder d;
  fcs_decoder_init(&d, FCS_STRICT);
  size_t off = 0, content = 0;
  int ends = 0;
  fcs_event ev;
  do {
    off += fcs_decoder_feed(&d, in + off, len - off, &ev);
    content += ev.type == FCS_EV_CONTENT ? ev.len : 0;
    if (ev.type == FCS_EV_RECORD_END)
      ends++;
  } while (ev.type != FCS_EV_NONE && ev.type != FCS_EV_ERROR);
  CHECK_EQ(off, len);
  CHECK_EQ(content, 65535);
  CHECK_EQ(ends, 2);
  CHECK_EQ(ev.type, FCS_EV_NONE);
  /* no input at all is a way to ask for pending events: none now */
  CHECK_EQ(fcs_decoder_feed(&d, NULL, 0, &ev), 0);
  CHECK_EQ(ev.type, FCS_EV_NONE);
  CHECK_EQ(fcs_decoder_finish(&d, &ev), FCS_E_OK);
  free(in);
}

int main(void) {
  test_responder();
  test_client_replies();
  test_other_types();
  test_largest_record();
  return check_report("test_decoder_vectors");
}
