#include "inputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcs/encoder.h"

#define REQUEST_ID 1
#define LONG_VALUE_LEN 200
#define SHORT_VALUE_LEN 24

static int allocate(bench_input *in, size_t len) {
  memset(in, 0, sizeof(*in));
  in->bytes = malloc(len ? len : 1);
  in->len = len;
  return in->bytes ? 0 : -1;
}

/* Content bytes that differ from byte to byte, so no run can profit from
 * a repeating pattern. */
static void fill_pattern(uint8_t *p, size_t len, uint32_t seed) {
  for (size_t i = 0; i < len; i++)
    p[i] = (uint8_t)((i * 131u + seed * 7u) >> 3);
}

int bench_make_records(bench_input *in, size_t size) {
  size_t record = FCS_HEADER_LEN + 8, count = size / record;
  if (allocate(in, count * record))
    return -1;
  uint8_t content[8], *out = in->bytes;
  for (size_t i = 0; i < count; i++) {
    size_t needed;
    fill_pattern(content, sizeof(content), (uint32_t)i);
    fcs_encode_record(out, record, FCS_STDIN, REQUEST_ID, content,
                      sizeof(content), NULL, &needed);
    out += needed;
  }
  in->units = count;
  return 0;
}

/* The PARAMS content of one request. */
static uint8_t *make_pairs(uint32_t npairs, size_t *len) {
  static uint8_t value[LONG_VALUE_LEN];
  fcs_nv_pair *pairs = calloc(npairs ? npairs : 1, sizeof(*pairs));
  char(*names)[32] = calloc(npairs ? npairs : 1, sizeof(*names));
  uint8_t *out = NULL;
  if (!pairs || !names)
    goto done;
  fill_pattern(value, sizeof(value), 1);
  for (uint32_t i = 0; i < npairs; i++) {
    int n = snprintf(names[i], sizeof(names[i]), "HTTP_X_BENCH_%u", i);
    pairs[i].name = (const uint8_t *)names[i];
    pairs[i].name_len = (uint32_t)n;
    pairs[i].value = value;
    pairs[i].value_len = i % 10 == 9 ? LONG_VALUE_LEN : SHORT_VALUE_LEN;
  }
  fcs_encode_pairs(NULL, 0, pairs, npairs, 0, len);
  out = malloc(*len ? *len : 1);
  if (out)
    fcs_encode_pairs(out, *len, pairs, npairs, 0, len);
done:
  free(pairs);
  free(names);
  return out;
}

/* One request; with out NULL only its size. */
static size_t put_request(uint8_t *out, size_t cap, const uint8_t *pairs,
                          size_t pairs_len) {
  size_t begin, params, in;
  fcs_encode_begin_request(out, cap, REQUEST_ID, FCS_RESPONDER, FCS_KEEP_CONN,
                           NULL, &begin);
  uint8_t *p = out ? out + begin : NULL;
  fcs_encode_stream(p, cap - begin, FCS_PARAMS, REQUEST_ID, pairs, pairs_len, 1,
                    NULL, &params);
  p = out ? p + params : NULL;
  fcs_encode_stream(p, cap - begin - params, FCS_STDIN, REQUEST_ID, NULL, 0, 1,
                    NULL, &in);
  return begin + params + in;
}

int bench_make_params(bench_input *in, size_t size,
                      uint32_t pairs_per_request) {
  size_t pairs_len;
  uint8_t *pairs = make_pairs(pairs_per_request, &pairs_len);
  if (!pairs)
    return -1;
  size_t one = put_request(NULL, (size_t)-1, pairs, pairs_len);
  size_t count = size / one ? size / one : 1;
  if (allocate(in, count * one)) {
    free(pairs);
    return -1;
  }
  for (size_t i = 0; i < count; i++)
    put_request(in->bytes + i * one, one, pairs, pairs_len);
  free(pairs);
  in->units = (uint64_t)count * pairs_per_request;
  in->requests = (uint32_t)count;
  return 0;
}

int bench_make_stdout(bench_input *in, size_t size) {
  uint8_t *body = malloc(size ? size : 1);
  if (!body)
    return -1;
  fill_pattern(body, size, 3);
  size_t out_len, end_len;
  fcs_encode_stream(NULL, 0, FCS_STDOUT, REQUEST_ID, body, size, 1, NULL,
                    &out_len);
  fcs_encode_end_request(NULL, 0, REQUEST_ID, 0, FCS_REQUEST_COMPLETE, NULL,
                         &end_len);
  if (allocate(in, out_len + end_len)) {
    free(body);
    return -1;
  }
  fcs_encode_stream(in->bytes, out_len, FCS_STDOUT, REQUEST_ID, body, size, 1,
                    NULL, &out_len);
  fcs_encode_end_request(in->bytes + out_len, end_len, REQUEST_ID, 0,
                         FCS_REQUEST_COMPLETE, NULL, &end_len);
  free(body);
  in->units = size;
  return 0;
}

void bench_input_free(bench_input *in) {
  free(in->bytes);
  memset(in, 0, sizeof(*in));
}
