/* JSON pages: the first JSON object in the body. The params are an object
 * in it (the whole object, or one under a key path), STDIN and DATA are
 * strings under their own key paths; a probe's page tells which paths. */
#include <string.h>

#include "echo_formats.h"
#include "json.h"

/* How many '{' of the body are tried as the start of the object, so a page
 * of text with a few braces before its JSON still reads, and a page of
 * braces costs little. */
#define JSON_STARTS 8

static int find_object(const uint8_t *out, size_t len, size_t pos,
                       json_value *root, bytebuf *why) {
  bytebuf first = {0};
  for (int tries = 0; tries < JSON_STARTS && pos < len; tries++) {
    const uint8_t *brace = memchr(out + pos, '{', len - pos);
    if (!brace)
      break;
    size_t at = (size_t)(brace - out), end = at;
    bytebuf e = {0};
    if (json_parse(out, len, &end, root, &e) == 0) {
      bytebuf_free(&e);
      bytebuf_free(&first);
      return 0;
    }
    json_free(root);
    if (first.len == 0)
      first = e;
    else
      bytebuf_free(&e);
    pos = at + 1;
  }
  if (first.len)
    bytebuf_add(why, first.p, first.len);
  else
    bytebuf_fmt(why, "json: no object in the body (from byte %zu)", pos);
  bytebuf_free(&first);
  return -1;
}

static const json_value *at_path(const json_value *root, const echo_path *p,
                                 uint8_t depth) {
  const json_value *v = root;
  for (uint8_t i = 0; v && i < depth; i++)
    v = json_get(v, p->keys[i]);
  return v;
}

/* Stores key as the path's key at depth; 0 when it cannot be a path key
 * (too long, holds a NUL, path too deep). */
static int set_key(echo_path *path, uint8_t depth, const echo_str *key) {
  size_t n = key->bytes.len;
  if (depth >= ECHO_PATH_DEPTH || n >= ECHO_KEY_MAX ||
      (n && memchr(key->bytes.p, 0, n)))
    return 0;
  if (n)
    memcpy(path->keys[depth], key->bytes.p, n);
  path->keys[depth][n] = 0;
  return 1;
}

/* Depth-first, in text order: the first object holding the marker pair. */
static int find_params(const json_value *obj, const echo_probe *probe,
                       echo_path *path, uint8_t depth) {
  size_t nl = strlen(probe->marker_name), vl = strlen(probe->marker_value);
  for (size_t i = 0; i < json_count(obj); i++) {
    const json_member *m = json_member_at(obj, i);
    if (m->value.type == JSON_STRING &&
        echo_str_is(&m->key, probe->marker_name, nl) &&
        echo_str_is(&m->value.text, probe->marker_value, vl)) {
      path->depth = depth;
      return 1;
    }
  }
  for (size_t i = 0; i < json_count(obj); i++) {
    const json_member *m = json_member_at(obj, i);
    if (m->value.type == JSON_OBJECT && set_key(path, depth, &m->key) &&
        find_params(&m->value, probe, path, (uint8_t)(depth + 1)))
      return 1;
  }
  return 0;
}

/* Depth-first, in text order, outside the params object: the first string
 * whose value is the n bytes at want. */
static int find_string(const json_value *obj, const json_value *params,
                       const uint8_t *want, size_t n, echo_path *path,
                       uint8_t depth) {
  if (obj == params)
    return 0;
  for (size_t i = 0; i < json_count(obj); i++) {
    const json_member *m = json_member_at(obj, i);
    if (m->value.type == JSON_STRING && echo_str_is(&m->value.text, want, n) &&
        set_key(path, depth, &m->key)) {
      path->depth = (uint8_t)(depth + 1);
      return 1;
    }
  }
  for (size_t i = 0; i < json_count(obj); i++) {
    const json_member *m = json_member_at(obj, i);
    if (m->value.type == JSON_OBJECT && set_key(path, depth, &m->key) &&
        find_string(&m->value, params, want, n, path, (uint8_t)(depth + 1)))
      return 1;
  }
  return 0;
}

static int json_learn(const uint8_t *out, size_t len, size_t pos,
                      const echo_probe *probe, echo_hint *h, bytebuf *why) {
  json_value root;
  if (find_object(out, len, pos, &root, why) < 0)
    return -1;
  int rc = 0;
  if (!find_params(&root, probe, &h->params, 0)) {
    bytebuf_fmt(why, "no string %s=%s in the object", probe->marker_name,
                probe->marker_value);
    rc = -1;
  } else {
    const json_value *params = at_path(&root, &h->params, h->params.depth);
    h->body_shown =
        probe->body_len > 0 &&
        find_string(&root, params, probe->body, probe->body_len, &h->body, 0);
    h->data_shown =
        probe->data_len > 0 &&
        find_string(&root, params, probe->data, probe->data_len, &h->data, 0);
  }
  json_free(&root);
  return rc;
}

static void copy_str(echo_str *to, const echo_str *from) {
  bytebuf_add(&to->bytes, from->bytes.p, from->bytes.len);
  bytebuf_add(&to->latin1, from->latin1.p, from->latin1.len);
  to->has_latin1 = from->has_latin1;
  to->inexact = from->inexact;
}

/* A param's value: strings as they are, numbers and booleans as their
 * text; null (what PHP writes for a string it cannot encode) and nested
 * arrays and objects are not comparable. */
static void value_of(const json_value *j, echo_str *to) {
  if (j->type == JSON_STRING || j->type == JSON_NUMBER || j->type == JSON_BOOL)
    copy_str(to, &j->text);
  else
    to->inexact = 1;
}

static void path_text(const echo_path *p, bytebuf *out) {
  for (uint8_t i = 0; i < p->depth; i++)
    bytebuf_fmt(out, ".%s", p->keys[i]);
}

static int read_stream(const json_value *root, const echo_path *p,
                       echo_stream *s, bytebuf *why) {
  const json_value *j = at_path(root, p, p->depth);
  if (!j) /* e.g. no "stdin" for an AUTHORIZER */
    return 0;
  if (j->type != JSON_STRING) {
    bytebuf_str(why, "json: the value at ");
    path_text(p, why);
    bytebuf_fmt(why, " (byte %zu) is not a string", j->offset);
    return -1;
  }
  s->shown = 1;
  copy_str(&s->bytes, &j->text);
  s->total = j->text.bytes.len;
  return 0;
}

/* The request id and role sit beside the params key, as the reference
 * responder writes them: "request_id" (a number) and "role". */
static void read_request(const json_value *holder, echo_view *v) {
  const json_value *id = json_get(holder, "request_id");
  uint32_t n = 0;
  int ok = id && id->type == JSON_NUMBER && id->text.bytes.len <= 5;
  for (size_t i = 0; ok && i < id->text.bytes.len; i++) {
    uint8_t c = id->text.bytes.p[i];
    ok = c >= '0' && c <= '9';
    n = n * 10 + (uint32_t)(c - '0');
  }
  if (ok && n <= UINT16_MAX) {
    v->id_shown = 1;
    v->request_id = (uint16_t)n;
  }
  const json_value *role = json_get(holder, "role");
  if (role && role->type == JSON_STRING)
    v->role = echo_role_of(role->text.bytes.p, role->text.bytes.len);
}

static int json_decode(const echo_hint *h, const uint8_t *out, size_t len,
                       size_t pos, echo_view *v, bytebuf *why) {
  json_value root;
  if (find_object(out, len, pos, &root, why) < 0)
    return -1;
  int rc = 0;
  const json_value *params = at_path(&root, &h->params, h->params.depth);
  if (!params || params->type != JSON_OBJECT) {
    bytebuf_str(why, "json: no object at the params path ");
    path_text(&h->params, why);
    bytebuf_fmt(why, " (object at byte %zu)", root.offset);
    rc = -1;
  } else {
    for (size_t i = 0; i < json_count(params); i++) {
      const json_member *m = json_member_at(params, i);
      echo_str name = {0}, value = {0};
      copy_str(&name, &m->key);
      value_of(&m->value, &value);
      echo_view_take(v, &name, &value);
    }
    if (h->params.depth > 0)
      read_request(at_path(&root, &h->params, h->params.depth - 1), v);
    if ((h->body_shown && read_stream(&root, &h->body, &v->in, why) < 0) ||
        (h->data_shown && read_stream(&root, &h->data, &v->data, why) < 0))
      rc = -1;
  }
  json_free(&root);
  return rc;
}

const echo_reader echo_json_reader = {ECHO_JSON, json_learn, json_decode};
