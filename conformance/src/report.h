/* Reports of a run: the terminal table and scorecard, JSON, JUnit XML, a
 * baseline file of the non-pass verdicts, and the run's exit code. */
#ifndef FSP_REPORT_H
#define FSP_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "baseline.h"
#include "case.h"
#include "probe.h"
#include "run.h"

/* Exit codes (docs/conformance.md). */
enum {
  EXIT_OK = 0,          /* every MUST case passed (or is a known failure) */
  EXIT_FAILED = 1,      /* a MUST case failed or hung (--strict: SHOULD) */
  EXIT_USAGE = 2,       /* bad options or a bad case / baseline file */
  EXIT_UNREACHABLE = 3, /* the target could not be started or reached */
  EXIT_ERRORS = 4       /* no failure, but some cases could not be decided */
};

typedef struct fsp_run {
  const fsp_case **cases;
  size_t n;
  fsp_result *res;
  int *known; /* the verdict is the one the baseline expects */
  const char *target;
  const fsp_probe *probe;
  int64_t wall_ms;
  const char *rerun;   /* command prefix that reruns one case */
  const char *failure; /* why no case could run (every result says so) */
  /* Proxy mode: what {host}, {port} and {docroot} stand for, and where the
   * recording backend listens (NULL in backend mode). */
  const char *proxy_host, *proxy_port, *proxy_docroot, *proxy_backend;
  int strict, jobs;
} fsp_run;

typedef struct fsp_score {
  size_t pass[FSP_LVL_COUNT], scored[FSP_LVL_COUNT], total[FSP_LVL_COUNT];
  size_t verdicts[FSP_V_COUNT];
  size_t by_level[FSP_LVL_COUNT][FSP_V_COUNT];
  size_t known_failed[FSP_LVL_COUNT]; /* known non-pass verdicts */
  size_t regressions, errors, known, fixed;
  size_t content_checked, content_unchecked; /* replies (run.h) */
  double score; /* percent of scored MUST and SHOULD cases that passed */
  /* Proxy mode with --spawn: KiB the proxy held after the first case, at
   * its peak (after case rss_peak_case) and after the last; 0 unmeasured. */
  long rss_first, rss_peak, rss_last;
  size_t rss_peak_case;
  int exit_code;
} fsp_score;

/* Scores the run. A run that could not reach its target (r->failure)
 * exits EXIT_UNREACHABLE whatever its verdicts. */
void score_run(const fsp_run *r, fsp_score *s);
/* Compares each verdict with the baseline (empty without --baseline): one it
 * expects is known (r->known), an entry whose case now passes is fixed;
 * then scores the run. */
void score_with_baseline(fsp_run *r, const fsp_baseline *base, fsp_score *s);
/* The non-pass verdict counts as a failure of the run. */
int verdict_fails_run(const fsp_run *r, size_t i);

void report_terminal(FILE *out, const fsp_run *r, const fsp_score *s, int color,
                     int verbose);
int report_json(const char *path, const fsp_run *r, const fsp_score *s);
int report_junit(const char *path, const fsp_run *r, const fsp_score *s);
int report_baseline(const char *path, const fsp_run *r);

#endif
