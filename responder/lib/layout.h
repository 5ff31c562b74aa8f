/* What a configuration implies for one connection: how many requests it
 * serves at once and how big each of its buffers is. */
#ifndef FCSR_LAYOUT_H
#define FCSR_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "fcs/assembler.h"
#include "fcs_responder.h"

#define FCSR_MAX_CONNS_LIMIT 65535u
#define FCSR_MAX_REQS_LIMIT 4096u
#define FCSR_MAX_PARAMS_BYTES_LIMIT (16u << 20)
#define FCSR_MAX_PAIRS_LIMIT (1u << 20)
#define FCSR_ECHO_BYTES_LIMIT (16u << 20)
#define FCSR_OUTPUT_BYTES_MIN 1024u
#define FCSR_OUTPUT_BYTES_LIMIT (64u << 20)
#define FCSR_BODY_BYTES_LIMIT (16u << 20)
/* Room for the CGI header block of the fixed reply (body_bytes). */
#define FCSR_FIXED_HEAD_MAX 128u

typedef struct fcsr_layout {
  uint32_t slots;    /* requests served at once on the connection */
  fcs_limits limits; /* for the assembler */
  size_t assembler_bytes;
  size_t echo_bytes; /* STDIN and DATA echo buffers of every slot */
  size_t text_bytes; /* one response's text */
  size_t output_bytes;
  size_t fixed_bytes;  /* the fixed reply of body_bytes, or 0 */
  size_t buffer_bytes; /* the sum of the five above */
} fcsr_layout;

void fcsr_layout_compute(const fcs_responder_config *cfg, fcsr_layout *l);

#endif
