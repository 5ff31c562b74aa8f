/* The feed kit: runs bytes through a fresh decoder or an assembler in
 * pieces, for the codec tests' event logs and the fuzz oracles' traces
 * alike: the one statement of the feeding contract they hold the codec to,
 * and the one expansion of whole-record events.
 *
 * The kit links no codec: each program brings its own (plain, built for
 * coverage, or with a planted bug).
 *
 * What a run checks, stopping at the first broken rule:
 *  - a call never consumes more than it was given, reports NONE only with
 *    the piece used up, and no more events in a row consume nothing than
 *    FCS_DECODER_MAX_IDLE_EVENTS or FCS_ASSEMBLER_MAX_IDLE_EVENTS (NONE is
 *    no event; the count goes on across pieces);
 *  - fcs_decoder_feed_many fills at most the room given, stores no NONE,
 *    stores an ERROR only last, and stops short only with the piece used
 *    up or after an ERROR;
 *  - a slice (CONTENT, RECORD, STREAM_DATA) lies in the bytes its call
 *    consumed, at the input offset it claims, and STREAM_DATA is not empty;
 *  - the decoder's events come in order: HEADER of the next record at the
 *    next offset, CONTENT (not empty) adding up to the header's length,
 *    RECORD_END, STREAM_END right after an empty stream record's; a RECORD
 *    holds all the content and ends a stream exactly when its header says;
 *  - an ERROR lies in the bytes consumed, a decoder's header error is the
 *    one fcs_header_check gives for that header, and the next feed and
 *    finish repeat the error (every field) without consuming;
 *  - a broken rule an assembler event other than ERROR carries (every
 *    VIOLATION carries one) is its reason, in its own record, at a byte of
 *    that record already consumed;
 *  - finishing the input gives OK or TRUNCATED at the input's end. */
#ifndef FK_FEEDKIT_H
#define FK_FEEDKIT_H

#include <stddef.h>

#include "fcs/fcs.h"

/* The ways to drive the decoder. Whole-record events are expanded into
 * the events they stand for, so every way gives the same events. */
typedef enum fk_way {
  FK_FEED = 0,      /* fcs_decoder_feed, one event per call */
  FK_FEED_MANY,     /* fcs_decoder_feed_many, a batch per call */
  FK_WHOLE_RECORDS, /* feed with whole-record events on */
  FK_MANY_WHOLE,    /* feed_many with whole-record events on */
  FK_WAYS
} fk_way;

/* The most events one fcs_decoder_feed_many call may be asked for. */
#define FK_MAX_BATCH 8

typedef struct fk_kit {
  void *ctx; /* passed to every callback */
  /* Length of the next piece (1..left), given the bytes left; NULL: the
   * whole input at once. */
  size_t (*next_piece)(void *ctx, size_t left);
  /* Feed each piece from its own exactly-sized heap copy, so that ASan
   * flags a read outside it (the decoder promises to read only [in,
   * in + len)); otherwise straight from the input, which is cheaper. */
  int copy_pieces;
  size_t batch; /* events per fcs_decoder_feed_many call, 1..FK_MAX_BATCH */
  /* Each decoder event, normalised: HEADER, CONTENT, RECORD_END,
   * STREAM_END and ERROR (a RECORD comes as those it stands for). Data
   * points into the piece and is valid during the call only. */
  void (*dec_event)(void *ctx, const fcs_event *ev);
  /* Each assembler event but NONE. */
  void (*asm_event)(void *ctx, const fcs_asm_event *ev);
  /* The input ended without an ERROR event: what finish said, type NONE
   * when the input ended between records, otherwise ERROR (TRUNCATED). */
  void (*dec_finished)(void *ctx, const fcs_event *ev);
  void (*asm_finished)(void *ctx, const fcs_asm_event *ev);
  /* The contract is broken: check is the condition that failed (at file
   * and line), what says how. The run stops when this returns. */
  void (*broken)(void *ctx, const char *file, int line, const char *check,
                 const char *what);
} fk_kit;

/* A fresh decoder in mode, fed in k's pieces the given way. Returns 1 when
 * the contract held, 0 after k->broken. */
int fk_decode(const fk_kit *k, fcs_mode mode, fk_way way, const uint8_t *in,
              size_t len);

/* The same for an assembler the caller has set up. */
int fk_assemble(const fk_kit *k, fcs_assembler *a, const uint8_t *in,
                size_t len);

#endif
