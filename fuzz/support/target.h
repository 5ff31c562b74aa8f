/* What every fuzz target defines, and helpers they share. */
#ifndef FZ_TARGET_H
#define FZ_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fcs/fcs.h"

/* The libFuzzer entry point; the replay and AFL++ drivers call it too. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small assembler limits, so that fuzz inputs reach them: 4 KiB of params,
 * 64 pairs, 4 requests, 4 KiB per stream. */
static inline void fz_small_limits(fcs_limits *l) {
  l->max_params_bytes = 4096;
  l->max_pairs = 64;
  l->max_requests = 4;
  l->max_stream_bytes = 4096;
}

/* Harness code that only prepares or filters inputs, left out of the
 * coverage instrumentation: its comparison hooks cost more than the work
 * and steer nothing under test. */
#if defined(__clang__)
#define FZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define FZ_NO_COVERAGE
#endif

/* The upstream harnesses go past their registered upstream bugs unless
 * the environment sets FCS_UPSTREAM_STRICT, which the ctests
 * fuzz_upstream_bug_* do (docs/fuzzing.md, "Known upstream bugs"). */
static inline int fz_upstream_strict(void) {
  return getenv("FCS_UPSTREAM_STRICT") != NULL;
}

#endif
