/* The backend as a process the runner looks after: the baseline request
 * on a fresh connection (the probe before the cases, and the liveness
 * probe after each), and restarting a spawned backend that died or
 * wedged. */
#ifndef FCS_BACKEND_H
#define FCS_BACKEND_H

#include <stdint.h>

#include "buf.h"
#include "run.h"
#include "sent.h"

/* The baseline request (a request step with std params and a body) on a
 * fresh connection; 0 when it is served completely, else -1 with why. A
 * pair name=value (may be NULL) is added to the params. stdout_out (may be
 * NULL) gets the reply's STDOUT, sent_out (may be NULL; the caller frees
 * it) what was sent, as an app reads it. */
int serve_probe(fcs_config *cfg, long deadline_ms, const char *name,
                const char *value, uint16_t role, fcs_buf *stdout_out,
                fcs_sent *sent_out, fcs_buf *why);

/* After a case: the baseline request on a fresh connection. When it is
 * not served the case is marked down (and failed), and a spawned backend
 * is restarted unless that happened since generation. Returns 1 when this
 * call restarted it. */
int liveness(fcs_config *cfg, unsigned generation, fcs_result *res);

/* Stops a spawned backend (dead or wedged) and starts it again, unless it
 * was restarted since generation: 1 when it did and the backend accepts
 * connections again, 0 when another case restarted it already, -1 when the
 * restart failed. why says what happened. */
int respawn(fcs_config *cfg, unsigned generation, fcs_buf *why);

#endif
