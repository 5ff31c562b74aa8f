#include "tokens.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Cap on one expanded item, so a typo like "a"*99999999999 fails clearly. */
#define MAX_ITEM_BYTES (16u << 20)

int parse_number(const char *s, unsigned long max, unsigned long *out) {
  if (!s || !*s || *s == '-' || *s == '+')
    return -1;
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 0);
  if (errno || *end || v > max)
    return -1;
  *out = v;
  return 0;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c = tolower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int unescape(const char **pp, bytebuf *out, char *err, size_t errlen,
                    int col) {
  const char *p = *pp;
  switch (*p) {
  case 'n':
    bytebuf_byte(out, '\n');
    break;
  case 'r':
    bytebuf_byte(out, '\r');
    break;
  case 't':
    bytebuf_byte(out, '\t');
    break;
  case '0':
    bytebuf_byte(out, 0);
    break;
  case '\\':
    bytebuf_byte(out, '\\');
    break;
  case '"':
    bytebuf_byte(out, '"');
    break;
  case 'x':
    if (hexval(p[1]) < 0 || hexval(p[2]) < 0) {
      snprintf(err, errlen, "column %d: \\x needs two hex digits", col);
      return -1;
    }
    bytebuf_byte(out, (uint8_t)(hexval(p[1]) * 16 + hexval(p[2])));
    p += 2;
    break;
  default:
    snprintf(err, errlen, "column %d: unknown escape \\%c", col, *p);
    return -1;
  }
  *pp = p + 1;
  return 0;
}

static int read_repeat(const char **pp, fsp_tok *t, char *err, size_t errlen) {
  const char *p = *pp;
  t->repeat = 1;
  if (*p != '*')
    return 0;
  p++;
  char num[32];
  size_t n = 0;
  while (*p && !isspace((unsigned char)*p) && *p != '+' && n < sizeof(num) - 1)
    num[n++] = *p++;
  num[n] = 0;
  if (parse_number(num, MAX_ITEM_BYTES, &t->repeat) || t->repeat == 0) {
    snprintf(err, errlen, "column %d: bad repeat count '*%s'", t->col, num);
    return -1;
  }
  *pp = p;
  return 0;
}

/* One piece: a quoted string or a word, with its *N repeat. */
static int parse_piece(const char *line, const char **pp, fsp_tok *t, char *err,
                       size_t errlen) {
  const char *p = *pp;
  t->col = (int)(p - line) + 1;
  if (*p == '"') {
    t->quoted = 1;
    p++;
    while (*p && *p != '"') {
      if (*p == '\\') {
        p++;
        if (unescape(&p, &t->text, err, errlen, t->col))
          return -1;
      } else {
        bytebuf_byte(&t->text, (uint8_t)*p++);
      }
    }
    if (*p != '"') {
      snprintf(err, errlen, "column %d: unterminated string", t->col);
      return -1;
    }
    p++;
  } else {
    const char *start = p;
    while (*p && !isspace((unsigned char)*p) && *p != '*' && *p != '+')
      p++;
    t->word = xmalloc((size_t)(p - start) + 1);
    memcpy(t->word, start, (size_t)(p - start));
    t->word[p - start] = 0;
  }
  if (read_repeat(&p, t, err, errlen))
    return -1;
  *pp = p;
  return 0;
}

int toks_split(const char *line, fsp_toks *out, char *err, size_t errlen) {
  memset(out, 0, sizeof(*out));
  const char *p = line;
  for (;;) {
    while (*p && isspace((unsigned char)*p))
      p++;
    if (!*p)
      return 0;
    out->v = xrealloc(out->v, (out->n + 1) * sizeof(fsp_tok));
    fsp_tok *t = &out->v[out->n++];
    memset(t, 0, sizeof(*t));
    if (parse_piece(line, &p, t, err, errlen))
      return -1;
    for (fsp_tok *last = t; *p == '+';) {
      p++;
      last->next = xcalloc(1, sizeof(fsp_tok));
      last = last->next;
      if (parse_piece(line, &p, last, err, errlen))
        return -1;
    }
    if (*p && !isspace((unsigned char)*p)) {
      snprintf(err, errlen, "column %d: unexpected '%c' after token", t->col,
               *p);
      return -1;
    }
  }
}

static void tok_free(fsp_tok *t) {
  free(t->word);
  bytebuf_free(&t->text);
  if (t->next) {
    tok_free(t->next);
    free(t->next);
  }
}

void toks_free(fsp_toks *t) {
  for (size_t i = 0; i < t->n; i++)
    tok_free(&t->v[i]);
  free(t->v);
  memset(t, 0, sizeof(*t));
}

static int is_hex_run(const char *w) {
  size_t n = strlen(w);
  if (n == 0 || n % 2)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (hexval(w[i]) < 0)
      return 0;
  return 1;
}

int tok_is_bytes(const fsp_tok *t) {
  for (; t; t = t->next)
    if (!t->quoted && !is_hex_run(t->word))
      return 0;
  return 1;
}

static int piece_bytes(const fsp_tok *t, bytebuf *out, char *err,
                       size_t errlen) {
  bytebuf one = {0};
  if (t->quoted) {
    bytebuf_add(&one, t->text.p, t->text.len);
  } else if (is_hex_run(t->word)) {
    for (const char *w = t->word; *w; w += 2)
      bytebuf_byte(&one, (uint8_t)(hexval(w[0]) * 16 + hexval(w[1])));
  } else {
    snprintf(err, errlen,
             "column %d: '%s' is not a byte item (hex pairs or \"text\")",
             t->col, t->word);
    return -1;
  }
  if (one.len * t->repeat > MAX_ITEM_BYTES) {
    snprintf(err, errlen, "column %d: item expands past %u bytes", t->col,
             MAX_ITEM_BYTES);
    bytebuf_free(&one);
    return -1;
  }
  /* The first copy, then what is written so far doubled until the total:
   * "z"*199990 takes 18 copies, not 199990. */
  size_t total = one.len * t->repeat;
  if (total) { /* an empty buffer has no memory yet */
    bytebuf_reserve(out, total);
    uint8_t *dst = out->p + out->len;
    memcpy(dst, one.p, one.len);
    for (size_t have = one.len; have < total;) {
      size_t n = have < total - have ? have : total - have;
      memcpy(dst + have, dst, n);
      have += n;
    }
    out->len += total;
  }
  bytebuf_free(&one);
  return 0;
}

int tok_bytes(const fsp_tok *t, bytebuf *out, char *err, size_t errlen) {
  for (; t; t = t->next)
    if (piece_bytes(t, out, err, errlen))
      return -1;
  return 0;
}

int tok_option(const fsp_tok *t, const char *key, const char **value) {
  if (t->quoted || t->next)
    return 0;
  size_t k = strlen(key);
  if (strncmp(t->word, key, k) || t->word[k] != '=')
    return 0;
  *value = t->word + k + 1;
  return 1;
}
