/* The JSON format: one object with the request id, the role, the params
 * (each name once, its last value) and the streams' kept bytes. Every byte
 * outside printable ASCII is written as \u00XX, so the strings' code points
 * are the bytes received (their Latin-1 reading). */
#include "echo_writers.h"

static void put_string(fcsr_text *t, const uint8_t *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  fcsr_put_str(t, "\"");
  for (size_t i = 0; i < n; i++) {
    uint8_t c = s[i];
    if (c < 0x20 || c > 0x7e) {
      char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      fcsr_put(t, e, 6);
    } else {
      if (c == '"' || c == '\\')
        fcsr_put_str(t, "\\");
      fcsr_put(t, &c, 1);
    }
  }
  fcsr_put_str(t, "\"");
}

void fcsr_echo_json(fcsr_text *t, const fcsr_echo_request *rq,
                    const fcsr_knobs *knobs) {
  fcsr_put_fmt(t, "{\"request_id\":%u,\"role\":\"%s\",\"params\":{",
               (unsigned)rq->id, fcsr_role_word(rq->role));
  uint32_t next = 0;
  fcs_nv_pair p;
  for (int first = 1; fcsr_next_unique(rq->pairs, rq->npairs, &next, &p);
       first = 0) {
    if (!first)
      fcsr_put_str(t, ",");
    put_string(t, p.name, p.name_len);
    fcsr_put_str(t, ":");
    put_string(t, p.value, p.value_len);
  }
  fcsr_put_str(t, "}");
  if (rq->in) {
    fcsr_put_str(t, ",\"stdin\":");
    put_string(t, rq->in->echo, rq->in->kept);
  }
  if (rq->data) {
    fcsr_put_str(t, ",\"data\":");
    put_string(t, rq->data->echo, rq->data->kept);
  }
  if (knobs->app_status_invalid)
    fcsr_put_str(t, ",\"knob_error\":\"FCS_APP_STATUS\"");
  fcsr_put_str(t, "}\n");
}
