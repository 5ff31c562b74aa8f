/* What the runner learns about a backend before the cases run: its
 * GET_VALUES answers, whether it echoes params and stdin, which roles it
 * serves. Case requirements (requires: ...) are checked against this. */
#ifndef FCS_PROBE_H
#define FCS_PROBE_H

#include "buf.h"
#include "run.h"

typedef struct fcs_probe {
  char max_conns[16], max_reqs[16], mpxs_conns[16]; /* "" when not given */
  int get_values_answered;
  int baseline_served;
  int echo, authorizer, filter;
  fcs_buf baseline_why; /* why the baseline request failed, if it did */
} fcs_probe;

/* Fills p and cfg->caps / cfg->echo. roles: REQ_AUTHORIZER | REQ_FILTER to
 * probe (probing a role the selection does not need is skipped). */
void probe_backend(fcs_config *cfg, unsigned roles, fcs_probe *p);
void probe_free(fcs_probe *p);

#endif
