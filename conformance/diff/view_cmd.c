/* fcgi-diff view: learn each target's echo format, then send every file
 * to all targets at once and print one JSON line per file and target. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "probe.h"
#include "script.h"
#include "view.h"

#define MAX_TARGETS 64
#define DEFAULT_SCRIPT "/fcgispec"

typedef struct view_opts {
  view_target t[MAX_TARGETS];
  size_t n;
  long timeout_ms;
  char **files;
  size_t nfiles;
} view_opts;

static view_target *named(view_opts *o, const char *name, size_t len) {
  for (size_t i = 0; i < o->n; i++)
    if (strlen(o->t[i].name) == len && !strncmp(o->t[i].name, name, len))
      return &o->t[i];
  return NULL;
}

static int add_target(view_opts *o, char *arg) {
  char *eq = strchr(arg, '='), err[256];
  if (!eq || eq == arg)
    return usage_error("--target '%s': want NAME=ADDR", arg);
  *eq = 0;
  if (named(o, arg, strlen(arg)))
    return usage_error("--target %s: named twice", arg);
  if (o->n == MAX_TARGETS)
    return usage_error("--target %s: at most %d targets", arg, MAX_TARGETS);
  view_target *t = &o->t[o->n];
  if (target_parse(eq + 1, &t->addr, err, sizeof(err)))
    return usage_error("--target %s: %s", arg, err);
  t->name = arg;
  t->script = DEFAULT_SCRIPT;
  o->n++;
  return 0;
}

static int set_script(view_opts *o, const char *arg) {
  const char *eq = strchr(arg, '=');
  view_target *t = eq ? named(o, arg, (size_t)(eq - arg)) : NULL;
  if (!t)
    return usage_error("--script '%s': want NAME=PATH for a NAME given "
                       "with --target before it",
                       arg);
  t->script = eq + 1;
  return 0;
}

static int parse(int argc, char **argv, view_opts *o) {
  o->timeout_ms = 1000;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "--", 2)) {
      o->files = argv + i;
      o->nfiles = (size_t)(argc - i);
      break;
    }
    if (i + 1 >= argc)
      return usage_error("view: %s needs a value", a);
    char *v = argv[++i];
    uint64_t ms;
    if (!strcmp(a, "--target")) {
      if (add_target(o, v))
        return EXIT_USAGE;
    } else if (!strcmp(a, "--script")) {
      if (set_script(o, v))
        return EXIT_USAGE;
    } else if (!strcmp(a, "--timeout")) {
      if (parse_number(a, v, 600000, &ms) || !ms)
        return ms ? EXIT_USAGE : usage_error("--timeout must be above 0");
      o->timeout_ms = (long)ms;
    } else {
      return usage_error("view: unknown option '%s'", a);
    }
  }
  if (!o->n)
    return usage_error("view needs at least one --target NAME=ADDR");
  if (!o->nfiles)
    return usage_error("view needs at least one FILE");
  for (size_t i = 0; i < o->n; i++)
    if (script_pad(o->t[i].script, o->t[i].padded))
      return usage_error("--script %s=%s: want a path with a '/' of at most "
                         "%d bytes",
                         o->t[i].name, o->t[i].script, GEN_PLACEHOLDER_LEN);
  return 0;
}

typedef struct probe_job {
  view_target *t;
  long timeout_ms;
  char err[256];
  int unreachable;
} probe_job;

/* Reachable at all, then the runner's probe with this target's script. */
static void *probe_one(void *arg) {
  probe_job *j = arg;
  int fd = target_connect(&j->t->addr, now_ms() + j->timeout_ms, j->err,
                          sizeof(j->err));
  if (fd < 0) {
    j->unreachable = 1;
    return NULL;
  }
  close(fd);
  fsp_config cfg = {.target = j->t->addr, .timeout_ms = j->timeout_ms};
  params_defaults(&cfg.std);
  params_set(&cfg.std, "SCRIPT_FILENAME", j->t->script);
  fsp_probe p;
  probe_backend(&cfg, 0, NULL, &p);
  j->t->content = p.content;
  p.content = NULL;
  probe_free(&p);
  params_free(&cfg.std);
  return NULL;
}

static int probe_all(view_opts *o) {
  probe_job jobs[MAX_TARGETS];
  pthread_t th[MAX_TARGETS];
  int started[MAX_TARGETS];
  /* A first request may start a worker: give it a few seconds. */
  long ms = o->timeout_ms > 3000 ? o->timeout_ms : 3000;
  for (size_t i = 0; i < o->n; i++) {
    jobs[i] = (probe_job){.t = &o->t[i], .timeout_ms = ms};
    started[i] = pthread_create(&th[i], NULL, probe_one, &jobs[i]) == 0;
    if (!started[i]) /* no thread to be had: this one waits its turn */
      probe_one(&jobs[i]);
  }
  int rc = EXIT_DONE;
  for (size_t i = 0; i < o->n; i++) {
    if (started[i])
      pthread_join(th[i], NULL);
    if (jobs[i].unreachable) {
      char addr[300];
      target_format(&o->t[i].addr, addr, sizeof(addr));
      fprintf(stderr, "fcgi-diff: target %s (%s) is unreachable: %s\n",
              o->t[i].name, addr, jobs[i].err);
      rc = EXIT_UNREACHABLE;
    }
  }
  return rc;
}

static int read_file(const char *path, bytebuf *out) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  uint8_t chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    bytebuf_add(out, chunk, n);
  int bad = ferror(f);
  fclose(f);
  return bad ? -1 : 0;
}

/* The file's name without its directories, as the JSON lines give it. */
static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static void view_file(view_opts *o, const char *path, const bytebuf *bytes) {
  view_run runs[MAX_TARGETS];
  pthread_t th[MAX_TARGETS];
  int started[MAX_TARGETS];
  for (size_t i = 0; i < o->n; i++) {
    memset(&runs[i], 0, sizeof(runs[i]));
    runs[i].t = &o->t[i];
    runs[i].timeout_ms = o->timeout_ms;
    bytebuf_add(&runs[i].bytes, bytes->p, bytes->len);
    if (runs[i].bytes.len)
      script_substitute(runs[i].bytes.p, runs[i].bytes.len, o->t[i].padded);
    started[i] = pthread_create(&th[i], NULL, view_exchange, &runs[i]) == 0;
    if (!started[i])
      view_exchange(&runs[i]);
  }
  bytebuf line = {0};
  for (size_t i = 0; i < o->n; i++) {
    if (started[i])
      pthread_join(th[i], NULL);
    line.len = 0;
    view_json(&runs[i], base_name(path), &line);
    fwrite(line.p, 1, line.len, stdout);
    view_run_free(&runs[i]);
  }
  fflush(stdout);
  bytebuf_free(&line);
}

int cmd_view(int argc, char **argv) {
  view_opts o;
  memset(&o, 0, sizeof(o));
  int rc = parse(argc, argv, &o);
  for (size_t i = 0; !rc && i < o.nfiles; i++) {
    bytebuf b = {0};
    if (read_file(o.files[i], &b))
      rc = usage_error("view: cannot read %s: %s", o.files[i], strerror(errno));
    bytebuf_free(&b);
  }
  if (!rc)
    rc = probe_all(&o);
  for (size_t i = 0; !rc && i < o.nfiles; i++) {
    bytebuf b = {0};
    if (read_file(o.files[i], &b) == 0)
      view_file(&o, o.files[i], &b);
    bytebuf_free(&b);
  }
  for (size_t i = 0; i < o.n; i++)
    content_free(o.t[i].content);
  return rc;
}
