/* fcs-http-origin: a small HTTP/1.1 origin server for the proxy benchmark
 * (scripts/proxy_bench.py, docs/benchmarks.md). Every GET gets 200 with
 * the same body as fcgi-responder --body-bytes N, on keep-alive
 * connections, from one poll() loop shaped like the responder's. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listener.h"
#include "server.h"
#include "stop_signal.h"

static const char usage[] =
    "usage: fcs-http-origin --listen tcp:HOST:PORT [--body-bytes N] "
    "[--max-conns N]\n"
    "\n"
    "A small HTTP/1.1 origin server: every GET (or HEAD) gets 200 with a\n"
    "body of N bytes 'a'..'z' repeated, the body of fcgi-responder\n"
    "--body-bytes N, and the connection is kept unless the request says\n"
    "close. Prints 'listening on ADDR' once it accepts connections; stops\n"
    "on SIGTERM or SIGINT (exit 0).\n"
    "\n"
    "  --listen ADDR      tcp:HOST:PORT (port 0 picks a free one) or "
    "unix:PATH\n"
    "  --body-bytes N     the body of every reply, 0..67108864 (default 128)\n"
    "  --max-conns N      connections served at once, 1..65535 (default 1024)\n"
    "  --help             this text\n";

static int parse_number(const char *s, uint32_t lo, uint32_t hi,
                        uint32_t *out) {
  if (*s < '0' || *s > '9')
    return 0;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v < lo || v > hi)
    return 0;
  *out = (uint32_t)v;
  return 1;
}

int main(int argc, char **argv) {
  static const struct option opts[] = {
      {"listen", required_argument, NULL, 'l'},
      {"body-bytes", required_argument, NULL, 'b'},
      {"max-conns", required_argument, NULL, 'm'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  origin_config cfg = {1024, 128};
  const char *address = NULL;
  opterr = 0;
  int opt;
  while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (opt) {
    case 'l':
      address = optarg;
      break;
    case 'b':
      if (!parse_number(optarg, 0, 64u << 20, &cfg.body_bytes)) {
        fprintf(stderr,
                "fcs-http-origin: --body-bytes takes 0..67108864, not '%s'\n",
                optarg);
        return 2;
      }
      break;
    case 'm':
      if (!parse_number(optarg, 1, 65535, &cfg.max_conns)) {
        fprintf(stderr,
                "fcs-http-origin: --max-conns takes 1..65535, not '%s'\n",
                optarg);
        return 2;
      }
      break;
    case 'h':
      fputs(usage, stdout);
      return 0;
    default:
      fprintf(stderr, "fcs-http-origin: bad option '%s' (see --help)\n",
              argv[optind - 1]);
      return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "fcs-http-origin: unexpected argument '%s' (see --help)\n",
            argv[optind]);
    return 2;
  }
  if (!address) {
    fprintf(stderr, "fcs-http-origin: --listen is required (see --help)\n");
    return 2;
  }
  char err[256];
  listener l;
  if (listener_open(&l, address, err, sizeof err) != 0) {
    fprintf(stderr, "fcs-http-origin: %s\n", err);
    return 1;
  }
  int stop_fd = stop_signal_install();
  if (stop_fd < 0) {
    fprintf(stderr, "fcs-http-origin: cannot set up signal handling: %s\n",
            strerror(errno));
    listener_close(&l);
    return 1;
  }
  printf("listening on %s\n", l.name);
  fflush(stdout);
  int rc = origin_run(l.fd, stop_fd, &cfg);
  listener_close(&l);
  return rc == 0 ? 0 : 1;
}
