/* fcgi-diff's command line: the two commands and their shared helpers. */
#ifndef FSP_DIFF_CLI_H
#define FSP_DIFF_CLI_H

#include <stdint.h>

/* Exit codes (docs/differential.md). */
enum { EXIT_DONE = 0, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

/* Prints "fcgi-diff: <message>" on stderr; returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A decimal number in [0, max] for option opt; 0 when it is one. */
int parse_number(const char *opt, const char *text, uint64_t max,
                 uint64_t *out);

/* argv after the command's name. */
int cmd_streams(int argc, char **argv);
int cmd_view(int argc, char **argv);

#endif
