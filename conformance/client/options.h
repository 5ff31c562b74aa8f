/* fcgi-curl's command line: what to send, where, and how to show the
 * reply. */
#ifndef FCURL_OPTIONS_H
#define FCURL_OPTIONS_H

#include <stdint.h>

#include "bytebuf.h"
#include "produce.h"
#include "target.h"

typedef struct opts {
  const char *path;      /* PATH, with its ?query */
  const char *out_file;  /* -o, NULL for standard output */
  const char *write_out; /* -w FORMAT, checked by write_out_check */
  uint16_t role, id;
  int keep, verbose, fail, json, force;
  int head_only;    /* -I: the CGI header block only */
  int include_head; /* -i: the header block, then the body */
  long max_time_ms;
  fsp_target target;
  char target_name[300]; /* the target as tcp:HOST:PORT or unix:PATH */
  fsp_params params;     /* the request's params, in the order sent */
  bytebuf body, data;    /* STDIN and DATA */
} opts;

/* Fills o from the command line. Returns -1 when the request is to be
 * sent, else the exit status: 0 after --help or --version, 2 after a usage
 * error (printed by usage_error). */
int opts_parse(int argc, char **argv, opts *o);
void opts_free(opts *o);

/* Prints "fcgi-curl: WHAT (see --help)" on one line; returns 2. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
