/* fcgispec: runs the conformance cases against a FastCGI backend and scores
 * it. Usage: fcgispec --help; the format of cases is in docs/cases.md and
 * the runner in docs/conformance.md. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline.h"
#include "catalog.h"
#include "clock.h"
#include "echo_view.h"
#include "locate.h"
#include "probe.h"
#include "proxy.h"
#include "report.h"
#include "run.h"
#include "schedule.h"
#include "xalloc.h"

typedef struct options {
  const char *target, *spawn, *cases_dir, *json, *junit, *baseline,
      *write_baseline, *dump_send, *export_seeds, *export_replies,
      *export_params, *echo;
  const char *proxy, *listen, *docroot; /* proxy mode (docs/proxies.md) */
  long rss_limit_mib;                   /* proxy mode: 0 = the default */
  const char **include, **exclude;
  size_t ninclude, nexclude;
  int list, strict, verbose, color;
  long jobs, timeout_ms, settle_ms, cap_ms;
  bytebuf rerun;
  /* With no --target: where the built-in responder listens and the command
   * that starts it (--target and --spawn point here). */
  char builtin_addr[200], builtin_cmd[4400];
} options;

static void usage(FILE *out) {
  fputs(
      "usage: fcgispec [options] [PATTERN...]\n"
      "Replays the FastCGI conformance cases against a backend and scores it.\n"
      "With no --target, runs the built-in reference responder.\n"
      "PATTERN selects cases by id, section (4.1), id prefix (5.1/begin) or\n"
      "glob ('*keep-conn*').\n\n"
      "  -t, --target ADDR      tcp:HOST:PORT or unix:PATH\n"
      "      --spawn CMD        start the backend with CMD (it must listen on\n"
      "                         --target, or --proxy); stopped by pid "
      "afterwards\n"
      "      --proxy ADDR       proxy mode: run the proxy cases through the\n"
      "                         reverse proxy taking HTTP at ADDR\n"
      "      --listen ADDR      proxy mode: where the recording backend\n"
      "                         listens (the proxy forwards there)\n"
      "      --docroot DIR      proxy mode: the proxy's document root\n"
      "      --rss-limit MIB    proxy mode with --spawn: a case after which\n"
      "                         the proxy's processes hold more fails (512)\n"
      "      --list             list the selected cases and exit\n"
      "  -x, --exclude PATTERN  leave out matching cases (repeatable)\n"
      "  -j, --jobs N           cases run in parallel (default 1)\n"
      "      --timeout MS       a case hangs after MS without progress "
      "(default\n"
      "                         2000); every byte received restarts it\n"
      "      --case-cap MS      no case runs longer, progress or not (default\n"
      "                         20 x --timeout); still receiving then: error\n"
      "      --settle MS        quiet time that ends an observation (200)\n"
      "      --strict           SHOULD failures also fail the run\n"
      "      --baseline FILE    expected verdicts: only regressions fail\n"
      "      --write-baseline FILE  save this run's non-pass verdicts\n"
      "      --json FILE        JSON report\n"
      "      --junit FILE       JUnit XML report (one suite per section)\n"
      "  -p, --param NAME=VALUE add or override a std param (repeatable)\n"
      "      --echo FORMAT      how the app shows what it received: lines,\n"
      "                         json, printenv, php-var-dump, php-print-r,\n"
      "                         or none (default: learnt from a probe)\n"
      "      --cases DIR        case directory (default: the built-in "
      "catalog)\n"
      "      --dump-send ID     write the bytes case ID sends to stdout\n"
      "      --export-seeds DIR write each selected case's bytes to DIR\n"
      "      --export-replies DIR  write the FastCGI reply each selected\n"
      "                         proxy case scripts (request id 1) to DIR\n"
      "      --export-params DIR  write the content of the PARAMS records\n"
      "                         each selected case sends to DIR\n"
      "  -v, --verbose          details for info and known cases too\n"
      "      --color WHEN       auto, always or never\n"
      "      --version          print the version and exit\n"
      "  -h, --help\n\n"
      "Cases come from --cases DIR, else $FCGISPEC_CASES, else the catalog\n"
      "installed with fcgispec (" FCS_CASES_INSTALLED " from its directory)\n"
      "or, in a build tree, the source tree's seeds/cases.\n\n"
      "exit codes: 0 every MUST case passed, 1 failures, 2 usage error,\n"
      "3 target unreachable, 4 undecided cases (errors)\n",
      out);
}

static void add_pattern(const char ***v, size_t *n, const char *p) {
  *v = xrealloc(*v, (*n + 1) * sizeof(char *));
  (*v)[(*n)++] = p;
}

/* Options that the rerun command repeats, shell-quoted. */
static void sticky(options *o, const char *name, const char *value) {
  bytebuf_fmt(&o->rerun, " --%s '", name);
  for (const char *p = value; *p; p++)
    if (*p == '\'')
      bytebuf_str(&o->rerun, "'\\''");
    else
      bytebuf_byte(&o->rerun, (uint8_t)*p);
  bytebuf_byte(&o->rerun, '\'');
}

static int number_opt(const char *s, long min, long max, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

/* One line naming what is wrong, then where to look: usage errors never
 * print the whole usage. */
static void usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static void usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("fcgispec: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputs(" (see --help)\n", stderr);
  va_end(ap);
}

/* How an option's value is taken: a string kept as given, a switch, or a
 * number in a range. Options marked sticky are repeated by the rerun
 * command each report prints. The rest (-x, -p, --echo, --color, --help,
 * --version) are taken one by one in take_special. */
typedef enum opt_kind {
  OPT_TEXT,
  OPT_SWITCH,
  OPT_NUMBER,
  OPT_SPECIAL
} opt_kind;

typedef struct opt_spec {
  const char *name;
  int val; /* getopt's value: the short letter, else an O_ name */
  opt_kind kind;
  size_t field; /* offsetof(options, ...) for TEXT, SWITCH and NUMBER */
  int sticky;
  long min, max;
  const char *unit; /* NUMBER: in its range error, "" for none */
} opt_spec;

#define TEXT(n, v, f, st)                                                      \
  { n, v, OPT_TEXT, offsetof(options, f), st, 0, 0, "" }
#define SWITCH(n, v, f)                                                        \
  { n, v, OPT_SWITCH, offsetof(options, f), 0, 0, 0, "" }
#define NUMBER(n, v, f, st, lo, hi, u)                                         \
  { n, v, OPT_NUMBER, offsetof(options, f), st, lo, hi, u }
#define SPECIAL(n, v)                                                          \
  { n, v, OPT_SPECIAL, 0, 0, 0, 0, "" }

/* getopt's values of the options without a short letter. */
enum {
  O_SPAWN = 256,
  O_LIST,
  O_TIMEOUT,
  O_SETTLE,
  O_STRICT,
  O_BASELINE,
  O_WRITE_BASELINE,
  O_JSON,
  O_JUNIT,
  O_CASES,
  O_DUMP,
  O_EXPORT_SEEDS,
  O_EXPORT_REPLIES,
  O_EXPORT_PARAMS,
  O_COLOR,
  O_ECHO,
  O_CASE_CAP,
  O_PROXY,
  O_LISTEN,
  O_DOCROOT,
  O_RSS_LIMIT,
};

static const opt_spec opt_specs[] = {
    TEXT("target", 't', target, 1),
    TEXT("spawn", O_SPAWN, spawn, 1),
    SWITCH("list", O_LIST, list),
    SPECIAL("exclude", 'x'),
    NUMBER("jobs", 'j', jobs, 0, 1, 64, ""),
    NUMBER("timeout", O_TIMEOUT, timeout_ms, 1, 1, 600000, " ms"),
    NUMBER("settle", O_SETTLE, settle_ms, 1, 1, 600000, " ms"),
    SWITCH("strict", O_STRICT, strict),
    TEXT("baseline", O_BASELINE, baseline, 0),
    TEXT("write-baseline", O_WRITE_BASELINE, write_baseline, 0),
    TEXT("json", O_JSON, json, 0),
    TEXT("junit", O_JUNIT, junit, 0),
    SPECIAL("param", 'p'),
    TEXT("cases", O_CASES, cases_dir, 1),
    TEXT("dump-send", O_DUMP, dump_send, 0),
    TEXT("export-seeds", O_EXPORT_SEEDS, export_seeds, 0),
    TEXT("export-replies", O_EXPORT_REPLIES, export_replies, 0),
    TEXT("export-params", O_EXPORT_PARAMS, export_params, 0),
    SWITCH("verbose", 'v', verbose),
    SPECIAL("color", O_COLOR),
    SPECIAL("echo", O_ECHO),
    NUMBER("case-cap", O_CASE_CAP, cap_ms, 1, 1, 12000000, " ms"),
    TEXT("proxy", O_PROXY, proxy, 1),
    TEXT("listen", O_LISTEN, listen, 1),
    TEXT("docroot", O_DOCROOT, docroot, 1),
    NUMBER("rss-limit", O_RSS_LIMIT, rss_limit_mib, 1, 1, 1 << 20, " MiB"),
    SPECIAL("help", 'h'),
    SPECIAL("version", 'V')};
#define NOPTS (sizeof opt_specs / sizeof opt_specs[0])

static const opt_spec *opt_spec_of(int val) {
  for (size_t i = 0; i < NOPTS; i++)
    if (opt_specs[i].val == val)
      return &opt_specs[i];
  return NULL;
}

/* Takes a TEXT, SWITCH or NUMBER option's value into its field. */
static int take_common(const opt_spec *sp, options *o) {
  char *field = (char *)o + sp->field;
  if (sp->kind == OPT_SWITCH) {
    *(int *)field = 1;
    return 0;
  }
  if (sp->kind == OPT_TEXT) {
    *(const char **)field = optarg;
  } else if (number_opt(optarg, sp->min, sp->max, (long *)field)) {
    usage_error("--%s must be %ld..%ld%s", sp->name, sp->min, sp->max,
                sp->unit);
    return -1;
  }
  if (sp->sticky)
    sticky(o, sp->name, optarg);
  return 0;
}

static int take_param(const char *arg, options *o, fsp_config *cfg) {
  const char *eq = strchr(arg, '=');
  if (!eq || eq == arg) {
    usage_error("--param wants NAME=VALUE, got '%s'", arg);
    return -1;
  }
  char *name = xstrdup(arg);
  name[eq - arg] = 0;
  params_set(&cfg->std, name, eq + 1);
  free(name);
  sticky(o, "param", arg);
  return 0;
}

static int take_special(int ch, char **argv, options *o, fsp_config *cfg) {
  switch (ch) {
  case 'x':
    add_pattern(&o->exclude, &o->nexclude, optarg);
    return 0;
  case 'p':
    return take_param(optarg, o, cfg);
  case O_ECHO:
    if (echo_format_parse(optarg) == ECHO_UNKNOWN) {
      fprintf(stderr,
              "fcgispec: --echo takes lines, json, printenv, php-var-dump, "
              "php-print-r or none, not '%s' (see --help)\n",
              optarg);
      return -1;
    }
    o->echo = optarg;
    sticky(o, "echo", optarg);
    return 0;
  case O_COLOR:
    if (!strcmp(optarg, "always") || !strcmp(optarg, "never"))
      o->color = !strcmp(optarg, "always");
    else if (strcmp(optarg, "auto")) {
      usage_error("--color is auto, always or never");
      return -1;
    }
    return 0;
  case 'h':
    usage(stdout);
    exit(EXIT_OK);
  case 'V':
    printf("fcgispec %s\n", FCS_VERSION);
    exit(EXIT_OK);
  case ':':
    usage_error("option '%s' needs a value", argv[optind - 1]);
    return -1;
  default: /* getopt's own message would name the binary's full path */
    if (optopt && optopt < 256)
      usage_error("unknown option '-%c'", optopt);
    else
      usage_error("unknown option '%s'", argv[optind - 1]);
    return -1;
  }
}

/* Options that only make sense together, or apart. */
static int check_combinations(const options *o) {
  if (o->spawn && !o->target && !o->proxy) {
    usage_error("--spawn needs --target (where CMD listens)");
    return -1;
  }
  if (o->proxy && o->target) {
    usage_error("--proxy and --target exclude each other: a run tests a "
                "proxy or a backend");
    return -1;
  }
  if ((o->listen || o->docroot || o->rss_limit_mib) && !o->proxy) {
    usage_error("--listen, --docroot and --rss-limit belong to proxy mode "
                "(--proxy)");
    return -1;
  }
  return 0;
}

static int parse_options(int argc, char **argv, options *o, fsp_config *cfg) {
  struct option longs[NOPTS + 1] = {{0}};
  for (size_t i = 0; i < NOPTS; i++) {
    const opt_spec *sp = &opt_specs[i];
    longs[i] = (struct option){sp->name,
                               sp->kind == OPT_SWITCH || sp->val == 'h' ||
                                       sp->val == 'V'
                                   ? no_argument
                                   : required_argument,
                               0, sp->val};
  }
  int ch;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, ":t:x:j:p:vh", longs, NULL)) != -1) {
    const opt_spec *sp = opt_spec_of(ch);
    int rc = sp && sp->kind != OPT_SPECIAL ? take_common(sp, o)
                                           : take_special(ch, argv, o, cfg);
    if (rc)
      return rc;
  }
  for (int i = optind; i < argc; i++)
    add_pattern(&o->include, &o->ninclude, argv[i]);
  return check_combinations(o);
}

static int selected(const options *o, const fsp_case *c) {
  /* --export-replies has proxy cases only, proxy named or not */
  if (c->proxy != (o->proxy != NULL || o->export_replies != NULL))
    return 0;
  if (o->export_replies && !c->replies)
    return 0;
  int in = o->ninclude == 0;
  for (size_t i = 0; i < o->ninclude && !in; i++)
    in = case_matches(c, o->include[i]);
  for (size_t i = 0; i < o->nexclude && in; i++)
    in = !case_matches(c, o->exclude[i]);
  return in;
}

/* What --dump-send and --export-seeds put in a proxy case's placeholders
 * when no proxy is named. */
static proxy_env dump_env(const options *o) {
  proxy_env env = {.docroot = o->docroot ? o->docroot : "",
                   .rss_limit_kib =
                       1024 * (o->rss_limit_mib ? o->rss_limit_mib : 512)};
  char err[256];
  if (!o->proxy || target_parse(o->proxy, &env.proxy, err, sizeof(err)))
    target_parse("tcp:127.0.0.1:8080", &env.proxy, err, sizeof(err));
  if (env.proxy.is_unix) /* a client on a Unix socket names no port */
    snprintf(env.host, sizeof(env.host), "localhost");
  else
    snprintf(env.host, sizeof(env.host), "%s:%s", env.proxy.host,
             env.proxy.port);
  snprintf(env.port, sizeof(env.port), "%s", env.proxy.port);
  return env;
}

static int send_bytes(const options *o, const fsp_case *c,
                      const fsp_params *std, bytebuf *out) {
  char err[256];
  if (c->proxy) {
    proxy_env env = dump_env(o);
    if (proxy_case_bytes(c, &env, out, err, sizeof(err))) {
      fprintf(stderr, "fcgispec: %s: %s\n", c->path, err);
      return -1;
    }
    return 0;
  }
  for (size_t i = 0; i < c->nsteps; i++)
    if (c->steps[i].kind <= S_REQUEST &&
        step_produce(c, &c->steps[i], std, out, err, sizeof(err))) {
      fprintf(stderr, "fcgispec: %s: %s\n", c->path, err);
      return -1;
    }
  return 0;
}

/* What --export-seeds, --export-replies and --export-params write. */
typedef enum { EXPORT_SENT, EXPORT_REPLIES, EXPORT_PARAMS } export_what;

/* Keeps of the records in b the content of the PARAMS ones, back to back
 * (the name-value pairs the params fuzz target reads); a record the bytes
 * do not hold whole ends the walk. */
static void params_content(bytebuf *b) {
  size_t at = 0, kept = 0;
  while (b->len - at >= FCS_HEADER_LEN) {
    fcs_header h;
    fcs_header_decode(b->p + at, &h);
    size_t end = at + FCS_HEADER_LEN + h.content_length + h.padding_length;
    if (end > b->len)
      break;
    if (h.type == FCS_PARAMS) {
      memmove(b->p + kept, b->p + at + FCS_HEADER_LEN, h.content_length);
      kept += h.content_length;
    }
    at = end;
  }
  b->len = kept;
}

/* Writes each case's bytes (what it sends, the FastCGI reply its script
 * plays, or the PARAMS content it sends) to DIR/<id with / as _>.bin. */
static int export_cases(const options *o, const char *dir, export_what what,
                        const fsp_case **cases, size_t n,
                        const fsp_params *std) {
  mkdir(dir, 0755);
  for (size_t i = 0; i < n; i++) {
    bytebuf b = {0};
    char err[256];
    if (what == EXPORT_REPLIES) {
      proxy_env env = dump_env(o);
      if (proxy_case_reply(cases[i], &env, 1, &b, err, sizeof err)) {
        fprintf(stderr, "fcgispec: %s: %s\n", cases[i]->path, err);
        bytebuf_free(&b);
        return -1;
      }
    } else if (send_bytes(o, cases[i], std, &b)) {
      return -1;
    } else if (what == EXPORT_PARAMS) {
      params_content(&b);
    }
    char path[4096];
    int len = snprintf(path, sizeof(path), "%s/", dir);
    for (const char *p = cases[i]->id; *p && len < (int)sizeof(path) - 6; p++)
      path[len++] = *p == '/' ? '_' : *p;
    snprintf(path + len, sizeof(path) - (size_t)len, ".bin");
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b.p, 1, b.len, f) != b.len || fclose(f)) {
      fprintf(stderr, "fcgispec: cannot write %s\n", path);
      bytebuf_free(&b);
      return -1;
    }
    bytebuf_free(&b);
  }
  static const char *const names[] = {"seeds", "replies", "PARAMS contents"};
  printf("wrote %zu %s to %s\n", n, names[what], dir);
  return 0;
}

/* Starts the built-in reference responder on a private Unix socket: the
 * one installed beside fcgispec, else the build tree's. */
static int builtin_target(options *o) {
  char found[4096];
  const char *responder = locate_shipped(FCS_RESPONDER_NAME, FCS_RESPONDER_PATH,
                                         found, sizeof(found));
  if (!responder) {
    fprintf(stderr,
            "fcgispec: the built-in reference responder is missing (not at "
            "%s nor %s): name a backend with --target\n",
            found, FCS_RESPONDER_PATH);
    return -1;
  }
  const char *tmp = getenv("TMPDIR");
  snprintf(o->builtin_addr, sizeof(o->builtin_addr),
           "unix:%s/fcgispec-%ld.sock", tmp && *tmp ? tmp : "/tmp",
           (long)getpid());
  snprintf(o->builtin_cmd, sizeof(o->builtin_cmd),
           "exec '%s' --listen '%s' >/dev/null 2>&1", responder,
           o->builtin_addr);
  o->target = o->builtin_addr;
  o->spawn = o->builtin_cmd;
  return 0;
}

/* The command that reruns one case: FCGISPEC_RERUN when a wrapper that
 * starts the target in a private directory (the run.sh scripts) names
 * itself, else fcgispec with the options that matter. */
static const char *rerun_prefix(options *o) {
  const char *env = getenv("FCGISPEC_RERUN");
  bytebuf_byte(&o->rerun, 0);
  return env && *env ? env : (const char *)o->rerun.p;
}

/* Frees what main built before an early return; returns rc. */
static int leave(int rc, options *o, fsp_config *cfg, fsp_catalog *cat,
                 fsp_run *run) {
  free(run->cases);
  catalog_free(cat);
  params_free(&cfg->std);
  free(o->include);
  free(o->exclude);
  bytebuf_free(&o->rerun);
  return rc;
}

/* Output files are checked before the run, so a mistake in a path does
 * not cost a whole run: an existing path must be a writable regular file,
 * a new one must go in a writable directory. */
static int output_ok(const char *flag, const char *path) {
  struct stat st;
  char dir[4096];
  if (stat(path, &st) == 0) {
    if (S_ISREG(st.st_mode) && access(path, W_OK) == 0)
      return 0;
    fprintf(stderr, "fcgispec: %s %s: %s (see --help)\n", flag, path,
            S_ISREG(st.st_mode) ? "not writable" : "not a regular file");
    return -1;
  }
  snprintf(dir, sizeof(dir), "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash)
    *(slash == dir ? slash + 1 : slash) = 0;
  else
    snprintf(dir, sizeof(dir), ".");
  if (access(dir, W_OK) == 0)
    return 0;
  fprintf(stderr, "fcgispec: %s %s: cannot create it in %s: %s (see --help)\n",
          flag, path, dir, strerror(errno));
  return -1;
}

static int outputs_ok(const options *o) {
  return (o->json && output_ok("--json", o->json)) ||
                 (o->junit && output_ok("--junit", o->junit)) ||
                 (o->write_baseline &&
                  output_ok("--write-baseline", o->write_baseline))
             ? -1
             : 0;
}

/* Entries of the baseline that name no case of the catalog: a warning
 * each (a case renamed or removed since the baseline was written). */
static void warn_unknown(const fsp_baseline *b, const fsp_catalog *cat,
                         const char *path) {
  for (size_t i = 0; i < b->n; i++) {
    size_t j = 0;
    while (j < cat->n && strcmp(cat->v[j].id, b->ids[i]))
      j++;
    if (j == cat->n)
      fprintf(stderr,
              "fcgispec: warning: %s lists '%s', which is not in the "
              "catalog (renamed or removed?)\n",
              path, b->ids[i]);
  }
}

/* Every selected case gets the same undecided verdict: the run could not
 * happen, and the reports say why. */
static void all_undecided(fsp_run *run, const char *why) {
  for (size_t i = 0; i < run->n; i++) {
    run->res[i].verdict = FSP_V_ERROR;
    bytebuf_str(&run->res[i].observed, why);
  }
}

/* Scores the run, prints it and writes the files asked for; the exit
 * code. */
static int finish(fsp_run *run, const options *o, const fsp_baseline *base) {
  fsp_score score;
  score_with_baseline(run, base, &score);
  report_terminal(stdout, run, &score, o->color, o->verbose);
  int rc = score.exit_code;
  if (o->json && report_json(o->json, run, &score))
    fprintf(stderr, "fcgispec: cannot write %s\n", o->json), rc = EXIT_USAGE;
  if (o->junit && report_junit(o->junit, run, &score))
    fprintf(stderr, "fcgispec: cannot write %s\n", o->junit), rc = EXIT_USAGE;
  if (o->write_baseline && !run->failure &&
      report_baseline(o->write_baseline, run))
    fprintf(stderr, "fcgispec: cannot write %s\n", o->write_baseline),
        rc = EXIT_USAGE;
  return rc;
}

/* The modes that do not run cases (--dump-send, --export-seeds,
 * --export-replies, --export-params, --list);
 * -1 when none applies. */
static int other_mode(const options *o, const fsp_config *cfg,
                      const fsp_catalog *cat, const fsp_run *run) {
  if (o->dump_send) {
    for (size_t i = 0; i < cat->n; i++)
      if (!strcmp(cat->v[i].id, o->dump_send)) {
        bytebuf b = {0};
        int rc = send_bytes(o, &cat->v[i], &cfg->std, &b);
        fwrite(b.p, 1, b.len, stdout);
        bytebuf_free(&b);
        return rc ? EXIT_USAGE : EXIT_OK;
      }
    fprintf(stderr, "fcgispec: no case with id '%s' (see --list)\n",
            o->dump_send);
    return EXIT_USAGE;
  }
  if (o->export_seeds || o->export_replies || o->export_params) {
    export_what what = o->export_seeds     ? EXPORT_SENT
                       : o->export_replies ? EXPORT_REPLIES
                                           : EXPORT_PARAMS;
    const char *dirs[] = {o->export_seeds, o->export_replies, o->export_params};
    return export_cases(o, dirs[what], what, run->cases, run->n, &cfg->std)
               ? EXIT_USAGE
               : EXIT_OK;
  }
  if (run->n == 0) {
    fprintf(stderr, "fcgispec: no case matches the selection (see --list)\n");
    return EXIT_USAGE;
  }
  if (o->list) {
    for (size_t i = 0; i < run->n; i++)
      printf("%-46s %-6s %-10s %s\n", run->cases[i]->id,
             level_name(run->cases[i]->level), case_role_name(run->cases[i]),
             run->cases[i]->requirement);
    printf("%zu cases\n", run->n);
    return EXIT_OK;
  }
  return -1;
}

/* What both modes set before cases run: the config's timing and target
 * command, the rerun line, and a result per case. */
static void prepare_run(options *o, fsp_config *cfg, fsp_run *run) {
  cfg->timeout_ms = o->timeout_ms;
  cfg->settle_ms = o->settle_ms;
  cfg->cap_ms = o->cap_ms;
  cfg->spawn = o->spawn;
  run->rerun = rerun_prefix(o);
  run->res = xcalloc(run->n, sizeof(fsp_result));
  run->known = xcalloc(run->n, sizeof(int));
}

/* Reports the run (finish) and frees its results; the exit code. */
static int report_run(fsp_run *run, const options *o,
                      const fsp_baseline *base) {
  int rc = finish(run, o, base);
  for (size_t i = 0; i < run->n; i++)
    result_free(&run->res[i]);
  free(run->res);
  free(run->known);
  return rc;
}

/* Proxy mode: the recording backend listens, the proxy is started
 * (--spawn) or reached at --proxy, and the proxy cases run one at a
 * time. The exit code. */
static int proxy_mode(options *o, fsp_config *cfg, fsp_run *run,
                      const fsp_baseline *base) {
  fsp_backend be = {0};
  proxy_env env = dump_env(o);
  char err[512], listen[300], label[800], why[1200];
  if (target_parse(o->proxy, &env.proxy, err, sizeof(err))) {
    fprintf(stderr, "fcgispec: --proxy: %s (see --help)\n", err);
    return EXIT_USAGE;
  }
  const char *tmp = getenv("TMPDIR");
  if (o->listen)
    snprintf(listen, sizeof(listen), "%s", o->listen);
  else
    snprintf(listen, sizeof(listen), "unix:%s/fcgispec-recorder-%ld.sock",
             tmp && *tmp ? tmp : "/tmp", (long)getpid());
  fsp_target at;
  if (target_parse(listen, &at, err, sizeof(err))) {
    fprintf(stderr, "fcgispec: --listen: %s (see --help)\n", err);
    return EXIT_USAGE;
  }
  if (!(env.rec = recorder_start(&at, err, sizeof(err)))) {
    fprintf(stderr, "fcgispec: the recording backend %s\n", err);
    return EXIT_UNREACHABLE;
  }
  if (o->jobs > 1)
    fprintf(stderr, "fcgispec: proxy mode runs one case at a time "
                    "(--jobs ignored): a case owns every request the "
                    "backend gets while it runs\n");
  char where[300];
  target_format(&env.proxy, where, sizeof(where));
  snprintf(label, sizeof(label), "proxy %s (recording backend on %s)", where,
           listen);
  run->target = label;
  run->proxy_host = env.host;
  run->proxy_port = env.port;
  run->proxy_docroot = env.docroot;
  run->proxy_backend = listen;
  run->jobs = 1;
  be.proxy = &env;
  cfg->target = env.proxy; /* what --spawn starts, and respawn restarts */
  prepare_run(o, cfg, run);
  int64_t t0 = now_ms();
  if (backend_start(&be, cfg, err, sizeof(err))) {
    snprintf(why, sizeof(why), "proxy %s unreachable: %s", where, err);
    fprintf(stderr, "fcgispec: %s\n", why);
    run->failure = why;
    all_undecided(run, why);
  } else {
    run_all(run, &be, 1);
  }
  run->wall_ms = now_ms() - t0;
  backend_stop(&be);
  recorder_stop(env.rec);
  return report_run(run, o, base);
}

/* The REQ_AUTHORIZER and REQ_FILTER roles the selected cases need
 * probed. */
static unsigned roles_needed(const fsp_run *run) {
  unsigned roles = 0;
  for (size_t i = 0; i < run->n; i++)
    roles |= case_needs(run->cases[i]) & (REQ_AUTHORIZER | REQ_FILTER);
  return roles;
}

/* Backend mode: the backend (--target, else the built-in reference
 * responder) is started (--spawn) or reached, probed, and the cases run on
 * --jobs connections. The exit code. */
static int backend_mode(options *o, fsp_config *cfg, fsp_run *run,
                        const fsp_baseline *base) {
  char label[300], err[1024];
  int builtin = !o->target;
  if (builtin && builtin_target(o))
    return EXIT_UNREACHABLE;
  if (target_parse(o->target, &cfg->target, err, sizeof(err)) ||
      (o->spawn && cfg->target.is_unix &&
       unix_path_claim(cfg->target.path, err, sizeof(err)))) {
    fprintf(stderr, "fcgispec: --target: %s (see --help)\n", err);
    return EXIT_USAGE;
  }
  target_format(&cfg->target, label, sizeof(label));
  if (builtin)
    snprintf(label, sizeof(label), "built-in reference responder (%s)",
             FCS_RESPONDER_NAME);
  run->target = label;
  prepare_run(o, cfg, run);
  fsp_probe probe = {0};
  fsp_backend be = {0};
  int64_t t0 = now_ms();
  char why[1400];
  int unreachable = backend_start(&be, cfg, err, sizeof(err)) != 0;
  if (unreachable) {
    snprintf(why, sizeof(why), "target %s unreachable: %s", label, err);
  } else {
    probe_backend(cfg, roles_needed(run), o->echo, &probe);
    be.probe = run->probe = &probe;
    unreachable = probe.not_fastcgi;
    snprintf(why, sizeof(why), "%s", probe.not_fastcgi_why);
  }
  if (unreachable) {
    fprintf(stderr, "fcgispec: %s\n", why);
    run->failure = why;
    all_undecided(run, why);
  } else {
    run_all(run, &be, o->jobs);
  }
  run->wall_ms = now_ms() - t0;
  backend_stop(&be);
  if (o->spawn && cfg->target.is_unix && builtin)
    unlink(cfg->target.path);
  int rc = report_run(run, o, base);
  probe_free(&probe);
  return rc;
}

/* Loads the catalog (--cases, else FCGISPEC_CASES, else the shipped one)
 * and selects the cases to run; 0, or the exit code. */
static int load_cases(const options *o, fsp_catalog *cat, fsp_run *run) {
  const char *dir = o->cases_dir ? o->cases_dir : getenv("FCGISPEC_CASES");
  char found[4096], err[1024];
  if (!dir && !(dir = locate_shipped(FCS_CASES_INSTALLED, FCS_CASES_DIR, found,
                                     sizeof(found)))) {
    fprintf(stderr,
            "fcgispec: no case catalog at %s nor %s: give one with --cases "
            "DIR or FCGISPEC_CASES\n",
            found, FCS_CASES_DIR);
    return EXIT_USAGE;
  }
  if (catalog_load(dir, cat, err, sizeof(err))) {
    fprintf(stderr, "fcgispec: %s\n", err);
    return EXIT_USAGE;
  }
  run->cases = xcalloc(cat->n, sizeof(fsp_case *));
  for (size_t i = 0; i < cat->n; i++)
    if (selected(o, &cat->v[i]))
      run->cases[run->n++] = &cat->v[i];
  return 0;
}

/* Loads --baseline (warning about entries the catalog lacks); 0, or the
 * exit code. */
static int load_baseline(const options *o, const fsp_catalog *cat,
                         fsp_baseline *base) {
  char err[1024];
  if (o->baseline && baseline_load(o->baseline, base, err, sizeof(err))) {
    fprintf(stderr, "fcgispec: --baseline: %s\n", err);
    return EXIT_USAGE;
  }
  warn_unknown(base, cat, o->baseline);
  return 0;
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  options o = {
      .jobs = 1, .timeout_ms = 2000, .settle_ms = 200, .color = isatty(1)};
  fsp_config cfg = {0};
  params_defaults(&cfg.std);
  bytebuf_str(&o.rerun, argv[0]);
  fsp_catalog cat = {0};
  fsp_run run = {.jobs = o.jobs};
  fsp_baseline base = {0};
  int rc = parse_options(argc, argv, &o, &cfg) ? EXIT_USAGE
                                               : load_cases(&o, &cat, &run);
  if (!rc) {
    run.jobs = o.jobs;
    run.strict = o.strict;
    rc = other_mode(&o, &cfg, &cat, &run);
  }
  if (rc < 0 && (load_baseline(&o, &cat, &base) || outputs_ok(&o)))
    rc = EXIT_USAGE;
  if (rc < 0)
    rc = o.proxy ? proxy_mode(&o, &cfg, &run, &base)
                 : backend_mode(&o, &cfg, &run, &base);
  baseline_free(&base);
  return leave(rc, &o, &cfg, &cat, &run);
}
