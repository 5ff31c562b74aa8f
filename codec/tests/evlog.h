/* Normalised event logs: run bytes through a fresh decoder or assembler,
 * cut into pieces at given offsets, and describe what came out as text, one
 * event per line. The text does not depend on where the cuts are, so two
 * runs over the same bytes must give equal logs.
 *
 * The feed kit (codec/feedkit/feedkit.h) does the feeding, every piece from
 * its own exactly-sized heap copy so that ASan flags any read outside it,
 * and checks the feeding contract: a broken one ends the log with a line
 * starting with "CONTRACT BROKEN". */
#ifndef FCS_TESTS_EVLOG_H
#define FCS_TESTS_EVLOG_H

#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"
#include "fcs/fcs.h"

/* cuts: ascending offsets strictly inside (0, len); NULL when ncuts is 0.
 * Returns the log; the caller frees it. */
char *decoder_log(fcs_mode mode, const uint8_t *in, size_t len,
                  const size_t *cuts, size_t ncuts);

/* How the decoder is driven. A RECORD event is logged as the HEADER,
 * CONTENT, RECORD_END and STREAM_END it stands for, so every style must
 * give the piecewise log. */
typedef enum decoder_style {
  DEC_PIECEWISE,     /* fcs_decoder_feed */
  DEC_WHOLE_RECORDS, /* fcs_decoder_feed in whole-records mode */
  DEC_FEED_MANY      /* fcs_decoder_feed_many, 3 events a call, whole records */
} decoder_style;

char *decoder_log_styled(fcs_mode mode, decoder_style style, const uint8_t *in,
                         size_t len, const size_t *cuts, size_t ncuts);

typedef struct asm_setup {
  fcs_side side;
  fcs_mode mode;
  const fcs_limits *limits;  /* NULL: defaults */
  const uint16_t *begin_ids; /* client side: requests declared up front */
  size_t nbegin;
  int observe; /* fcs_assembler_observe (mode FCS_LENIENT) */
} asm_setup;

char *assembler_log(const asm_setup *setup, const uint8_t *in, size_t len,
                    const size_t *cuts, size_t ncuts);

/* Appends bytes as the logs write them: short data as hex, long data as
 * its length and a hash (readable diffs without megabyte lines). */
void evlog_data(bytebuf *log, const uint8_t *p, size_t n);

#endif
