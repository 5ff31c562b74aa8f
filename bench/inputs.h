/* The byte streams the benchmark decodes, built with the codec's encoder. */
#ifndef FCS_BENCH_INPUTS_H
#define FCS_BENCH_INPUTS_H

#include <stddef.h>
#include <stdint.h>

typedef struct bench_input {
  uint8_t *bytes;
  size_t len;
  uint64_t units;    /* records, pairs or content bytes, see below */
  uint32_t requests; /* requests in the stream (params workload) */
} bench_input;

/* STDIN records of request 1 with 8 content bytes each, as many as fit in
 * size bytes. units = records. */
int bench_make_records(bench_input *in, size_t size);

/* Responder requests on one keep-alive connection (request id 1 reused),
 * each a BEGIN_REQUEST, a PARAMS stream of pairs_per_request pairs (every
 * tenth value 200 bytes long, so the 4-byte length form shows up) and an
 * empty STDIN; repeated until about size bytes. units = pairs. */
int bench_make_params(bench_input *in, size_t size, uint32_t pairs_per_request);

/* What an application sends back for request 1: size bytes of STDOUT in
 * records of 65535 bytes, the empty STDOUT record and END_REQUEST.
 * units = STDOUT content bytes. */
int bench_make_stdout(bench_input *in, size_t size);

void bench_input_free(bench_input *in);

#endif
