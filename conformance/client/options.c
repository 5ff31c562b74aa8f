#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fcs/fcs.h"
#include "http_token.h"
#include "outcome.h"
#include "roles.h"
#include "write_out.h"
#include "xalloc.h"

static const char usage_text[] =
    "usage: fcgi-curl [options] TARGET [PATH]\n"
    "Sends one FastCGI request to TARGET (unix:PATH or tcp:HOST:PORT) and\n"
    "prints the body of the reply on stdout, FCGI_STDERR on stderr, and a\n"
    "warning on stderr for each FastCGI rule the backend breaks. PATH\n"
    "(default /) may carry a ?query.\n\n"
    "request:\n"
    "  -X, --request METHOD   REQUEST_METHOD (default GET, POST with -d)\n"
    "  -H, --header 'N: V'    header N as param HTTP_N (Content-Type and\n"
    "                         Content-Length: CONTENT_TYPE, CONTENT_LENGTH)\n"
    "  -p, --param NAME=VALUE add or override a param (repeatable)\n"
    "  -s, --script FILE      SCRIPT_FILENAME (php-fpm, fcgiwrap need it)\n"
    "  -d, --data DATA        request body: text, @FILE, or - for stdin\n"
    "      --filter-data DATA FCGI_DATA stream for --role filter\n"
    "      --role ROLE        responder (default), authorizer, filter or N\n"
    "      --id N             request id (default 1)\n"
    "  -k, --keep-conn        set FCGI_KEEP_CONN\n"
    "  -m, --max-time SECS    give up after SECS (default 30)\n"
    "reply:\n"
    "  -i, --include          print the CGI header block before the body\n"
    "  -I, --head             print only the CGI header block\n"
    "  -o, --output FILE      write to FILE, which must not exist yet\n"
    "      --force            let -o overwrite an existing FILE\n"
    "  -f, --fail             exit 22, printing nothing, on a Status >= 400\n"
    "  -w, --write-out FMT    print FMT after the reply: %{http_code},\n"
    "                         %{app_status}, %{protocol_status},\n"
    "                         %{time_connect}, %{time_starttransfer},\n"
    "                         %{time_total}, %{size_download}, \\n, \\t, %%\n"
    "      --json             print the whole reply as one JSON object\n"
    "  -v, --verbose          print params and records as they go, on stderr\n"
    "  -h, --help             this text\n"
    "      --version          print the version\n\n"
    "exit status: the END_REQUEST appStatus (255 when above 255); 2 usage,\n"
    "3 unreachable, 4 no END_REQUEST or bad bytes, 6 CANT_MPX_CONN,\n"
    "7 OVERLOADED, 8 UNKNOWN_ROLE, 9 another refusal, 22 --fail and a\n"
    "Status >= 400, 23 cannot write -o FILE\n";

/* The parsing steps below return -1 to go on, else the exit status. */

int usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("fcgi-curl: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputs(" (see --help)\n", stderr);
  va_end(ap);
  return EXIT_USAGE;
}

enum {
  OPT_FILTER_DATA = 256,
  OPT_ROLE,
  OPT_ID,
  OPT_FORCE,
  OPT_JSON,
  OPT_VERSION
};

static const struct option longs[] = {
    {"request", required_argument, 0, 'X'},
    {"header", required_argument, 0, 'H'},
    {"param", required_argument, 0, 'p'},
    {"script", required_argument, 0, 's'},
    {"data", required_argument, 0, 'd'},
    {"filter-data", required_argument, 0, OPT_FILTER_DATA},
    {"role", required_argument, 0, OPT_ROLE},
    {"id", required_argument, 0, OPT_ID},
    {"keep-conn", no_argument, 0, 'k'},
    {"max-time", required_argument, 0, 'm'},
    {"include", no_argument, 0, 'i'},
    {"head", no_argument, 0, 'I'},
    {"output", required_argument, 0, 'o'},
    {"force", no_argument, 0, OPT_FORCE},
    {"fail", no_argument, 0, 'f'},
    {"write-out", required_argument, 0, 'w'},
    {"json", no_argument, 0, OPT_JSON},
    {"verbose", no_argument, 0, 'v'},
    {"trace", no_argument, 0, 'v'}, /* the first name of -v */
    {"help", no_argument, 0, 'h'},
    {"version", no_argument, 0, OPT_VERSION},
    {0, 0, 0, 0}};

/* The full name of the long option that argument arg ("--name", an
 * abbreviation of it, or either with "=value") gave with value val, or
 * NULL. */
static const char *long_name(const char *arg, int val) {
  if (strncmp(arg, "--", 2) != 0)
    return NULL;
  size_t n = strcspn(arg + 2, "=");
  for (const struct option *o = longs; o->name; o++)
    if (o->val == val && strncmp(o->name, arg + 2, n) == 0)
      return o->name;
  return NULL;
}

/* getopt_long returned ':' or '?' (opterr is off, so it printed nothing). */
static int option_error(int ch, char **argv) {
  const char *arg = argv[optind - 1], *name = long_name(arg, optopt);
  if (ch == ':')
    return name ? usage_error("--%s needs a value", name)
                : usage_error("-%c needs a value", optopt);
  if (name)
    return usage_error("--%s takes no value", name);
  if (optopt)
    return usage_error("unknown option -%c", optopt);
  return usage_error("unknown or ambiguous option %.*s", (int)strcspn(arg, "="),
                     arg);
}

/* DATA is text, @FILE, or - (standard input). */
static int load(const char *arg, bytebuf *out) {
  FILE *f = NULL;
  if (strcmp(arg, "-") == 0)
    f = stdin;
  else if (arg[0] == '@' && !(f = fopen(arg + 1, "rb"))) {
    fprintf(stderr, "fcgi-curl: cannot read %s: %s\n", arg + 1,
            strerror(errno));
    return EXIT_USAGE;
  }
  if (!f) {
    bytebuf_str(out, arg);
    return -1;
  }
  uint8_t tmp[65536];
  size_t n;
  while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
    bytebuf_add(out, tmp, n);
  if (f != stdin)
    fclose(f);
  return -1;
}

static int parse_role(const char *s, uint16_t *role) {
  if ((*role = role_named(s)))
    return 0;
  char *end;
  long v = strtol(s, &end, 10);
  if (*s && !*end && v >= 0 && v <= 65535) {
    *role = (uint16_t)v;
    return 0;
  }
  return -1;
}

/* -p NAME=VALUE into extra. */
static int add_param(fsp_params *extra, const char *arg) {
  const char *eq = strchr(arg, '=');
  if (!eq || eq == arg)
    return usage_error("-p wants NAME=VALUE, got '%s'", arg);
  char *name = xstrdup(arg);
  name[eq - arg] = 0;
  params_set(extra, name, eq + 1);
  free(name);
  return -1;
}

/* -H 'Name: value' into headers as its CGI param (RFC 3875 4.1.2, 4.1.3
 * and 4.1.18); a repeated header joins the values with ", " (4.1.18). */
static int add_header(fsp_params *headers, const char *arg) {
  size_t n = 0;
  while (http_token_char((uint8_t)arg[n]))
    n++;
  if (n == 0 || arg[n] != ':')
    return usage_error("-H wants 'Name: value' (a name of letters, digits "
                       "and !#$%%&'*+-.^_`|~), got '%s'",
                       arg);
  const char *v = arg + n + 1, *e = v + strlen(v);
  if (strpbrk(v, "\r\n"))
    return usage_error("-H '%.*s': the value holds a line break", (int)n, arg);
  while (*v == ' ' || *v == '\t')
    v++;
  while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
    e--;
  bytebuf name = {0}, value = {0};
  if (n == 12 && strncasecmp(arg, "Content-Type", n) == 0)
    bytebuf_str(&name, "CONTENT_TYPE");
  else if (n == 14 && strncasecmp(arg, "Content-Length", n) == 0)
    bytebuf_str(&name, "CONTENT_LENGTH");
  else {
    bytebuf_str(&name, "HTTP_");
    for (size_t i = 0; i < n; i++)
      bytebuf_byte(
          &name, arg[i] == '-' ? '_' : (uint8_t)toupper((unsigned char)arg[i]));
  }
  bytebuf_byte(&name, 0);
  for (size_t i = 0; i < headers->n; i++)
    if (strcmp(headers->names[i], (char *)name.p) == 0)
      bytebuf_fmt(&value, "%s, ", headers->values[i]);
  bytebuf_add(&value, v, (size_t)(e - v));
  bytebuf_byte(&value, 0);
  params_set(headers, (char *)name.p, (char *)value.p);
  bytebuf_free(&name);
  bytebuf_free(&value);
  return -1;
}

/* What the command line asks for that becomes params and streams. */
typedef struct request_args {
  const char *method, *script, *body, *data;
  fsp_params headers, extra; /* -H as CGI params; -p */
} request_args;

static int parse_number(const char *opt, const char *s, long lo, long hi,
                        long *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (!*s || *end || v < lo || v > hi)
    return usage_error("%s must be %ld..%ld, not '%s'", opt, lo, hi, s);
  *out = v;
  return -1;
}

static int parse_seconds(const char *s, long *ms) {
  char *end;
  double v = strtod(s, &end);
  if (!*s || *end || !(v > 0 && v <= 86400))
    return usage_error("--max-time must be seconds in (0, 86400], not '%s'", s);
  *ms = (long)(v * 1000);
  return -1;
}

/* One option; -1 to go on, else the exit status. */
/* The switches that take no argument: where each is set, else NULL. */
static int *switch_of(int ch, opts *o) {
  switch (ch) {
  case 'k':
    return &o->keep;
  case 'i':
    return &o->include_head;
  case 'I':
    return &o->head_only;
  case OPT_FORCE:
    return &o->force;
  case 'f':
    return &o->fail;
  case OPT_JSON:
    return &o->json;
  case 'v':
    return &o->verbose;
  default:
    return NULL;
  }
}

static int take_option(int ch, char **argv, opts *o, request_args *r) {
  long v = 0;
  char err[200];
  int rc = -1, *on = switch_of(ch, o);
  if (on) {
    *on = 1;
    return rc;
  }
  switch (ch) {
  case 'X':
    r->method = optarg;
    break;
  case 'H':
    rc = add_header(&r->headers, optarg);
    break;
  case 'p':
    rc = add_param(&r->extra, optarg);
    break;
  case 's':
    r->script = optarg;
    break;
  case 'd':
    r->body = optarg;
    break;
  case OPT_FILTER_DATA:
    r->data = optarg;
    break;
  case OPT_ROLE:
    if (parse_role(optarg, &o->role))
      rc = usage_error("--role is responder, authorizer, filter or "
                       "0..65535, not '%s'",
                       optarg);
    break;
  case OPT_ID:
    if ((rc = parse_number("--id", optarg, 1, 65535, &v)) < 0)
      o->id = (uint16_t)v;
    break;
  case 'm':
    rc = parse_seconds(optarg, &o->max_time_ms);
    break;
  case 'o':
    o->out_file = strcmp(optarg, "-") ? optarg : NULL;
    break;
  case 'w':
    if (write_out_check(optarg, err, sizeof(err)))
      rc = usage_error("-w: %s", err);
    o->write_out = optarg;
    break;
  case 'h':
    fputs(usage_text, stdout);
    rc = 0;
    break;
  case OPT_VERSION:
    puts("fcgi-curl " FCS_VERSION);
    rc = 0;
    break;
  default:
    rc = option_error(ch, argv);
  }
  return rc;
}

/* The CGI environment of the request: the basics from the method and
 * PATH, then -H, then -p (each may override what came before). */
static void build_params(opts *o, const request_args *r) {
  const char *q = strchr(o->path, '?');
  char *script_name = xstrdup(o->path), len[32];
  if (q)
    script_name[q - o->path] = 0;
  params_defaults(&o->params);
  params_set(&o->params, "REQUEST_METHOD",
             r->method ? r->method
             : r->body ? "POST"
                       : "GET");
  params_set(&o->params, "REQUEST_URI", o->path);
  params_set(&o->params, "SCRIPT_NAME", script_name);
  params_set(&o->params, "SCRIPT_FILENAME",
             r->script ? r->script : script_name);
  params_set(&o->params, "QUERY_STRING", q ? q + 1 : "");
  if (r->body) {
    snprintf(len, sizeof(len), "%zu", o->body.len);
    params_set(&o->params, "CONTENT_LENGTH", len);
  }
  if (r->data) {
    snprintf(len, sizeof(len), "%zu", o->data.len);
    params_set(&o->params, "FCGI_DATA_LENGTH", len);
  }
  const fsp_params *layers[] = {&r->headers, &r->extra};
  for (int l = 0; l < 2; l++)
    for (size_t i = 0; i < layers[l]->n; i++)
      params_set(&o->params, layers[l]->names[i], layers[l]->values[i]);
  free(script_name);
}

/* The options that only make sense together. */
static int check_combinations(const opts *o) {
  if (o->json && (o->include_head || o->head_only || o->write_out))
    return usage_error("--json cannot be combined with -i, -I or -w");
  if (o->force && !o->out_file)
    return usage_error("--force only applies to -o FILE");
  return -1;
}

static int parse_operands(int argc, char **argv, opts *o) {
  char err[256];
  if (optind >= argc)
    return usage_error("no TARGET given (unix:PATH or tcp:HOST:PORT)");
  if (argc - optind > 2)
    return usage_error("unexpected argument '%s' after TARGET and PATH",
                       argv[optind + 2]);
  if (target_parse(argv[optind], &o->target, err, sizeof(err)))
    return usage_error("%s", err);
  target_format(&o->target, o->target_name, sizeof(o->target_name));
  o->path = optind + 1 < argc ? argv[optind + 1] : "/";
  return -1;
}

int opts_parse(int argc, char **argv, opts *o) {
  request_args r = {0};
  int ch, rc = -1;
  memset(o, 0, sizeof(*o));
  o->role = FCS_RESPONDER;
  o->id = 1;
  o->max_time_ms = 30000;
  opterr = 0;
  while (rc < 0 && (ch = getopt_long(argc, argv, ":X:H:p:s:d:km:iIo:fw:vh",
                                     longs, NULL)) != -1)
    rc = take_option(ch, argv, o, &r);
  if (rc < 0)
    rc = check_combinations(o);
  if (rc < 0)
    rc = parse_operands(argc, argv, o);
  if (rc < 0 && r.body)
    rc = load(r.body, &o->body);
  if (rc < 0 && r.data)
    rc = load(r.data, &o->data);
  if (rc < 0)
    build_params(o, &r);
  params_free(&r.headers);
  params_free(&r.extra);
  return rc;
}

void opts_free(opts *o) {
  params_free(&o->params);
  bytebuf_free(&o->body);
  bytebuf_free(&o->data);
}
