/* A minimal assertion kit for the responder tests: a failed check prints
 * where and what, counts, and lets the test go on. */
#ifndef RESPONDER_TESTS_CHECK_H
#define RESPONDER_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

extern int check_failures;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      check_failures++;                                                        \
    }                                                                          \
  } while (0)

#define CHECK_EQ(a, b)                                                         \
  do {                                                                         \
    unsigned long long check_a_ = (unsigned long long)(a);                     \
    unsigned long long check_b_ = (unsigned long long)(b);                     \
    if (check_a_ != check_b_) {                                                \
      fprintf(stderr, "%s:%d: check failed: %s == %s (%llu != %llu)\n",        \
              __FILE__, __LINE__, #a, #b, check_a_, check_b_);                 \
      check_failures++;                                                        \
    }                                                                          \
  } while (0)

/* Bytes equal; prints both as escaped text when they differ. */
#define CHECK_BYTES(p, n, q, m)                                                \
  check_bytes(__FILE__, __LINE__, #p, (const void *)(p), (n),                  \
              (const void *)(q), (m))

#define CHECK_TEXT(p, n, s) CHECK_BYTES(p, n, s, strlen(s))

void check_bytes(const char *file, int line, const char *what, const void *p,
                 size_t n, const void *q, size_t m);

/* Runs one test function and says which one failed. */
#define RUN(test)                                                              \
  do {                                                                         \
    int check_before_ = check_failures;                                        \
    test();                                                                    \
    fprintf(stderr, "%s %s\n",                                                 \
            check_failures == check_before_ ? "ok  " : "FAIL", #test);         \
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

extern int check_ran;

/* The exit status of a program of RUN_IF tests: 2 when only named no test,
 * 1 when a check failed, else 0. */
int check_exit(const char *program, const char *only);

#endif
