/* Helpers of fcgi-diff's command line (cli.h). */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("fcgi-diff: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputs(" (fcgi-diff --help)\n", stderr);
  va_end(ap);
  return EXIT_USAGE;
}

int parse_number(const char *opt, const char *text, uint64_t max,
                 uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(text ? text : "", &end, 10);
  if (!text || !*text || *end || *text == '-' || *text == '+' || errno ||
      v > max) {
    usage_error("%s wants a number from 0 to %llu, not '%s'", opt,
                (unsigned long long)max, text ? text : "");
    return -1;
  }
  *out = v;
  return 0;
}
