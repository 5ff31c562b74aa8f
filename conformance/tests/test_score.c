/* The scorecard's arithmetic (score_run, verdict_fails_run) over
 * hand-built runs: passes per level, what is not scored, baselines, strict
 * mode, a backend that stops serving, the exit code and the score.
 *
 * `test_score NAME` runs the one test NAME (see test_conditions.c). */
#include <string.h>

#include "check.h"
#include "report.h"

#define MAX_CASES 16

/* A run being built: one case per add(). */
typedef struct fake_run {
  fsp_case cases[MAX_CASES];
  const fsp_case *pcases[MAX_CASES];
  fsp_result res[MAX_CASES];
  int known[MAX_CASES];
  fsp_run run;
} fake_run;

static void fake_init(fake_run *f) {
  memset(f, 0, sizeof *f);
  f->run.cases = f->pcases;
  f->run.res = f->res;
  f->run.known = f->known;
}

/* Adds a case of level l that got verdict v; returns its index. */
static size_t add(fake_run *f, fsp_level l, fsp_verdict v) {
  size_t i = f->run.n++;
  f->cases[i].level = l;
  f->pcases[i] = &f->cases[i];
  f->res[i].verdict = v;
  return i;
}

static fsp_score score(const fake_run *f) {
  fsp_score s;
  score_run(&f->run, &s);
  return s;
}

static void test_pass_counts(void) {
  fake_run f;
  fake_init(&f);
  add(&f, FSP_LVL_MUST, FSP_V_PASS);
  add(&f, FSP_LVL_MUST, FSP_V_PASS);
  add(&f, FSP_LVL_MUST, FSP_V_PASS);
  add(&f, FSP_LVL_MUST, FSP_V_FAIL);
  add(&f, FSP_LVL_SHOULD, FSP_V_PASS);
  add(&f, FSP_LVL_SHOULD, FSP_V_NONSTRICT);
  add(&f, FSP_LVL_MAY, FSP_V_PASS);
  fsp_score s = score(&f);
  CHECK_EQ(s.pass[FSP_LVL_MUST], 3);
  CHECK_EQ(s.scored[FSP_LVL_MUST], 4);
  CHECK_EQ(s.total[FSP_LVL_MUST], 4);
  CHECK_EQ(s.pass[FSP_LVL_SHOULD], 1);
  CHECK_EQ(s.scored[FSP_LVL_SHOULD], 2);
  CHECK_EQ(s.pass[FSP_LVL_MAY], 1);
  CHECK_EQ(s.verdicts[FSP_V_PASS], 5);
  CHECK_EQ(s.verdicts[FSP_V_FAIL], 1);
  CHECK_EQ(s.verdicts[FSP_V_NONSTRICT], 1);
  /* MUST and SHOULD only: 4 of 6; the MAY pass does not count. */
  CHECK(s.score > 66.66 && s.score < 66.67);
}

static void test_not_scored(void) {
  fake_run f;
  fake_init(&f);
  add(&f, FSP_LVL_MUST, FSP_V_PASS);
  add(&f, FSP_LVL_MUST, FSP_V_UNSUPPORTED);
  add(&f, FSP_LVL_SHOULD, FSP_V_INFO);
  add(&f, FSP_LVL_INFO, FSP_V_INFO);
  fsp_score s = score(&f);
  CHECK_EQ(s.scored[FSP_LVL_MUST], 1);
  CHECK_EQ(s.total[FSP_LVL_MUST], 2);
  CHECK_EQ(s.scored[FSP_LVL_SHOULD], 0);
  CHECK_EQ(s.total[FSP_LVL_SHOULD], 1);
  CHECK_EQ(s.scored[FSP_LVL_INFO], 0);
  CHECK_EQ(s.verdicts[FSP_V_INFO], 2);
  CHECK_EQ(s.verdicts[FSP_V_UNSUPPORTED], 1);
  CHECK(s.score == 100.0);
  CHECK_EQ(s.regressions, 0);
  CHECK_EQ(s.exit_code, EXIT_OK);

  /* Nothing scored at all is a full score, not a division by zero. */
  fake_init(&f);
  add(&f, FSP_LVL_MUST, FSP_V_UNSUPPORTED);
  s = score(&f);
  CHECK(s.score == 100.0);
}

static void test_failures(void) {
  fake_run f;
  fake_init(&f);
  size_t must_fail = add(&f, FSP_LVL_MUST, FSP_V_FAIL);
  size_t must_hang = add(&f, FSP_LVL_MUST, FSP_V_HANG);
  size_t should = add(&f, FSP_LVL_SHOULD, FSP_V_NONSTRICT);
  size_t should_hang = add(&f, FSP_LVL_SHOULD, FSP_V_HANG);
  size_t info = add(&f, FSP_LVL_INFO, FSP_V_INFO);
  size_t pass = add(&f, FSP_LVL_MUST, FSP_V_PASS);
  CHECK(verdict_fails_run(&f.run, must_fail));
  CHECK(verdict_fails_run(&f.run, must_hang));
  CHECK(!verdict_fails_run(&f.run, should));
  CHECK(!verdict_fails_run(&f.run, should_hang));
  CHECK(!verdict_fails_run(&f.run, info));
  CHECK(!verdict_fails_run(&f.run, pass));
  fsp_score s = score(&f);
  CHECK_EQ(s.regressions, 2);
  CHECK_EQ(s.exit_code, EXIT_FAILED);
}

static void test_strict(void) {
  fake_run f;
  fake_init(&f);
  f.run.strict = 1;
  size_t should = add(&f, FSP_LVL_SHOULD, FSP_V_NONSTRICT);
  size_t should_hang = add(&f, FSP_LVL_SHOULD, FSP_V_HANG);
  size_t info = add(&f, FSP_LVL_MAY, FSP_V_INFO);
  size_t unsupported = add(&f, FSP_LVL_SHOULD, FSP_V_UNSUPPORTED);
  CHECK(verdict_fails_run(&f.run, should));
  CHECK(verdict_fails_run(&f.run, should_hang));
  CHECK(!verdict_fails_run(&f.run, info));
  CHECK(!verdict_fails_run(&f.run, unsupported));
  fsp_score s = score(&f);
  CHECK_EQ(s.regressions, 2);
  CHECK_EQ(s.exit_code, EXIT_FAILED);
  f.run.strict = 0;
  s = score(&f);
  CHECK_EQ(s.regressions, 0);
  CHECK_EQ(s.exit_code, EXIT_OK);
}

static void test_known(void) {
  fake_run f;
  fake_init(&f);
  size_t fail = add(&f, FSP_LVL_MUST, FSP_V_FAIL);
  size_t error = add(&f, FSP_LVL_MUST, FSP_V_ERROR);
  f.known[fail] = f.known[error] = 1;
  CHECK(!verdict_fails_run(&f.run, fail));
  fsp_score s = score(&f);
  CHECK_EQ(s.known, 2);
  CHECK_EQ(s.regressions, 0);
  CHECK_EQ(s.errors, 0);
  CHECK_EQ(s.exit_code, EXIT_OK);
  /* Known verdicts are still counted and scored. */
  CHECK_EQ(s.verdicts[FSP_V_FAIL], 1);
  CHECK_EQ(s.scored[FSP_LVL_MUST], 2);
  CHECK_EQ(s.pass[FSP_LVL_MUST], 0);
  CHECK(s.score == 0.0);
}

/* A backend that stops serving after a case fails the run at any level
 * (the liveness probe makes the verdict fail). */
static void test_down(void) {
  static const fsp_level levels[] = {FSP_LVL_MUST, FSP_LVL_SHOULD, FSP_LVL_MAY,
                                     FSP_LVL_INFO};
  for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++) {
    fake_run f;
    fake_init(&f);
    size_t i = add(&f, levels[l], FSP_V_FAIL);
    f.res[i].down = 1;
    CHECK(verdict_fails_run(&f.run, i));
    fsp_score s = score(&f);
    CHECK_EQ(s.regressions, 1);
    CHECK_EQ(s.exit_code, EXIT_FAILED);
    /* ... unless the baseline expects it. */
    f.known[i] = 1;
    CHECK(!verdict_fails_run(&f.run, i));
  }
}

static void test_errors(void) {
  fake_run f;
  fake_init(&f);
  add(&f, FSP_LVL_MUST, FSP_V_PASS);
  add(&f, FSP_LVL_SHOULD, FSP_V_ERROR);
  add(&f, FSP_LVL_INFO, FSP_V_ERROR);
  fsp_score s = score(&f);
  CHECK_EQ(s.errors, 2);
  CHECK_EQ(s.regressions, 0);
  CHECK_EQ(s.exit_code, EXIT_ERRORS);
  /* An error is not a pass: it counts against the score. */
  CHECK(s.score == 50.0);
  /* A failure outranks errors. */
  add(&f, FSP_LVL_MUST, FSP_V_FAIL);
  s = score(&f);
  CHECK_EQ(s.exit_code, EXIT_FAILED);
}

static void test_content_sums(void) {
  fake_run f;
  fake_init(&f);
  size_t a = add(&f, FSP_LVL_MUST, FSP_V_PASS);
  size_t b = add(&f, FSP_LVL_MUST, FSP_V_UNSUPPORTED);
  size_t c = add(&f, FSP_LVL_INFO, FSP_V_INFO);
  f.res[a].content_checked = 3;
  f.res[b].content_checked = 1;
  f.res[b].content_unchecked = 2;
  f.res[c].content_unchecked = 4;
  fsp_score s = score(&f);
  CHECK_EQ(s.content_checked, 4);
  CHECK_EQ(s.content_unchecked, 6);
}

/* TRUST cases (proxy mode) weigh as MUST: a failure fails the run and
 * they count in the score. */
static void test_trust(void) {
  fake_run f;
  fake_init(&f);
  add(&f, FSP_LVL_TRUST, FSP_V_PASS);
  add(&f, FSP_LVL_TRUST, FSP_V_FAIL);
  fsp_score s = score(&f);
  CHECK_EQ(s.regressions, 1);
  CHECK_EQ(s.exit_code, EXIT_FAILED);
  CHECK(s.score == 50.0);
}

int main(int argc, char **argv) {
  const char *only = argc > 1 ? argv[1] : NULL;
  RUN_IF(test_pass_counts, only);
  RUN_IF(test_not_scored, only);
  RUN_IF(test_failures, only);
  RUN_IF(test_strict, only);
  RUN_IF(test_known, only);
  RUN_IF(test_down, only);
  RUN_IF(test_errors, only);
  RUN_IF(test_content_sums, only);
  RUN_IF(test_trust, only);
  return check_exit("test_score", only);
}
