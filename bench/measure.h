/* Timing for the benchmark: runs a piece of work repeatedly and keeps the
 * best and the median wall-clock time. */
#ifndef FCS_BENCH_MEASURE_H
#define FCS_BENCH_MEASURE_H

#include <stdint.h>

/* One timed unit of work. Returns a count the caller checks, so the work
 * has an observable result. */
typedef uint64_t (*bench_fn)(void *arg);

#define BENCH_MAX_ITERATIONS 1000

typedef struct bench_timing {
  double best_s;
  double median_s;
  uint64_t result; /* what the last run returned */
} bench_timing;

/* One untimed warm-up run, then iterations (1..BENCH_MAX_ITERATIONS) timed
 * runs. */
void bench_measure(bench_fn fn, void *arg, unsigned iterations,
                   bench_timing *t);

/* Monotonic wall-clock seconds. */
double bench_now_s(void);
/* Sorts the n run times (seconds) and fills t's best and median. */
void bench_summarize(double *runs, unsigned n, bench_timing *t);

/* Tells the compiler that the memory behind p is read by someone it cannot
 * see, so stores into it are never dropped. */
static inline void bench_escape(const void *p) {
  __asm__ volatile("" : : "r"(p) : "memory");
}

#endif
