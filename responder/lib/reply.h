/* A reply that ends a request: an optional STDOUT stream and an optional
 * STDERR stream, each closed by its empty record, then END_REQUEST. It is
 * written piece by piece as the output buffer has room. */
#ifndef FCSR_REPLY_H
#define FCSR_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "outbuf.h"

typedef struct fcsr_reply {
  uint16_t id;
  uint8_t with_stdout, with_stderr;
  const uint8_t *out, *err; /* stream contents, kept valid by the caller */
  size_t out_len, err_len;
  uint32_t app_status;
  uint8_t protocol_status;
  /* progress, set by fcsr_reply_start */
  uint8_t phase;
  size_t out_pos, err_pos;
} fcsr_reply;

/* Fill in the fields above progress, then start. */
void fcsr_reply_start(fcsr_reply *rp);
int fcsr_reply_active(const fcsr_reply *rp);

/* Writes what fits; returns 1 once END_REQUEST is written, after which
 * the reply is no longer active. */
int fcsr_reply_write(fcsr_reply *rp, fcsr_outbuf *out);

#endif
