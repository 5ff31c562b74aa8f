/* Expected-failures baseline: one "CASE-ID VERDICT" per line (# comments).
 * A case whose verdict equals its baseline entry is known and does not
 * fail the run, so CI can gate on regressions only. */
#ifndef FSP_BASELINE_H
#define FSP_BASELINE_H

#include <stddef.h>

#include "verdict.h"

typedef struct fsp_baseline {
  char **ids;
  fsp_verdict *verdicts;
  size_t n;
} fsp_baseline;

int baseline_load(const char *path, fsp_baseline *b, char *err, size_t errlen);
/* The verdict recorded for id, or -1. */
int baseline_lookup(const fsp_baseline *b, const char *id);
void baseline_free(fsp_baseline *b);

#endif
