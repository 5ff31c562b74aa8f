/* A tiny assertion kit for the codec's unit tests. A failed check prints
 * file:line, the expression and the values, counts the failure and lets the
 * test go on; check_report() turns the count into the exit status. */
#ifndef FCS_TESTS_CHECK_H
#define FCS_TESTS_CHECK_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int check_failures;

static inline int check_true(const char *file, int line, const char *expr,
                             int ok) {
  if (!ok) {
    fprintf(stderr, "%s:%d: CHECK(%s) failed\n", file, line, expr);
    check_failures++;
  }
  return ok;
}

static inline int check_eq(const char *file, int line, const char *a_expr,
                           const char *b_expr, uintmax_t a, uintmax_t b) {
  if (a != b) {
    fprintf(stderr,
            "%s:%d: CHECK_EQ(%s, %s) failed: %" PRIuMAX " (0x%" PRIxMAX
            ") != %" PRIuMAX " (0x%" PRIxMAX ")\n",
            file, line, a_expr, b_expr, a, a, b, b);
    check_failures++;
  }
  return a == b;
}

static inline int check_str(const char *file, int line, const char *a_expr,
                            const char *b_expr, const char *a, const char *b) {
  int ok = a && b && strcmp(a, b) == 0;
  if (!ok) {
    fprintf(stderr,
            "%s:%d: CHECK_STR(%s, %s) failed:\n  got:  %s\n  want: %s\n", file,
            line, a_expr, b_expr, a ? a : "(null)", b ? b : "(null)");
    check_failures++;
  }
  return ok;
}

static inline void check_hex(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    fprintf(stderr, "%s%02x", i ? " " : "", p[i]);
  fputc('\n', stderr);
}

static inline int check_bytes(const char *file, int line, const char *a_expr,
                              const char *b_expr, const void *a, size_t alen,
                              const void *b, size_t blen) {
  int ok = alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
  if (!ok) {
    fprintf(stderr, "%s:%d: CHECK_BYTES(%s, %s) failed (%zu vs %zu bytes)\n",
            file, line, a_expr, b_expr, alen, blen);
    fprintf(stderr, "  got:  ");
    check_hex(a, alen);
    fprintf(stderr, "  want: ");
    check_hex(b, blen);
    check_failures++;
  }
  return ok;
}

static inline int check_report(const char *name) {
  if (check_failures)
    fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
  else
    printf("%s: all checks passed\n", name);
  return check_failures ? 1 : 0;
}

#define CHECK(cond) check_true(__FILE__, __LINE__, #cond, (cond) ? 1 : 0)
#define CHECK_EQ(a, b)                                                         \
  check_eq(__FILE__, __LINE__, #a, #b, (uintmax_t)(a), (uintmax_t)(b))
#define CHECK_STR(a, b) check_str(__FILE__, __LINE__, #a, #b, (a), (b))
#define CHECK_BYTES(a, alen, b, blen)                                          \
  check_bytes(__FILE__, __LINE__, #a, #b, (a), (alen), (b), (blen))
/* Compares an error code by name so a failure reads "BAD_VERSION". */
#define CHECK_ERR(got, want)                                                   \
  check_str(__FILE__, __LINE__, #got, #want, fcs_err_name(got),                \
            fcs_err_name(want))

#endif
