/* The line format: one line per field, param bytes %XX-escaped, streams
 * raw after a line giving their length, CRC-32 and the bytes kept. */
#include <inttypes.h>

#include "echo_writers.h"

/* Keeps a param line one token per field: bytes outside '!'..'~', and the
 * '%' and '=' that the format itself uses, become %XX. */
static int needs_escape(uint8_t c) {
  return c < 0x21 || c > 0x7e || c == '%' || c == '=';
}

static void put_escaped(fcsr_text *t, const uint8_t *s, size_t n) {
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; i++) {
    if (needs_escape(s[i])) {
      char e[3] = {'%', hex[s[i] >> 4], hex[s[i] & 15]};
      fcsr_put(t, e, 3);
    } else {
      fcsr_put(t, &s[i], 1);
    }
  }
}

static void put_stream(fcsr_text *t, const char *name, const fcsr_stream *s) {
  fcsr_put_fmt(t, "%s %" PRIu64 " %08" PRIx32 " %" PRIu32 "\n", name, s->total,
               s->crc, s->kept);
  fcsr_put(t, s->echo, s->kept);
  fcsr_put_str(t, "\n");
}

void fcsr_echo_lines(fcsr_text *t, const fcsr_echo_request *rq,
                     const fcsr_knobs *knobs) {
  fcsr_put_fmt(t, "request-id %u\n", (unsigned)rq->id);
  fcsr_put_fmt(t, "role %s\n", fcsr_role_word(rq->role));
  fcsr_put_fmt(t, "flags %u\n", (unsigned)rq->flags);
  fcsr_put_fmt(t, "params %" PRIu32 "\n", rq->npairs);
  for (uint32_t i = 0; i < rq->npairs; i++) {
    const fcs_nv_pair *p = &rq->pairs[i];
    fcsr_put_str(t, "param ");
    put_escaped(t, p->name, p->name_len);
    fcsr_put_str(t, "=");
    put_escaped(t, p->value, p->value_len);
    fcsr_put_str(t, "\n");
  }
  if (knobs->app_status_invalid)
    fcsr_put_str(t, "knob-error FCS_APP_STATUS\n");
  if (rq->in)
    put_stream(t, "stdin", rq->in);
  if (rq->data)
    put_stream(t, "data", rq->data);
  fcsr_put_str(t, "end\n");
}
