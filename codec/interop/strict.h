/* The strict verdict on one exchange: the bytes the application sent for
 * it, checked from scratch by the raw decoder and by a client-side
 * assembler, both in strict mode. Says precisely which FastCGI 1.0 rule the
 * first violation breaks and where. */
#ifndef FCS_INTEROP_STRICT_H
#define FCS_INTEROP_STRICT_H

#include <stddef.h>
#include <stdint.h>

#include "fcs/error.h"

typedef struct strict_verdict {
  fcs_err code;      /* FCS_E_OK when the bytes are clean */
  fcs_error where;   /* offsets counted from the start of the connection */
  const char *layer; /* which check found it */
  char records[512]; /* the records, as "STDOUT(120) STDOUT(0) ..." */
} strict_verdict;

/* Checks bytes [start, end) of a connection's transcript. id != 0: the
 * bytes answer a responder request with that id; id 0: a management
 * query. */
void strict_check(const uint8_t *transcript, size_t start, size_t end,
                  uint16_t id, uint8_t flags, strict_verdict *v);

/* Prints the verdict in one or two lines. */
void strict_print(const strict_verdict *v, const char *exchange);

#endif
