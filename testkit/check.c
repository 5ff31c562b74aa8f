#include "check.h"

#include <inttypes.h>
#include <stdio.h>

int check_failures;
int check_ran;

static int failed(void) {
  check_failures++;
  return 0;
}

int check_true(const char *file, int line, const char *expr, int ok) {
  if (ok)
    return 1;
  fprintf(stderr, "%s:%d: CHECK(%s) failed\n", file, line, expr);
  return failed();
}

int check_eq(const char *file, int line, const char *a_expr,
             const char *b_expr, uintmax_t a, uintmax_t b) {
  if (a == b)
    return 1;
  fprintf(stderr,
          "%s:%d: CHECK_EQ(%s, %s) failed: %" PRIuMAX " (0x%" PRIxMAX
          ") != %" PRIuMAX " (0x%" PRIxMAX ")\n",
          file, line, a_expr, b_expr, a, a, b, b);
  return failed();
}

int check_str(const char *file, int line, const char *a_expr,
              const char *b_expr, const char *a, const char *b) {
  if (a && b && strcmp(a, b) == 0)
    return 1;
  fprintf(stderr, "%s:%d: CHECK_STR(%s, %s) failed:\n  got:  %s\n  want: %s\n",
          file, line, a_expr, b_expr, a ? a : "(null)", b ? b : "(null)");
  return failed();
}

/* Up to 120 bytes from the first difference on, printable ASCII as is. */
static void print_escaped(const uint8_t *p, size_t n, size_t from) {
  if (from > 0)
    fputs("...", stderr);
  size_t end = n - from > 120 ? from + 120 : n;
  for (size_t i = from; i < end; i++) {
    if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
      fputc(p[i], stderr);
    else
      fprintf(stderr, "\\x%02x", p[i]);
  }
  fputs(end < n ? "...\n" : "\n", stderr);
}

int check_bytes(const char *file, int line, const char *a_expr,
                const char *b_expr, const void *a, size_t alen, const void *b,
                size_t blen) {
  if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
    return 1;
  const uint8_t *x = a, *y = b;
  size_t at = 0;
  while (at < alen && at < blen && x[at] == y[at])
    at++;
  fprintf(stderr,
          "%s:%d: CHECK_BYTES(%s, %s) failed: they differ at byte %zu (%zu "
          "vs %zu bytes)\n  got:  ",
          file, line, a_expr, b_expr, at, alen, blen);
  print_escaped(x, alen, at);
  fprintf(stderr, "  want: ");
  print_escaped(y, blen, at);
  return failed();
}

void check_said(const char *test, int passed) {
  fprintf(stderr, "%s %s\n", passed ? "ok  " : "FAIL", test);
}

int check_report(const char *program) {
  if (check_failures)
    fprintf(stderr, "%s: %d check(s) failed\n", program, check_failures);
  else
    printf("%s: all checks passed\n", program);
  return check_failures ? 1 : 0;
}

int check_exit(const char *program, const char *only) {
  if (!check_ran) {
    fprintf(stderr, "%s: no test named '%s'\n", program, only ? only : "");
    return 2;
  }
  if (check_failures)
    fprintf(stderr, "%s: %d check(s) failed\n", program, check_failures);
  return check_failures ? 1 : 0;
}
