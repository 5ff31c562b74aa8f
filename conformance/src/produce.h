/* Turns producer steps (raw, record, begin, params, stdin, data, abort,
 * get-values, request) into the bytes they put on the wire. */
#ifndef FCS_PRODUCE_H
#define FCS_PRODUCE_H

#include "buf.h"
#include "case.h"

/* Name-value pairs the runner sends as "std" params (a CGI environment
 * that any responder can serve; the user can add or override pairs). */
typedef struct fcs_params {
  char **names, **values;
  size_t n;
} fcs_params;

void params_defaults(fcs_params *p);
/* Sets name to value, replacing an existing pair of that name. */
void params_set(fcs_params *p, const char *name, const char *value);
void params_free(fcs_params *p);

/* Appends the step's bytes to out; 0 on success, -1 with err filled when a
 * record would exceed the format's limits. */
int step_produce(const fcs_step *s, const fcs_params *std, fcs_buf *out,
                 char *err, size_t errlen);

#endif
