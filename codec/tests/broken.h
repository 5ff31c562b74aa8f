/* Inputs that break FastCGI rules: each one breaks the rule it is named
 * after (sometimes with another one on the same record) and then goes on
 * with well-formed records, so a reader that keeps going shows what it
 * does next. test_assembler_observe checks the exact events observe mode
 * gives for each; test_splits checks that every mode gives them however
 * the input is split. */
#ifndef FCS_TESTS_BROKEN_H
#define FCS_TESTS_BROKEN_H

#include <stddef.h>

#include "fcs/fcs.h"
#include "wire.h"

typedef struct broken_input {
  const char *name;
  fcs_side side; /* client side: requests 1, 2 and 3 are begun first */
  void (*build)(wire *w);
} broken_input;

extern const broken_input broken_inputs[];
extern const size_t broken_count;

/* The requests a client-side assembler declares before reading one. */
extern const uint16_t broken_client_ids[3];

#endif
