/* An assembler in heap memory, and a loop that feeds it a whole buffer and
 * keeps the events. */
#ifndef FCS_TESTS_FIXTURE_H
#define FCS_TESTS_FIXTURE_H

#include "fcs/fcs.h"

typedef struct fixture {
  fcs_assembler a;
  void *mem;
} fixture;

/* limits NULL: defaults. Aborts when the assembler refuses to start. */
void fx_init(fixture *f, fcs_side side, fcs_mode mode,
             const fcs_limits *limits);
void fx_free(fixture *f);

/* Feeds in until it is used up and the pending events are out, or an ERROR;
 * keeps up to max events (never NONE) in evs; returns how many there were.
 * Their data pointers stay valid while in and the fixture live, except
 * those of GET_VALUES(_RESULT): the next management record reuses that
 * buffer. */
size_t fx_feed(fixture *f, const uint8_t *in, size_t len, fcs_asm_event *evs,
               size_t max);

#endif
