/* What the cross-check sends, built with the codec's encoder. */
#ifndef FCS_INTEROP_REQUEST_H
#define FCS_INTEROP_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "fcs/nv.h"

typedef struct interop_request {
  uint16_t id;
  uint8_t flags; /* FCS_KEEP_CONN or 0 */
  const fcs_nv_pair *params;
  size_t nparams;
  const uint8_t *body;
  size_t body_len;
  uint32_t stdin_chunk; /* content bytes per STDIN record */
} interop_request;

/* Appends a responder request: BEGIN_REQUEST, the PARAMS stream, the STDIN
 * stream split into records of stdin_chunk bytes; every record padded to a
 * multiple of 8 bytes. */
void request_encode(const interop_request *r, interop_buf *out);

/* Appends a GET_VALUES record asking for names (empty values). */
void get_values_encode(const char *const names[], size_t n, interop_buf *out);

#endif
