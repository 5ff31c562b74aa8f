#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure.h"

#define MAX_SIZE_MIB 4096
#define MAX_PAIRS 100000

static void usage(FILE *f) {
  fprintf(f,
          "usage: fcs-bench [options]\n"
          "\n"
          "Decoder throughput of the fcs codec, each next to memcpy of the\n"
          "same bytes in the same run:\n"
          "  a  minimal records (8 content bytes): raw decoder, records/s\n"
          "  b  params-heavy requests: app-side assembler, its parsed pairs,\n"
          "     pairs/s\n"
          "  c  one large STDOUT stream: raw decoder and client-side\n"
          "     assembler (max_stream_bytes 0), bytes/s\n"
          "  d  nginx-like requests on one keep-alive connection, 256-byte\n"
          "     and 64 KiB bodies, from a socket: libfcs's app-side\n"
          "     assembler next to libfcgi (FCGX_Accept_r, FCGX_GetParam,\n"
          "     FCGX_GetStr), requests/s and their ratio\n"
          "\n"
          "options:\n"
          "  -s, --size MIB        input bytes per workload in MiB "
          "(default 64)\n"
          "  -n, --iterations N    timed runs per measurement, best and "
          "median\n"
          "                        are reported (default 15, at most %d)\n"
          "  -p, --pairs N         name-value pairs per request in b "
          "(default 128)\n"
          "  -w, --workloads LIST  any of the letters a, b, c, d (default "
          "abcd)\n"
          "  -h, --help            this text\n",
          BENCH_MAX_ITERATIONS);
}

/* Parses a decimal in [1, max]; prints the problem and returns -1 if the
 * text is not one. */
static int parse_count(const char *opt, const char *text, unsigned long max,
                       unsigned long *out) {
  char *end;
  errno = 0;
  unsigned long v = text ? strtoul(text, &end, 10) : 0;
  if (!text || errno || *end || end == text || text[0] == '-' || v < 1 ||
      v > max) {
    fprintf(stderr,
            "fcs-bench: %s expects a whole number from 1 to %lu, "
            "got '%s'\n",
            opt, max, text ? text : "(nothing)");
    return -1;
  }
  *out = v;
  return 0;
}

static int parse_workloads(const char *text, int run[4]) {
  run[0] = run[1] = run[2] = run[3] = 0;
  for (const char *c = text ? text : ""; *c; c++) {
    if (*c < 'a' || *c > 'd') {
      fprintf(stderr,
              "fcs-bench: --workloads takes the letters a, b, c, d; "
              "got '%c' in '%s'\n",
              *c, text);
      return -1;
    }
    run[*c - 'a'] = 1;
  }
  if (run[0] || run[1] || run[2] || run[3])
    return 0;
  fprintf(stderr, "fcs-bench: --workloads needs at least one of a, b, c, d\n");
  return -1;
}

static int is(const char *arg, const char *shortname, const char *longname) {
  return strcmp(arg, shortname) == 0 || strcmp(arg, longname) == 0;
}

int bench_parse_options(int argc, char **argv, bench_options *o) {
  o->size_mib = 64;
  o->iterations = 15;
  o->pairs = 128;
  o->run[0] = o->run[1] = o->run[2] = o->run[3] = 1;
  /* Every option but --help (which returns) takes a value. */
  for (int i = 1; i < argc; i += 2) {
    const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
    unsigned long v;
    if (is(arg, "-h", "--help")) {
      usage(stdout);
      return 1;
    } else if (is(arg, "-s", "--size")) {
      if (parse_count(arg, val, MAX_SIZE_MIB, &v))
        return -1;
      o->size_mib = v;
    } else if (is(arg, "-n", "--iterations")) {
      if (parse_count(arg, val, BENCH_MAX_ITERATIONS, &v))
        return -1;
      o->iterations = (unsigned)v;
    } else if (is(arg, "-p", "--pairs")) {
      if (parse_count(arg, val, MAX_PAIRS, &v))
        return -1;
      o->pairs = (uint32_t)v;
    } else if (is(arg, "-w", "--workloads")) {
      if (parse_workloads(val, o->run))
        return -1;
    } else {
      fprintf(stderr, "fcs-bench: unknown argument '%s' (try --help)\n", arg);
      return -1;
    }
  }
  return 0;
}
