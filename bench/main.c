/* fcs-bench: decoder throughput next to memcpy of the same bytes, and
 * libfcs next to libfcgi on the same requests (workload d). */
#include <stdio.h>
#include <stdlib.h>

#include "fcs/assembler.h"
#include "inputs.h"
#include "measure.h"
#include "options.h"
#include "peer.h"
#include "workloads.h"

/* The decoder should reach this share of memcpy's bytes/s on workload a. */
#define RECORDS_GOAL 0.30
/* libfcs should serve this many times libfcgi's requests/s on workload d. */
#define PEER_GOAL 5.0
/* Workload d's two bodies: a small form post and a 64 KiB upload. */
#define PEER_SMALL_BODY 256
#define PEER_LARGE_BODY 65536

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

static void expect_count(uint64_t got, uint64_t want, const char *what) {
  if (got == want)
    return;
  fprintf(stderr, "fcs-bench: %s counted %llu, the input holds %llu\n", what,
          (unsigned long long)got, (unsigned long long)want);
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

/* What a workload d consumer counted in its last run against the input;
 * parsed 0 for the socket-only consumer, which parses nothing. */
static void expect_peer(const peer_job *job, const bench_timing *t,
                        const char *who, int parsed) {
  const peer_input *in = job->in;
  const peer_counts *c = &job->counts;
  uint64_t n = in->in.requests;
  uint8_t reply[32];
  size_t reply_len = peer_encode_reply(reply, sizeof(reply), 1);
  char what[64];
  snprintf(what, sizeof(what), "%s (requests)", who);
  expect_count(t->result, n, what);
  expect_count(c->requests, n, what);
  snprintf(what, sizeof(what), "%s (reply bytes)", who);
  expect_count(c->reply_bytes, n * reply_len, what);
  if (!parsed)
    return;
  snprintf(what, sizeof(what), "%s (params found)", who);
  expect_count(c->found, n * in->found, what);
  snprintf(what, sizeof(what), "%s (bytes of the params found)", who);
  expect_count(c->found_bytes, n * in->found_bytes, what);
  snprintf(what, sizeof(what), "%s (body bytes)", who);
  expect_count(c->body_bytes, n * in->body_len, what);
}

/* Workload d's consumers, in the order they run and print. */
enum { PEER_FCGI, PEER_FCS, PEER_IN_PLACE, PEER_SOCKET, PEER_CONSUMERS };
static const struct {
  const char *who, *row;
  bench_fn fn;
  int parsed;
} peer_consumers[PEER_CONSUMERS] = {
    {"libfcgi", "libfcgi", peer_run_libfcgi, 1},
    {"libfcs", "libfcs, body copied", peer_run_libfcs, 1},
    {"libfcs (body in place)", "libfcs, body in place",
     peer_run_libfcs_in_place, 1},
    {"socket only", "socket only", peer_run_socket, 0},
};

/* Runs the consumers in turn, one untimed round and then iterations timed
 * rounds, so that a change of load on a shared machine falls on all of
 * them alike; checks every run. t gets each one's wall-clock best and
 * median, cpu_s its least CPU time. */
static void measure_peers(peer_job *job, unsigned iterations,
                          bench_timing t[PEER_CONSUMERS],
                          double cpu_s[PEER_CONSUMERS]) {
  static double runs[PEER_CONSUMERS][BENCH_MAX_ITERATIONS];
  for (int c = 0; c < PEER_CONSUMERS; c++)
    cpu_s[c] = 1e9;
  for (unsigned i = 0; i <= iterations; i++)
    for (int c = 0; c < PEER_CONSUMERS; c++) {
      double start = bench_now_s();
      t[c].result = peer_consumers[c].fn(job);
      double took = bench_now_s() - start;
      expect_peer(job, &t[c], peer_consumers[c].who, peer_consumers[c].parsed);
      if (i == 0)
        continue; /* the warm-up round */
      runs[c][i - 1] = took;
      if (job->cpu_s < cpu_s[c])
        cpu_s[c] = job->cpu_s;
    }
  for (int c = 0; c < PEER_CONSUMERS; c++)
    bench_summarize(runs[c], iterations, &t[c]);
}

/* "libfcs / libfcgi" in time t (wall or CPU), and with the socket-only
 * consumer's time taken off both. */
static void print_ratio(const char *what, double fcgi, double fcs,
                        double sock) {
  printf("%-22s %s: %.2f", "", what, fcgi / fcs);
  if (fcs > sock)
    printf(", less the socket-only time %.2f", (fcgi - sock) / (fcs - sock));
  printf("\n");
}

static void run_peer(const bench_options *o, const char *workload,
                     uint32_t body_len) {
  peer_input in;
  bench_timing t[PEER_CONSUMERS], copy;
  double cpu[PEER_CONSUMERS];
  made(peer_make_input(&in, o->size_mib << 20, body_len), "workload d");
  peer_job job = {&in, allocate(body_len), {0}, 0};
  measure_peers(&job, o->iterations, t, cpu);
  measure_copy(&in.in, o->iterations, &copy);
  for (int c = 0; c < PEER_CONSUMERS; c++)
    print_row(c ? "" : workload, peer_consumers[c].row, &t[c], in.in.len,
              in.in.requests, "requests", &copy);
  print_row("", "memcpy", &copy, in.in.len, 0, NULL, NULL);
  double us = 1e6 / in.in.requests;
  printf("%-22s consumer CPU us/request: libfcgi %.2f, libfcs %.2f "
         "(in place %.2f), socket only %.2f\n",
         "", cpu[PEER_FCGI] * us, cpu[PEER_FCS] * us, cpu[PEER_IN_PLACE] * us,
         cpu[PEER_SOCKET] * us);
  print_ratio("libfcs / libfcgi, wall", t[PEER_FCGI].best_s, t[PEER_FCS].best_s,
              t[PEER_SOCKET].best_s);
  print_ratio("libfcs / libfcgi, CPU", cpu[PEER_FCGI], cpu[PEER_FCS],
              cpu[PEER_SOCKET]);
  print_ratio("in place / libfcgi, CPU", cpu[PEER_FCGI], cpu[PEER_IN_PLACE],
              cpu[PEER_SOCKET]);
  double ratio = t[PEER_FCGI].best_s / t[PEER_FCS].best_s;
  printf("%-22s goal: libfcs >= %.0f x libfcgi's requests/s: %s\n", "",
         PEER_GOAL, ratio >= PEER_GOAL ? "met" : "MISSED");
  free(job.body);
  peer_input_free(&in);
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
  if (o.run[3]) {
    run_peer(&o, "(d) 256 B bodies", PEER_SMALL_BODY);
    run_peer(&o, "(d) 64 KiB bodies", PEER_LARGE_BODY);
  }
  return 0;
}
