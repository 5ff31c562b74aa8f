/* What one exchange with the backend came to: the reply's parts that -w and
 * --json report, and the exit status they give. */
#ifndef FCURL_OUTCOME_H
#define FCURL_OUTCOME_H

#include <stdint.h>

#include "bytebuf.h"
#include "cgi_head.h"
#include "fcs/fcs.h"

enum {
  EXIT_USAGE = 2,
  EXIT_UNREACHABLE = 3,
  EXIT_PROTOCOL = 4,      /* no END_REQUEST, a timeout or unframeable bytes */
  EXIT_REFUSED = 5,       /* + protocolStatus: 6 CANT_MPX_CONN, 7 OVERLOADED,
                             8 UNKNOWN_ROLE */
  EXIT_REFUSED_OTHER = 9, /* any other protocolStatus but REQUEST_COMPLETE */
  EXIT_HTTP_ERROR = 22,   /* --fail and a Status >= 400, as curl */
  EXIT_WRITE = 23         /* -o FILE cannot be written, as curl */
};

/* Microseconds since the start, or -1 when the moment did not come. */
typedef struct timings {
  int64_t connect, first_byte, total;
} timings;

typedef struct outcome {
  int failure;     /* EXIT_UNREACHABLE or EXIT_PROTOCOL, else 0 */
  char error[512]; /* what the failure was, "" when none */
  int ended;       /* END_REQUEST arrived: end holds its body */
  fcs_end_body end;
  cgi_head head;       /* the CGI header block at the start of STDOUT */
  uint64_t body_bytes; /* STDOUT bytes after the header block */
  timings t;
} outcome;

/* A reply that answered the request (REQUEST_COMPLETE). */
int outcome_completed(const outcome *r);
/* The CGI status, or 0 when no CGI reply was read (-w gives 000). */
int outcome_status(const outcome *r);
/* The exit status: a failure, then a refusal, then write_failed
 * (EXIT_WRITE), then --fail's Status >= 400, then appStatus (at most
 * 255, so an odd value never reads as success). */
int outcome_exit_status(const outcome *r, int fail, int write_failed);
void outcome_free(outcome *r);

#endif
