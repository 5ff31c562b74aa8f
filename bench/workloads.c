#include "workloads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcs/fcs.h"
#include "measure.h"

/* A decode error means the benchmark input or the codec is broken: there is
 * no number worth printing after that. */
static void die_on_error(const fcs_error *e, const char *what) {
  fprintf(stderr, "fcs-bench: %s failed: %s (%s) at byte %llu, record %llu\n",
          what, fcs_err_name(e->code), fcs_err_message(e->code),
          (unsigned long long)e->offset, (unsigned long long)e->record);
  exit(1);
}

static uint64_t decode_records(const bench_job *job, int whole) {
  const uint8_t *p = job->in->bytes;
  size_t left = job->in->len;
  uint64_t records = 0;
  fcs_decoder d;
  fcs_event ev;
  fcs_decoder_init(&d, FCS_STRICT);
  fcs_decoder_whole_records(&d, whole);
  while (left) {
    size_t n = fcs_decoder_feed(&d, p, left, &ev);
    p += n;
    left -= n;
    if (ev.type == FCS_EV_RECORD_END || ev.type == FCS_EV_RECORD)
      records++;
    else if (ev.type == FCS_EV_ERROR)
      die_on_error(&ev.error, "decoder (records)");
  }
  /* The last record's RECORD_END comes from a call with no input left. */
  while (fcs_decoder_feed(&d, p, 0, &ev), ev.type != FCS_EV_NONE)
    records += ev.type == FCS_EV_RECORD_END;
  return records;
}

uint64_t bench_decode_records(void *arg) { return decode_records(arg, 0); }

uint64_t bench_decode_whole_records(void *arg) {
  return decode_records(arg, 1);
}

uint64_t bench_decode_batched_records(void *arg) {
  const bench_job *job = arg;
  const uint8_t *p = job->in->bytes;
  size_t left = job->in->len;
  uint64_t records = 0;
  fcs_decoder d;
  fcs_event evs[64];
  fcs_decoder_init(&d, FCS_STRICT);
  fcs_decoder_whole_records(&d, 1);
  for (;;) {
    size_t count;
    size_t n = fcs_decoder_feed_many(&d, p, left, evs, 64, &count);
    p += n;
    left -= n;
    for (size_t i = 0; i < count; i++) {
      if (evs[i].type == FCS_EV_RECORD || evs[i].type == FCS_EV_RECORD_END)
        records++;
      else if (evs[i].type == FCS_EV_ERROR)
        die_on_error(&evs[i].error, "decoder (batched records)");
    }
    if (count == 0)
      return records;
  }
}

uint64_t bench_decode_stdout(void *arg) {
  const bench_job *job = arg;
  const uint8_t *p = job->in->bytes;
  size_t left = job->in->len;
  uint64_t bytes = 0;
  fcs_decoder d;
  fcs_event ev;
  fcs_decoder_init(&d, FCS_STRICT);
  while (left) {
    size_t n = fcs_decoder_feed(&d, p, left, &ev);
    p += n;
    left -= n;
    if (ev.type == FCS_EV_CONTENT && ev.header.type == FCS_STDOUT)
      bytes += ev.len;
    else if (ev.type == FCS_EV_ERROR)
      die_on_error(&ev.error, "decoder (stdout)");
  }
  return bytes;
}

void bench_app_limits(fcs_limits *l, uint32_t pairs_per_request) {
  fcs_limits_default(l);
  l->max_requests = 1;
  l->max_pairs = pairs_per_request;
  /* room for the longest pair the inputs use (see inputs.c) */
  l->max_params_bytes = pairs_per_request * 256u;
  l->max_stream_bytes = 0;
}

void bench_client_limits(fcs_limits *l) {
  fcs_limits_default(l);
  l->max_requests = 1;
  l->max_stream_bytes = 0;
}

/* What an application does with the pairs the assembler parsed: look at
 * each one (here: count those with a name). */
static uint64_t count_pairs(const fcs_nv_pair *pairs, uint32_t npairs) {
  uint64_t named = 0;
  for (uint32_t i = 0; i < npairs; i++)
    named += pairs[i].name_len != 0;
  return named;
}

uint64_t bench_assemble_params(void *arg) {
  const bench_job *job = arg;
  const uint8_t *p = job->in->bytes;
  size_t left = job->in->len;
  uint64_t pairs = 0;
  fcs_assembler a;
  fcs_asm_event ev;
  fcs_limits limits;
  bench_app_limits(&limits, (uint32_t)(job->in->units / job->in->requests));
  if (fcs_assembler_init(&a, FCS_SIDE_APP, FCS_STRICT, &limits, job->mem,
                         job->memlen) != FCS_E_OK) {
    fprintf(stderr, "fcs-bench: assembler memory too small\n");
    exit(1);
  }
  while (left) {
    size_t n = fcs_assembler_feed(&a, p, left, &ev);
    p += n;
    left -= n;
    if (ev.type == FCS_AE_PARAMS)
      pairs += count_pairs(ev.pairs, ev.npairs);
    else if (ev.type == FCS_AE_STREAM_END && ev.record_type == FCS_STDIN)
      fcs_assembler_end(&a, ev.request_id);
    else if (ev.type == FCS_AE_ERROR)
      die_on_error(&ev.error, "assembler (params)");
  }
  return pairs;
}

uint64_t bench_assemble_stdout(void *arg) {
  const bench_job *job = arg;
  const uint8_t *p = job->in->bytes;
  size_t left = job->in->len;
  uint64_t bytes = 0;
  int ended = 0;
  fcs_assembler a;
  fcs_asm_event ev;
  fcs_limits limits;
  bench_client_limits(&limits);
  if (fcs_assembler_init(&a, FCS_SIDE_CLIENT, FCS_STRICT, &limits, job->mem,
                         job->memlen) != FCS_E_OK ||
      fcs_assembler_begin(&a, 1, FCS_RESPONDER, 0) != FCS_E_OK) {
    fprintf(stderr, "fcs-bench: client assembler setup failed\n");
    exit(1);
  }
  while (left) {
    size_t n = fcs_assembler_feed(&a, p, left, &ev);
    p += n;
    left -= n;
    if (ev.type == FCS_AE_STREAM_DATA)
      bytes += ev.len;
    else if (ev.type == FCS_AE_END_REQUEST)
      ended = 1;
    else if (ev.type == FCS_AE_ERROR)
      die_on_error(&ev.error, "assembler (stdout)");
  }
  return ended ? bytes : 0;
}

uint64_t bench_copy(void *arg) {
  const bench_job *job = arg;
  memcpy(job->mem, job->in->bytes, job->in->len);
  bench_escape(job->mem);
  return job->in->len;
}
