#include "produce.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcs/fcs.h"
#include "xalloc.h"

void params_set(fsp_params *p, const char *name, const char *value) {
  for (size_t i = 0; i < p->n; i++)
    if (strcmp(p->names[i], name) == 0) {
      free(p->values[i]);
      p->values[i] = xstrdup(value);
      return;
    }
  p->names = xrealloc(p->names, (p->n + 1) * sizeof(char *));
  p->values = xrealloc(p->values, (p->n + 1) * sizeof(char *));
  p->names[p->n] = xstrdup(name);
  p->values[p->n++] = xstrdup(value);
}

void params_defaults(fsp_params *p) {
  static const char *defs[][2] = {
      {"GATEWAY_INTERFACE", "CGI/1.1"},
      {"SERVER_PROTOCOL", "HTTP/1.1"},
      {"REQUEST_METHOD", "GET"},
      {"REQUEST_URI", "/fcgispec"},
      {"SCRIPT_NAME", "/fcgispec"},
      {"SCRIPT_FILENAME", "/fcgispec"},
      {"QUERY_STRING", ""},
      {"SERVER_NAME", "localhost"},
      {"SERVER_PORT", "80"},
      {"REMOTE_ADDR", "127.0.0.1"},
      {"REMOTE_PORT", "40000"},
      {"SERVER_SOFTWARE", "fcgispec"},
  };
  for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
    params_set(p, defs[i][0], defs[i][1]);
}

void params_free(fsp_params *p) {
  for (size_t i = 0; i < p->n; i++) {
    free(p->names[i]);
    free(p->values[i]);
  }
  free(p->names);
  free(p->values);
  memset(p, 0, sizeof(*p));
}

static long opt(long v, long dflt) { return v < 0 ? dflt : v; }

void produce_record(bytebuf *out, const fsp_rec_opts *o, uint8_t type,
                    uint16_t id, const uint8_t *content, size_t clen) {
  fcs_header h = {
      .version = (uint8_t)opt(o->version, FCS_VERSION_1),
      .type = type,
      .request_id = id,
      .content_length = (uint16_t)opt(o->clen, (long)clen),
      .padding_length = (uint8_t)opt(o->pad, 0),
      .reserved = (uint8_t)opt(o->reserved, 0),
  };
  BYTEBUF_ENCODE(out, fcs_encode_raw_record, &h, content, clen,
                 (uint8_t)opt(o->padbyte, 0));
}

/* Content split into records of at most split (default 65535) bytes; an
 * empty content gives one empty record. */
static void records(bytebuf *out, const fsp_rec_opts *o, uint8_t type,
                    uint16_t id, const uint8_t *content, size_t len) {
  size_t max = (size_t)opt(o->split, FCS_MAX_CONTENT);
  if (len == 0) {
    produce_record(out, o, type, id, NULL, 0);
    return;
  }
  for (size_t at = 0; at < len; at += max)
    produce_record(out, o, type, id, content + at,
                   len - at < max ? len - at : max);
}

static void concat(const fsp_step *s, bytebuf *b) {
  for (size_t i = 0; i < s->nitems; i++)
    bytebuf_add(b, s->items[i].p, s->items[i].len);
}

void produce_pair(bytebuf *b, const uint8_t *n, size_t nl, const uint8_t *v,
                  size_t vl, int lng) {
  size_t need = fcs_nv_pair_size((uint32_t)nl, (uint32_t)vl, lng), w;
  bytebuf_reserve(b, need);
  fcs_nv_encode(b->p + b->len, need, n, (uint32_t)nl, v, (uint32_t)vl, lng, &w);
  b->len += w;
}

/* GET_VALUES: every item is a name, sent with an empty value. */
static void names(const fsp_step *s, bytebuf *b) {
  for (size_t i = 0; i < s->nitems; i++)
    produce_pair(b, s->items[i].p, s->items[i].len, NULL, 0, 0);
}

static int named(const fsp_step *s, const char *name) {
  size_t len = strlen(name);
  for (size_t i = 0; i + 1 < s->nitems; i += 2)
    if (s->items[i].len == len && !memcmp(s->items[i].p, name, len))
      return 1;
  return 0;
}

/* A std pair, unless the step sends a pair of that name itself. */
static void std_pair(const fsp_step *s, bytebuf *b, const char *name,
                     const char *value) {
  if (!named(s, name))
    produce_pair(b, (const uint8_t *)name, strlen(name), (const uint8_t *)value,
                 strlen(value), s->lng);
}

/* The std params, then the marker that makes this request's params unique
 * (the case id and the line that sends them), then extra pairs (name,
 * value, ... NULL), then the step's own pairs. */
static void pairs(const fsp_case *c, const fsp_step *s, const fsp_params *std,
                  const char *const *extra, bytebuf *b) {
  if (s->std) {
    for (size_t i = 0; i < std->n; i++)
      std_pair(s, b, std->names[i], std->values[i]);
    char marker[300];
    snprintf(marker, sizeof(marker), "%s:%d", c ? c->id : "fcgispec", s->line);
    std_pair(s, b, FSP_MARKER_PARAM, marker);
    for (size_t i = 0; extra && extra[i]; i += 2)
      std_pair(s, b, extra[i], extra[i + 1]);
  }
  for (size_t i = 0; i + 1 < s->nitems; i += 2)
    produce_pair(b, s->items[i].p, s->items[i].len, s->items[i + 1].p,
                 s->items[i + 1].len, s->lng);
}

void produce_begin(bytebuf *out, const fsp_rec_opts *o, uint16_t id,
                   const fcs_begin_body *body) {
  uint8_t b[FCS_BODY_LEN];
  fcs_begin_body_encode(body, b);
  produce_record(out, o, FCS_BEGIN_REQUEST, id, b, sizeof(b));
}

static void begin(bytebuf *out, const fsp_rec_opts *o, uint16_t id,
                  uint16_t role, uint8_t flags) {
  fcs_begin_body body = {.role = role, .flags = flags};
  produce_begin(out, o, id, &body);
}

/* A whole request: BEGIN, std params, the marker and the step's pairs,
 * the empty PARAMS record, then a body unique to the request in STDIN (for
 * a filter also in DATA) with the CONTENT_LENGTH (FCGI_DATA_LENGTH) that
 * announces it, unless the step sets CONTENT_LENGTH itself. An Authorizer
 * gets no body (spec 6.3). */
static void request(const fsp_case *c, const fsp_step *s, const fsp_params *std,
                    bytebuf *out) {
  fsp_step p = *s;
  p.std = 1;
  uint16_t id = (uint16_t)s->id;
  int with_body = s->role != FCS_AUTHORIZER && !named(s, "CONTENT_LENGTH");
  /* STDIN and DATA differ, so a page that shows one where the other
   * belongs is caught. */
  char body[320], data[320], clen[16], dlen[16];
  snprintf(body, sizeof(body), "fcgispec body of %s:%d\n",
           c ? c->id : "fcgispec", s->line);
  snprintf(data, sizeof(data), "fcgispec data of %s:%d\n",
           c ? c->id : "fcgispec", s->line);
  snprintf(clen, sizeof(clen), "%zu", strlen(body));
  snprintf(dlen, sizeof(dlen), "%zu", strlen(data));
  const char *extra[] = {"REQUEST_METHOD",
                         "POST",
                         "CONTENT_LENGTH",
                         clen,
                         s->role == FCS_FILTER ? "FCGI_DATA_LENGTH" : NULL,
                         dlen,
                         NULL};
  bytebuf content = {0};
  begin(out, &s->o, id, (uint16_t)s->role, s->keep ? FCS_KEEP_CONN : 0);
  pairs(c, &p, std, with_body ? extra : NULL, &content);
  records(out, &s->o, FCS_PARAMS, id, content.p, content.len);
  produce_record(out, &s->o, FCS_PARAMS, id, NULL, 0);
  if (with_body)
    produce_record(out, &s->o, FCS_STDIN, id, (const uint8_t *)body,
                   strlen(body));
  produce_record(out, &s->o, FCS_STDIN, id, NULL, 0);
  if (s->role == FCS_FILTER) {
    if (with_body)
      produce_record(out, &s->o, FCS_DATA, id, (const uint8_t *)data,
                     strlen(data));
    produce_record(out, &s->o, FCS_DATA, id, NULL, 0);
  }
  bytebuf_free(&content);
}

int step_produce(const fsp_case *c, const fsp_step *s, const fsp_params *std,
                 bytebuf *out, char *err, size_t errlen) {
  bytebuf content = {0};
  uint16_t id = (uint16_t)s->id;
  int rc = 0;
  switch (s->kind) {
  case S_RAW:
    concat(s, out);
    break;
  case S_RECORD:
    concat(s, &content);
    if (content.len > FCS_MAX_CONTENT && s->o.split < 0) {
      snprintf(err, errlen,
               "line %d: record content is %zu bytes (at most 65535; use "
               "split=N)",
               s->line, content.len);
      rc = -1;
      break;
    }
    records(out, &s->o, (uint8_t)s->type, id, content.p, content.len);
    break;
  case S_BEGIN:
    begin(out, &s->o, id, (uint16_t)s->role,
          (uint8_t)(s->flags | (s->keep ? FCS_KEEP_CONN : 0)));
    break;
  case S_PARAMS:
    pairs(c, s, std, NULL, &content);
    records(out, &s->o, FCS_PARAMS, id, content.p, content.len);
    break;
  case S_GET_VALUES:
    names(s, &content);
    records(out, &s->o, FCS_GET_VALUES, (uint16_t)opt(s->o.id, 0), content.p,
            content.len);
    break;
  case S_STDIN:
  case S_DATA:
    concat(s, &content);
    records(out, &s->o, s->kind == S_STDIN ? FCS_STDIN : FCS_DATA, id,
            content.p, content.len);
    break;
  case S_ABORT:
    produce_record(out, &s->o, FCS_ABORT_REQUEST, id, NULL, 0);
    break;
  case S_REQUEST:
    request(c, s, std, out);
    break;
  default:
    break;
  }
  bytebuf_free(&content);
  return rc;
}
