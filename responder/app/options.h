/* Command line of fcgi-responder. */
#ifndef FCGI_RESPONDER_OPTIONS_H
#define FCGI_RESPONDER_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

#include "fcs_responder.h"

typedef struct options {
  const char *listen; /* tcp:HOST:PORT or unix:PATH; NULL: use fd 0 */
  fcs_responder_config cfg;
  uint32_t idle_timeout_ms; /* close a connection silent this long; 0: never */
} options;

enum options_result { OPTIONS_RUN = 0, OPTIONS_DONE, OPTIONS_BAD };

/* Fills o from argv. OPTIONS_DONE: --help or --version, whose text went
 * to out.
 * OPTIONS_BAD: a one-line reason went to err. */
enum options_result options_parse(int argc, char **argv, options *o, FILE *out,
                                  FILE *err);

#endif
