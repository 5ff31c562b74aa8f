/* Where the reply goes: its body (and with -i or -I its CGI header block)
 * to standard output or -o FILE, FCGI_STDERR and warnings to standard
 * error, or all of it into the --json object; then -w, and the exit
 * status. */
#ifndef FCURL_OUTPUT_H
#define FCURL_OUTPUT_H

#include <stdio.h>

#include "json_out.h"
#include "options.h"
#include "outcome.h"
#include "verbose.h"

typedef struct output {
  const opts *o;
  outcome *r;
  verbose *v;
  FILE *to;         /* standard output or the -o file */
  int created;      /* -o made the file (it did not exist) */
  uint64_t written; /* reply bytes written to `to` */
  int write_failed; /* -o FILE could not be written */
  int quiet;        /* --fail and a Status >= 400: nothing is written */
  json_parts json;  /* --json */
} output;

/* -1 when the output is ready; else the exit status (an existing -o FILE
 * without --force is a usage error, a FILE that cannot be made
 * EXIT_WRITE), with the error printed. */
int output_open(output *out, const opts *o, outcome *r, verbose *v);

void output_stdout(output *out, const uint8_t *p, size_t n);
void output_stderr(output *out, const uint8_t *p, size_t n);
/* A FastCGI rule the backend broke. */
void output_warning(output *out, const fcs_error *e);
/* Why the request did not complete: printed, and kept for --json. With
 * failure (EXIT_UNREACHABLE, EXIT_PROTOCOL) it is the exchange's failure;
 * 0 for a refusal, whose status END_REQUEST gave. */
void output_error(output *out, int failure, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The reply is over: the rest of STDOUT, the --json object or -w, closing
 * -o FILE (removed when made here, left empty and the exit status is not
 * 0). Returns the exit status. */
int output_close(output *out);

#endif
