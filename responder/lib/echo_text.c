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

static int seen_before(const fcs_nv_pair *pairs, uint32_t i) {
  for (uint32_t j = 0; j < i; j++)
    if (same_name(&pairs[j], &pairs[i]))
      return 1;
  return 0;
}

int fcsr_next_unique(const fcs_nv_pair *pairs, uint32_t npairs, uint32_t *next,
                     fcs_nv_pair *p) {
  for (; *next < npairs; ++*next) {
    uint32_t i = *next;
    if (seen_before(pairs, i))
      continue;
    *p = pairs[i];
    for (uint32_t j = i + 1; j < npairs; j++)
      if (same_name(&pairs[j], p)) {
        p->value = pairs[j].value;
        p->value_len = pairs[j].value_len;
      }
    ++*next;
    return 1;
  }
  return 0;
}

size_t fcsr_count_unique(const fcs_nv_pair *pairs, uint32_t npairs) {
  size_t n = 0;
  for (uint32_t i = 0; i < npairs; i++)
    n += !seen_before(pairs, i);
  return n;
}
