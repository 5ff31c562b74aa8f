/* Listings of one param per line with raw bytes: printenv's NAME=VALUE
 * lines, and PHP print_r's "    [NAME] => VALUE" lines inside
 * "Array\n(\n" ... ")\n". A line that does not start a param continues the
 * previous value (joined with LF): that is how both show a value holding
 * a LF. The listing ends at an empty line (printenv) or a line ")"
 * (print_r); what follows is the body when the probe showed it there. */
#include <string.h>

#include "echo_formats.h"

typedef struct listing {
  const char *format; /* for messages */
  const char *head;   /* must open the body */
  /* 1 when the line starts a param: where its name starts, its length,
   * and where its value starts. */
  int (*entry)(const uint8_t *line, size_t n, size_t *name_at, size_t *name_len,
               size_t *value_at);
  const char *end_line; /* the line that ends the listing */
} listing;

static int name_byte(uint8_t c, int first) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
         (!first && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
}

/* NAME=VALUE with a plausible variable name: a letter or '_', then
 * letters, digits, '_', '-', '.'. */
static int printenv_entry(const uint8_t *line, size_t n, size_t *name_at,
                          size_t *name_len, size_t *value_at) {
  size_t i = 0;
  while (i < n && name_byte(line[i], i == 0))
    i++;
  if (i == 0 || i == n || line[i] != '=')
    return 0;
  *name_at = 0;
  *name_len = i;
  *value_at = i + 1;
  return 1;
}

/* "    [NAME] => VALUE"; the name runs to the first "] => ". */
static int print_r_entry(const uint8_t *line, size_t n, size_t *name_at,
                         size_t *name_len, size_t *value_at) {
  static const char open[] = "    [", close[] = "] => ";
  if (n < 10 || memcmp(line, open, 5))
    return 0;
  for (size_t i = 5; i + 5 <= n; i++)
    if (!memcmp(line + i, close, 5)) {
      *name_at = 5;
      *name_len = i - 5;
      *value_at = i + 5;
      return 1;
    }
  return 0;
}

static const listing printenv_listing = {"printenv", "", printenv_entry, ""};
static const listing print_r_listing = {"php-print-r", "Array\n(\n",
                                        print_r_entry, ")"};

/* Reads the params into v; *rest gets where the bytes after the listing
 * start (len when it has no end line). */
static int read_listing(const listing *l, const uint8_t *out, size_t len,
                        size_t pos, echo_view *v, size_t *rest, bytebuf *why) {
  size_t hl = strlen(l->head);
  if (len - pos < hl || memcmp(out + pos, l->head, hl)) {
    bytebuf_fmt(why,
                "%s: the body does not start with \"Array\" and \"(\" lines "
                "at byte %zu",
                l->format, pos);
    return -1;
  }
  pos += hl;
  echo_pair *last = NULL;
  size_t el = strlen(l->end_line);
  for (;;) {
    size_t at = pos, name_at, value_at, nl;
    const uint8_t *line;
    size_t n;
    int lf;
    if (!echo_next_line(out, len, &pos, &line, &n, &lf)) {
      *rest = len;
      return 0;
    }
    if (n == el && !memcmp(line, l->end_line, el)) {
      *rest = pos;
      return 0;
    }
    if (l->entry(line, n, &name_at, &nl, &value_at)) {
      last =
          echo_view_add(v, line + name_at, nl, line + value_at, n - value_at);
    } else if (last) {
      bytebuf_byte(&last->value.bytes, '\n');
      bytebuf_add(&last->value.bytes, line, n);
    } else {
      bytebuf_fmt(why, "%s: the line at byte %zu is not a param", l->format,
                  at);
      return -1;
    }
  }
}

static int listing_learn(const listing *l, const uint8_t *out, size_t len,
                         size_t pos, const echo_probe *probe, echo_hint *h,
                         bytebuf *why) {
  echo_view v = {0};
  size_t rest;
  int rc = read_listing(l, out, len, pos, &v, &rest, why);
  echo_view_free(&v);
  h->body_shown = rc == 0 && probe->body_len > 0 &&
                  len - rest == probe->body_len &&
                  !memcmp(out + rest, probe->body, probe->body_len);
  return rc;
}

static int listing_decode(const listing *l, const echo_hint *h,
                          const uint8_t *out, size_t len, size_t pos,
                          echo_view *v, bytebuf *why) {
  size_t rest;
  if (read_listing(l, out, len, pos, v, &rest, why) < 0)
    return -1;
  if (h->body_shown)
    echo_stream_set(&v->in, out + rest, len - rest);
  return 0;
}

static int printenv_learn(const uint8_t *out, size_t len, size_t pos,
                          const echo_probe *probe, echo_hint *h, bytebuf *why) {
  return listing_learn(&printenv_listing, out, len, pos, probe, h, why);
}

static int printenv_decode(const echo_hint *h, const uint8_t *out, size_t len,
                           size_t pos, echo_view *v, bytebuf *why) {
  return listing_decode(&printenv_listing, h, out, len, pos, v, why);
}

static int print_r_learn(const uint8_t *out, size_t len, size_t pos,
                         const echo_probe *probe, echo_hint *h, bytebuf *why) {
  return listing_learn(&print_r_listing, out, len, pos, probe, h, why);
}

static int print_r_decode(const echo_hint *h, const uint8_t *out, size_t len,
                          size_t pos, echo_view *v, bytebuf *why) {
  return listing_decode(&print_r_listing, h, out, len, pos, v, why);
}

const echo_reader echo_printenv_reader = {ECHO_PRINTENV, printenv_learn,
                                          printenv_decode};
const echo_reader echo_print_r_reader = {ECHO_PHP_PRINT_R, print_r_learn,
                                         print_r_decode};
