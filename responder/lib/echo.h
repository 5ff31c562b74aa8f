/* The CGI response the responder writes on FCGI_STDOUT: a deterministic,
 * machine-readable echo of what it parsed, in one of the formats of
 * docs/responder.md, or, for an AUTHORIZER without credentials, a 403. */
#ifndef FCSR_ECHO_H
#define FCSR_ECHO_H

#include <stddef.h>
#include <stdint.h>

#include "fcs/nv.h"
#include "fcs_responder.h"
#include "knobs.h"
#include "stream.h"

typedef struct fcsr_echo_request {
  uint16_t id;
  uint16_t role;
  uint8_t flags;
  const fcs_nv_pair *pairs; /* the PARAMS pairs, as the assembler parsed */
  uint32_t npairs;
  const fcsr_stream *in;   /* STDIN, NULL for the AUTHORIZER */
  const fcsr_stream *data; /* DATA, NULL unless FILTER */
} fcsr_echo_request;

/* Largest response fcsr_echo_write can produce in that format under these
 * limits. */
size_t fcsr_echo_capacity(fcs_echo_format format, uint32_t max_params_bytes,
                          uint32_t max_pairs, uint32_t echo_bytes);

/* 1 when an AUTHORIZER request is granted: the params hold a non-empty
 * HTTP_AUTHORIZATION. */
int fcsr_echo_authorized(const fcs_nv_pair *pairs, uint32_t npairs);

/* Writes the response in the format; returns its length. cap must be at
 * least fcsr_echo_capacity for the format and the limits the request was
 * read under (a smaller cap truncates the text). */
size_t fcsr_echo_write(uint8_t *out, size_t cap, fcs_echo_format format,
                       const fcsr_echo_request *rq, const fcsr_knobs *knobs);

#endif
