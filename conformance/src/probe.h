/* What the runner learns about a backend before the cases run: its
 * GET_VALUES answers, how its app reveals the params and body it received
 * (content.h), which roles it serves. Case requirements (requires: ...)
 * are checked against this. */
#ifndef FSP_PROBE_H
#define FSP_PROBE_H

#include <stdint.h>

#include "bytebuf.h"
#include "content.h"
#include "run.h"
#include "sent.h"

typedef struct fsp_probe {
  char max_conns[16], max_reqs[16], mpxs_conns[16]; /* "" when not given */
  int get_values_answered;
  int baseline_served;
  int authorizer, filter;
  int not_fastcgi; /* the target answered GET_VALUES with text */
  char not_fastcgi_why[160];
  fsp_content *content; /* NULL: the app reveals nothing */
  bytebuf baseline_why; /* why the baseline request failed, if it did */
  bytebuf content_why;  /* how the echo format was found, or why not */
  /* The baseline reply's CGI status when it is not 2xx ('Status: 404 Not
   * Found'), and its first STDERR line: usually a missing param such as
   * SCRIPT_FILENAME. */
  bytebuf baseline_status;
} fsp_probe;

/* Fills p. roles: REQ_AUTHORIZER | REQ_FILTER to probe (probing a role
 * the selection does not need is skipped). echo: the format --echo forces,
 * or NULL. */
void probe_backend(const fsp_config *cfg, unsigned roles, const char *echo,
                   fsp_probe *p);
void probe_free(fsp_probe *p);

/* What a probe request got back (served_free releases it). */
typedef struct fsp_served {
  bytebuf out, err; /* the reply's STDOUT and STDERR */
  fsp_sent sent;    /* what was sent, as an app reads it */
} fsp_served;

/* The baseline request (a request step with std params and a body) on a
 * fresh connection: the probe before the cases and the liveness probe
 * after each. 0 when it is served completely, else -1 with why. pairs
 * (NULL, or names and values ending in NULL) are added to the params. got
 * (may be NULL) gets the reply and what was sent, served or not. */
int serve_probe(const fsp_config *cfg, long deadline_ms,
                const char *const *pairs, uint16_t role, fsp_served *got,
                bytebuf *why);
void served_free(fsp_served *got);

#endif
