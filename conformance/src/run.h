/* Runs one case against the target: interprets its steps on a connection
 * and decides its verdict. What surrounds a case (the features it needs,
 * the liveness probe after it) is schedule.c's. */
#ifndef FSP_RUN_H
#define FSP_RUN_H

#include <stdint.h>

#include "bytebuf.h"
#include "case.h"
#include "content.h"
#include "produce.h"
#include "sent.h"
#include "target.h"
#include "verdict.h"
#include "wire_trace.h"

/* What the user asked for: set up before the cases run, read-only while
 * they do. The backend's runtime state is backend.h's. */
typedef struct fsp_config {
  fsp_target target;
  fsp_params std;    /* the "std" params */
  long timeout_ms;   /* per-case deadline unless the case sets one */
  long settle_ms;    /* observe: quiet time that ends an observation */
  long cap_ms;       /* no case runs longer (0: 20 x its deadline) */
  const char *spawn; /* command that starts the backend, or NULL */
} fsp_config;

typedef struct fsp_result {
  fsp_verdict verdict;
  bytebuf expected;   /* the check that decided the verdict */
  bytebuf observed;   /* what the backend did */
  bytebuf notes;      /* informational observations */
  bytebuf trace;      /* wire trace, kept for non-pass verdicts */
  int64_t elapsed_ms; /* the case's run time, its liveness probe included */
  int down;           /* the liveness probe failed after this case */
  /* The runner restarted the backend for another case while this one ran:
   * what this case saw may be the restart's doing (it is run again). */
  int tainted;
  /* Replies compared with what was sent, and replies that could not be
   * (the app reveals nothing, or not in a form that can be compared). */
  unsigned content_checked, content_unchecked;
  /* Proxy mode with --spawn: KiB resident in the proxy's processes after
   * the case (0: not measured). */
  long rss_kib;
  /* Proxy mode: what each request of the case became, a JSON array
   * (proxy_json.c) that the JSON report carries as "requests". */
  bytebuf requests;
} fsp_result;

/* Runs c's steps and sets res (zeroed first). content: how the app
 * reveals what it received (NULL: it does not). The wire trace of the case
 * is added to trace. */
void run_case(const fsp_case *c, const fsp_config *cfg,
              const fsp_content *content, fsp_result *res, fsp_trace *trace);
/* Verdict for a failed check at a case's level (hang: the deadline passed
 * undecided): fail for MUST and TRUST, non-strict for SHOULD, info for MAY
 * and INFO. */
fsp_verdict level_verdict(fsp_level l, int hang);
void result_free(fsp_result *r);

#endif
