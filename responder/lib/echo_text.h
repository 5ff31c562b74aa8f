/* The response text of an echo as it is written: a bounded buffer whose
 * writes past the end are cut (fcsr_echo_capacity sizes it so none are),
 * and the helpers every echo format shares. */
#ifndef FCSR_ECHO_TEXT_H
#define FCSR_ECHO_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "fcs/nv.h"

typedef struct fcsr_text {
  uint8_t *p;
  size_t len, cap;
} fcsr_text;

void fcsr_put(fcsr_text *t, const void *s, size_t n);
void fcsr_put_str(fcsr_text *t, const char *s);
/* At most FCSR_PUT_FMT_MAX - 1 bytes: numbers and short words. */
#define FCSR_PUT_FMT_MAX 64
void fcsr_put_fmt(fcsr_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "RESPONDER", "AUTHORIZER" or "FILTER". */
const char *fcsr_role_word(uint16_t role);

/* Walks the PARAMS pairs giving each name once, in the order it first
 * appears, with the last value sent for it: what a JSON object or PHP's
 * $_SERVER holds when a name repeats. Start with *next 0; returns 0 when
 * no pair is left. Quadratic in the pairs, which max_pairs bounds. */
int fcsr_next_unique(const fcs_nv_pair *pairs, uint32_t npairs, uint32_t *next,
                     fcs_nv_pair *p);
size_t fcsr_count_unique(const fcs_nv_pair *pairs, uint32_t npairs);

#endif
