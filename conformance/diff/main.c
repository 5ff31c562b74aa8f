/* fcgi-diff: the differential tool's C half (docs/differential.md).
 * `streams` writes generated FastCGI streams to files, `view` sends files
 * to backends and prints what each one made of them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gen.h"

static const char usage[] =
    "usage: fcgi-diff streams --seed S --count N --out DIR [--first I]\n"
    "       fcgi-diff view --target NAME=ADDR [--target NAME=ADDR ...]\n"
    "                 [--script NAME=PATH ...] [--timeout MS] FILE...\n"
    "       fcgi-diff --help | --version\n"
    "streams: writes streams I..I+N-1 of seed S as DIR/NNNNNN.bin and prints\n"
    "  one JSON line per stream (id, file, size, mutations).\n"
    "view: sends each FILE to every target at once (ADDR: unix:PATH or\n"
    "  tcp:HOST:PORT) with SCRIPT_FILENAME set to that target's PATH\n"
    "  (default /fcgispec), and prints one JSON line per file and target.\n"
    "  --timeout MS: give up after MS without progress (default 1000).\n"
    "exit: 0 done, 2 usage, 3 a target unreachable.\n"
    "mutations:";

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

static void print_usage(void) {
  fputs(usage, stdout);
  for (int m = 0; m < GM_COUNT; m++)
    printf(" %s", gen_mutation_name((gen_mutation)m));
  putchar('\n');
}

int main(int argc, char **argv) {
  if (argc < 2)
    return usage_error("no command given: streams or view");
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    print_usage();
    return EXIT_DONE;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("fcgi-diff %s\n", FCS_VERSION);
    return EXIT_DONE;
  }
  if (!strcmp(argv[1], "streams"))
    return cmd_streams(argc - 2, argv + 2);
  if (!strcmp(argv[1], "view"))
    return cmd_view(argc - 2, argv + 2);
  return usage_error("unknown command '%s': streams or view", argv[1]);
}
