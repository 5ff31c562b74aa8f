#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcs/encoder.h"

static const fcs_record_opts aligned = {{FCS_PAD_ALIGN8, 0, 0}, 0, 0, 0};

/* The encoder is asked for the size first, so anything but OK here is a bug
 * in this program. */
static void expect_ok(fcs_err e, const char *what) {
  if (e == FCS_E_OK)
    return;
  fprintf(stderr, "encoding %s failed: %s\n", what, fcs_err_name(e));
  exit(1);
}

static void put_stream(interop_buf *out, uint8_t type, uint16_t id,
                       const uint8_t *data, size_t len, uint32_t chunk) {
  fcs_record_opts opts = aligned;
  opts.max_content = chunk;
  size_t needed;
  fcs_encode_stream(NULL, 0, type, id, data, len, 1, &opts, &needed);
  expect_ok(fcs_encode_stream(buf_extend(out, needed), needed, type, id, data,
                              len, 1, &opts, &needed),
            fcs_type_name(type));
}

void request_encode(const interop_request *r, interop_buf *out) {
  size_t needed;
  fcs_encode_begin_request(NULL, 0, r->id, FCS_RESPONDER, r->flags, &aligned,
                           &needed);
  expect_ok(fcs_encode_begin_request(buf_extend(out, needed), needed, r->id,
                                     FCS_RESPONDER, r->flags, &aligned,
                                     &needed),
            "BEGIN_REQUEST");
  fcs_encode_pairs(NULL, 0, r->params, r->nparams, 0, &needed);
  uint8_t *pairs = malloc(needed ? needed : 1);
  if (!pairs) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  expect_ok(fcs_encode_pairs(pairs, needed, r->params, r->nparams, 0, &needed),
            "params");
  put_stream(out, FCS_PARAMS, r->id, pairs, needed, 0);
  free(pairs);
  put_stream(out, FCS_STDIN, r->id, r->body, r->body_len, r->stdin_chunk);
}

void get_values_encode(const char *const names[], size_t n, interop_buf *out) {
  fcs_nv_pair pairs[16];
  size_t needed;
  if (n > sizeof(pairs) / sizeof(pairs[0])) {
    fprintf(stderr, "too many GET_VALUES names (%zu)\n", n);
    exit(1);
  }
  for (size_t i = 0; i < n; i++) {
    pairs[i].name = (const uint8_t *)names[i];
    pairs[i].name_len = (uint32_t)strlen(names[i]);
    pairs[i].value = NULL;
    pairs[i].value_len = 0;
  }
  uint8_t content[1024];
  expect_ok(fcs_encode_pairs(content, sizeof(content), pairs, n, 0, &needed),
            "GET_VALUES names");
  size_t clen = needed;
  fcs_encode_record(NULL, 0, FCS_GET_VALUES, FCS_NULL_REQUEST_ID, content, clen,
                    &aligned, &needed);
  expect_ok(fcs_encode_record(buf_extend(out, needed), needed, FCS_GET_VALUES,
                              FCS_NULL_REQUEST_ID, content, clen, &aligned,
                              &needed),
            "GET_VALUES");
}
