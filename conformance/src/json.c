#include "json.h"

#include <string.h>

typedef struct parser {
  const uint8_t *p;
  size_t len, pos;
  bytebuf *why;
} parser;

static int fail(parser *ps, size_t at, const char *what) {
  bytebuf_fmt(ps->why, "json: %s at byte %zu", what, at);
  return -1;
}

static void skip_space(parser *ps) {
  while (ps->pos < ps->len) {
    uint8_t c = ps->p[ps->pos];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
      return;
    ps->pos++;
  }
}

/* Appends one code point to both readings of s; *latin1_ok drops to 0 for
 * a code point the one-byte reading cannot hold. */
static void put_code_point(echo_str *s, uint32_t cp, int *latin1_ok) {
  uint8_t u[4];
  size_t n;
  if (cp < 0x80) {
    u[0] = (uint8_t)cp;
    n = 1;
  } else if (cp < 0x800) {
    u[0] = (uint8_t)(0xc0 | cp >> 6);
    u[1] = (uint8_t)(0x80 | (cp & 0x3f));
    n = 2;
  } else if (cp < 0x10000) {
    u[0] = (uint8_t)(0xe0 | cp >> 12);
    u[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
    u[2] = (uint8_t)(0x80 | (cp & 0x3f));
    n = 3;
  } else {
    u[0] = (uint8_t)(0xf0 | cp >> 18);
    u[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
    u[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
    u[3] = (uint8_t)(0x80 | (cp & 0x3f));
    n = 4;
  }
  bytebuf_add(&s->bytes, u, n);
  if (cp < 0x100)
    bytebuf_byte(&s->latin1, (uint8_t)cp);
  else
    *latin1_ok = 0;
  if (cp == 0xfffd) /* what encoders write for bytes they could not read */
    s->inexact = 1;
}

/* One UTF-8 sequence of the raw text, validated (no overlong forms, no
 * surrogates, nothing past U+10FFFF). */
static int read_utf8(parser *ps, uint32_t *cp) {
  size_t at = ps->pos;
  uint8_t c = ps->p[at];
  size_t n;
  uint32_t min;
  if (c < 0x80) {
    *cp = c;
    ps->pos++;
    return 0;
  } else if (c >= 0xc2 && c <= 0xdf) {
    n = 2, min = 0x80, *cp = c & 0x1fu;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3, min = 0x800, *cp = c & 0x0fu;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4, min = 0x10000, *cp = c & 0x07u;
  } else {
    return fail(ps, at, "invalid UTF-8");
  }
  if (ps->len - at < n)
    return fail(ps, at, "invalid UTF-8");
  for (size_t i = 1; i < n; i++) {
    uint8_t k = ps->p[at + i];
    if ((k & 0xc0) != 0x80)
      return fail(ps, at, "invalid UTF-8");
    *cp = *cp << 6 | (k & 0x3fu);
  }
  if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
    return fail(ps, at, "invalid UTF-8");
  ps->pos += n;
  return 0;
}

/* Four hex digits after "\u". */
static int read_hex4(parser *ps, uint32_t *v) {
  if (ps->len - ps->pos < 4)
    return fail(ps, ps->pos, "\\u needs four hex digits");
  *v = 0;
  for (int i = 0; i < 4; i++) {
    uint8_t c = ps->p[ps->pos + (size_t)i];
    uint32_t d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
      d = (uint32_t)(c | 0x20) - 'a' + 10;
    else
      return fail(ps, ps->pos + (size_t)i, "\\u needs four hex digits");
    *v = *v << 4 | d;
  }
  ps->pos += 4;
  return 0;
}

/* The code point of a \u escape (ps->pos just after "\u"), joining a
 * surrogate pair. A lone surrogate stands for bytes the encoder could not
 * read: it becomes U+FFFD and marks the string inexact. */
static int read_escaped_code_point(parser *ps, echo_str *s, uint32_t *cp) {
  if (read_hex4(ps, cp) < 0)
    return -1;
  if (*cp >= 0xd800 && *cp <= 0xdbff && ps->len - ps->pos >= 6 &&
      ps->p[ps->pos] == '\\' && ps->p[ps->pos + 1] == 'u') {
    parser look = *ps;
    look.pos += 2;
    uint32_t low;
    if (read_hex4(&look, &low) < 0)
      return -1;
    if (low >= 0xdc00 && low <= 0xdfff) {
      *cp = 0x10000 + ((*cp - 0xd800) << 10) + (low - 0xdc00);
      ps->pos = look.pos;
      return 0;
    }
  }
  if (*cp >= 0xd800 && *cp <= 0xdfff) {
    *cp = 0xfffd;
    s->inexact = 1;
  }
  return 0;
}

static int parse_string(parser *ps, echo_str *s) {
  size_t start = ps->pos++; /* the opening quote */
  int latin1_ok = 1;
  for (;;) {
    if (ps->pos >= ps->len)
      return fail(ps, start, "unterminated string");
    uint8_t c = ps->p[ps->pos];
    uint32_t cp;
    if (c == '"') {
      ps->pos++;
      break;
    }
    if (c < 0x20)
      return fail(ps, ps->pos, "control character in a string");
    if (c != '\\') {
      if (read_utf8(ps, &cp) < 0)
        return -1;
      put_code_point(s, cp, &latin1_ok);
      continue;
    }
    if (ps->pos + 1 >= ps->len)
      return fail(ps, start, "unterminated string");
    uint8_t e = ps->p[ps->pos + 1];
    ps->pos += 2;
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *hit = e ? strchr(from, e) : NULL;
    if (hit) {
      cp = (uint8_t)to[hit - from];
    } else if (e == 'u') {
      if (read_escaped_code_point(ps, s, &cp) < 0)
        return -1;
    } else {
      return fail(ps, ps->pos - 2, "unknown escape");
    }
    put_code_point(s, cp, &latin1_ok);
  }
  s->has_latin1 = (uint8_t)latin1_ok;
  if (!latin1_ok)
    bytebuf_free(&s->latin1);
  return 0;
}

static size_t skip_digits(parser *ps) {
  size_t n = 0;
  while (ps->pos < ps->len && ps->p[ps->pos] >= '0' && ps->p[ps->pos] <= '9')
    ps->pos++, n++;
  return n;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, kept as its text. */
static int parse_number(parser *ps, json_value *v) {
  size_t start = ps->pos;
  if (ps->p[ps->pos] == '-')
    ps->pos++;
  if (ps->pos < ps->len && ps->p[ps->pos] == '0')
    ps->pos++;
  else if (!skip_digits(ps))
    return fail(ps, start, "bad number");
  if (ps->pos < ps->len && ps->p[ps->pos] == '.') {
    ps->pos++;
    if (!skip_digits(ps))
      return fail(ps, start, "bad number");
  }
  if (ps->pos < ps->len && (ps->p[ps->pos] | 0x20) == 'e') {
    ps->pos++;
    if (ps->pos < ps->len && (ps->p[ps->pos] == '+' || ps->p[ps->pos] == '-'))
      ps->pos++;
    if (!skip_digits(ps))
      return fail(ps, start, "bad number");
  }
  v->type = JSON_NUMBER;
  bytebuf_add(&v->text.bytes, ps->p + start, ps->pos - start);
  return 0;
}

static int parse_word(parser *ps, json_value *v) {
  static const struct {
    const char *word;
    json_type type;
  } words[] = {{"true", JSON_BOOL}, {"false", JSON_BOOL}, {"null", JSON_NULL}};
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
    size_t n = strlen(words[i].word);
    if (ps->len - ps->pos >= n && !memcmp(ps->p + ps->pos, words[i].word, n)) {
      v->type = words[i].type;
      bytebuf_add(&v->text.bytes, words[i].word, n);
      ps->pos += n;
      return 0;
    }
  }
  return fail(ps, ps->pos, "unexpected character");
}

static int parse_value(parser *ps, json_value *v, int depth);

/* An array or an object; ps->pos at its opening bracket. */
static int parse_members(parser *ps, json_value *v, int depth) {
  int object = ps->p[ps->pos] == '{';
  uint8_t close = object ? '}' : ']';
  v->type = object ? JSON_OBJECT : JSON_ARRAY;
  if (depth >= JSON_MAX_DEPTH)
    return fail(ps, ps->pos, "nesting too deep");
  ps->pos++;
  skip_space(ps);
  if (ps->pos < ps->len && ps->p[ps->pos] == close) {
    ps->pos++;
    return 0;
  }
  for (;;) {
    json_member m;
    memset(&m, 0, sizeof m);
    int rc = 0;
    if (object) {
      skip_space(ps);
      if (ps->pos >= ps->len || ps->p[ps->pos] != '"')
        rc = fail(ps, ps->pos, "expected a key");
      else
        rc = parse_string(ps, &m.key);
      skip_space(ps);
      if (rc == 0 && (ps->pos >= ps->len || ps->p[ps->pos] != ':'))
        rc = fail(ps, ps->pos, "expected ':'");
      else if (rc == 0)
        ps->pos++;
    }
    if (rc == 0)
      rc = parse_value(ps, &m.value, depth + 1);
    if (rc < 0) {
      echo_str_free(&m.key);
      json_free(&m.value);
      return -1;
    }
    bytebuf_add(&v->members, &m, sizeof m);
    skip_space(ps);
    if (ps->pos >= ps->len)
      return fail(ps, ps->pos,
                  object ? "unterminated object" : "unterminated array");
    uint8_t c = ps->p[ps->pos++];
    if (c == close)
      return 0;
    if (c != ',')
      return fail(ps, ps->pos - 1,
                  object ? "expected ',' or '}'" : "expected ',' or ']'");
  }
}

static int parse_value(parser *ps, json_value *v, int depth) {
  memset(v, 0, sizeof *v);
  skip_space(ps);
  v->offset = ps->pos;
  if (ps->pos >= ps->len)
    return fail(ps, ps->pos, "expected a value");
  uint8_t c = ps->p[ps->pos];
  if (c == '{' || c == '[')
    return parse_members(ps, v, depth);
  if (c == '"') {
    v->type = JSON_STRING;
    return parse_string(ps, &v->text);
  }
  if (c == '-' || (c >= '0' && c <= '9'))
    return parse_number(ps, v);
  return parse_word(ps, v);
}

int json_parse(const uint8_t *text, size_t len, size_t *pos, json_value *v,
               bytebuf *why) {
  parser ps = {text, len, *pos, why};
  int rc = parse_value(&ps, v, 0);
  *pos = ps.pos;
  return rc;
}

size_t json_count(const json_value *v) {
  return v->members.len / sizeof(json_member);
}

const json_member *json_member_at(const json_value *v, size_t i) {
  return (const json_member *)(const void *)v->members.p + i;
}

void json_free(json_value *v) {
  for (size_t i = 0; i < json_count(v); i++) {
    json_member *m = (json_member *)(void *)v->members.p + i;
    echo_str_free(&m->key);
    json_free(&m->value);
  }
  bytebuf_free(&v->members);
  echo_str_free(&v->text);
}

const json_value *json_get(const json_value *obj, const char *key) {
  if (obj->type != JSON_OBJECT)
    return NULL;
  size_t n = strlen(key);
  for (size_t i = 0; i < json_count(obj); i++) {
    const json_member *m = json_member_at(obj, i);
    if (m->key.bytes.len == n && !memcmp(m->key.bytes.p, key, n))
      return &m->value;
  }
  return NULL;
}
