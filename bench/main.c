/* fcs-bench: decoder throughput next to memcpy of the same bytes. */
#include <stdio.h>
#include <stdlib.h>

#include "fcs/assembler.h"
#include "inputs.h"
#include "measure.h"
#include "options.h"
#include "workloads.h"

/* The decoder should reach this share of memcpy's bytes/s on workload a. */
#define RECORDS_GOAL 0.30

static void print_header(const bench_options *o) {
  printf("fcs-bench: %zu MiB of input per workload, best and median of %u "
         "runs\n",
         o->size_mib, o->iterations);
  printf("MB/s = 10^6 bytes/s; vs memcpy = best bytes/s / memcpy's best "
         "bytes/s on the same bytes\n\n");
  printf("%-22s %-24s %11s %11s %20s %9s\n", "workload", "consumer",
         "MB/s best", "MB/s median", "units/s best", "vs memcpy");
}

/* unit NULL: the unit is the byte, already in the MB/s columns. */
static void print_row(const char *workload, const char *consumer,
                      const bench_timing *t, size_t bytes, uint64_t units,
                      const char *unit, const bench_timing *copy) {
  char per_s[32] = "", ratio[16] = "";
  if (unit)
    snprintf(per_s, sizeof(per_s), "%.2f M %s/s",
             (double)units / t->best_s / 1e6, unit);
  if (copy)
    snprintf(ratio, sizeof(ratio), "%.2f", copy->best_s / t->best_s);
  printf("%-22s %-24s %11.1f %11.1f %20s %9s\n", workload, consumer,
         (double)bytes / t->best_s / 1e6, (double)bytes / t->median_s / 1e6,
         per_s, ratio);
}

static void expect(const bench_timing *t, uint64_t expected, const char *what) {
  if (t->result == expected)
    return;
  fprintf(stderr, "fcs-bench: %s counted %llu units, the input holds %llu\n",
          what, (unsigned long long)t->result, (unsigned long long)expected);
  exit(1);
}

static void *allocate(size_t len) {
  void *p = malloc(len ? len : 1);
  if (!p) {
    fprintf(stderr, "fcs-bench: out of memory (%zu bytes)\n", len);
    exit(1);
  }
  return p;
}

static void made(int rc, const char *what) {
  if (rc == 0)
    return;
  fprintf(stderr, "fcs-bench: out of memory building the %s input\n", what);
  exit(1);
}

static void measure_copy(const bench_input *in, unsigned iterations,
                         bench_timing *t) {
  bench_job job = {in, allocate(in->len), in->len};
  bench_measure(bench_copy, &job, iterations, t);
  expect(t, in->len, "memcpy");
  free(job.mem);
}

static void run_records(const bench_options *o) {
  bench_input in;
  bench_timing dec, whole, batched, copy;
  made(bench_make_records(&in, o->size_mib << 20), "records");
  bench_job job = {&in, NULL, 0};
  bench_measure(bench_decode_records, &job, o->iterations, &dec);
  expect(&dec, in.units, "decoder (records)");
  bench_measure(bench_decode_whole_records, &job, o->iterations, &whole);
  expect(&whole, in.units, "decoder (whole records)");
  bench_measure(bench_decode_batched_records, &job, o->iterations, &batched);
  expect(&batched, in.units, "decoder (batched records)");
  measure_copy(&in, o->iterations, &copy);
  print_row("(a) minimal records", "decoder, piecewise", &dec, in.len, in.units,
            "records", &copy);
  print_row("", "decoder, whole records", &whole, in.len, in.units, "records",
            &copy);
  print_row("", "decoder, batched", &batched, in.len, in.units, "records",
            &copy);
  print_row("", "memcpy", &copy, in.len, 0, NULL, NULL);
  double ratio = copy.best_s / batched.best_s;
  printf("%-22s goal: decoder >= %.2f x memcpy: %s\n", "", RECORDS_GOAL,
         ratio >= RECORDS_GOAL ? "met" : "MISSED");
  bench_input_free(&in);
}

static void run_params(const bench_options *o) {
  bench_input in;
  bench_timing as, copy;
  fcs_limits limits;
  made(bench_make_params(&in, o->size_mib << 20, o->pairs), "params");
  bench_app_limits(&limits, o->pairs);
  size_t memlen = fcs_assembler_memory_size(&limits);
  bench_job job = {&in, allocate(memlen), memlen};
  bench_measure(bench_assemble_params, &job, o->iterations, &as);
  expect(&as, in.units, "assembler (params)");
  measure_copy(&in, o->iterations, &copy);
  print_row("(b) params requests", "app assembler, pairs", &as, in.len,
            in.units, "pairs", &copy);
  print_row("", "memcpy", &copy, in.len, 0, NULL, NULL);
  free(job.mem);
  bench_input_free(&in);
}

static void run_stdout(const bench_options *o) {
  bench_input in;
  bench_timing dec, as, copy;
  fcs_limits limits;
  made(bench_make_stdout(&in, o->size_mib << 20), "stdout");
  bench_job dec_job = {&in, NULL, 0};
  bench_measure(bench_decode_stdout, &dec_job, o->iterations, &dec);
  expect(&dec, in.units, "decoder (stdout)");
  bench_client_limits(&limits);
  size_t memlen = fcs_assembler_memory_size(&limits);
  bench_job as_job = {&in, allocate(memlen), memlen};
  bench_measure(bench_assemble_stdout, &as_job, o->iterations, &as);
  expect(&as, in.units, "assembler (stdout)");
  measure_copy(&in, o->iterations, &copy);
  print_row("(c) large STDOUT", "decoder", &dec, in.len, 0, NULL, &copy);
  print_row("", "client assembler", &as, in.len, 0, NULL, &copy);
  print_row("", "memcpy", &copy, in.len, 0, NULL, NULL);
  free(as_job.mem);
  bench_input_free(&in);
}

int main(int argc, char **argv) {
  bench_options o;
  int rc = bench_parse_options(argc, argv, &o);
  if (rc)
    return rc > 0 ? 0 : 2;
  print_header(&o);
  if (o.run[0])
    run_records(&o);
  if (o.run[1])
    run_params(&o);
  if (o.run[2])
    run_stdout(&o);
  return 0;
}
