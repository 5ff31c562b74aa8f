#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: fcgi-responder [--listen ADDR] [options]\n"
    "\n"
    "The reference FastCGI application of fcgispec: answers management\n"
    "records and echoes each request's params and body (docs/responder.md).\n"
    "Prints 'listening on ADDR' on stdout once it accepts connections.\n"
    "\n"
    "  --listen ADDR           tcp:HOST:PORT (port 0 picks a free one) or\n"
    "                          unix:PATH; without it, fd 0 must be a\n"
    "                          listening socket (FCGI_LISTENSOCK_FILENO)\n"
    "  --max-conns N           FCGI_MAX_CONNS: connections served at once,\n"
    "                          more wait to be accepted (default 16)\n"
    "  --max-reqs N            FCGI_MAX_REQS: requests open at once across\n"
    "                          all connections, more get FCGI_OVERLOADED\n"
    "                          (default 32)\n"
    "  --max-conn-reqs N       requests open at once on one connection, more\n"
    "                          get FCGI_OVERLOADED; 1..max-reqs (default a\n"
    "                          quarter of --max-reqs, at least 1: 8)\n"
    "  --mpxs 0|1              FCGI_MPXS_CONNS: 0 answers a second request\n"
    "                          on a busy connection FCGI_CANT_MPX_CONN\n"
    "                          (default 1)\n"
    "  --max-params-bytes N    PARAMS stream limit per request (65536)\n"
    "  --max-pairs N           name-value pairs per request (512)\n"
    "  --echo-bytes N          STDIN and DATA bytes echoed verbatim (16384)\n"
    "  --echo-format F         lines (default), json, printenv, php-var-dump\n"
    "                          or php-print-r\n"
    "  --output-bytes N        output buffer per connection (65536)\n"
    "  --body-bytes N          answer each RESPONDER request with a fixed\n"
    "                          body of N bytes instead of the echo (a\n"
    "                          benchmark peer); 0: the echo (default)\n"
    "  --idle-timeout MS       close a connection that sends nothing for MS\n"
    "                          while no reply is being written; 0: never\n"
    "                          (default 30000, at most 86400000)\n"
    "  --help                  this text\n"
    "  --version               print the version and exit\n"
    "\n"
    "Environment: FCGI_WEB_SERVER_ADDRS=A.B.C.D,... serves only peers with\n"
    "those IPv4 addresses and closes every other connection (spec 3.2).\n";

enum {
  OPT_LISTEN = 256,
  OPT_MAX_CONNS,
  OPT_MAX_REQS,
  OPT_MAX_CONN_REQS,
  OPT_MPXS,
  OPT_MAX_PARAMS_BYTES,
  OPT_MAX_PAIRS,
  OPT_ECHO_BYTES,
  OPT_ECHO_FORMAT,
  OPT_OUTPUT_BYTES,
  OPT_BODY_BYTES,
  OPT_IDLE_TIMEOUT,
  OPT_HELP,
  OPT_VERSION
};

static const struct option long_options[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"max-conns", required_argument, NULL, OPT_MAX_CONNS},
    {"max-reqs", required_argument, NULL, OPT_MAX_REQS},
    {"max-conn-reqs", required_argument, NULL, OPT_MAX_CONN_REQS},
    {"mpxs", required_argument, NULL, OPT_MPXS},
    {"max-params-bytes", required_argument, NULL, OPT_MAX_PARAMS_BYTES},
    {"max-pairs", required_argument, NULL, OPT_MAX_PAIRS},
    {"echo-bytes", required_argument, NULL, OPT_ECHO_BYTES},
    {"echo-format", required_argument, NULL, OPT_ECHO_FORMAT},
    {"output-bytes", required_argument, NULL, OPT_OUTPUT_BYTES},
    {"body-bytes", required_argument, NULL, OPT_BODY_BYTES},
    {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0}};

#define IDLE_TIMEOUT_DEFAULT_MS 30000u
#define IDLE_TIMEOUT_MAX_MS 86400000u /* a day */

/* --echo-format's words, indexed by fcs_echo_format. */
static const char *const echo_formats[] = {
    [FCS_ECHO_LINES] = "lines",
    [FCS_ECHO_JSON] = "json",
    [FCS_ECHO_PRINTENV] = "printenv",
    [FCS_ECHO_PHP_VAR_DUMP] = "php-var-dump",
    [FCS_ECHO_PHP_PRINT_R] = "php-print-r"};

static int parse_echo_format(const char *s, uint8_t *out) {
  for (size_t i = 0; i < sizeof echo_formats / sizeof echo_formats[0]; i++)
    if (strcmp(s, echo_formats[i]) == 0) {
      *out = (uint8_t)i;
      return 1;
    }
  return 0;
}

/* Plain decimal: no sign, no spaces, fits 32 bits. */
static int parse_u32(const char *s, uint32_t *out) {
  if (*s < '0' || *s > '9')
    return 0;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v > UINT32_MAX)
    return 0;
  *out = (uint32_t)v;
  return 1;
}

static uint32_t *number_field(options *o, int opt) {
  switch (opt) {
  case OPT_MAX_CONNS:
    return &o->cfg.max_conns;
  case OPT_MAX_REQS:
    return &o->cfg.max_reqs;
  case OPT_MAX_CONN_REQS:
    return &o->cfg.max_conn_reqs;
  case OPT_MAX_PARAMS_BYTES:
    return &o->cfg.max_params_bytes;
  case OPT_MAX_PAIRS:
    return &o->cfg.max_pairs;
  case OPT_ECHO_BYTES:
    return &o->cfg.echo_bytes;
  case OPT_OUTPUT_BYTES:
    return &o->cfg.output_bytes;
  case OPT_BODY_BYTES:
    return &o->cfg.body_bytes;
  default:
    return NULL;
  }
}

static const char *option_name(int opt) {
  for (const struct option *lo = long_options; lo->name; lo++)
    if (lo->val == opt)
      return lo->name;
  return "?";
}

enum options_result options_parse(int argc, char **argv, options *o, FILE *out,
                                  FILE *err) {
  memset(o, 0, sizeof(*o));
  fcs_responder_config_default(&o->cfg);
  o->idle_timeout_ms = IDLE_TIMEOUT_DEFAULT_MS;
  opterr = 0;
  optind = 1;
  int opt, conn_reqs_given = 0;
  while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    uint32_t *field = number_field(o, opt);
    uint32_t v;
    switch (opt) {
    case OPT_HELP:
      fputs(usage, out);
      return OPTIONS_DONE;
    case OPT_VERSION:
      fputs("fcgi-responder " FCS_VERSION "\n", out);
      return OPTIONS_DONE;
    case OPT_LISTEN:
      o->listen = optarg;
      break;
    case OPT_MPXS:
      if (strcmp(optarg, "0") != 0 && strcmp(optarg, "1") != 0) {
        fprintf(err, "fcgi-responder: --mpxs takes 0 or 1, not '%s'\n", optarg);
        return OPTIONS_BAD;
      }
      o->cfg.mpxs_conns = optarg[0] == '1';
      break;
    case OPT_ECHO_FORMAT:
      if (!parse_echo_format(optarg, &o->cfg.echo_format)) {
        fprintf(err,
                "fcgi-responder: --echo-format takes lines, json, printenv, "
                "php-var-dump or php-print-r, not '%s'\n",
                optarg);
        return OPTIONS_BAD;
      }
      break;
    case OPT_IDLE_TIMEOUT:
      if (!parse_u32(optarg, &v) || v > IDLE_TIMEOUT_MAX_MS) {
        fprintf(err,
                "fcgi-responder: --idle-timeout takes milliseconds, "
                "0..%u, not '%s'\n",
                IDLE_TIMEOUT_MAX_MS, optarg);
        return OPTIONS_BAD;
      }
      o->idle_timeout_ms = v;
      break;
    case '?':
      if (optopt >= OPT_LISTEN) /* a known option without its value */
        fprintf(err, "fcgi-responder: option %s needs a value\n",
                argv[optind - 1]);
      else
        fprintf(err, "fcgi-responder: unknown option '%s' (see --help)\n",
                argv[optind - 1]);
      return OPTIONS_BAD;
    default:
      if (!field || !parse_u32(optarg, &v)) {
        fprintf(err, "fcgi-responder: --%s takes a decimal number, not '%s'\n",
                option_name(opt), optarg);
        return OPTIONS_BAD;
      }
      *field = v;
      conn_reqs_given |= opt == OPT_MAX_CONN_REQS;
      break;
    }
  }
  if (optind < argc) {
    fprintf(err, "fcgi-responder: unexpected argument '%s' (see --help)\n",
            argv[optind]);
    return OPTIONS_BAD;
  }
  if (!conn_reqs_given)
    o->cfg.max_conn_reqs = fcs_responder_conn_reqs_default(o->cfg.max_reqs);
  const char *why = fcs_responder_config_check(&o->cfg);
  if (why) {
    /* Field names match the options with '_' for '-'. */
    fprintf(err, "fcgi-responder: bad option value: %s\n", why);
    return OPTIONS_BAD;
  }
  return OPTIONS_RUN;
}
