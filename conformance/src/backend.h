/* The backend as a process the runner looks after while cases run: its
 * start and stop (--spawn), what the probe before the cases found, the
 * liveness probe after each case, and restarting a spawned backend that
 * died or wedged. */
#ifndef FSP_BACKEND_H
#define FSP_BACKEND_H

#include <pthread.h>
#include <sys/types.h>

#include "bytebuf.h"
#include "case.h"
#include "probe.h"
#include "run.h"

/* The backend's runtime state, shared by the cases running in parallel. */
typedef struct fsp_backend {
  const fsp_config *cfg;
  /* What the probe before the cases found (NULL: no probe, proxy mode). */
  const fsp_probe *probe;
  /* Proxy mode (docs/proxies.md): the proxy and the recording backend
   * behind it; NULL when fcgispec talks to a backend. */
  struct proxy_env *proxy;
  pthread_mutex_t lock; /* guards pid and generation */
  pid_t pid;            /* the spawned process, or 0 */
  unsigned generation;  /* restarts so far */
} fsp_backend;

/* Starts the backend (cfg->spawn) or reaches it; 0, or -1 with err. b
 * keeps cfg; backend_stop ends what backend_start began, either way. */
int backend_start(fsp_backend *b, const fsp_config *cfg, char *err,
                  size_t errlen);
void backend_stop(fsp_backend *b);

/* Restarts so far: a case notes it before it runs. */
unsigned backend_generation(fsp_backend *b);

/* Why the backend cannot run c (a role or feature the probe did not find),
 * or NULL when it can. */
const char *backend_lacks(const fsp_backend *b, const fsp_case *c);

/* After a case: the baseline request on a fresh connection. When it is
 * not served the case is marked down (and failed), and a spawned backend
 * is restarted unless that happened since generation. Returns 1 when this
 * call restarted it. */
int liveness(fsp_backend *b, unsigned generation, fsp_result *res);

/* Stops a spawned backend (dead or wedged) and starts it again, unless it
 * was restarted since generation: 1 when it did and the backend accepts
 * connections again, 0 when another case restarted it already, -1 when the
 * restart failed. why says what happened. */
int respawn(fsp_backend *b, unsigned generation, bytebuf *why);

#endif
