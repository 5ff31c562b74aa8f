/* Compares what an echo application (echo_format.h) sent back with the
 * request that was sent. */
#ifndef FCS_INTEROP_ECHO_CHECK_H
#define FCS_INTEROP_ECHO_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "fcs/nv.h"

/* Prints every difference, prefixed with label; returns how many there
 * were (0: every param came back with its value, and the body byte for
 * byte). */
int echo_check(const char *label, const interop_buf *stdout_bytes,
               const fcs_nv_pair *params, size_t nparams, const uint8_t *body,
               size_t body_len);

#endif
