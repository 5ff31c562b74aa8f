/* The backend as a process the runner looks after: the baseline request
 * on a fresh connection (the probe before the cases, and the liveness
 * probe after each), and restarting a spawned backend that died or
 * wedged. */
#ifndef FSP_BACKEND_H
#define FSP_BACKEND_H

#include <stdint.h>

#include "bytebuf.h"
#include "run.h"
#include "sent.h"

/* What a probe request got back (served_free releases it). */
typedef struct fsp_served {
  bytebuf out, err; /* the reply's STDOUT and STDERR */
  fsp_sent sent;    /* what was sent, as an app reads it */
} fsp_served;

/* The baseline request (a request step with std params and a body) on a
 * fresh connection; 0 when it is served completely, else -1 with why.
 * pairs (NULL, or names and values ending in NULL) are added to the
 * params. got (may be NULL) gets the reply and what was sent, served or
 * not. */
int serve_probe(fsp_config *cfg, long deadline_ms, const char *const *pairs,
                uint16_t role, fsp_served *got, bytebuf *why);
void served_free(fsp_served *got);

/* After a case: the baseline request on a fresh connection. When it is
 * not served the case is marked down (and failed), and a spawned backend
 * is restarted unless that happened since generation. Returns 1 when this
 * call restarted it. */
int liveness(fsp_config *cfg, unsigned generation, fsp_result *res);

/* Stops a spawned backend (dead or wedged) and starts it again, unless it
 * was restarted since generation: 1 when it did and the backend accepts
 * connections again, 0 when another case restarted it already, -1 when the
 * restart failed. why says what happened. */
int respawn(fsp_config *cfg, unsigned generation, bytebuf *why);

#endif
