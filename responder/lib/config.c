#include <stddef.h>

#include "echo.h"
#include "fcs/assembler.h"
#include "fcs_responder.h"
#include "layout.h"

void fcs_responder_config_default(fcs_responder_config *cfg) {
  cfg->max_conns = 16;
  cfg->max_reqs = 32;
  cfg->max_conn_reqs = fcs_responder_conn_reqs_default(cfg->max_reqs);
  cfg->mpxs_conns = 1;
  cfg->max_params_bytes = 64 * 1024;
  cfg->max_pairs = 512;
  cfg->echo_bytes = 16 * 1024;
  cfg->output_bytes = 64 * 1024;
  cfg->echo_format = FCS_ECHO_LINES;
  cfg->body_bytes = 0;
  cfg->budget = NULL;
}

uint32_t fcs_responder_conn_reqs_default(uint32_t max_reqs) {
  return max_reqs < 4 ? 1 : max_reqs / 4;
}

const char *fcs_responder_config_check(const fcs_responder_config *cfg) {
  if (cfg->max_conns < 1 || cfg->max_conns > FCSR_MAX_CONNS_LIMIT)
    return "max_conns must be 1..65535";
  if (cfg->max_reqs < 1 || cfg->max_reqs > FCSR_MAX_REQS_LIMIT)
    return "max_reqs must be 1..4096";
  if (cfg->max_conn_reqs < 1 || cfg->max_conn_reqs > cfg->max_reqs)
    return "max_conn_reqs must be 1..max_reqs";
  if (cfg->mpxs_conns > 1)
    return "mpxs_conns must be 0 or 1";
  if (cfg->max_params_bytes < 1 ||
      cfg->max_params_bytes > FCSR_MAX_PARAMS_BYTES_LIMIT)
    return "max_params_bytes must be 1..16777216";
  if (cfg->max_pairs < 1 || cfg->max_pairs > FCSR_MAX_PAIRS_LIMIT)
    return "max_pairs must be 1..1048576";
  if (cfg->echo_bytes > FCSR_ECHO_BYTES_LIMIT)
    return "echo_bytes must be 0..16777216";
  if (cfg->output_bytes < FCSR_OUTPUT_BYTES_MIN ||
      cfg->output_bytes > FCSR_OUTPUT_BYTES_LIMIT)
    return "output_bytes must be 1024..67108864";
  if (cfg->echo_format > FCS_ECHO_PHP_PRINT_R)
    return "echo_format must be 0..4";
  if (cfg->body_bytes > FCSR_BODY_BYTES_LIMIT)
    return "body_bytes must be 0..16777216";
  return NULL;
}

void fcsr_layout_compute(const fcs_responder_config *cfg, fcsr_layout *l) {
  l->slots = cfg->mpxs_conns ? cfg->max_conn_reqs : 1;
  /* The assembler's request table is the connection's: a BEGIN past it
   * arrives REFUSED, to answer with CANT_MPX_CONN or OVERLOADED. Streams
   * pass through uncopied: the responder keeps its own bounded echo of
   * them. */
  l->limits.max_params_bytes = cfg->max_params_bytes;
  l->limits.max_pairs = cfg->max_pairs;
  l->limits.max_requests = l->slots;
  l->limits.max_stream_bytes = 0;
  l->assembler_bytes = fcs_assembler_memory_size(&l->limits);
  l->echo_bytes = (size_t)l->slots * 2 * cfg->echo_bytes;
  l->text_bytes = fcsr_echo_capacity((fcs_echo_format)cfg->echo_format,
                                     cfg->max_params_bytes, cfg->max_pairs,
                                     cfg->echo_bytes);
  l->output_bytes = cfg->output_bytes;
  l->fixed_bytes =
      cfg->body_bytes ? FCSR_FIXED_HEAD_MAX + (size_t)cfg->body_bytes : 0;
  l->buffer_bytes = l->assembler_bytes + l->echo_bytes + l->text_bytes +
                    l->output_bytes + l->fixed_bytes;
}
