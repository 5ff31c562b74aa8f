/* casefile: arbitrary text through the conformance runner's case file
 * parser (conformance/src/case.c, the format of docs/cases.md): case files
 * are written by people, so every text must parse or be refused with a
 * message naming the place.
 *
 * Input: the text of one case file. Oracles:
 *  - parsing twice gives the same answer: the same error, or cases with the
 *    same header fields and steps;
 *  - an error names the file and a line of the text ("name:N: ...", with
 *    N = 0 for what concerns the whole file);
 *  - a parsed case has id, section (the id's prefix), requirement, role
 *    and level, at least one step, steps on increasing lines of the text,
 *    each step's text on the line it names, at least one condition on each
 *    expect or allow line, and every allow right after an expect.
 * The parser builds a repeated item ("z"*199990) one repetition at a time,
 * so a text whose repeat counts add up past REPEAT_LIMIT is parsed once:
 * the second parse would double the cost of the few inputs that take most
 * of the target's time, and the other oracles still hold it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/oracle.h"
#include "../support/target.h"
#include "case.h"

#define NAME "fuzz.case"
#define REPEAT_LIMIT 4096

/* The repeat counts ("*N", N as strtoul reads it) the text asks for, added
 * up (wherever a '*' stands, so an estimate from above); stops counting
 * past REPEAT_LIMIT. */
FZ_NO_COVERAGE static unsigned long repeats_asked(const uint8_t *data,
                                                  size_t size) {
  unsigned long sum = 0;
  for (size_t i = 0; i < size && sum <= REPEAT_LIMIT; i++) {
    if (data[i] != '*')
      continue;
    char num[32];
    size_t n = 0;
    for (size_t j = i + 1;
         j < size && n < sizeof num - 1 && data[j] > ' ' && data[j] != '+'; j++)
      num[n++] = (char)data[j];
    num[n] = 0;
    unsigned long count = strtoul(num, NULL, 0); /* ULONG_MAX past range */
    sum += count > REPEAT_LIMIT ? REPEAT_LIMIT + 1 : count;
  }
  return sum;
}

static int parse(const uint8_t *data, size_t size, fsp_case *c, char *err,
                 size_t errlen) {
  /* fmemopen reads the bytes in place; an empty text still needs a buffer. */
  static const uint8_t empty[1];
  FILE *f = fmemopen((void *)(size ? data : empty), size, "r");
  FZ_CHECK(f != NULL, "fmemopen of %zu bytes failed", size);
  err[0] = 0;
  int rc = case_parse_stream(f, NAME, c, err, errlen);
  fclose(f);
  return rc;
}

static size_t count_lines(const uint8_t *data, size_t size) {
  size_t n = 1;
  for (size_t i = 0; i < size; i++)
    n += data[i] == '\n';
  return n;
}

static void check_error(const char *err, size_t lines) {
  size_t nlen = strlen(NAME);
  FZ_CHECK(!strncmp(err, NAME ":", nlen + 1),
           "error does not name the file: '%s'", err);
  char *end;
  unsigned long line = strtoul(err + nlen + 1, &end, 10);
  FZ_CHECK(end != err + nlen + 1 && !strncmp(end, ": ", 2) && end[2],
           "error does not say which line and what: '%s'", err);
  FZ_CHECK(line <= lines, "error names line %lu of a %zu-line text: '%s'", line,
           lines, err);
}

/* Whether line n (from 1) of the text holds a step's text: the parser keeps
 * the line without its leading blanks, cut at a NUL and at trailing blanks,
 * so the text starts where the line's leading spaces and tabs end. */
static int line_holds(const uint8_t *data, size_t size, int n,
                      const char *text) {
  const uint8_t *p = data, *end = data + size;
  for (int i = 1; i < n; i++) {
    const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
      return 0;
    p = nl + 1;
  }
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  size_t k = strlen(text);
  return k <= (size_t)(end - p) && fz_same(p, text, k);
}

static void check_case(const fsp_case *c, const uint8_t *data, size_t size,
                       size_t lines) {
  size_t sl = strlen(c->section);
  FZ_CHECK(c->requirement && case_role_name(c) &&
               !strncmp(c->id, c->section, sl) && c->id[sl] == '/',
           "case '%s' of section '%s' lacks a field or its section prefix",
           c->id, c->section);
  FZ_CHECK(c->level < FSP_LVL_COUNT, "case %s has level %d", c->id,
           (int)c->level);
  FZ_CHECK(c->nsteps > 0, "case %s has no steps", c->id);
  for (size_t i = 0; i < c->nsteps; i++) {
    const fsp_step *s = &c->steps[i];
    FZ_CHECK(s->line >= 1 && (size_t)s->line <= lines &&
                 (i == 0 || s->line > c->steps[i - 1].line),
             "step %zu of case %s is on line %d (text of %zu lines)", i, c->id,
             s->line, lines);
    FZ_CHECK(line_holds(data, size, s->line, s->text),
             "step %zu of case %s names line %d, which does not hold its "
             "text '%s'",
             i, c->id, s->line, s->text);
    FZ_CHECK((s->kind != S_EXPECT && s->kind != S_ALLOW) || s->nalts > 0,
             "line %d of case %s checks no condition", s->line, c->id);
    FZ_CHECK(s->kind != S_ALLOW || (i > 0 && c->steps[i - 1].kind == S_EXPECT),
             "line %d of case %s: allow without an expect before it", s->line,
             c->id);
  }
}

static void check_same(const fsp_case *a, const fsp_case *b) {
  FZ_CHECK(fz_streq(a->id, b->id) && fz_streq(a->section, b->section) &&
               fz_streq(a->requirement, b->requirement) && a->role == b->role &&
               a->level == b->level && a->deadline_ms == b->deadline_ms &&
               a->requires == b->requires && a->nsteps == b->nsteps,
           "case %s parsed twice differs in its header fields", a->id);
  for (size_t i = 0; i < a->nsteps; i++) {
    const fsp_step *x = &a->steps[i], *y = &b->steps[i];
    FZ_CHECK(x->kind == y->kind && x->line == y->line && x->id == y->id &&
                 x->type == y->type && x->role == y->role &&
                 x->flags == y->flags && x->chunk == y->chunk &&
                 x->ms == y->ms && x->client == y->client &&
                 x->reply == y->reply && x->nitems == y->nitems &&
                 x->nalts == y->nalts && fz_streq(x->text, y->text),
             "case %s parsed twice differs at line %d", a->id, x->line);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fsp_case a, b;
  char err_a[512], err_b[512];
  int twice = repeats_asked(data, size) <= REPEAT_LIMIT;
  int rc_a = parse(data, size, &a, err_a, sizeof(err_a));
  int rc_b = twice ? parse(data, size, &b, err_b, sizeof(err_b)) : 0;
  FZ_CHECK(!twice || (rc_a == rc_b && fz_streq(err_a, err_b)),
           "parsing twice gave %d '%s', then %d '%s'", rc_a, err_a, rc_b,
           twice ? err_b : "");
  size_t lines = count_lines(data, size);
  if (rc_a) {
    check_error(err_a, lines);
  } else {
    check_case(&a, data, size, lines);
    if (twice)
      check_same(&a, &b);
  }
  case_free(&a);
  if (twice)
    case_free(&b);
  return 0;
}
