/* Names of the codec's event types, for logs and failure messages. */
#ifndef FCS_TESTS_NAMES_H
#define FCS_TESTS_NAMES_H

#include "fcs/fcs.h"

const char *decoder_event_name(fcs_event_type t);
const char *asm_event_name(fcs_asm_event_type t);

#endif
