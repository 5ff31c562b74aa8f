/* -v: what goes over the connection, on stderr, as it happens. Lines start
 * with "*" (fcgi-curl's own notes), ">" (sent) or "<" (received) and the
 * time since the start in seconds; the reply's FCGI_STDERR text goes on
 * lines of its own, each prefixed "stderr: ". */
#ifndef FCURL_VERBOSE_H
#define FCURL_VERBOSE_H

#include <stddef.h>
#include <stdint.h>

#include "fcs/fcs.h"
#include "produce.h"

typedef struct verbose {
  int on;
  int64_t t0_us;
  int mid_line; /* FCGI_STDERR text left a line open on stderr */
} verbose;

void verbose_init(verbose *v, int on, int64_t t0_us);
void verbose_note(verbose *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The params sent, one per line, bytes outside printable ASCII as \xNN. */
void verbose_params(verbose *v, const fsp_params *p);
/* A record's header; dir is '>' (sent) or '<' (received). */
void verbose_record(verbose *v, char dir, const fcs_header *h);
void verbose_end_request(verbose *v, const fcs_end_body *e);
/* FCGI_STDERR text: with -v on lines prefixed "stderr: ", else as it is. */
void verbose_stderr(verbose *v, const uint8_t *p, size_t n);
/* Ends a line of FCGI_STDERR text left open, before fcgi-curl's own text
 * goes to stderr. */
void verbose_break(verbose *v);

#endif
