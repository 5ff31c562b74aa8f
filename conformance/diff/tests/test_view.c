/* fcgi-diff view against backends started here on private Unix sockets
 * (stopped by pid): the reference responder, and fcgi-mutant breaking one
 * rule. A mutant that changes a value, or loses the body, must differ from
 * the reference there and nowhere else; hung, flooding and closing backends
 * still give one line each, and a hung one costs one timeout per file. The
 * commands run in this process (cli.h), their stdout sent to a file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "clock.h"
#include "fcs/fcs.h"
#include "gen.h"
#include "id0_backend.h"
#include "json.h"
#include "proc.h"

static const char *responder, *mutant;
static char tmpdir[512];

/* A backend on tmpdir/NAME.sock: the reference when rule is NULL. */
static int start(proc *p, const char *name, const char *rule, char *addr,
                 size_t cap) {
  char log[600];
  snprintf(addr, cap, "unix:%s/%s.sock", tmpdir, name);
  snprintf(log, sizeof(log), "%s/%s.log", tmpdir, name);
  char *argv[] = {(char *)(rule ? mutant : responder),
                  "--listen",
                  addr,
                  rule ? "--break" : NULL,
                  (char *)rule,
                  NULL};
  return proc_start(p, argv, log, -1);
}

static void stop(proc *p, const char *name) {
  char sock[600];
  proc_stop(p);
  snprintf(sock, sizeof(sock), "%s/%s.sock", tmpdir, name);
  unlink(sock);
}

/* Runs a command of fcgi-diff with stdout in tmpdir/out.jsonl. */
static int run(int (*cmd)(int, char **), char **argv) {
  char out[600];
  snprintf(out, sizeof(out), "%s/out.jsonl", tmpdir);
  int argc = 0;
  while (argv[argc])
    argc++;
  fflush(stdout);
  int saved = dup(1), fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  dup2(fd, 1);
  close(fd);
  int rc = cmd(argc, argv);
  fflush(stdout);
  dup2(saved, 1);
  close(saved);
  return rc;
}

/* The lines of the last run, parsed (lines[i] for i < *n). */
static json_value *lines(size_t *n) {
  char path[600];
  snprintf(path, sizeof(path), "%s/out.jsonl", tmpdir);
  const char *text = proc_slurp(path);
  size_t len = strlen(text), pos = 0;
  json_value *v = NULL;
  *n = 0;
  while (pos < len) {
    v = realloc(v, (*n + 1) * sizeof(*v));
    bytebuf why = {0};
    if (json_parse((const uint8_t *)text, len, &pos, &v[*n], &why)) {
      fprintf(stderr, "bad JSON line: %.*s\n", (int)why.len, why.p);
      check_failures++;
      json_free(&v[*n]);
      bytebuf_free(&why);
      break;
    }
    bytebuf_free(&why);
    (*n)++;
    while (pos < len && text[pos] == '\n')
      pos++;
  }
  return v;
}

static void free_lines(json_value *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    json_free(&v[i]);
  free(v);
}

static int is(const json_value *v, const char *s) {
  return v && v->type == JSON_STRING && echo_str_is(&v->text, s, strlen(s));
}

/* The line for file and target, or NULL. */
static const json_value *line_for(const json_value *v, size_t n,
                                  const char *file, const char *target) {
  for (size_t i = 0; i < n; i++)
    if (is(json_get(&v[i], "file"), file) &&
        is(json_get(&v[i], "target"), target))
      return &v[i];
  fprintf(stderr, "no line for %s at %s\n", file, target);
  check_failures++;
  return NULL;
}

/* Field key of the line's first reply. */
static const json_value *first_reply(const json_value *line, const char *key) {
  const json_value *r = line ? json_get(line, "replies") : NULL;
  return r && json_count(r) ? json_get(&json_member_at(r, 0)->value, key)
                            : NULL;
}

/* The pair called name in a params array, or NULL. */
static const json_value *param(const json_value *params, const char *name) {
  for (size_t i = 0; params && i < json_count(params); i++) {
    const json_value *pair = &json_member_at(params, i)->value;
    if (json_count(pair) == 2 && is(&json_member_at(pair, 0)->value, name))
      return &json_member_at(pair, 1)->value;
  }
  return NULL;
}

static int same_text(const json_value *a, const json_value *b) {
  return a && b && a->type == JSON_STRING && b->type == JSON_STRING &&
         echo_str_is(&a->text, b->text.bytes.p, b->text.bytes.len);
}

static void write_streams(const char *seed, const char *first,
                          const char *count) {
  char dir[600];
  snprintf(dir, sizeof(dir), "%s/streams", tmpdir);
  char *argv[] = {"--seed",      (char *)seed, "--first",
                  (char *)first, "--count",    (char *)count,
                  "--out",       dir,          NULL};
  CHECK_EQ(run(cmd_streams, argv), EXIT_DONE);
}

static char *file_path(const char *file) {
  static char paths[8][600];
  static int next;
  char *p = paths[next++ % 8];
  snprintf(p, 600, "%s/streams/%s", tmpdir, file);
  return p;
}

static char *target(const char *name, const char *addr) {
  static char specs[8][700];
  static int next;
  char *s = specs[next++ % 8];
  snprintf(s, 700, "%s=%s", name, addr);
  return s;
}

/* The reference and a mutant (rule) on the same files; the lines parsed
 * into *v. */
static size_t view_pair(const char *rule, char **files, size_t nfiles,
                        json_value **v) {
  proc ref, mut;
  char ra[600], ma[600];
  *v = NULL;
  if (start(&ref, "ref", NULL, ra, sizeof(ra)) ||
      start(&mut, "mutant", rule, ma, sizeof(ma))) {
    check_failures++;
    return 0;
  }
  char *argv[16] = {"--target", target("reference", ra), "--target",
                    target("mutant", ma)};
  for (size_t i = 0; i < nfiles; i++)
    argv[4 + i] = file_path(files[i]);
  CHECK_EQ(run(cmd_view, argv), EXIT_DONE);
  size_t n;
  *v = lines(&n);
  CHECK_EQ(n, 2 * nfiles);
  stop(&ref, "ref");
  stop(&mut, "mutant");
  return n;
}

/* cut-value halves values over 100 bytes: the baselines' SCRIPT_FILENAME
 * (the 255-byte padded path) shows as {script} at the reference only,
 * and every other param and the body are the same. */
static void test_value_difference(void) {
  char *files[] = {"000000.bin", "000001.bin", "000002.bin"};
  write_streams("1", "0", "3");
  json_value *v;
  size_t n = view_pair("cut-value", files, 3, &v);
  for (size_t f = 0; n && f < 3; f++) {
    const json_value *r = line_for(v, n, files[f], "reference");
    const json_value *m = line_for(v, n, files[f], "mutant");
    CHECK(is(r ? json_get(r, "outcome") : NULL, "answered"));
    CHECK(is(m ? json_get(m, "outcome") : NULL, "answered"));
    const json_value *rp = first_reply(r, "params"),
                     *mp = first_reply(m, "params");
    CHECK(rp && mp && json_count(mp) == json_count(rp));
    for (size_t i = 0; rp && mp && i < json_count(rp) && i < json_count(mp);
         i++) {
      const json_value *a = &json_member_at(rp, i)->value,
                       *b = &json_member_at(mp, i)->value;
      int script = is(&json_member_at(a, 0)->value, "SCRIPT_FILENAME");
      CHECK(same_text(&json_member_at(a, 0)->value,
                      &json_member_at(b, 0)->value));
      CHECK_EQ(
          same_text(&json_member_at(a, 1)->value, &json_member_at(b, 1)->value),
          !script);
    }
    CHECK(is(param(rp, "SCRIPT_FILENAME"), "{script}"));
    const json_value *cut = param(mp, "SCRIPT_FILENAME");
    CHECK(cut && cut->type == JSON_STRING &&
          cut->text.bytes.len == GEN_PLACEHOLDER_LEN / 2);
    CHECK(same_text(first_reply(r, "stdin"), first_reply(m, "stdin")));
  }
  free_lines(v, n);
}

/* The first stream of seed 1 past the baselines that want accepts,
 * written to a file whose name goes to file. */
static void stream_where(int (*want)(const gen_stream *), char *file,
                         size_t cap) {
  for (uint64_t i = 3; i < 5000; i++) {
    gen_stream s;
    gen_make(1, i, &s);
    int found = want(&s);
    gen_stream_free(&s);
    if (found) {
      char first[32];
      snprintf(first, sizeof(first), "%llu", (unsigned long long)i);
      write_streams("1", first, "1");
      snprintf(file, cap, "%06llu.bin", (unsigned long long)i);
      return;
    }
  }
  check_failures++;
}

/* Padding alone, on the empty PARAMS record, and a body. */
static int padded_params_end(const gen_stream *s) {
  const fcs_header *h = (const fcs_header *)(void *)s->headers.p;
  int padded = 0, body = 0;
  for (size_t i = 0; i < s->headers.len / sizeof(*h); i++) {
    padded |=
        h[i].type == FCS_PARAMS && !h[i].content_length && h[i].padding_length;
    body |= h[i].type == FCS_STDIN && h[i].content_length;
  }
  return s->mutations == 1ull << GM_PADDING && padded && body;
}

/* lose-body-on-padding drops the body after a padded empty PARAMS
 * record: the same params, the body only at the reference. */
static void test_body_difference(void) {
  char file[32] = "";
  stream_where(padded_params_end, file, sizeof(file));
  char *files[] = {file};
  json_value *v;
  size_t n = view_pair("lose-body-on-padding", files, 1, &v);
  const json_value *r = line_for(v, n, file, "reference");
  const json_value *m = line_for(v, n, file, "mutant");
  const json_value *rp = first_reply(r, "params"),
                   *mp = first_reply(m, "params");
  CHECK(rp && mp && json_count(mp) == json_count(rp));
  const json_value *rb = first_reply(r, "stdin"), *mb = first_reply(m, "stdin");
  CHECK(rb && rb->type == JSON_STRING && rb->text.bytes.len > 0);
  CHECK(is(mb, ""));
  free_lines(v, n);
}

static int only_unknown_role(const gen_stream *s) {
  return s->mutations == 1ull << GM_UNKNOWN_ROLE;
}

static int only_empty_mid_params(const gen_stream *s) {
  return s->mutations == 1ull << GM_EMPTY_MID_PARAMS;
}

static int only_unknown_type(const gen_stream *s) {
  return s->mutations == 1ull << GM_UNKNOWN_TYPE;
}

/* The reference answers a baseline, refuses an unknown role (protocol
 * status) and ends a request whose PARAMS end inside a pair without a
 * page (appStatus, no STDOUT): answered, rejected, rejected. */
static void test_outcomes(void) {
  proc ref;
  char ra[600], role[32] = "", cut[32] = "";
  if (start(&ref, "ref", NULL, ra, sizeof(ra))) {
    check_failures++;
    return;
  }
  write_streams("1", "0", "1");
  stream_where(only_unknown_role, role, sizeof(role));
  stream_where(only_empty_mid_params, cut, sizeof(cut));
  char *argv[] = {
      "--target",      target("reference", ra), file_path("000000.bin"),
      file_path(role), file_path(cut),          NULL};
  CHECK_EQ(run(cmd_view, argv), EXIT_DONE);
  size_t n;
  json_value *v = lines(&n);
  const json_value *plain = line_for(v, n, "000000.bin", "reference"),
                   *unknown = line_for(v, n, role, "reference"),
                   *broken = line_for(v, n, cut, "reference");
  CHECK(is(plain ? json_get(plain, "outcome") : NULL, "answered"));
  CHECK(is(unknown ? json_get(unknown, "outcome") : NULL, "rejected"));
  CHECK(is(broken ? json_get(broken, "outcome") : NULL, "rejected"));
  const json_value *status = first_reply(unknown, "protocol_status");
  CHECK(status && status->type == JSON_NUMBER &&
        echo_str_is(&status->text, "3", 1));
  free_lines(v, n);
  stop(&ref, "ref");
}

/* Two hung backends beside the reference: each file costs one timeout,
 * not one per hung backend, and each gives a hung line. */
static void test_hang_costs_one_timeout(void) {
  proc ref, h1, h2;
  char ra[600], a1[600], a2[600];
  if (start(&ref, "ref", NULL, ra, sizeof(ra)) ||
      start(&h1, "hang1", "hang", a1, sizeof(a1)) ||
      start(&h2, "hang2", "hang", a2, sizeof(a2))) {
    check_failures++;
    return;
  }
  write_streams("1", "0", "2");
  char *argv[] = {"--timeout",
                  "1000",
                  "--target",
                  target("reference", ra),
                  "--target",
                  target("hang1", a1),
                  "--target",
                  target("hang2", a2),
                  file_path("000000.bin"),
                  file_path("000001.bin"),
                  NULL};
  int64_t t0 = now_ms();
  CHECK_EQ(run(cmd_view, argv), EXIT_DONE);
  int64_t took = now_ms() - t0;
  /* The probe waits 1 s for GET_VALUES and 3 s for a reply from each
   * hung backend, all at once; then 1 s per file: about 6 s. One backend
   * after the other would take at least 12 s. */
  CHECK(took < 9500);
  size_t n;
  json_value *v = lines(&n);
  CHECK_EQ(n, 6);
  for (size_t i = 0; i < n; i++) {
    int hung = !is(json_get(&v[i], "target"), "reference");
    CHECK(is(json_get(&v[i], "outcome"), hung ? "hung" : "answered"));
    CHECK(is(json_get(&v[i], "ended_by"), hung ? "timeout" : "closed"));
  }
  free_lines(v, n);
  stop(&ref, "ref");
  stop(&h1, "hang1");
  stop(&h2, "hang2");
}

/* A flood is cut at the read cap and says so; a backend closing inside a
 * record and one answering in 7-byte pieces still give their lines. */
static void test_bad_backends(void) {
  proc fl, cl, tr;
  char fa[600], ca[600], ta[600], file[32] = "";
  if (start(&fl, "flood", "flood", fa, sizeof(fa)) ||
      start(&cl, "close", "close-mid-record", ca, sizeof(ca)) ||
      start(&tr, "trickle", "trickle", ta, sizeof(ta))) {
    check_failures++;
    return;
  }
  /* The flood starts on a request's BEGIN_REQUEST, here before its
   * PARAMS are whole (the first 100 bytes of a stream); close-mid-record
   * closes inside its answer to a record of unknown type. */
  stream_where(only_unknown_type, file, sizeof(file));
  gen_stream s;
  gen_make(1, 2, &s);
  char *part = file_path("part.bin");
  FILE *f = fopen(part, "wb");
  CHECK(f && fwrite(s.bytes.p, 1, 100, f) == 100 && fclose(f) == 0);
  gen_stream_free(&s);
  char *argv[] = {"--timeout", "500",
                  "--target",  target("flood", fa),
                  "--target",  target("close", ca),
                  "--target",  target("trickle", ta),
                  part,        file_path(file),
                  NULL};
  CHECK_EQ(run(cmd_view, argv), EXIT_DONE);
  size_t n;
  json_value *v = lines(&n);
  CHECK_EQ(n, 6);
  const json_value *flood = line_for(v, n, "part.bin", "flood");
  CHECK(is(flood ? json_get(flood, "ended_by") : NULL, "flood"));
  const json_value *cut = first_reply(flood, "truncated");
  CHECK(cut && cut->type == JSON_BOOL && echo_str_is(&cut->text, "true", 4));
  CHECK(line_for(v, n, file, "close") != NULL);
  const json_value *slow = line_for(v, n, file, "trickle");
  CHECK(is(slow ? json_get(slow, "outcome") : NULL, "answered"));
  free_lines(v, n);
  stop(&fl, "flood");
  stop(&cl, "close");
  stop(&tr, "trickle");
}

/* A request begun on the management id, with KEEP_CONN: id 0 holds no
 * request, so an UNKNOWN_TYPE naming BEGIN_REQUEST (the spec's answer) or
 * an END_REQUEST on id 0 answers it, and the view does not wait for
 * more: complete at once, rejected, not hung. */
static void test_begin_on_id0(void) {
  uint8_t bytes[64];
  size_t n = 0, used;
  CHECK_EQ(fcs_encode_begin_request(bytes, sizeof(bytes), 0, FCS_RESPONDER,
                                    FCS_KEEP_CONN, NULL, &used),
           FCS_E_OK);
  n += used;
  for (uint8_t type = FCS_PARAMS; type <= FCS_STDIN; type++) {
    CHECK_EQ(fcs_encode_stream(bytes + n, sizeof(bytes) - n, type, 0, NULL, 0,
                               1, NULL, &used),
             FCS_E_OK);
    n += used;
  }
  char file[600], ua[600], ea[600];
  snprintf(file, sizeof(file), "%s/id0.bin", tmpdir);
  FILE *f = fopen(file, "wb");
  CHECK(f && fwrite(bytes, 1, n, f) == n && fclose(f) == 0);
  snprintf(ua, sizeof(ua), "%s/unknown.sock", tmpdir);
  snprintf(ea, sizeof(ea), "%s/end.sock", tmpdir);
  pid_t unknown = id0_backend_start(ua, 0), end = id0_backend_start(ea, 1);
  CHECK(unknown > 0 && end > 0);
  char us[700], es[700];
  snprintf(us, sizeof(us), "unknown=unix:%s", ua);
  snprintf(es, sizeof(es), "end=unix:%s", ea);
  char *argv[] = {"--timeout", "3000", "--target", us,
                  "--target",  es,     file,       NULL};
  int64_t t0 = now_ms();
  CHECK_EQ(run(cmd_view, argv), EXIT_DONE);
  CHECK(now_ms() - t0 < 2500); /* no 3 s timeout waited out */
  size_t lines_n;
  json_value *v = lines(&lines_n);
  CHECK_EQ(lines_n, 2);
  for (size_t i = 0; i < lines_n; i++) {
    CHECK(is(json_get(&v[i], "ended_by"), "complete"));
    CHECK(is(json_get(&v[i], "outcome"), "rejected"));
  }
  free_lines(v, lines_n);
  if (unknown > 0)
    id0_backend_stop(unknown, ua);
  if (end > 0)
    id0_backend_stop(end, ea);
}

static void test_unreachable_and_usage(void) {
  char addr[600];
  snprintf(addr, sizeof(addr), "unix:%s/nobody.sock", tmpdir);
  write_streams("1", "0", "1");
  char *gone[] = {"--target", target("gone", addr), file_path("000000.bin"),
                  NULL};
  CHECK_EQ(run(cmd_view, gone), EXIT_UNREACHABLE);
  char *no_target[] = {file_path("000000.bin"), NULL};
  CHECK_EQ(run(cmd_view, no_target), EXIT_USAGE);
  char *bad_timeout[] = {"--timeout",
                         "soon",
                         "--target",
                         target("x", addr),
                         file_path("000000.bin"),
                         NULL};
  CHECK_EQ(run(cmd_view, bad_timeout), EXIT_USAGE);
  char *bad_script[] = {"--target",   target("x", addr),       "--script",
                        "x=no-slash", file_path("000000.bin"), NULL};
  CHECK_EQ(run(cmd_view, bad_script), EXIT_USAGE);
  char *no_seed[] = {"--count", "1", "--out", tmpdir, NULL};
  CHECK_EQ(run(cmd_streams, no_seed), EXIT_USAGE);
  char *bad_count[] = {"--seed", "1", "--count", "-1", "--out", tmpdir, NULL};
  CHECK_EQ(run(cmd_streams, bad_count), EXIT_USAGE);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s FCGI-RESPONDER FCGI-MUTANT [TEST]\n", argv[0]);
    return 2;
  }
  responder = argv[1];
  mutant = argv[2];
  const char *only = argc > 3 ? argv[3] : NULL;
  const char *base = getenv("TMPDIR");
  snprintf(tmpdir, sizeof(tmpdir), "%s/fcs-diff-XXXXXX",
           base && *base ? base : "/tmp");
  if (!mkdtemp(tmpdir)) {
    fprintf(stderr, "cannot create a temporary directory: %s\n",
            strerror(errno));
    return 1;
  }
  RUN_IF(test_value_difference, only);
  RUN_IF(test_body_difference, only);
  RUN_IF(test_outcomes, only);
  RUN_IF(test_hang_costs_one_timeout, only);
  RUN_IF(test_bad_backends, only);
  RUN_IF(test_begin_on_id0, only);
  RUN_IF(test_unreachable_and_usage, only);
  char cmd[700];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", tmpdir);
  return check_exit(argv[0], only);
}
