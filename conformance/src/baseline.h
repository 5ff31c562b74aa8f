/* Expected-failures baseline: one "CASE-ID VERDICT" per line (# comments).
 * A case whose verdict equals its baseline entry is known and does not
 * fail the run, so CI can gate on regressions only. */
#ifndef FCS_BASELINE_H
#define FCS_BASELINE_H

#include <stddef.h>

#include "verdict.h"

typedef struct fcs_baseline {
  char **ids;
  fcs_verdict *verdicts;
  size_t n;
} fcs_baseline;

int baseline_load(const char *path, fcs_baseline *b, char *err, size_t errlen);
/* The verdict recorded for id, or -1. */
int baseline_lookup(const fcs_baseline *b, const char *id);
void baseline_free(fcs_baseline *b);

#endif
