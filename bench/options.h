/* Command line of fcs-bench. */
#ifndef FCS_BENCH_OPTIONS_H
#define FCS_BENCH_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

typedef struct bench_options {
  size_t size_mib;     /* input per workload */
  unsigned iterations; /* timed runs per measurement */
  uint32_t pairs;      /* name-value pairs per request, workload b */
  int run[4];          /* workloads a, b, c, d selected */
} bench_options;

/* Fills o from argv. Returns 0 to go on, 1 when --help was printed, -1
 * after printing what was wrong to stderr. */
int bench_parse_options(int argc, char **argv, bench_options *o);

#endif
