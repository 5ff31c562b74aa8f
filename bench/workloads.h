/* The consumers the benchmark times. Each takes a bench_job and returns the
 * number of units it saw (records, pairs or content bytes), which the caller
 * compares with what the input holds. */
#ifndef FCS_BENCH_WORKLOADS_H
#define FCS_BENCH_WORKLOADS_H

#include <stddef.h>
#include <stdint.h>

#include "fcs/assembler.h"
#include "inputs.h"

typedef struct bench_job {
  const bench_input *in;
  void *mem; /* assembler memory, or the memcpy destination */
  size_t memlen;
} bench_job;

/* Raw decoder, strict mode: counts the RECORD_END events. */
uint64_t bench_decode_records(void *job);
/* The same in whole-records mode: counts RECORD and RECORD_END events. */
uint64_t bench_decode_whole_records(void *job);
/* The same with fcs_decoder_feed_many, 64 events a call. */
uint64_t bench_decode_batched_records(void *job);
/* Raw decoder, strict mode: sums the CONTENT bytes of STDOUT records. */
uint64_t bench_decode_stdout(void *job);
/* App-side assembler, strict: looks at every pair of each PARAMS event
 * and counts the pairs; ends each request after its STDIN. */
uint64_t bench_assemble_params(void *job);
/* Client-side assembler, strict, max_stream_bytes 0: sums STREAM_DATA of
 * STDOUT up to END_REQUEST. */
uint64_t bench_assemble_stdout(void *job);
/* memcpy of the input into job->mem; returns the bytes copied. */
uint64_t bench_copy(void *job);

/* Assembler limits the workloads use; size job->mem with
 * fcs_assembler_memory_size of them. */
void bench_app_limits(fcs_limits *l, uint32_t pairs_per_request);
void bench_client_limits(fcs_limits *l);

#endif
