/* The record log a backend's bytes should give, worked out apart from the
 * runner: one lenient decoder in whole-records mode over all the bytes at
 * once (the runner sees one event at a time, read by read). The runner
 * target compares the conformance runner's log against it. */
#ifndef FZ_RXLOG_H
#define FZ_RXLOG_H

#include <stddef.h>
#include <stdint.h>

#include "fcs/fcs.h"

typedef struct fz_rx_record {
  fcs_header h;
  size_t off;    /* content in the input */
  uint32_t have; /* content bytes present in the input */
  int complete;  /* content and padding all present */
} fz_rx_record;

typedef struct fz_rxlog {
  fz_rx_record *v;
  size_t n;
  uint64_t content; /* content bytes of all records */
  int garbage;      /* the decoder stopped on bytes it cannot frame */
  fcs_error error;
} fz_rxlog;

void fz_rxlog_decode(const uint8_t *in, size_t len, fz_rxlog *log);
void fz_rxlog_free(fz_rxlog *log);

#endif
