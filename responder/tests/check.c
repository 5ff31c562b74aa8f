#include "check.h"

#include <stdint.h>

int check_failures;
int check_ran;

/* Prints up to 120 bytes from the first difference on. */
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

void check_bytes(const char *file, int line, const char *what, const void *p,
                 size_t n, const void *q, size_t m) {
  if (n == m && (n == 0 || memcmp(p, q, n) == 0))
    return;
  const uint8_t *a = p, *b = q;
  size_t at = 0;
  while (at < n && at < m && a[at] == b[at])
    at++;
  fprintf(stderr,
          "%s:%d: check failed: %s differs at byte %zu (%zu vs %zu bytes)\n"
          "  got:  ",
          file, line, what, at, n, m);
  print_escaped(a, n, at);
  fprintf(stderr, "  want: ");
  print_escaped(b, m, at);
  check_failures++;
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
