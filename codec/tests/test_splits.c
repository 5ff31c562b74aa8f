/* Split invariance: the same bytes fed whole, in two pieces at every split
 * point, in three pieces at every pair of split points and one byte at a
 * time must give the same normalised event log, for the decoder and for the
 * assembler, including streams that end in an error, and for the assembler
 * in observe mode on both sides, over the vectors and over inputs that
 * break each rule it reports. */
#include <stdlib.h>

#include "broken.h"
#include "check.h"
#include "evlog.h"
#include "vectors.h"

typedef struct subject {
  const char *what;
  const uint8_t *bytes;
  size_t len;
  int assembler; /* 0: decoder */
  fcs_mode mode;
  asm_setup setup;
  const char *last_line; /* what the whole-input log must end with */
} subject;

static char *subject_log(const subject *s, decoder_style style,
                         const size_t *cuts, size_t ncuts) {
  if (s->assembler)
    return assembler_log(&s->setup, s->bytes, s->len, cuts, ncuts);
  return decoder_log_styled(s->mode, style, s->bytes, s->len, cuts, ncuts);
}

/* Compares one split against the whole-input log; reports only the first
 * mismatch of a subject to keep the output readable. */
static int same_styled(const subject *s, decoder_style style, const char *want,
                       const size_t *cuts, size_t ncuts) {
  char *got = subject_log(s, style, cuts, ncuts);
  int ok = strcmp(got, want) == 0;
  if (!ok) {
    CHECK_STR(got, want);
    fprintf(stderr, "  %s (style %d), %zu cut(s):", s->what, (int)style, ncuts);
    for (size_t i = 0; i < ncuts && i < 4; i++)
      fprintf(stderr, " %zu", cuts[i]);
    fprintf(stderr, "%s\n", ncuts > 4 ? " ..." : "");
  }
  free(got);
  return ok;
}

/* The same for every way of driving the decoder (the assembler has one). */
static int same(const subject *s, const char *want, const size_t *cuts,
                size_t ncuts) {
  int last = s->assembler ? DEC_PIECEWISE : DEC_FEED_MANY;
  int ok = 1;
  for (int style = DEC_PIECEWISE; style <= last && ok; style++)
    ok = same_styled(s, (decoder_style)style, want, cuts, ncuts);
  return ok;
}

/* Runs every split; returns the number of runs compared. */
static size_t check_subject(const subject *s) {
  char *want = subject_log(s, DEC_PIECEWISE, NULL, 0);
  size_t runs = 1, n = s->len;
  int ok =
      CHECK(strstr(want, "CONTRACT BROKEN") == NULL) && same(s, want, NULL, 0);
  size_t tail = strlen(s->last_line), wlen = strlen(want);
  if (!CHECK(wlen >= tail && strcmp(want + wlen - tail, s->last_line) == 0))
    fprintf(stderr, "  %s: log ends unexpectedly:\n%s", s->what, want);
  for (size_t c = 1; c < n && ok; c++, runs++)
    ok = same(s, want, &c, 1);
  for (size_t a = 1; a < n && ok; a++)
    for (size_t b = a + 1; b < n && ok; b++, runs++) {
      size_t cuts[2] = {a, b};
      ok = same(s, want, cuts, 2);
    }
  size_t *every = malloc(n * sizeof *every);
  for (size_t i = 0; i + 1 < n; i++)
    every[i] = i + 1;
  if (ok)
    same(s, want, every, n - 1);
  free(every);
  free(want);
  return runs + 1;
}

/* Every input of broken.h in strict, lenient and observe mode
 * (test_assembler_observe checks what the whole-input logs say). */
static size_t check_broken_inputs(const fcs_limits *limits) {
  size_t runs = 0;
  for (size_t i = 0; i < broken_count; i++) {
    const broken_input *b = &broken_inputs[i];
    wire w = {{0}, 0};
    b->build(&w);
    int client = b->side == FCS_SIDE_CLIENT;
    for (int mode = 0; mode < 3; mode++) {
      char what[96];
      static const char *const modes[] = {"strict", "lenient", "observe"};
      snprintf(what, sizeof what, "%s, %s", b->name, modes[mode]);
      subject s = {what,
                   w.buf,
                   w.len,
                   1,
                   mode ? FCS_LENIENT : FCS_STRICT,
                   {b->side, mode ? FCS_LENIENT : FCS_STRICT, limits,
                    client ? broken_client_ids : NULL, client ? 3 : 0,
                    mode == 2},
                   ""};
      runs += check_subject(&s);
    }
  }
  return runs;
}

int main(void) {
  /* small limits keep each assembler run cheap */
  static const fcs_limits small = {1024, 64, 4, 1024};
  static const fcs_limits tiny_stream = {1024, 64, 4, 4};
  static const uint16_t client_ids[] = {1, 2};
  /* the responder request, then a header with version 2 */
  uint8_t bad[112 + 8];
  memcpy(bad, vec_responder.bytes, vec_responder.len);
  memcpy(bad + 112, "\x02\x05\x00\x01\x00\x00\x00\x00", 8);

  const asm_setup app = {FCS_SIDE_APP, FCS_STRICT, &small, NULL, 0, 0};
  const asm_setup app_lenient = {FCS_SIDE_APP, FCS_LENIENT, &small, NULL, 0, 0};
  const asm_setup app_observe = {FCS_SIDE_APP, FCS_LENIENT, &small, NULL, 0, 1};
  const asm_setup app_tiny = {FCS_SIDE_APP, FCS_STRICT, &tiny_stream,
                              NULL,         0,          0};
  const asm_setup client = {FCS_SIDE_CLIENT, FCS_STRICT, &small,
                            client_ids,      2,          0};
  const asm_setup client_observe = {FCS_SIDE_CLIENT, FCS_LENIENT, &small,
                                    client_ids,      2,           1};
  const subject subjects[] = {
      {"decoder responder", vec_responder.bytes, vec_responder.len, 0,
       FCS_STRICT, app, "FINISH OK\n"},
      {"decoder responder lenient", vec_responder.bytes, vec_responder.len, 0,
       FCS_LENIENT, app, "FINISH OK\n"},
      {"decoder multiplexed", vec_multiplexed.bytes, vec_multiplexed.len, 0,
       FCS_STRICT, app, "FINISH OK\n"},
      {"decoder get_values_request", vec_get_values_request.bytes,
       vec_get_values_request.len, 0, FCS_STRICT, app, "FINISH OK\n"},
      {"decoder client_replies", vec_client_replies.bytes,
       vec_client_replies.len, 0, FCS_STRICT, app, "FINISH OK\n"},
      {"decoder bad version", bad, sizeof bad, 0, FCS_STRICT, app,
       "r6 @112 ERROR v2 t5 id1 c0 p0 res0 BAD_VERSION @112 r6 id1 t5\n"},
      {"decoder truncated", vec_responder.bytes, 100, 0, FCS_STRICT, app,
       "FINISH TRUNCATED TRUNCATED @100 r5 id1 t5\n"},
      {"assembler responder", vec_responder.bytes, vec_responder.len, 1,
       FCS_STRICT, app, "FINISH OK\n"},
      {"assembler multiplexed", vec_multiplexed.bytes, vec_multiplexed.len, 1,
       FCS_STRICT, app, "FINISH OK\n"},
      {"assembler multiplexed lenient", vec_multiplexed.bytes,
       vec_multiplexed.len, 1, FCS_LENIENT, app_lenient, "FINISH OK\n"},
      {"assembler get_values_request", vec_get_values_request.bytes,
       vec_get_values_request.len, 1, FCS_STRICT, app, "FINISH OK\n"},
      {"assembler client_replies", vec_client_replies.bytes,
       vec_client_replies.len, 1, FCS_STRICT, client, "FINISH OK\n"},
      {"assembler stream limit", vec_responder.bytes, vec_responder.len, 1,
       FCS_STRICT, app_tiny,
       "r4 @92 ERROR id1 t5 role1 fl1 LIMIT_STREAM_BYTES @92 r4 id1 t5\n"},
      {"assembler bad version", bad, sizeof bad, 1, FCS_STRICT, app,
       "r6 @112 ERROR id1 t5 role1 fl1 BAD_VERSION @112 r6 id1 t5\n"},
      {"observe responder", vec_responder.bytes, vec_responder.len, 1,
       FCS_LENIENT, app_observe, "FINISH OK\n"},
      {"observe multiplexed", vec_multiplexed.bytes, vec_multiplexed.len, 1,
       FCS_LENIENT, app_observe, "FINISH OK\n"},
      {"observe get_values_request", vec_get_values_request.bytes,
       vec_get_values_request.len, 1, FCS_LENIENT, app_observe, "FINISH OK\n"},
      {"observe client_replies", vec_client_replies.bytes,
       vec_client_replies.len, 1, FCS_LENIENT, client_observe, "FINISH OK\n"},
      {"observe bad version", bad, sizeof bad, 1, FCS_LENIENT, app_observe,
       "FINISH OK\n"},
  };
  size_t runs = 0;
  for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++)
    runs += check_subject(&subjects[i]);
  runs += check_broken_inputs(&small);
  printf("compared %zu split runs\n", runs);
  return check_report("test_splits");
}
