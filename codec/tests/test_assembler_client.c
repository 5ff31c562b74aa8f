/* Client side of the assembler (what an application sends back): STDOUT,
 * STDERR and END_REQUEST per request declared with fcs_assembler_begin,
 * two requests interleaved on one connection, rejections, management
 * replies, and id reuse after END_REQUEST. */
#include "check.h"
#include "fixture.h"
#include "vectors.h"
#include "wire.h"

#define MAXEV 32

static void test_multiplexed_replies(void) {
  fixture f;
  fcs_asm_event ev[MAXEV];
  fx_init(&f, FCS_SIDE_CLIENT, FCS_STRICT, NULL);
  CHECK_ERR(fcs_assembler_begin(&f.a, 1, FCS_RESPONDER, FCS_KEEP_CONN),
            FCS_E_OK);
  CHECK_ERR(fcs_assembler_begin(&f.a, 2, FCS_AUTHORIZER, 0), FCS_E_OK);
  CHECK_EQ(fcs_assembler_active(&f.a), 2);
  size_t n =
      fx_feed(&f, vec_client_replies.bytes, vec_client_replies.len, ev, MAXEV);
  static const fcs_asm_event_type want[] = {
      FCS_AE_STREAM_DATA, FCS_AE_STREAM_DATA, FCS_AE_STREAM_DATA,
      FCS_AE_STREAM_END,  FCS_AE_STREAM_END,  FCS_AE_STREAM_END,
      FCS_AE_END_REQUEST, FCS_AE_END_REQUEST, FCS_AE_GET_VALUES_RESULT};
  static const uint16_t ids[] = {1, 2, 1, 1, 1, 2, 2, 1, 0};
  static const uint8_t types[] = {6, 6, 7, 6, 7, 6, 3, 3, 10};
  static const uint64_t offsets[] = {8, 24, 33, 41, 49, 57, 65, 81, 97};
  if (!CHECK_EQ(n, 9)) {
    fx_free(&f);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    uint16_t role = ids[i] == 1   ? FCS_RESPONDER
                    : ids[i] == 2 ? FCS_AUTHORIZER
                                  : 0;
    if (!CHECK_EQ(ev[i].type, want[i]) || !CHECK_EQ(ev[i].request_id, ids[i]) ||
        !CHECK_EQ(ev[i].record_type, types[i]) ||
        !CHECK_EQ(ev[i].offset, offsets[i]) || !CHECK_EQ(ev[i].role, role))
      fprintf(stderr, "  event %zu\n", i);
  }
  CHECK_BYTES(ev[3].data, ev[3].len, "hi\n", 3); /* all of STDOUT 1 */
  CHECK_BYTES(ev[4].data, ev[4].len, "e", 1);    /* all of STDERR 1 */
  CHECK_BYTES(ev[5].data, ev[5].len, "B", 1);
  CHECK(ev[6].end.app_status == 0 && ev[6].end.protocol_status == 0);
  CHECK_EQ(ev[7].end.app_status, 258);
  CHECK_EQ(ev[8].npairs, 1);
  fcs_nv_pair p;
  size_t pos = 0;
  if (CHECK_EQ(fcs_nv_next(ev[8].data, ev[8].len, &pos, &p), FCS_NV_OK))
    CHECK_BYTES(p.value, p.value_len, "1", 1);
  CHECK_EQ(fcs_assembler_active(&f.a), 0);
  const fcs_request *r = fcs_assembler_request(&f.a, 1);
  if (CHECK(r != NULL)) {
    CHECK(r->ended && !r->active && r->out_done && r->err_done);
    CHECK(r->out_used && r->err_used);
    CHECK_EQ(r->flags, FCS_KEEP_CONN);
  }
  r = fcs_assembler_request(&f.a, 2);
  CHECK(r && r->out_done && !r->err_used && !r->err_done);
  fx_free(&f);
}

/* Rejections (spec 5.5) need no stream; STDERR is optional (spec 6.1), so a
 * reply without it is complete; UNKNOWN_TYPE and unknown types reach the
 * caller. */
static void test_rejections_and_management(void) {
  wire w = {{0}, 0};
  w_end(&w, 3, 0, FCS_CANT_MPX_CONN);
  w_end(&w, 4, 7, FCS_OVERLOADED);
  w_end(&w, 5, 0, FCS_UNKNOWN_ROLE);
  w_str(&w, FCS_STDOUT, 6, "Status: 200\r\n\r\n");
  w_str(&w, FCS_STDOUT, 6, "");
  w_end(&w, 6, 0, FCS_REQUEST_COMPLETE);
  w_rec(&w, FCS_UNKNOWN_TYPE, 0, "\x21\x00\x00\x00\x00\x00\x00\x00", 8, 0);
  w_rec(&w, 0x30, 0, NULL, 0, 0);
  fixture f;
  fcs_asm_event ev[MAXEV];
  fx_init(&f, FCS_SIDE_CLIENT, FCS_STRICT, NULL);
  for (uint16_t id = 3; id <= 6; id++)
    CHECK_ERR(fcs_assembler_begin(&f.a, id, FCS_RESPONDER, 0), FCS_E_OK);
  size_t n = fx_feed(&f, w.buf, w.len, ev, MAXEV);
  if (CHECK_EQ(n, 8)) {
    CHECK(ev[0].type == FCS_AE_END_REQUEST &&
          ev[0].end.protocol_status == FCS_CANT_MPX_CONN);
    CHECK(ev[1].end.app_status == 7 &&
          ev[1].end.protocol_status == FCS_OVERLOADED);
    CHECK_EQ(ev[2].end.protocol_status, FCS_UNKNOWN_ROLE);
    CHECK(ev[5].type == FCS_AE_END_REQUEST && ev[5].request_id == 6);
    CHECK_EQ(ev[6].type, FCS_AE_UNKNOWN_TYPE);
    CHECK_EQ(ev[6].unknown_type.type, 0x21);
    CHECK_EQ(ev[7].type, FCS_AE_UNKNOWN_RECORD);
    CHECK_EQ(ev[7].record_type, 0x30);
  }
  CHECK_EQ(fcs_assembler_active(&f.a), 0);
  fx_free(&f);
}

/* After END_REQUEST the id may be used for a new request (spec 3.3). */
static void test_reuse(void) {
  fixture f;
  fcs_asm_event ev[MAXEV];
  fx_init(&f, FCS_SIDE_CLIENT, FCS_STRICT, NULL);
  CHECK_ERR(fcs_assembler_begin(&f.a, 0, FCS_RESPONDER, 0),
            FCS_E_INVALID_ARGUMENT);
  CHECK_ERR(fcs_assembler_begin(&f.a, 9, FCS_RESPONDER, 0), FCS_E_OK);
  CHECK_ERR(fcs_assembler_begin(&f.a, 9, FCS_RESPONDER, 0),
            FCS_E_DUPLICATE_BEGIN);
  /* the client side learns of the end from END_REQUEST */
  CHECK_ERR(fcs_assembler_end(&f.a, 9), FCS_E_NOT_ACTIVE);
  wire w = {{0}, 0};
  w_str(&w, FCS_STDOUT, 9, "one");
  w_str(&w, FCS_STDOUT, 9, "");
  w_end(&w, 9, 0, 0);
  CHECK_EQ(fx_feed(&f, w.buf, w.len, ev, MAXEV), 3);
  CHECK_EQ(ev[2].type, FCS_AE_END_REQUEST);
  CHECK_ERR(fcs_assembler_begin(&f.a, 9, FCS_FILTER, 0), FCS_E_OK);
  const fcs_request *r = fcs_assembler_request(&f.a, 9);
  CHECK(r && r->active && !r->out_done && r->stream_len[0] == 0);
  CHECK_EQ(r->role, FCS_FILTER);
  w.len = 0;
  w_str(&w, FCS_STDOUT, 9, "two");
  size_t n = fx_feed(&f, w.buf, w.len, ev, MAXEV);
  CHECK(n == 1 && ev[0].type == FCS_AE_STREAM_DATA && ev[0].role == FCS_FILTER);
  CHECK_BYTES(r->stream[0], r->stream_len[0], "two", 3);
  fx_free(&f);
}

int main(void) {
  test_multiplexed_replies();
  test_rejections_and_management();
  test_reuse();
  return check_report("test_assembler_client");
}
