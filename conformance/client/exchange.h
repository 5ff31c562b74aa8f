/* One exchange with the backend: connect, send the request, read the reply
 * through the codec's client-side assembler in observe mode, which hands
 * up STDOUT, STDERR and END_REQUEST and reports each FastCGI rule the
 * backend breaks. */
#ifndef FCURL_EXCHANGE_H
#define FCURL_EXCHANGE_H

#include "options.h"
#include "output.h"

/* Fills out->r (the outcome) and passes the reply to out; t0_us is the
 * start, which the timings count from. */
void exchange_run(const opts *o, output *out, int64_t t0_us);

#endif
