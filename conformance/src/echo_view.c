#include "echo_view.h"

#include <string.h>
#include <strings.h>

#include "echo_formats.h"
#include "fcs/proto.h"
#include "roles.h"

static const char *const format_names[] = {[ECHO_UNKNOWN] = "unknown",
                                           [ECHO_NONE] = "none",
                                           [ECHO_LINES] = "lines",
                                           [ECHO_JSON] = "json",
                                           [ECHO_PRINTENV] = "printenv",
                                           [ECHO_PHP_VAR_DUMP] = "php-var-dump",
                                           [ECHO_PHP_PRINT_R] = "php-print-r"};

/* Most specific first: a looser format could read a stricter one's page
 * only by accident, never the other way round. */
static const echo_reader *const readers[] = {
    &echo_lines_reader, &echo_json_reader, &echo_var_dump_reader,
    &echo_print_r_reader, &echo_printenv_reader};

const char *echo_format_name(echo_format f) {
  return (unsigned)f < sizeof format_names / sizeof format_names[0]
             ? format_names[f]
             : "unknown";
}

echo_format echo_format_parse(const char *name) {
  for (int f = ECHO_NONE; f <= ECHO_PHP_PRINT_R; f++)
    if (strcmp(name, format_names[f]) == 0)
      return (echo_format)f;
  return ECHO_UNKNOWN;
}

int echo_str_is(const echo_str *s, const void *p, size_t n) {
  if (s->bytes.len == n && (n == 0 || !memcmp(s->bytes.p, p, n)))
    return 1;
  return s->has_latin1 && s->latin1.len == n &&
         (n == 0 || !memcmp(s->latin1.p, p, n));
}

static size_t common_prefix(const bytebuf *b, const uint8_t *p, size_t n) {
  size_t i = 0;
  while (i < b->len && i < n && b->p[i] == p[i])
    i++;
  return i;
}

size_t echo_str_common(const echo_str *s, const uint8_t *p, size_t n,
                       size_t *shown_len) {
  size_t best = common_prefix(&s->bytes, p, n);
  *shown_len = s->bytes.len;
  if (s->has_latin1) {
    size_t l = common_prefix(&s->latin1, p, n);
    if (l > best) {
      best = l;
      *shown_len = s->latin1.len;
    }
  }
  return best;
}

void echo_str_free(echo_str *s) {
  bytebuf_free(&s->bytes);
  bytebuf_free(&s->latin1);
  memset(s, 0, sizeof *s);
}

size_t echo_view_count(const echo_view *v) {
  return v->pairs.len / sizeof(echo_pair);
}

const echo_pair *echo_view_pair(const echo_view *v, size_t i) {
  return (const echo_pair *)(const void *)v->pairs.p + i;
}

void echo_view_take(echo_view *v, echo_str *name, echo_str *value) {
  echo_pair pr = {*name, *value};
  bytebuf_add(&v->pairs, &pr, sizeof pr);
  memset(name, 0, sizeof *name);
  memset(value, 0, sizeof *value);
}

echo_pair *echo_view_add(echo_view *v, const void *name, size_t name_len,
                         const void *value, size_t value_len) {
  echo_str n = {0}, val = {0};
  bytebuf_add(&n.bytes, name, name_len);
  bytebuf_add(&val.bytes, value, value_len);
  echo_view_take(v, &n, &val);
  return (echo_pair *)(void *)v->pairs.p + echo_view_count(v) - 1;
}

void echo_stream_set(echo_stream *s, const void *p, size_t n) {
  echo_str_free(&s->bytes);
  bytebuf_add(&s->bytes.bytes, p, n);
  s->shown = 1;
  s->partial = 0;
  s->total = n;
}

uint16_t echo_role_of(const uint8_t *word, size_t n) {
  for (uint16_t r = FCS_RESPONDER; r <= FCS_FILTER; r++)
    if (strlen(role_name(r)) == n &&
        !strncasecmp(role_name(r), (const char *)word, n))
      return r;
  return 0;
}

int echo_next_line(const uint8_t *out, size_t len, size_t *pos,
                   const uint8_t **line, size_t *n, int *terminated) {
  if (*pos >= len)
    return 0;
  const uint8_t *start = out + *pos;
  const uint8_t *lf = memchr(start, '\n', len - *pos);
  *line = start;
  *n = lf ? (size_t)(lf - start) : len - *pos;
  *terminated = lf != NULL;
  *pos += *n + (lf != NULL);
  return 1;
}

void echo_view_free(echo_view *v) {
  for (size_t i = 0; i < echo_view_count(v); i++) {
    echo_pair *p = (echo_pair *)(void *)v->pairs.p + i;
    echo_str_free(&p->name);
    echo_str_free(&p->value);
  }
  bytebuf_free(&v->pairs);
  echo_str_free(&v->in.bytes);
  echo_str_free(&v->data.bytes);
  memset(v, 0, sizeof *v);
}

/* A header line: a field name of visible characters, then ':'. */
static int is_header(const uint8_t *line, size_t n) {
  size_t i = 0;
  while (i < n && line[i] > 0x20 && line[i] < 0x7f && line[i] != ':')
    i++;
  return i > 0 && i < n && line[i] == ':';
}

/* Where the CGI body starts: after the empty line (LF or CRLF) that ends
 * the header lines. */
static int body_start(const uint8_t *out, size_t len, size_t *start,
                      bytebuf *why) {
  size_t pos = 0, at;
  const uint8_t *line;
  size_t n;
  int lf;
  for (int first = 1;; first = 0) {
    at = pos;
    if (!echo_next_line(out, len, &pos, &line, &n, &lf) || !lf) {
      bytebuf_fmt(why, "no empty line ends the CGI headers (%zu bytes)", len);
      return -1;
    }
    if (n > 0 && line[n - 1] == '\r')
      n--;
    if (n == 0)
      break;
    int folded = !first && (line[0] == ' ' || line[0] == '\t');
    if (!folded && !is_header(line, n)) {
      bytebuf_fmt(why, "the line at byte %zu is not a CGI header", at);
      return -1;
    }
  }
  *start = pos;
  return 0;
}

static const echo_reader *reader_of(echo_format f) {
  for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++)
    if (readers[i]->format == f)
      return readers[i];
  return NULL;
}

static int shows_marker(const echo_view *v, const echo_probe *probe) {
  size_t nl = strlen(probe->marker_name), vl = strlen(probe->marker_value);
  for (size_t i = 0; i < echo_view_count(v); i++) {
    const echo_pair *p = echo_view_pair(v, i);
    if (echo_str_is(&p->name, probe->marker_name, nl) &&
        echo_str_is(&p->value, probe->marker_value, vl))
      return 1;
  }
  return 0;
}

echo_format echo_learn(const uint8_t *out, size_t len, const echo_probe *probe,
                       echo_hint *hint, bytebuf *why) {
  memset(hint, 0, sizeof *hint);
  hint->format = ECHO_NONE;
  size_t start;
  if (body_start(out, len, &start, why) < 0)
    return ECHO_NONE;
  for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) {
    const echo_reader *r = readers[i];
    echo_hint h;
    memset(&h, 0, sizeof h);
    h.format = r->format;
    echo_view v = {0};
    bytebuf e = {0};
    int found = r->learn(out, len, start, probe, &h, &e) == 0 &&
                r->decode(&h, out, len, start, &v, &e) == 0 &&
                shows_marker(&v, probe);
    if (found) {
      h.body_shown = v.in.shown;
      h.data_shown = v.data.shown;
      *hint = h;
    } else if (e.len == 0) {
      bytebuf_fmt(&e, "%s: no param %s=%s", echo_format_name(r->format),
                  probe->marker_name, probe->marker_value);
    }
    if (i)
      bytebuf_str(why, "; ");
    if (found)
      bytebuf_fmt(why, "%s: marker found", echo_format_name(r->format));
    else
      bytebuf_add(why, e.p, e.len);
    bytebuf_free(&e);
    echo_view_free(&v);
    if (found)
      return hint->format;
  }
  return ECHO_NONE;
}

int echo_decode(const echo_hint *hint, const uint8_t *out, size_t len,
                echo_view *v, bytebuf *why) {
  memset(v, 0, sizeof *v);
  v->format = hint->format;
  if (hint->format == ECHO_NONE)
    return 0;
  const echo_reader *r = reader_of(hint->format);
  if (!r) {
    bytebuf_fmt(why, "cannot decode format %s", echo_format_name(hint->format));
    return -1;
  }
  size_t start;
  if (body_start(out, len, &start, why) < 0)
    return -1;
  return r->decode(hint, out, len, start, v, why);
}

static void describe_path(const echo_path *p, bytebuf *out) {
  if (p->depth == 0)
    bytebuf_str(out, "the top");
  for (uint8_t i = 0; i < p->depth; i++)
    bytebuf_fmt(out, ".%s", p->keys[i]);
}

void echo_hint_describe(const echo_hint *h, bytebuf *out) {
  bytebuf_str(out, echo_format_name(h->format));
  if (h->format == ECHO_JSON) {
    bytebuf_str(out, ", params at ");
    describe_path(&h->params, out);
  }
  const char *names[2] = {"body", "data"};
  const uint8_t shown[2] = {h->body_shown, h->data_shown};
  const echo_path *paths[2] = {&h->body, &h->data};
  const uint8_t index[2] = {h->body_index, h->data_index};
  for (int i = 0; i < 2; i++) {
    if (!shown[i]) {
      if (h->format != ECHO_NONE)
        bytebuf_fmt(out, ", %s not shown", names[i]);
      continue;
    }
    bytebuf_fmt(out, ", %s ", names[i]);
    if (h->format == ECHO_JSON) {
      bytebuf_str(out, "at ");
      describe_path(paths[i], out);
    } else if (h->format == ECHO_PHP_VAR_DUMP) {
      bytebuf_fmt(out, "in string %u after the array", (unsigned)index[i]);
    } else {
      bytebuf_str(out, "shown");
    }
  }
}
