#include "echo.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fcs/nv.h"
#include "fcs/proto.h"

/* Room for every fixed line (headers, request-id, role, flags, params
 * count, knob errors, end) and for the header line of each stream. */
#define FIXED_TEXT 512
#define STREAM_LINE 64
/* "param " + "=" + "\n" around each pair. */
#define PAIR_OVERHEAD 8

typedef struct text {
  uint8_t *p;
  size_t len, cap;
} text;

static void put(text *t, const void *s, size_t n) {
  size_t room = t->cap - t->len;
  if (n > room)
    n = room;
  if (n)
    memcpy(t->p + t->len, s, n);
  t->len += n;
}

static void put_str(text *t, const char *s) { put(t, s, strlen(s)); }

static void put_fmt(text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void put_fmt(text *t, const char *fmt, ...) {
  char line[STREAM_LINE];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n > 0)
    put(t, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* Keeps a param line one token per field: bytes outside '!'..'~', and the
 * '%' and '=' that the format itself uses, become %XX. */
static int needs_escape(uint8_t c) {
  return c < 0x21 || c > 0x7e || c == '%' || c == '=';
}

static void put_escaped(text *t, const uint8_t *s, size_t n) {
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; i++) {
    if (needs_escape(s[i])) {
      char e[3] = {'%', hex[s[i] >> 4], hex[s[i] & 15]};
      put(t, e, 3);
    } else {
      put(t, &s[i], 1);
    }
  }
}

static const char *role_word(uint16_t role) {
  switch (role) {
  case FCS_AUTHORIZER:
    return "AUTHORIZER";
  case FCS_FILTER:
    return "FILTER";
  default:
    return "RESPONDER";
  }
}

static void put_stream(text *t, const char *name, const fcsr_stream *s) {
  put_fmt(t, "%s %" PRIu64 " %08" PRIx32 " %" PRIu32 "\n", name, s->total,
          s->crc, s->kept);
  put(t, s->echo, s->kept);
  put_str(t, "\n");
}

size_t fcsr_echo_capacity(uint32_t max_params_bytes, uint32_t max_pairs,
                          uint32_t echo_bytes) {
  return FIXED_TEXT + 3 * (size_t)max_params_bytes +
         PAIR_OVERHEAD * (size_t)max_pairs +
         2 * (STREAM_LINE + 1 + (size_t)echo_bytes);
}

int fcsr_echo_authorized(const uint8_t *params, size_t len) {
  static const char name[] = "HTTP_AUTHORIZATION";
  size_t pos = 0;
  fcs_nv_pair p;
  while (fcs_nv_next(params, len, &pos, &p) == FCS_NV_OK)
    if (p.name_len == sizeof name - 1 && memcmp(p.name, name, p.name_len) == 0)
      return p.value_len > 0;
  return 0;
}

size_t fcsr_echo_write(uint8_t *out, size_t cap, const fcsr_echo_request *rq,
                       const fcsr_knobs *knobs) {
  text t = {out, 0, cap};
  if (rq->role == FCS_AUTHORIZER &&
      !fcsr_echo_authorized(rq->params, rq->params_len)) {
    put_str(&t, "Status: 403 Forbidden\r\n"
                "Content-Type: text/plain\r\n\r\n"
                "access denied: no HTTP_AUTHORIZATION param\n");
    return t.len;
  }
  put_str(&t, "Status: 200 OK\r\n");
  if (rq->role == FCS_AUTHORIZER)
    put_str(&t, "Variable-FCS_AUTHORIZED: 1\r\n");
  put_str(&t, "Content-Type: text/plain\r\n\r\n");
  put_fmt(&t, "request-id %u\n", (unsigned)rq->id);
  put_fmt(&t, "role %s\n", role_word(rq->role));
  put_fmt(&t, "flags %u\n", (unsigned)rq->flags);
  put_fmt(&t, "params %" PRIu32 "\n", rq->npairs);
  size_t pos = 0;
  fcs_nv_pair p;
  while (fcs_nv_next(rq->params, rq->params_len, &pos, &p) == FCS_NV_OK) {
    put_str(&t, "param ");
    put_escaped(&t, p.name, p.name_len);
    put_str(&t, "=");
    put_escaped(&t, p.value, p.value_len);
    put_str(&t, "\n");
  }
  if (knobs->app_status_invalid)
    put_str(&t, "knob-error FCS_APP_STATUS\n");
  if (rq->in)
    put_stream(&t, "stdin", rq->in);
  if (rq->data)
    put_stream(&t, "data", rq->data);
  put_str(&t, "end\n");
  return t.len;
}
