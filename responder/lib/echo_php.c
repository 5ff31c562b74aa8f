/* The formats of PHP's var_dump($_SERVER) and print_r($_SERVER), then the
 * body as PHP would print it after them: each name once with its last
 * value (a PHP array holds no duplicates), bytes raw. var_dump gives every
 * string's exact length; print_r shows a value holding a LF over several
 * lines. */
#include "echo_writers.h"

static void put_dumped_string(fcsr_text *t, const uint8_t *s, size_t n) {
  fcsr_put_fmt(t, "string(%zu) \"", n);
  fcsr_put(t, s, n);
  fcsr_put_str(t, "\"\n");
}

void fcsr_echo_var_dump(fcsr_text *t, const fcsr_echo_request *rq,
                        const fcsr_knobs *knobs) {
  (void)knobs;
  fcsr_put_fmt(t, "array(%zu) {\n", fcsr_count_unique(rq->pairs, rq->npairs));
  uint32_t next = 0;
  fcs_nv_pair p;
  while (fcsr_next_unique(rq->pairs, rq->npairs, &next, &p)) {
    fcsr_put_str(t, "  [\"");
    fcsr_put(t, p.name, p.name_len);
    fcsr_put_str(t, "\"]=>\n  ");
    put_dumped_string(t, p.value, p.value_len);
  }
  fcsr_put_str(t, "}\n");
  if (rq->in)
    put_dumped_string(t, rq->in->echo, rq->in->kept);
  if (rq->data)
    put_dumped_string(t, rq->data->echo, rq->data->kept);
}

void fcsr_echo_print_r(fcsr_text *t, const fcsr_echo_request *rq,
                       const fcsr_knobs *knobs) {
  (void)knobs;
  fcsr_put_str(t, "Array\n(\n");
  uint32_t next = 0;
  fcs_nv_pair p;
  while (fcsr_next_unique(rq->pairs, rq->npairs, &next, &p)) {
    fcsr_put_str(t, "    [");
    fcsr_put(t, p.name, p.name_len);
    fcsr_put_str(t, "] => ");
    fcsr_put(t, p.value, p.value_len);
    fcsr_put_str(t, "\n");
  }
  fcsr_put_str(t, ")\n");
  if (rq->in)
    fcsr_put(t, rq->in->echo, rq->in->kept);
}
