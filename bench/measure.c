#define _POSIX_C_SOURCE 200809L

#include "measure.h"

#include <stdlib.h>
#include <time.h>

double bench_now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void bench_summarize(double *runs, unsigned iterations, bench_timing *t) {
  qsort(runs, iterations, sizeof(runs[0]), compare_doubles);
  t->best_s = runs[0];
  t->median_s = iterations % 2
                    ? runs[iterations / 2]
                    : (runs[iterations / 2 - 1] + runs[iterations / 2]) / 2;
}

void bench_measure(bench_fn fn, void *arg, unsigned iterations,
                   bench_timing *t) {
  static double runs[BENCH_MAX_ITERATIONS];
  t->result = fn(arg);
  for (unsigned i = 0; i < iterations; i++) {
    double start = bench_now_s();
    t->result = fn(arg);
    runs[i] = bench_now_s() - start;
  }
  bench_summarize(runs, iterations, t);
}
