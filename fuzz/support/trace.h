/* Event traces: what the decoder or the assembler reports for one input fed
 * in one chunk schedule, normalised so that two schedules can be compared
 * (content slices of one run are merged and kept as offset + length, which
 * name the same input bytes in every run; data the assembler copied is
 * kept as length + hash).
 *
 * The feed kit (codec/feedkit/feedkit.h) runs the codec and checks the
 * feeding contract (a broken one fails the oracle); collecting a trace
 * also checks that the codec names the types, roles, statuses and errors
 * it reports, and that PARAMS and kept streams keep to the limits and
 * parse as the pairs reported. */
#ifndef FZ_TRACE_H
#define FZ_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "chunker.h"
#include "fcs/fcs.h"
#include "feedkit.h"

typedef struct fz_dec_item {
  fcs_event_type type;
  fcs_header header;
  uint64_t record, offset;
  uint64_t len;               /* CONTENT, slices merged */
  uint8_t body[FCS_BODY_LEN]; /* RECORD_END of a fixed-body type */
  fcs_error error;            /* ERROR */
} fz_dec_item;

typedef struct fz_dec_trace {
  fz_dec_item *items;
  size_t n, cap;
} fz_dec_trace;

typedef struct fz_asm_item {
  fcs_asm_event_type type;
  uint16_t request_id;
  uint8_t record_type;
  uint16_t role;
  uint8_t flags;
  uint64_t record, offset;
  uint64_t len, hash; /* data (hash: not for STREAM_DATA, whose slices
                         are merged) */
  uint32_t npairs;
  fcs_end_body end;
  uint8_t unknown_type;
  fcs_err reason;
  fcs_error error; /* ERROR, and the rule an IGNORED, REFUSED or
                      VIOLATION reports broken */
} fz_asm_item;

typedef struct fz_asm_trace {
  fz_asm_item *items;
  size_t n, cap;
} fz_asm_trace;

/* The decoder's events in one of the kit's ways (feed_many with room for
 * FK_MAX_BATCH events). */
void fz_dec_trace_run(fz_dec_trace *t, const uint8_t *in, size_t len,
                      fcs_mode mode, fk_way way, fz_chunker *chunks);
/* How the assembler reads: a codec mode, or observe mode (lenient, with
 * every broken rule reported). */
typedef enum fz_asm_mode {
  FZ_ASM_STRICT,
  FZ_ASM_LENIENT,
  FZ_ASM_OBSERVE,
  FZ_ASM_MODES
} fz_asm_mode;

/* Client side: request ids 1..3 are begun (as responder requests) before
 * the input is fed, so replies for them are expected. limits NULL: the
 * codec's defaults. */
void fz_asm_trace_run(fz_asm_trace *t, const uint8_t *in, size_t len,
                      fcs_side side, fz_asm_mode mode, const fcs_limits *limits,
                      fz_chunker *chunks);

/* Abort with the first difference; what names the two runs. */
void fz_dec_trace_expect_equal(const fz_dec_trace *a, const fz_dec_trace *b,
                               const char *what);
void fz_asm_trace_expect_equal(const fz_asm_trace *a, const fz_asm_trace *b,
                               const char *what);
/* Observe mode against the two codec modes, over one input: strict mode
 * gives the same events up to the first broken rule observe mode reports
 * and stops there with that rule, byte and record (or gives every event
 * when observe mode reports none; a stop on DUPLICATE_BEGIN, which strict
 * mode makes at the header, may instead meet observe mode's TRUNCATED in
 * that record, whose REFUSED needs the body); lenient mode gives observe mode's
 * events without the VIOLATIONs, and where a PARAMS stream ends inside a
 * pair stops with the rule observe mode reports there. A NULL strict or
 * lenient trace skips that half. */
void fz_asm_trace_expect_observed(const fz_asm_trace *strict,
                                  const fz_asm_trace *lenient,
                                  const fz_asm_trace *observe);

/* Scratch memory for an assembler with these limits, kept between runs. */
void *fz_asm_memory(const fcs_limits *limits, size_t *len);

#endif
