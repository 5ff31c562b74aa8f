#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void fz_fail(const char *file, int line, const char *cond, const char *fmt,
             ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("FUZZ ORACLE FAILED: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n  check (%s) at %s:%d\n", cond, file, line);
  fflush(stderr);
  abort();
}
