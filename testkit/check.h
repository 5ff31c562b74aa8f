/* The one assertion kit of the project's C tests (codec, responder,
 * runner). A failed check prints file:line, the expression and the values,
 * counts the failure and lets the test go on; every check is an expression
 * that gives 1 when it held, so a test can also chain them
 * (ok &= CHECK(...)). check_report or check_exit turns the count into the
 * exit status. */
#ifndef FCS_TESTKIT_CHECK_H
#define FCS_TESTKIT_CHECK_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h> /* for the tests' own messages */
#include <string.h>

extern int check_failures;
extern int check_ran; /* tests RUN_IF ran */

int check_true(const char *file, int line, const char *expr, int ok);
int check_eq(const char *file, int line, const char *a_expr,
             const char *b_expr, uintmax_t a, uintmax_t b);
int check_str(const char *file, int line, const char *a_expr,
              const char *b_expr, const char *a, const char *b);
/* Prints both sides escaped from the first difference on. */
int check_bytes(const char *file, int line, const char *a_expr,
                const char *b_expr, const void *a, size_t alen, const void *b,
                size_t blen);

#define CHECK(cond) check_true(__FILE__, __LINE__, #cond, (cond) ? 1 : 0)
#define CHECK_EQ(a, b)                                                         \
  check_eq(__FILE__, __LINE__, #a, #b, (uintmax_t)(a), (uintmax_t)(b))
#define CHECK_STR(a, b) check_str(__FILE__, __LINE__, #a, #b, (a), (b))
#define CHECK_BYTES(a, alen, b, blen)                                          \
  check_bytes(__FILE__, __LINE__, #a, #b, (a), (alen), (b), (blen))
#define CHECK_TEXT(p, n, s) CHECK_BYTES(p, n, s, strlen(s))
/* Compares an error code by name so a failure reads "BAD_VERSION". */
#define CHECK_ERR(got, want)                                                   \
  check_str(__FILE__, __LINE__, #got, #want, fcs_err_name(got),                \
            fcs_err_name(want))

/* Runs one test function and says whether it passed. */
#define RUN(test)                                                              \
  do {                                                                         \
    int check_before_ = check_failures;                                        \
    test();                                                                    \
    check_said(#test, check_failures == check_before_);                        \
  } while (0)

/* Runs test like RUN when only is NULL or names it, so a program that
 * takes a test name on its command line can run that one alone. */
#define RUN_IF(test, only)                                                     \
  do {                                                                         \
    if (!(only) || strcmp((only), #test) == 0) {                               \
      check_ran++;                                                             \
      RUN(test);                                                               \
    }                                                                          \
  } while (0)

void check_said(const char *test, int passed);

/* The exit status of a program of plain tests: 1 when a check failed;
 * says so, or that all passed. */
int check_report(const char *program);

/* The exit status of a program of RUN_IF tests: 2 when only named no test,
 * 1 when a check failed, else 0. */
int check_exit(const char *program, const char *only);

#endif
