#include "echo_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fcs/proto.h"

void fcsr_put(fcsr_text *t, const void *s, size_t n) {
  size_t room = t->cap - t->len;
  if (n > room)
    n = room;
  if (n)
    memcpy(t->p + t->len, s, n);
  t->len += n;
}

void fcsr_put_str(fcsr_text *t, const char *s) { fcsr_put(t, s, strlen(s)); }

void fcsr_put_fmt(fcsr_text *t, const char *fmt, ...) {
  char line[FCSR_PUT_FMT_MAX];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n > 0)
    fcsr_put(t, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

const char *fcsr_role_word(uint16_t role) {
  switch (role) {
  case FCS_AUTHORIZER:
    return "AUTHORIZER";
  case FCS_FILTER:
    return "FILTER";
  default:
    return "RESPONDER";
  }
}

static int same_name(const fcs_nv_pair *a, const fcs_nv_pair *b) {
  return a->name_len == b->name_len &&
         (a->name_len == 0 || !memcmp(a->name, b->name, a->name_len));
}

int fcsr_next_unique(const uint8_t *params, size_t len, size_t *pos,
                     fcs_nv_pair *p) {
  for (;;) {
    size_t at = *pos;
    if (fcs_nv_next(params, len, pos, p) != FCS_NV_OK)
      return 0;
    size_t scan = 0;
    fcs_nv_pair q;
    int first = 1;
    while (first && scan < at &&
           fcs_nv_next(params, len, &scan, &q) == FCS_NV_OK)
      first = !same_name(&q, p);
    if (!first)
      continue;
    scan = *pos;
    while (fcs_nv_next(params, len, &scan, &q) == FCS_NV_OK)
      if (same_name(&q, p)) {
        p->value = q.value;
        p->value_len = q.value_len;
      }
    return 1;
  }
}

size_t fcsr_count_unique(const uint8_t *params, size_t len) {
  size_t pos = 0, n = 0;
  fcs_nv_pair p;
  while (fcsr_next_unique(params, len, &pos, &p))
    n++;
  return n;
}
