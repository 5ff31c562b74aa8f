/* The line format of docs/responder.md ("The echo format"), and the
 * shorter "stdin N" / "data N" sections of the echo apps in
 * scripts/backends. */
#include <string.h>

#include "echo_formats.h"

typedef struct cursor {
  const uint8_t *out;
  size_t len, pos;
  bytebuf *why;
} cursor;

static int fail(cursor *c, size_t at, const char *what) {
  bytebuf_fmt(c->why, "lines: %s at byte %zu", what, at);
  return -1;
}

/* Plain decimal digits, at most max. */
static int decimal(const uint8_t *p, size_t n, uint64_t max, uint64_t *v) {
  if (n == 0 || n > 20)
    return -1;
  *v = 0;
  for (size_t i = 0; i < n; i++) {
    uint64_t d = (uint64_t)(p[i] - '0');
    if (p[i] < '0' || p[i] > '9' || d > max || *v > (max - d) / 10)
      return -1;
    *v = *v * 10 + d;
  }
  return 0;
}

static int hex_digit(uint8_t c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c |= 0x20;
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Undoes the %XX escaping of a param line's name or value. */
static int unescape(cursor *c, const uint8_t *p, size_t n, bytebuf *to) {
  for (size_t i = 0; i < n; i++) {
    size_t at = (size_t)(p + i - c->out);
    if (p[i] == '%') {
      int hi = i + 2 < n ? hex_digit(p[i + 1]) : -1;
      int lo = i + 2 < n ? hex_digit(p[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        return fail(c, at, "bad %XX escape");
      bytebuf_byte(to, (uint8_t)(hi << 4 | lo));
      i += 2;
    } else if (p[i] < 0x21 || p[i] > 0x7e) {
      return fail(c, at, "unescaped byte in a param line");
    } else {
      bytebuf_byte(to, p[i]);
    }
  }
  return 0;
}

static int param_line(cursor *c, const uint8_t *rest, size_t n, echo_view *v) {
  const uint8_t *eq = memchr(rest, '=', n);
  if (!eq)
    return fail(c, (size_t)(rest - c->out), "param line without '='");
  echo_str name = {0}, value = {0};
  size_t nl = (size_t)(eq - rest);
  if (unescape(c, rest, nl, &name.bytes) < 0 ||
      unescape(c, eq + 1, n - nl - 1, &value.bytes) < 0) {
    echo_str_free(&name);
    echo_str_free(&value);
    return -1;
  }
  echo_view_take(v, &name, &value);
  return 0;
}

/* "stdin TOTAL CRC KEPT" or "stdin N" (rest: the fields), then the kept
 * bytes raw and a LF. */
static int stream_section(cursor *c, size_t at, const uint8_t *rest, size_t n,
                          echo_stream *s) {
  if (s->shown)
    return fail(c, at, "second section for the same stream");
  const uint8_t *field[3];
  size_t flen[3], nf = 0, i = 0;
  while (i < n && nf < 3) {
    const uint8_t *sp = memchr(rest + i, ' ', n - i);
    size_t end = sp ? (size_t)(sp - rest) : n;
    field[nf] = rest + i;
    flen[nf++] = end - i;
    i = end + 1;
  }
  uint64_t total, kept, crc = 0;
  if (i < n || (nf != 1 && nf != 3) ||
      decimal(field[0], flen[0], UINT64_MAX, &total) < 0)
    return fail(c, at, "stream line is not 'NAME TOTAL CRC KEPT' or 'NAME N'");
  kept = total;
  if (nf == 3) {
    int ok = flen[1] == 8 && decimal(field[2], flen[2], total, &kept) == 0;
    for (size_t k = 0; ok && k < 8; k++) {
      int d = hex_digit(field[1][k]);
      ok = d >= 0;
      crc = crc << 4 | (uint64_t)(d >= 0 ? d : 0);
    }
    if (!ok)
      return fail(c, at, "bad CRC or KEPT in a stream line");
  }
  if (c->len - c->pos <= kept || c->out[c->pos + kept] != '\n')
    return fail(c, c->pos, "stream bytes not followed by LF");
  echo_stream_set(s, c->out + c->pos, (size_t)kept);
  s->total = total;
  s->crc = (uint32_t)crc;
  s->partial = kept < total;
  c->pos += (size_t)kept + 1;
  return 0;
}

static int word_is(const uint8_t *w, size_t n, const char *s) {
  return strlen(s) == n && !memcmp(w, s, n);
}

static int lines_decode(const echo_hint *h, const uint8_t *out, size_t len,
                        size_t pos, echo_view *v, bytebuf *why) {
  (void)h;
  cursor c = {out, len, pos, why};
  uint64_t said = 0, num;
  int counted = 0;
  for (;;) {
    size_t at = c.pos;
    const uint8_t *line;
    size_t n;
    int lf;
    if (!echo_next_line(out, len, &c.pos, &line, &n, &lf) || !lf)
      return fail(&c, at, "no 'end' line");
    const uint8_t *sp = memchr(line, ' ', n);
    size_t wl = sp ? (size_t)(sp - line) : n;
    const uint8_t *rest = sp ? sp + 1 : line + n;
    size_t rl = sp ? n - wl - 1 : 0;
    int rc = 0;
    if (word_is(line, n, "end"))
      break;
    if (sp && word_is(line, wl, "param")) {
      rc = param_line(&c, rest, rl, v);
    } else if (sp && word_is(line, wl, "stdin")) {
      rc = stream_section(&c, at, rest, rl, &v->in);
    } else if (sp && word_is(line, wl, "data")) {
      rc = stream_section(&c, at, rest, rl, &v->data);
    } else if (sp && word_is(line, wl, "request-id") &&
               decimal(rest, rl, UINT16_MAX, &num) == 0) {
      v->id_shown = 1;
      v->request_id = (uint16_t)num;
    } else if (sp && word_is(line, wl, "role")) {
      v->role = echo_role_of(rest, rl);
    } else if (sp && word_is(line, wl, "params") &&
               decimal(rest, rl, UINT64_MAX, &said) == 0) {
      counted = 1;
    } else if (!(sp && word_is(line, wl, "flags") &&
                 decimal(rest, rl, UINT8_MAX, &num) == 0) &&
               !(sp && word_is(line, wl, "knob-error"))) {
      rc = fail(&c, at, "unknown line");
    }
    if (rc < 0)
      return -1;
  }
  if (c.pos != len)
    return fail(&c, c.pos, "bytes after the 'end' line");
  if (counted && said != echo_view_count(v)) {
    bytebuf_fmt(why, "lines: 'params %llu' but %zu param lines",
                (unsigned long long)said, echo_view_count(v));
    return -1;
  }
  return 0;
}

/* The format describes itself: nothing to learn. */
static int lines_learn(const uint8_t *out, size_t len, size_t pos,
                       const echo_probe *probe, echo_hint *h, bytebuf *why) {
  (void)out, (void)len, (void)pos, (void)probe, (void)h, (void)why;
  return 0;
}

const echo_reader echo_lines_reader = {ECHO_LINES, lines_learn, lines_decode};
