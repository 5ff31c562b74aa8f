/* Reports of a run: the terminal table and scorecard, JSON, JUnit XML, a
 * baseline file of the non-pass verdicts, and the run's exit code. */
#ifndef FCS_REPORT_H
#define FCS_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

typedef struct fcs_run {
  const fcs_case **cases;
  size_t n;
  fcs_result *res;
  int *known; /* the verdict is the one the baseline expects */
  const char *target;
  const fcs_probe *probe;
  int64_t wall_ms;
  const char *rerun;   /* command prefix that reruns one case */
  const char *failure; /* why no case could run (every result says so) */
  /* Proxy mode: what {host}, {port} and {docroot} stand for, and where the
   * recording backend listens (NULL in backend mode). */
  const char *proxy_host, *proxy_port, *proxy_docroot, *proxy_backend;
  int strict, jobs;
} fcs_run;

typedef struct fcs_score {
  size_t pass[FCS_LVL_COUNT], scored[FCS_LVL_COUNT], total[FCS_LVL_COUNT];
  size_t verdicts[FCS_V_COUNT];
  size_t by_level[FCS_LVL_COUNT][FCS_V_COUNT];
  size_t known_failed[FCS_LVL_COUNT]; /* known non-pass verdicts */
  size_t regressions, errors, known, fixed;
  size_t content_checked, content_unchecked; /* replies (run.h) */
  double score; /* percent of scored MUST and SHOULD cases that passed */
  /* Proxy mode with --spawn: KiB the proxy held after the first case, at
   * its peak (after case rss_peak_case) and after the last; 0 unmeasured. */
  long rss_first, rss_peak, rss_last;
  size_t rss_peak_case;
  int exit_code;
} fcs_score;

void score_run(const fcs_run *r, fcs_score *s);
/* The non-pass verdict counts as a failure of the run. */
int verdict_fails_run(const fcs_run *r, size_t i);

void report_terminal(FILE *out, const fcs_run *r, const fcs_score *s, int color,
                     int verbose);
int report_json(const char *path, const fcs_run *r, const fcs_score *s);
int report_junit(const char *path, const fcs_run *r, const fcs_score *s);
int report_baseline(const char *path, const fcs_run *r);

#endif
