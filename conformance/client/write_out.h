/* -w FORMAT: text with %{variable}s, printed after the reply as curl's
 * --write-out is. */
#ifndef FCURL_WRITE_OUT_H
#define FCURL_WRITE_OUT_H

#include <stddef.h>
#include <stdio.h>

#include "outcome.h"

/* 0 when every %{...} in fmt names a variable; else -1 with err. */
int write_out_check(const char *fmt, char *err, size_t errlen);
void write_out_print(FILE *f, const char *fmt, const outcome *r);

#endif
