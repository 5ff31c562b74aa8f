/* Params that steer the responder's reply, so a client can exercise
 * FCGI_STDERR and appStatus (docs/responder.md lists them):
 *   FCS_STDERR=text     write text on FCGI_STDERR
 *   FCS_APP_STATUS=N    END_REQUEST appStatus N (decimal 0..4294967295)
 * When a name repeats, the last pair wins. */
#ifndef FCSR_KNOBS_H
#define FCSR_KNOBS_H

#include <stddef.h>
#include <stdint.h>

#include "fcs/nv.h"

typedef struct fcsr_knobs {
  uint32_t app_status;
  uint8_t app_status_invalid; /* FCS_APP_STATUS given but not a number */
  uint8_t has_stderr;
  const uint8_t *stderr_text; /* points into the params */
  size_t stderr_len;
} fcsr_knobs;

/* pairs: the request's PARAMS pairs. */
void fcsr_knobs_read(const fcs_nv_pair *pairs, uint32_t npairs, fcsr_knobs *k);

#endif
