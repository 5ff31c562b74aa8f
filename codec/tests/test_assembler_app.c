/* Application side of the assembler (what a web server sends): role, flags,
 * params, stdin, data, abort and stream completion per request; records
 * for inactive ids ignored (spec 3.3); ids reusable after
 * fcs_assembler_end; management records handed up. */
#include "check.h"
#include "fixture.h"
#include "vectors.h"
#include "wire.h"

#define MAXEV 32

/* The next pair of a PARAMS or GET_VALUES payload must be name=value. */
static void check_pair(const fcs_asm_event *ev, size_t *pos, const char *name,
                       const char *value) {
  fcs_nv_pair p;
  if (!CHECK_EQ(fcs_nv_next(ev->data, ev->len, pos, &p), FCS_NV_OK))
    return;
  CHECK_BYTES(p.name, p.name_len, name, strlen(name));
  CHECK_BYTES(p.value, p.value_len, value, strlen(value));
}

static void test_responder(void) {
  fixture f;
  fcs_asm_event ev[MAXEV];
  fx_init(&f, FCS_SIDE_APP, FCS_STRICT, NULL);
  size_t n = fx_feed(&f, vec_responder.bytes, vec_responder.len, ev, MAXEV);
  if (!CHECK_EQ(n, 4)) {
    fx_free(&f);
    return;
  }
  CHECK_EQ(ev[0].type, FCS_AE_BEGIN);
  CHECK(ev[0].request_id == 1 && ev[0].role == FCS_RESPONDER);
  CHECK_EQ(ev[0].flags, FCS_KEEP_CONN);
  CHECK_EQ(ev[1].type, FCS_AE_PARAMS);
  CHECK_EQ(ev[1].npairs, 2);
  CHECK_EQ(ev[1].offset, 72); /* the PARAMS terminator */
  size_t pos = 0;
  check_pair(&ev[1], &pos, "REQUEST_METHOD", "GET");
  check_pair(&ev[1], &pos, "QUERY_STRING", "");
  CHECK_EQ(pos, ev[1].len);
  CHECK(ev[2].type == FCS_AE_STREAM_DATA && ev[2].record_type == FCS_STDIN);
  CHECK_BYTES(ev[2].data, ev[2].len, "hello", 5);
  CHECK(ev[2].data == vec_responder.bytes + 88); /* zero-copy */
  CHECK(ev[3].type == FCS_AE_STREAM_END && ev[3].record_type == FCS_STDIN);
  CHECK_BYTES(ev[3].data, ev[3].len, "hello", 5);
  const fcs_request *r = fcs_assembler_request(&f.a, 1);
  if (CHECK(r != NULL)) {
    CHECK(r->active && !r->ended && !r->aborted);
    CHECK(r->params_done && r->in_done && !r->data_done);
    CHECK_EQ(r->npairs, 2);
    CHECK_EQ(r->stream_total[0], 5);
  }
  CHECK_EQ(fcs_assembler_active(&f.a), 1);
  fcs_asm_event fin;
  CHECK_ERR(fcs_assembler_finish(&f.a, &fin), FCS_E_OK);
  fx_free(&f);
}

static void test_multiplexed(void) {
  fixture f;
  fcs_asm_event ev[MAXEV];
  fx_init(&f, FCS_SIDE_APP, FCS_STRICT, NULL);
  size_t n = fx_feed(&f, vec_multiplexed.bytes, vec_multiplexed.len, ev, MAXEV);
  static const fcs_asm_event_type want[] = {
      FCS_AE_BEGIN,       FCS_AE_BEGIN,      FCS_AE_PARAMS,
      FCS_AE_STREAM_DATA, FCS_AE_PARAMS,     FCS_AE_STREAM_DATA,
      FCS_AE_STREAM_END,  FCS_AE_STREAM_END, FCS_AE_STREAM_DATA,
      FCS_AE_ABORT,       FCS_AE_STREAM_END};
  static const uint16_t ids[] = {1, 2, 1, 1, 2, 2, 2, 1, 2, 1, 2};
  if (!CHECK_EQ(n, 11)) {
    fx_free(&f);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    if (!CHECK_EQ(ev[i].type, want[i]) || !CHECK_EQ(ev[i].request_id, ids[i]) ||
        !CHECK_EQ(ev[i].role, ids[i] == 1 ? FCS_RESPONDER : FCS_FILTER))
      fprintf(stderr, "  event %zu\n", i);
  }
  size_t pos = 0;
  check_pair(&ev[2], &pos, "B", "22");
  pos = 0;
  check_pair(&ev[4], &pos, "A", "1");
  CHECK_BYTES(ev[10].data, ev[10].len, "d", 1); /* DATA of request 2 */
  CHECK_EQ(ev[10].record_type, FCS_DATA);
  const fcs_request *r1 = fcs_assembler_request(&f.a, 1);
  const fcs_request *r2 = fcs_assembler_request(&f.a, 2);
  if (CHECK(r1 && r2)) {
    CHECK(r1->aborted && !r2->aborted);
    CHECK(r2->data_done && !r1->data_done);
    CHECK_BYTES(r1->stream[0], r1->stream_len[0], "x", 1);
    CHECK_BYTES(r2->stream[0], r2->stream_len[0], "yz", 2);
    CHECK_BYTES(r1->params, r1->params_len,
                "\x01\x02"
                "B22",
                5);
  }
  CHECK_EQ(fcs_assembler_active(&f.a), 2);
  fx_free(&f);
}

/* Spec 3.3: while an id is inactive the application ignores its records,
 * except BEGIN_REQUEST; fcs_assembler_end makes an id inactive and lets it
 * begin again, with fresh state. */
static void test_inactive_and_reuse(void) {
  for (int m = 0; m < 2; m++) {
    fcs_mode mode = m ? FCS_LENIENT : FCS_STRICT;
    wire w = {{0}, 0};
    w_str(&w, FCS_PARAMS, 7, "\x01\x01XY");
    w_str(&w, FCS_STDIN, 7, "x");
    w_rec(&w, FCS_ABORT_REQUEST, 7, NULL, 0, 0);
    w_str(&w, FCS_DATA, 7, "");
    w_begin(&w, 7, FCS_AUTHORIZER, 0);
    w_str(&w, FCS_PARAMS, 7, "");
    fixture f;
    fcs_asm_event ev[MAXEV];
    fx_init(&f, FCS_SIDE_APP, mode, NULL);
    size_t n = fx_feed(&f, w.buf, w.len, ev, MAXEV);
    if (!CHECK_EQ(n, 6)) {
      fx_free(&f);
      return;
    }
    for (int i = 0; i < 4; i++) {
      CHECK_EQ(ev[i].type, FCS_AE_IGNORED);
      CHECK_ERR(ev[i].reason, FCS_E_NOT_ACTIVE);
      CHECK_EQ(ev[i].role, 0);
    }
    CHECK_EQ(ev[4].type, FCS_AE_BEGIN);
    CHECK_EQ(ev[4].role, FCS_AUTHORIZER);
    CHECK(ev[5].type == FCS_AE_PARAMS && ev[5].npairs == 0 && ev[5].len == 0);

    CHECK_ERR(fcs_assembler_end(&f.a, 7), FCS_E_OK);
    CHECK_ERR(fcs_assembler_end(&f.a, 7), FCS_E_NOT_ACTIVE);
    CHECK_ERR(fcs_assembler_end(&f.a, 8), FCS_E_NOT_ACTIVE);
    CHECK_EQ(fcs_assembler_active(&f.a), 0);
    const fcs_request *r = fcs_assembler_request(&f.a, 7);
    CHECK(r && r->ended && !r->active && r->params_done);

    wire again = {{0}, 0};
    w_str(&again, FCS_STDIN, 7, "late");
    w_begin(&again, 7, FCS_RESPONDER, FCS_KEEP_CONN);
    size_t stdin_at = w_str(&again, FCS_STDIN, 7, "");
    n = fx_feed(&f, again.buf, again.len, ev, MAXEV);
    if (CHECK_EQ(n, 3)) {
      CHECK(ev[0].type == FCS_AE_IGNORED && ev[0].reason == FCS_E_NOT_ACTIVE);
      CHECK(ev[1].type == FCS_AE_BEGIN && ev[1].flags == FCS_KEEP_CONN);
      /* fresh state: PARAMS not done, so STDIN is out of order (strict) */
      if (mode == FCS_STRICT) {
        CHECK_EQ(ev[2].type, FCS_AE_ERROR);
        CHECK_ERR(ev[2].error.code, FCS_E_STREAM_ORDER);
        CHECK_EQ(ev[2].error.offset, w.len + stdin_at);
      } else {
        CHECK_EQ(ev[2].type, FCS_AE_STREAM_END);
      }
    }
    r = fcs_assembler_request(&f.a, 7);
    CHECK(r && r->active && !r->params_done && r->role == FCS_RESPONDER);
    fx_free(&f);
  }
}

/* GET_VALUES (any time, even between the PARAMS records of a request) and
 * unknown management types are handed up; the request is not disturbed. */
static void test_management(void) {
  wire w = {{0}, 0};
  w_begin(&w, 1, FCS_RESPONDER, 0);
  w_str(&w, FCS_PARAMS, 1, "\x01\x01");
  w_rec(&w, FCS_GET_VALUES, 0,
        "\x0f\x00"
        "FCGI_MPXS_CONNS",
        17, 7);
  w_rec(&w, 0x20, 0, "ABCDEFGH", 8, 0);
  w_str(&w, FCS_PARAMS, 1, "AB");
  w_str(&w, FCS_PARAMS, 1, "");
  fixture f;
  fcs_asm_event ev[MAXEV];
  fx_init(&f, FCS_SIDE_APP, FCS_STRICT, NULL);
  size_t n = fx_feed(&f, w.buf, w.len, ev, MAXEV);
  if (CHECK_EQ(n, 4)) {
    CHECK_EQ(ev[1].type, FCS_AE_GET_VALUES);
    CHECK(ev[1].npairs == 1 && ev[1].request_id == 0 && ev[1].role == 0);
    size_t pos = 0;
    check_pair(&ev[1], &pos, "FCGI_MPXS_CONNS", "");
    CHECK_EQ(ev[2].type, FCS_AE_UNKNOWN_RECORD);
    CHECK_EQ(ev[2].record_type, 0x20);
    CHECK_EQ(ev[3].type, FCS_AE_PARAMS);
    pos = 0;
    check_pair(&ev[3], &pos, "A", "B");
  }
  /* a second query comes alone, not after the first one's bytes */
  w.len = 0;
  w_rec(&w, FCS_GET_VALUES, 0,
        "\x0d\x00"
        "FCGI_MAX_REQS",
        15, 0);
  if (CHECK_EQ(fx_feed(&f, w.buf, w.len, ev, MAXEV), 1)) {
    CHECK(ev[0].type == FCS_AE_GET_VALUES && ev[0].len == 15);
    size_t pos = 0;
    check_pair(&ev[0], &pos, "FCGI_MAX_REQS", "");
  }
  fx_free(&f);
}

/* With max_stream_bytes 0 nothing is kept: data only passes through. */
static void test_pass_through(void) {
  fcs_limits lim;
  fcs_limits_default(&lim);
  lim.max_stream_bytes = 0;
  wire w = {{0}, 0};
  w_begin(&w, 3, FCS_FILTER, 0);
  w_str(&w, FCS_PARAMS, 3, "");
  w_str(&w, FCS_STDIN, 3, "abc");
  w_str(&w, FCS_STDIN, 3, "");
  w_str(&w, FCS_DATA, 3, "data!");
  w_str(&w, FCS_DATA, 3, "");
  fixture f;
  fcs_asm_event ev[MAXEV];
  fx_init(&f, FCS_SIDE_APP, FCS_STRICT, &lim);
  size_t n = fx_feed(&f, w.buf, w.len, ev, MAXEV);
  if (CHECK_EQ(n, 6)) {
    CHECK_BYTES(ev[2].data, ev[2].len, "abc", 3);
    CHECK(ev[3].type == FCS_AE_STREAM_END && ev[3].len == 0);
    CHECK_BYTES(ev[4].data, ev[4].len, "data!", 5);
    CHECK(ev[5].type == FCS_AE_STREAM_END && ev[5].record_type == FCS_DATA);
  }
  const fcs_request *r = fcs_assembler_request(&f.a, 3);
  if (CHECK(r != NULL)) {
    CHECK(r->stream_len[0] == 0 && r->stream_total[0] == 3);
    CHECK(r->stream_len[1] == 0 && r->stream_total[1] == 5);
    CHECK(r->in_done && r->data_done);
  }
  fx_free(&f);
}

/* Feeding no input at all (NULL, 0) is how a caller drains what is still
 * pending once its bytes are used up, here the error after the bytes that
 * fit a stream limit; with nothing pending it reports NONE. */
static void test_drain_without_input(void) {
  fcs_limits lim = {1024, 64, 8, 4};
  wire w = {{0}, 0};
  w_begin(&w, 1, FCS_RESPONDER, 0);
  w_str(&w, FCS_PARAMS, 1, "");
  w_str(&w, FCS_STDIN, 1, "abcde");
  fixture f;
  fx_init(&f, FCS_SIDE_APP, FCS_STRICT, &lim);
  size_t off = 0, n = 0;
  fcs_asm_event ev;
  CHECK_EQ(fcs_assembler_feed(&f.a, NULL, 0, &ev), 0);
  CHECK_EQ(ev.type, FCS_AE_NONE);
  do {
    off += fcs_assembler_feed(&f.a, w.buf + off, w.len - off, &ev);
    n += ev.type != FCS_AE_NONE;
  } while (off < w.len && ev.type != FCS_AE_ERROR && ev.type != FCS_AE_NONE);
  CHECK(n == 3 && ev.type == FCS_AE_STREAM_DATA && ev.len == 4);
  CHECK_EQ(fcs_assembler_feed(&f.a, NULL, 0, &ev), 0);
  CHECK_EQ(ev.type, FCS_AE_ERROR);
  CHECK_ERR(ev.error.code, FCS_E_LIMIT_STREAM_BYTES);
  fx_free(&f);
}

static void test_api_misuse(void) {
  fixture f;
  fx_init(&f, FCS_SIDE_APP, FCS_STRICT, NULL);
  /* the application side learns of requests from BEGIN_REQUEST records */
  CHECK_ERR(fcs_assembler_begin(&f.a, 1, FCS_RESPONDER, 0),
            FCS_E_INVALID_ARGUMENT);
  CHECK(fcs_assembler_request(&f.a, 1) == NULL);
  fx_free(&f);
  fcs_assembler a;
  uint8_t small[64];
  CHECK_ERR(fcs_assembler_init(&a, FCS_SIDE_APP, FCS_STRICT, NULL, small,
                               sizeof small),
            FCS_E_BUFFER_TOO_SMALL);
  CHECK_ERR(fcs_assembler_init(&a, FCS_SIDE_APP, FCS_STRICT, NULL, NULL, 0),
            FCS_E_INVALID_ARGUMENT);
  fcs_limits none = {1024, 8, 0, 0};
  CHECK_ERR(fcs_assembler_init(&a, FCS_SIDE_APP, FCS_STRICT, &none, small,
                               sizeof small),
            FCS_E_INVALID_ARGUMENT);
}

/* PARAMS split into records of every size from 1 byte up: the pairs the
 * assembler hands up with the event are the stream's pairs, pointing into
 * data, whatever the split (among them an empty pair and a value with the
 * 4-byte length form). */
static void test_pairs_index(void) {
  uint8_t params[256];
  static const uint8_t heads[] = {1, 1, 'A', '1', 0,   0,   4,  0x80,
                                  0, 0, 200, 'L', 'O', 'N', 'G'};
  memcpy(params, heads, sizeof heads);
  size_t plen = sizeof heads;
  memset(params + plen, 'v', 200);
  plen += 200;
  params[plen++] = 1;
  params[plen++] = 0;
  params[plen++] = 'B';
  static const struct {
    size_t name_at, name_len, value_at, value_len;
  } want[] = {{2, 1, 3, 1}, {6, 0, 6, 0}, {11, 4, 15, 200}, {217, 1, 218, 0}};
  for (size_t size = 1; size <= plen; size++) {
    wire w = {{0}, 0};
    w_begin(&w, 1, FCS_RESPONDER, 0);
    for (size_t at = 0; at < plen; at += size)
      w_rec(&w, FCS_PARAMS, 1, params + at, size < plen - at ? size : plen - at,
            0);
    w_rec(&w, FCS_PARAMS, 1, NULL, 0, 0);
    fixture f;
    fcs_asm_event ev[4];
    fx_init(&f, FCS_SIDE_APP, FCS_STRICT, NULL);
    size_t n = fx_feed(&f, w.buf, w.len, ev, 4);
    if (CHECK_EQ(n, 2) && CHECK_EQ(ev[1].type, FCS_AE_PARAMS) &&
        CHECK_EQ(ev[1].npairs, 4) && CHECK_EQ(ev[1].len, plen)) {
      const uint8_t *d = ev[1].data;
      CHECK(!memcmp(d, params, plen));
      for (size_t i = 0; i < 4; i++) {
        const fcs_nv_pair *p = &ev[1].pairs[i];
        CHECK(p->name == d + want[i].name_at);
        CHECK_EQ(p->name_len, want[i].name_len);
        CHECK(p->value == d + want[i].value_at);
        CHECK_EQ(p->value_len, want[i].value_len);
      }
    }
    fx_free(&f);
  }
}

int main(void) {
  test_responder();
  test_pairs_index();
  test_multiplexed();
  test_inactive_and_reuse();
  test_management();
  test_pass_through();
  test_drain_without_input();
  test_api_misuse();
  return check_report("test_assembler_app");
}
