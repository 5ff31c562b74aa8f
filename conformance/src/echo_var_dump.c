/* PHP var_dump($_SERVER): "array(N) {\n", per param "  [\"NAME\"]=>\n"
 * (or "  [123]=>\n" for a numeric name) and "  string(L) \"VALUE\"\n",
 * then "}\n". L gives a value's exact length, so values holding quotes or
 * LFs read exactly. The body, when shown, is one of the strings dumped
 * after the array ("string(L) \"...\"\n"); the probe tells which. */
#include <string.h>

#include "echo_formats.h"

/* How deep nested arrays may go (PHP's $_SERVER has none of its own). */
#define VAR_DUMP_MAX_DEPTH 16

typedef struct cursor {
  const uint8_t *out;
  size_t len, pos;
  bytebuf *why;
} cursor;

static int fail(cursor *c, const char *what) {
  bytebuf_fmt(c->why, "php-var-dump: %s at byte %zu", what, c->pos);
  return -1;
}

static int take(cursor *c, const char *lit) {
  size_t n = strlen(lit);
  if (c->len - c->pos < n || memcmp(c->out + c->pos, lit, n))
    return 0;
  c->pos += n;
  return 1;
}

static int expect(cursor *c, const char *lit) {
  if (take(c, lit))
    return 0;
  bytebuf_str(c->why, "php-var-dump: expected \"");
  for (const char *p = lit; *p; p++)
    bytebuf_str(c->why, *p == '\n' ? "\\n" : (char[]){*p, 0});
  bytebuf_fmt(c->why, "\" at byte %zu", c->pos);
  return -1;
}

static int indent(cursor *c, int spaces) {
  for (int i = 0; i < spaces; i++)
    if (!take(c, " "))
      return fail(c, "expected indentation");
  return 0;
}

/* The bytes up to the first occurrence of stop, which is consumed. */
static int until(cursor *c, const char *stop, const uint8_t **p, size_t *n) {
  size_t sl = strlen(stop);
  for (size_t i = c->pos; i + sl <= c->len; i++)
    if (!memcmp(c->out + i, stop, sl)) {
      *p = c->out + c->pos;
      *n = i - c->pos;
      c->pos = i + sl;
      return 0;
    }
  return fail(c, "unterminated line");
}

static int count(cursor *c, const char *close, uint64_t *v) {
  size_t start = c->pos;
  *v = 0;
  while (c->pos < c->len && c->out[c->pos] >= '0' && c->out[c->pos] <= '9' &&
         *v < (UINT64_MAX - 9) / 10)
    *v = *v * 10 + (uint64_t)(c->out[c->pos++] - '0');
  if (c->pos == start)
    return fail(c, "expected a number");
  return expect(c, close);
}

/* "string(L) \"" L bytes "\"\n" (the "string(" already taken). */
static int string_value(cursor *c, echo_str *to) {
  uint64_t n;
  if (count(c, ") \"", &n) < 0)
    return -1;
  if (c->len - c->pos < n)
    return fail(c, "string shorter than its length");
  bytebuf_add(&to->bytes, c->out + c->pos, (size_t)n);
  c->pos += (size_t)n;
  return expect(c, "\"\n");
}

static int array_entries(cursor *c, int depth, uint64_t n, echo_view *v);

/* One value at depth (its indentation already taken). Strings, ints and
 * floats keep their text; booleans, NULL and arrays are not comparable. */
static int value(cursor *c, int depth, echo_str *to) {
  const uint8_t *p;
  size_t n;
  uint64_t entries;
  if (take(c, "string("))
    return string_value(c, to);
  if (take(c, "int(") || take(c, "float(")) {
    if (until(c, ")\n", &p, &n) < 0)
      return -1;
    bytebuf_add(&to->bytes, p, n);
    return 0;
  }
  to->inexact = 1;
  if (take(c, "bool(true)\n") || take(c, "bool(false)\n") || take(c, "NULL\n"))
    return 0;
  if (!take(c, "array("))
    return fail(c, "unknown value");
  if (depth >= VAR_DUMP_MAX_DEPTH)
    return fail(c, "arrays nested too deep");
  if (count(c, ") {\n", &entries) < 0 ||
      array_entries(c, depth + 1, entries, NULL) < 0 ||
      indent(c, 2 * depth) < 0)
    return -1;
  return expect(c, "}\n");
}

/* n entries at depth; the params go into v (NULL for a nested array). */
static int array_entries(cursor *c, int depth, uint64_t n, echo_view *v) {
  for (uint64_t i = 0; i < n; i++) {
    echo_str name = {0}, val = {0};
    const uint8_t *p;
    size_t len;
    int rc = indent(c, 2 * depth);
    if (rc == 0)
      rc = expect(c, "[");
    if (rc == 0) {
      const char *stop = take(c, "\"") ? "\"]=>\n" : "]=>\n";
      rc = until(c, stop, &p, &len);
    }
    if (rc == 0) {
      bytebuf_add(&name.bytes, p, len);
      rc = indent(c, 2 * depth);
    }
    if (rc == 0)
      rc = value(c, depth, &val);
    if (rc == 0 && v) {
      echo_view_take(v, &name, &val);
    } else {
      echo_str_free(&name);
      echo_str_free(&val);
    }
    if (rc < 0)
      return -1;
  }
  return 0;
}

/* The array, then the strings dumped after it (as many as there are). */
static int read_dump(cursor *c, echo_view *v, bytebuf *after) {
  uint64_t n;
  if (expect(c, "array(") < 0 || count(c, ") {\n", &n) < 0 ||
      array_entries(c, 1, n, v) < 0 || expect(c, "}\n") < 0)
    return -1;
  for (;;) {
    cursor look = *c;
    echo_str s = {0};
    if (!take(&look, "string(") || string_value(&look, &s) < 0) {
      echo_str_free(&s);
      return 0;
    }
    bytebuf_add(after, &s, sizeof s);
    *c = look;
  }
}

static void free_strings(bytebuf *after) {
  echo_str *s = (echo_str *)(void *)after->p;
  for (size_t i = 0; i < after->len / sizeof *s; i++)
    echo_str_free(&s[i]);
  bytebuf_free(after);
}

/* The index of the first string after the array that is the n bytes at p;
 * 0 when none is. */
static int find(const bytebuf *after, const uint8_t *p, size_t n,
                uint8_t *index) {
  const echo_str *s = (const echo_str *)(const void *)after->p;
  for (size_t i = 0; n && i < after->len / sizeof *s && i <= UINT8_MAX; i++)
    if (echo_str_is(&s[i], p, n)) {
      *index = (uint8_t)i;
      return 1;
    }
  return 0;
}

static int var_dump_learn(const uint8_t *out, size_t len, size_t pos,
                          const echo_probe *probe, echo_hint *h, bytebuf *why) {
  bytebuf after = {0};
  cursor c = {out, len, pos, why};
  echo_view v = {0};
  int rc = read_dump(&c, &v, &after);
  echo_view_free(&v);
  if (rc == 0) {
    h->body_shown =
        (uint8_t)find(&after, probe->body, probe->body_len, &h->body_index);
    h->data_shown =
        (uint8_t)find(&after, probe->data, probe->data_len, &h->data_index);
  }
  free_strings(&after);
  return rc;
}

static void shown_string(const bytebuf *after, uint8_t shown, uint8_t index,
                         echo_stream *s) {
  const echo_str *str = (const echo_str *)(const void *)after->p;
  if (shown && index < after->len / sizeof *str)
    echo_stream_set(s, str[index].bytes.p, str[index].bytes.len);
}

static int var_dump_decode(const echo_hint *h, const uint8_t *out, size_t len,
                           size_t pos, echo_view *v, bytebuf *why) {
  cursor c = {out, len, pos, why};
  bytebuf after = {0};
  int rc = read_dump(&c, v, &after);
  if (rc == 0) {
    shown_string(&after, h->body_shown, h->body_index, &v->in);
    shown_string(&after, h->data_shown, h->data_index, &v->data);
  }
  free_strings(&after);
  return rc;
}

const echo_reader echo_var_dump_reader = {ECHO_PHP_VAR_DUMP, var_dump_learn,
                                          var_dump_decode};
