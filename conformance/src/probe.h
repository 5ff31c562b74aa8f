/* What the runner learns about a backend before the cases run: its
 * GET_VALUES answers, how its app reveals the params and body it received
 * (content.h), which roles it serves. Case requirements (requires: ...)
 * are checked against this. */
#ifndef FSP_PROBE_H
#define FSP_PROBE_H

#include "bytebuf.h"
#include "content.h"
#include "run.h"

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

/* Fills p, cfg->caps and cfg->content. roles: REQ_AUTHORIZER | REQ_FILTER
 * to probe (probing a role the selection does not need is skipped). echo:
 * the format --echo forces, or NULL. */
void probe_backend(fsp_config *cfg, unsigned roles, const char *echo,
                   fsp_probe *p);
void probe_free(fsp_probe *p);

#endif
