/* Observe mode of the assembler. For every input of broken.h: the exact
 * events observe mode gives (offsets, record indexes, the byte at fault);
 * that strict mode gives the same events up to the first rule observe mode
 * reports and stops there with that rule, record and byte; that lenient
 * mode gives the same events without the VIOLATIONs (and stops where a
 * PARAMS stream ends inside a pair). Then the API's argument checks. */
#include <stdlib.h>

#include "broken.h"
#include "check.h"
#include "evlog.h"
#include "fixture.h"
#include "names.h"

#define MAXEV 32

typedef struct expected {
  const char *name; /* of the broken.h input */
  const char *log;  /* observe mode, whole input (evlog.h) */
} expected;

static const expected logs[] = {
    {"app BAD_VERSION",
     "r0 @0 BEGIN id1 t1 role1 fl0\n"
     "r1 @16 VIOLATION id1 t4 role1 fl0 reason BAD_VERSION broken @16\n"
     "r1 @16 PARAMS id1 t4 role1 fl0 pairs0 []\n"
     "r2 @24 STREAM_END id1 t5 role1 fl0 []\n"
     "FINISH OK\n"},
    {"app MGMT_NONZERO_ID",
     "r0 @0 VIOLATION id1 t9 role0 fl0 reason MGMT_NONZERO_ID broken @2\n"
     "r0 @0 GET_VALUES id1 t9 role0 fl0 pairs1 [0e 00 46 43 47 49 5f 4d 41 58 "
     "5f 43 4f 4e 4e 53]\n"
     "FINISH OK\n"},
    {"app APP_RECORD_NULL_ID",
     "r0 @0 VIOLATION id0 t5 role0 fl0 reason APP_RECORD_NULL_ID broken @2\n"
     "r0 @0 UNKNOWN_RECORD id0 t5 role0 fl0\n"
     "r1 @9 BEGIN id1 t1 role1 fl0\n"
     "FINISH OK\n"},
    {"app BODY_LENGTH",
     "r0 @0 VIOLATION id1 t1 role0 fl0 reason BODY_LENGTH broken @4\n"
     "r0 @0 BEGIN id1 t1 role2 fl1\n"
     "r1 @18 PARAMS id1 t4 role2 fl1 pairs0 []\n"
     "FINISH OK\n"},
    {"app ABORT_HAS_CONTENT",
     "r0 @0 BEGIN id1 t1 role1 fl0\n"
     "r1 @16 VIOLATION id1 t2 role1 fl0 reason ABORT_HAS_CONTENT broken @20\n"
     "r1 @16 ABORT id1 t2 role1 fl0\n"
     "r2 @27 PARAMS id1 t4 role1 fl0 pairs0 []\n"
     "FINISH OK\n"},
    {"app STREAM_ORDER stdin",
     "r0 @0 BEGIN id1 t1 role1 fl0\n"
     "r1 @16 VIOLATION id1 t5 role1 fl0 reason STREAM_ORDER broken @16\n"
     "r1 @24 STREAM_DATA id1 t5 role1 fl0 [78]\n"
     "r2 @25 PARAMS id1 t4 role1 fl0 pairs0 []\n"
     "r3 @33 STREAM_END id1 t5 role1 fl0 [78]\n"
     "FINISH OK\n"},
    {"app STREAM_ORDER data",
     "r0 @0 BEGIN id1 t1 role3 fl0\n"
     "r1 @16 PARAMS id1 t4 role3 fl0 pairs0 []\n"
     "r2 @24 VIOLATION id1 t8 role3 fl0 reason STREAM_ORDER broken @24\n"
     "r2 @32 STREAM_DATA id1 t8 role3 fl0 [64]\n"
     "r3 @33 STREAM_END id1 t5 role3 fl0 []\n"
     "r4 @41 STREAM_END id1 t8 role3 fl0 [64]\n"
     "FINISH OK\n"},
    {"app NV_IN_RECORD",
     "r0 @0 VIOLATION id0 t9 role0 fl0 reason NV_IN_RECORD broken @11\n"
     "r0 @0 GET_VALUES id0 t9 role0 fl0 pairs1 [01 00 41 01 05 42 43]\n"
     "r1 @16 BEGIN id1 t1 role1 fl0\n"
     "FINISH OK\n"},
    {"app NV_TRUNCATED",
     "r0 @0 BEGIN id1 t1 role1 fl0\n"
     "r2 @33 VIOLATION id1 t4 role1 fl0 reason NV_TRUNCATED broken @33\n"
     "r2 @33 PARAMS id1 t4 role1 fl0 pairs1 [01 01 41 42]\n"
     "r3 @41 IGNORED id1 t4 role1 fl0 reason STREAM_AFTER_END broken @41\n"
     "r4 @53 STREAM_END id1 t5 role1 fl0 []\n"
     "FINISH OK\n"},
    {"app DUPLICATE_BEGIN",
     "r0 @0 BEGIN id1 t1 role1 fl1\n"
     "r1 @16 REFUSED id1 t1 role3 fl0 reason DUPLICATE_BEGIN broken @16\n"
     "r2 @32 PARAMS id1 t4 role1 fl1 pairs0 []\n"
     "FINISH OK\n"},
    {"app WRONG_DIRECTION",
     "r0 @0 BEGIN id1 t1 role1 fl0\n"
     "r1 @16 IGNORED id1 t6 role1 fl0 reason WRONG_DIRECTION broken @16\n"
     "r2 @27 VIOLATION id0 t10 role0 fl0 reason WRONG_DIRECTION broken @27\n"
     "r2 @27 UNKNOWN_RECORD id0 t10 role0 fl0\n"
     "r3 @35 VIOLATION id0 t7 role0 fl0 reason APP_RECORD_NULL_ID broken @37\n"
     "r3 @35 VIOLATION id0 t7 role0 fl0 reason WRONG_DIRECTION broken @35\n"
     "r3 @35 UNKNOWN_RECORD id0 t7 role0 fl0\n"
     "FINISH OK\n"},
    {"app STREAM_AFTER_END",
     "r0 @0 BEGIN id1 t1 role1 fl0\n"
     "r1 @16 PARAMS id1 t4 role1 fl0 pairs0 []\n"
     "r2 @24 STREAM_END id1 t5 role1 fl0 []\n"
     "r3 @32 IGNORED id1 t5 role1 fl0 reason STREAM_AFTER_END broken @32\n"
     "FINISH OK\n"},
    {"app NOT_ACTIVE", "r0 @0 IGNORED id4 t4 role0 fl0 reason NOT_ACTIVE\n"
                       "FINISH OK\n"},
    {"app BODY_TOO_SHORT",
     "r0 @0 BEGIN id1 t1 role1 fl0\n"
     "r1 @16 VIOLATION id2 t1 role0 fl0 reason BAD_VERSION broken @16\n"
     "r1 @20 ERROR id2 t1 role0 fl0 BODY_TOO_SHORT @20 r1 id2 t1\n"},
    {"client BAD_VERSION",
     "r0 @0 VIOLATION id1 t6 role1 fl0 reason BAD_VERSION broken @0\n"
     "r0 @8 STREAM_DATA id1 t6 role1 fl0 [78]\n"
     "r1 @9 STREAM_END id1 t6 role1 fl0 [78]\n"
     "FINISH OK\n"},
    {"client MGMT_NONZERO_ID",
     "r0 @0 VIOLATION id1 t10 role1 fl0 reason MGMT_NONZERO_ID broken @2\n"
     "r0 @0 GET_VALUES_RESULT id1 t10 role0 fl0 pairs1 [01 01 41 31]\n"
     "FINISH OK\n"},
    {"client APP_RECORD_NULL_ID",
     "r0 @0 VIOLATION id0 t7 role0 fl0 reason APP_RECORD_NULL_ID broken @2\n"
     "r0 @0 IGNORED id0 t7 role0 fl0 reason UNEXPECTED_ID broken @0\n"
     "r1 @17 STREAM_DATA id1 t6 role1 fl0 [6f 6b]\n"
     "FINISH OK\n"},
    {"client BODY_LENGTH",
     "r0 @0 STREAM_END id2 t6 role1 fl0 []\n"
     "r1 @8 VIOLATION id2 t3 role1 fl0 reason BODY_LENGTH broken @12\n"
     "r1 @8 END_REQUEST id2 t3 role1 fl0 app9 proto0\n"
     "FINISH OK\n"},
    {"client BAD_PROTOCOL_STATUS",
     "r0 @0 STREAM_END id1 t6 role1 fl0 []\n"
     "r1 @8 VIOLATION id1 t3 role1 fl0 reason BAD_PROTOCOL_STATUS broken @20\n"
     "r1 @8 END_REQUEST id1 t3 role1 fl0 app0 proto4\n"
     "r2 @24 STREAM_END id2 t6 role1 fl0 []\n"
     "FINISH OK\n"},
    {"client MISSING_STREAM_END stdout",
     "r0 @8 STREAM_DATA id1 t6 role1 fl0 [78]\n"
     "r1 @9 VIOLATION id1 t3 role1 fl0 reason MISSING_STREAM_END broken @9\n"
     "r1 @9 END_REQUEST id1 t3 role1 fl0 app0 proto0\n"
     "r2 @25 END_REQUEST id2 t3 role1 fl0 app0 proto2\n"
     "FINISH OK\n"},
    {"client MISSING_STREAM_END stderr",
     "r0 @0 STREAM_END id3 t6 role1 fl0 []\n"
     "r1 @16 STREAM_DATA id3 t7 role1 fl0 [65]\n"
     "r2 @17 VIOLATION id3 t3 role1 fl0 reason MISSING_STREAM_END broken @17\n"
     "r2 @17 END_REQUEST id3 t3 role1 fl0 app1 proto0\n"
     "FINISH OK\n"},
    {"client NV_IN_RECORD",
     "r0 @0 VIOLATION id0 t10 role0 fl0 reason NV_IN_RECORD broken @8\n"
     "r0 @0 GET_VALUES_RESULT id0 t10 role0 fl0 pairs0 [05 00 41 42]\n"
     "r1 @16 STREAM_END id1 t6 role1 fl0 []\n"
     "FINISH OK\n"},
    {"client WRONG_DIRECTION",
     "r0 @0 IGNORED id1 t5 role0 fl0 reason WRONG_DIRECTION broken @0\n"
     "r1 @10 VIOLATION id2 t2 role1 fl0 reason ABORT_HAS_CONTENT broken @14\n"
     "r1 @10 IGNORED id2 t2 role0 fl0 reason WRONG_DIRECTION broken @10\n"
     "r2 @19 STREAM_END id1 t6 role1 fl0 []\n"
     "FINISH OK\n"},
    {"client UNEXPECTED_ID",
     "r0 @0 IGNORED id5 t6 role0 fl0 reason UNEXPECTED_ID broken @0\n"
     "r1 @9 IGNORED id5 t3 role0 fl0 reason UNEXPECTED_ID broken @9\n"
     "FINISH OK\n"},
    {"client RECORD_AFTER_END",
     "r0 @0 STREAM_END id1 t6 role1 fl0 []\n"
     "r1 @8 END_REQUEST id1 t3 role1 fl0 app0 proto0\n"
     "r2 @24 IGNORED id1 t6 role1 fl0 reason RECORD_AFTER_END broken @24\n"
     "r3 @33 IGNORED id1 t3 role1 fl0 reason RECORD_AFTER_END broken @33\n"
     "FINISH OK\n"},
    {"client STREAM_AFTER_END",
     "r0 @8 STREAM_DATA id2 t7 role1 fl0 [65]\n"
     "r1 @9 STREAM_END id2 t7 role1 fl0 [65]\n"
     "r2 @17 IGNORED id2 t7 role1 fl0 reason STREAM_AFTER_END broken @17\n"
     "r3 @26 STREAM_END id2 t6 role1 fl0 []\n"
     "r4 @34 END_REQUEST id2 t3 role1 fl0 app0 proto0\n"
     "FINISH OK\n"},
    {"client BODY_TOO_SHORT",
     "r0 @8 STREAM_DATA id1 t6 role1 fl0 [78]\n"
     "r1 @9 VIOLATION id3 t11 role1 fl0 reason MGMT_NONZERO_ID broken @11\n"
     "r1 @13 ERROR id3 t11 role1 fl0 BODY_TOO_SHORT @13 r1 id3 t11\n"},
};

static const fcs_limits small = {1024, 64, 4, 1024};

static const char *expected_log(const char *name) {
  for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++)
    if (strcmp(logs[i].name, name) == 0)
      return logs[i].log;
  return NULL;
}

static void check_observe_log(const broken_input *b, const wire *w) {
  int client = b->side == FCS_SIDE_CLIENT;
  asm_setup s = {b->side,          FCS_LENIENT,
                 &small,           client ? broken_client_ids : NULL,
                 client ? 3u : 0u, 1};
  const char *want = expected_log(b->name);
  char *got = assembler_log(&s, w->buf, w->len, NULL, 0);
  if (!CHECK(want != NULL) || !CHECK_STR(got, want))
    fprintf(stderr, "  input \"%s\"\n", b->name);
  free(got);
}

/* The events of one mode over the whole input (FCS_LENIENT + observe when
 * observe is set). */
static size_t events_of(const broken_input *b, const wire *w, fcs_mode mode,
                        int observe, fcs_asm_event *ev) {
  fixture f;
  fx_init(&f, b->side, mode, &small);
  if (observe)
    CHECK_ERR(fcs_assembler_observe(&f.a, 1), FCS_E_OK);
  for (size_t i = 0; b->side == FCS_SIDE_CLIENT && i < 3; i++)
    CHECK_ERR(fcs_assembler_begin(&f.a, broken_client_ids[i], FCS_RESPONDER, 0),
              FCS_E_OK);
  size_t n = fx_feed(&f, w->buf, w->len, ev, MAXEV);
  fx_free(&f);
  CHECK(n <= MAXEV);
  return n < MAXEV ? n : MAXEV;
}

/* Everything but the data pointers (each run has its own memory). */
static int same_event(const fcs_asm_event *a, const fcs_asm_event *b) {
  return a->type == b->type && a->request_id == b->request_id &&
         a->record_type == b->record_type && a->role == b->role &&
         a->flags == b->flags && a->len == b->len && a->npairs == b->npairs &&
         a->end.app_status == b->end.app_status &&
         a->end.protocol_status == b->end.protocol_status &&
         a->unknown_type.type == b->unknown_type.type &&
         a->reason == b->reason && a->error.code == b->error.code &&
         a->error.offset == b->error.offset && a->record == b->record &&
         a->offset == b->offset;
}

static int same_rule(const fcs_asm_event *stop, const fcs_asm_event *rule) {
  return stop->type == FCS_AE_ERROR && stop->error.code == rule->error.code &&
         stop->error.offset == rule->error.offset &&
         stop->error.record == rule->error.record;
}

static void check_against_strict(const broken_input *b, const wire *w,
                                 const fcs_asm_event *obs, size_t nobs) {
  fcs_asm_event strict[MAXEV];
  size_t n = events_of(b, w, FCS_STRICT, 0, strict), k = 0;
  while (k < nobs &&
         (obs[k].type == FCS_AE_ERROR || obs[k].error.code == FCS_E_OK))
    k++;
  int ok = CHECK_EQ(n, k < nobs ? k + 1 : nobs);
  for (size_t i = 0; ok && i < n; i++)
    ok = i < k ? CHECK(same_event(&strict[i], &obs[i]))
               : CHECK(same_rule(&strict[i], &obs[i]));
  if (!ok)
    fprintf(stderr, "  input \"%s\", strict mode\n", b->name);
}

static void check_against_lenient(const broken_input *b, const wire *w,
                                  const fcs_asm_event *obs, size_t nobs) {
  fcs_asm_event len[MAXEV];
  size_t n = events_of(b, w, FCS_LENIENT, 0, len), i = 0, j = 0;
  int ok = 1;
  for (; ok && i < nobs; i++) {
    if (obs[i].type != FCS_AE_VIOLATION)
      ok = CHECK(j < n) && CHECK(same_event(&len[j++], &obs[i]));
    else if (obs[i].reason == FCS_E_NV_TRUNCATED) /* lenient stops there */
      break;
  }
  if (ok)
    ok = i < nobs ? CHECK_EQ(n, j + 1) && CHECK(same_rule(&len[j], &obs[i]))
                  : CHECK_EQ(n, j);
  if (!ok)
    fprintf(stderr, "  input \"%s\", lenient mode\n", b->name);
}

static void test_broken_inputs(void) {
  for (size_t i = 0; i < broken_count; i++) {
    const broken_input *b = &broken_inputs[i];
    wire w = {{0}, 0};
    b->build(&w);
    check_observe_log(b, &w);
    fcs_asm_event obs[MAXEV];
    size_t n = events_of(b, &w, FCS_LENIENT, 1, obs);
    check_against_strict(b, &w, obs, n);
    check_against_lenient(b, &w, obs, n);
  }
  /* every expected log belongs to an input */
  CHECK_EQ(sizeof logs / sizeof logs[0], broken_count);
}

/* Observe mode needs a lenient assembler; off again, lenient mode stops on
 * a PARAMS stream that ends inside a pair. */
static void test_switch(void) {
  fixture f;
  fx_init(&f, FCS_SIDE_APP, FCS_STRICT, NULL);
  CHECK_ERR(fcs_assembler_observe(&f.a, 1), FCS_E_INVALID_ARGUMENT);
  fx_free(&f);
  wire w = {{0}, 0};
  w_begin(&w, 1, FCS_RESPONDER, 0);
  w_str(&w, FCS_PARAMS, 1, "\x05");
  w_str(&w, FCS_PARAMS, 1, "");
  fcs_asm_event ev[MAXEV];
  fx_init(&f, FCS_SIDE_APP, FCS_LENIENT, NULL);
  CHECK_ERR(fcs_assembler_observe(&f.a, 1), FCS_E_OK);
  CHECK_ERR(fcs_assembler_observe(&f.a, 0), FCS_E_OK);
  size_t n = fx_feed(&f, w.buf, w.len, ev, MAXEV);
  if (CHECK_EQ(n, 2)) {
    CHECK_EQ(ev[1].type, FCS_AE_ERROR);
    CHECK_ERR(ev[1].error.code, FCS_E_NV_TRUNCATED);
  }
  fx_free(&f);
}

/* The events due after a VIOLATION come one per call, consuming nothing,
 * before the assembler reads on. */
static void test_one_event_per_call(void) {
  wire w = {{0}, 0};
  w_begin(&w, 1, FCS_RESPONDER, 0);
  w_str(&w, FCS_STDERR, 0, "");
  w_begin(&w, 2, FCS_RESPONDER, 0);
  fixture f;
  fx_init(&f, FCS_SIDE_APP, FCS_LENIENT, NULL);
  CHECK_ERR(fcs_assembler_observe(&f.a, 1), FCS_E_OK);
  fcs_asm_event ev;
  CHECK_EQ(fcs_assembler_feed(&f.a, w.buf, w.len, &ev), 16);
  CHECK_EQ(ev.type, FCS_AE_BEGIN);
  static const fcs_asm_event_type want[] = {FCS_AE_VIOLATION, FCS_AE_VIOLATION,
                                            FCS_AE_UNKNOWN_RECORD};
  static const size_t used[] = {8, 0, 0};
  size_t at = 16;
  for (size_t i = 0; i < 3; i++) {
    size_t u = fcs_assembler_feed(&f.a, w.buf + at, w.len - at, &ev);
    at += u;
    if (!CHECK_EQ(u, used[i]) || !CHECK_EQ(ev.type, want[i]))
      fprintf(stderr, "  event %zu\n", i);
  }
  CHECK_EQ(fcs_assembler_feed(&f.a, w.buf + at, w.len - at, &ev), 16);
  CHECK(ev.type == FCS_AE_BEGIN && ev.request_id == 2);
  fx_free(&f);
}

int main(void) {
  test_broken_inputs();
  test_switch();
  test_one_event_per_call();
  return check_report("test_assembler_observe");
}
