#include "echo.h"

#include <string.h>

#include "echo_writers.h"
#include "fcs/nv.h"
#include "fcs/proto.h"

/* Room for every fixed line (headers, request-id, role, flags, params
 * count, knob errors, end) and for the header line of each stream. */
#define FIXED_TEXT 512
#define STREAM_LINE 64

/* How big each format can make the request: every param or stream byte
 * becomes at most `expansion` bytes, every pair adds at most `per_pair`
 * (a %XX escape is 3 bytes, a \u00XX 6; var_dump's "  [\"\"]=>\n  string(L)
 * \"\"\n" around a pair is under 40). */
static const struct format {
  fcsr_echo_writer *write;
  const char *content_type;
  size_t expansion, per_pair;
} formats[] = {
    [FCS_ECHO_LINES] = {fcsr_echo_lines, "text/plain", 3, 8},
    [FCS_ECHO_JSON] = {fcsr_echo_json, "application/json", 6, 8},
    [FCS_ECHO_PRINTENV] = {fcsr_echo_printenv, "text/plain", 1, 2},
    [FCS_ECHO_PHP_VAR_DUMP] = {fcsr_echo_var_dump, "text/plain", 1, 40},
    [FCS_ECHO_PHP_PRINT_R] = {fcsr_echo_print_r, "text/plain", 1, 16},
};

size_t fcsr_echo_capacity(fcs_echo_format format, uint32_t max_params_bytes,
                          uint32_t max_pairs, uint32_t echo_bytes) {
  const struct format *f = &formats[format];
  return FIXED_TEXT + f->expansion * max_params_bytes +
         f->per_pair * max_pairs +
         2 * (STREAM_LINE + 1 + f->expansion * echo_bytes);
}

int fcsr_echo_authorized(const fcs_nv_pair *pairs, uint32_t npairs) {
  for (uint32_t i = 0; i < npairs; i++)
    if (fcs_nv_name_is(&pairs[i], "HTTP_AUTHORIZATION"))
      return pairs[i].value_len > 0;
  return 0;
}

size_t fcsr_echo_write(uint8_t *out, size_t cap, fcs_echo_format format,
                       const fcsr_echo_request *rq, const fcsr_knobs *knobs) {
  fcsr_text t = {out, 0, cap};
  if (rq->role == FCS_AUTHORIZER &&
      !fcsr_echo_authorized(rq->pairs, rq->npairs)) {
    fcsr_put_str(&t, "Status: 403 Forbidden\r\n"
                     "Content-Type: text/plain\r\n\r\n"
                     "access denied: no HTTP_AUTHORIZATION param\n");
    return t.len;
  }
  fcsr_put_str(&t, "Status: 200 OK\r\n");
  if (rq->role == FCS_AUTHORIZER)
    fcsr_put_str(&t, "Variable-FCS_AUTHORIZED: 1\r\n");
  fcsr_put_fmt(&t, "Content-Type: %s\r\n\r\n", formats[format].content_type);
  formats[format].write(&t, rq, knobs);
  return t.len;
}
