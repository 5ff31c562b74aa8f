/* Runs one case against the target and decides its verdict, then probes
 * the backend on a fresh connection (backend.h) so a crash or wedge is
 * pinned to the case that caused it. */
#ifndef FSP_RUN_H
#define FSP_RUN_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "bytebuf.h"
#include "case.h"
#include "produce.h"
#include "sent.h"
#include "target.h"
#include "verdict.h"

typedef struct fsp_config {
  fsp_target target;
  fsp_params std;  /* the "std" params */
  long timeout_ms; /* per-case deadline unless the case sets one */
  long settle_ms;  /* observe: quiet time that ends an observation */
  unsigned caps;   /* REQ_* features the backend has (probe.c) */
  int mpxs_known;  /* GET_VALUES gave FCGI_MPXS_CONNS */
  /* How the app reveals what it received (NULL: it does not). */
  const struct fsp_content *content;
  long cap_ms;         /* no case runs longer (0: 20 x its deadline) */
  const char *spawn;   /* command that starts the backend, or NULL */
  pid_t pid;           /* its process, restarted when a probe finds it dead */
  unsigned generation; /* restarts so far */
  pthread_mutex_t lock;
  /* Proxy mode (docs/proxies.md): the proxy and the recording backend
   * behind it; NULL when fcgispec talks to a backend. */
  struct proxy_env *proxy;
} fsp_config;

typedef struct fsp_result {
  fsp_verdict verdict;
  bytebuf expected; /* the check that decided the verdict */
  bytebuf observed; /* what the backend did */
  bytebuf notes;    /* informational observations */
  bytebuf trace;    /* wire trace, kept for non-pass verdicts */
  int64_t ms;
  int down; /* the liveness probe failed after this case */
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

void run_case(const fsp_case *c, fsp_config *cfg, fsp_result *res);
/* Verdict for a failed check at a case's level (hang: the deadline passed
 * undecided): fail for MUST and TRUST, non-strict for SHOULD, info for MAY
 * and INFO. */
fsp_verdict level_verdict(fsp_level l, int hang);
void result_free(fsp_result *r);

#endif
