/* Oracle failures. A broken invariant prints what was expected, what was
 * seen and where, then aborts: libFuzzer, AFL++, the replay driver and ctest
 * all record an abort as a finding. */
#ifndef FZ_ORACLE_H
#define FZ_ORACLE_H

#define FZ_CHECK(cond, ...)                                                    \
  do {                                                                         \
    if (!(cond))                                                               \
      fz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                         \
  } while (0)

__attribute__((noreturn, format(printf, 4, 5))) void
fz_fail(const char *file, int line, const char *cond, const char *fmt, ...);

/* Byte and string equality for oracles, without memcmp or strcmp: libFuzzer
 * intercepts those and records every call's operands for its mutations,
 * which costs more than the comparison and tells it nothing when both
 * sides are outputs (this file's unit is not instrumented). */
#include <stddef.h>
int fz_same(const void *a, const void *b, size_t n);
int fz_streq(const char *a, const char *b);
/* Whether needle (m bytes, m > 0) occurs in hay (n bytes). */
int fz_contains(const void *hay, size_t n, const void *needle, size_t m);

#endif
