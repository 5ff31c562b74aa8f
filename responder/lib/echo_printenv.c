/* The printenv format: NAME=VALUE per pair in the order received,
 * duplicates kept, bytes raw; then an empty line and the body. */
#include "echo_writers.h"

void fcsr_echo_printenv(fcsr_text *t, const fcsr_echo_request *rq,
                        const fcsr_knobs *knobs) {
  (void)knobs;
  for (uint32_t i = 0; i < rq->npairs; i++) {
    const fcs_nv_pair *p = &rq->pairs[i];
    fcsr_put(t, p->name, p->name_len);
    fcsr_put_str(t, "=");
    fcsr_put(t, p->value, p->value_len);
    fcsr_put_str(t, "\n");
  }
  if (rq->in) {
    fcsr_put_str(t, "\n");
    fcsr_put(t, rq->in->echo, rq->in->kept);
  }
}
