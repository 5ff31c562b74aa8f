/* Oracle failures. A broken invariant prints what was expected, what was
 * seen and where, then aborts: libFuzzer, AFL++, the replay driver and ctest
 * all record an abort as a finding. */
#ifndef FZ_CHECK_H
#define FZ_CHECK_H

#define FZ_CHECK(cond, ...)                                                    \
  do {                                                                         \
    if (!(cond))                                                               \
      fz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                         \
  } while (0)

__attribute__((noreturn, format(printf, 4, 5))) void
fz_fail(const char *file, int line, const char *cond, const char *fmt, ...);

#endif
