/* A finished view run as one JSON line (docs/differential.md). */
#include <string.h>

#include "echo_view.h"
#include "jsonl.h"
#include "view.h"

/* The outcome of a run: refused, closed or hung without a reply;
 * rejected when every reply refused (non-zero protocol status) or
 * printed nothing, or when what was begun on id 0 alone was answered
 * there (view.c); else answered. */
static const char *outcome(const view_run *v) {
  const fsp_replies *r = &v->conn.replies;
  if (v->refused)
    return "refused";
  if (!r->n)
    return !strcmp(v->ended_by, "timeout") || !strcmp(v->ended_by, "cap")
               ? "hung"
           : !strcmp(v->ended_by, "complete") ? "rejected"
                                              : "closed";
  for (size_t i = 0; i < r->n; i++)
    if (!(r->v[i].ended && r->v[i].end.protocol_status) && r->v[i].out_total)
      return "answered";
  return "rejected";
}

/* A string as printed: cut at VIEW_PRINT_CAP (*cut set). */
static void bytes(bytebuf *out, const uint8_t *p, size_t n, int *cut) {
  if (n > VIEW_PRINT_CAP) {
    n = VIEW_PRINT_CAP;
    *cut = 1;
  }
  jsonl_bytes(out, p, n);
}

/* The reading of a shown string to print: the one-byte-per-code-point
 * reading of a JSON string when it is exactly what was sent (sent, n;
 * NULL when nothing of that name was), else its bytes. */
static const bytebuf *reading(const echo_str *s, const uint8_t *sent,
                              size_t n) {
  if (s->has_latin1 && sent && s->latin1.len == n &&
      (!n || !memcmp(s->latin1.p, sent, n)))
    return &s->latin1;
  return &s->bytes;
}

/* The value sent for the shown pair's name that matches the page's
 * one-byte reading, if any. */
static const fcs_nv_pair *sent_pair(const fsp_sent_req *req, const echo_pair *e,
                                    fcs_nv_pair *store) {
  const bytebuf *name = e->name.has_latin1 ? &e->name.latin1 : &e->name.bytes;
  size_t pos = 0;
  while (req &&
         fcs_nv_next(req->params.p, req->params.len, &pos, store) == FCS_NV_OK)
    if (store->name_len == name->len &&
        (!name->len || !memcmp(store->name, name->p, name->len)) &&
        reading(&e->value, store->value, store->value_len) == &e->value.latin1)
      return store;
  return NULL;
}

static void params(bytebuf *out, const view_run *v, const echo_view *ev,
                   const fsp_sent_req *req, int *cut) {
  bytebuf_str(out, "[");
  for (size_t i = 0; i < echo_view_count(ev); i++) {
    const echo_pair *e = echo_view_pair(ev, i);
    fcs_nv_pair store;
    const fcs_nv_pair *s = sent_pair(req, e, &store);
    const bytebuf *name =
        s && e->name.has_latin1 ? &e->name.latin1 : &e->name.bytes;
    const bytebuf *value = s ? &e->value.latin1 : &e->value.bytes;
    bytebuf_str(out, i ? ", [" : "[");
    bytes(out, name->p, name->len, cut);
    bytebuf_str(out, ", ");
    if (name->len == 15 && !memcmp(name->p, "SCRIPT_FILENAME", 15) &&
        value->len == GEN_PLACEHOLDER_LEN &&
        !memcmp(value->p, v->t->padded, GEN_PLACEHOLDER_LEN))
      bytebuf_str(out, "\"{script}\"");
    else
      bytes(out, value->p, value->len, cut);
    bytebuf_str(out, "]");
  }
  bytebuf_str(out, "]");
}

/* format, params, stdin, role and shown_id of one reply's echo page
 * (null where the page shows nothing of it or does not decode). */
static void page(bytebuf *out, const view_run *v, const fsp_reply *rep,
                 int *cut) {
  const fsp_content *ct = v->t->content;
  const fsp_sent_req *req = sent_find(&v->sent, rep->id, rep->nth);
  echo_view ev;
  bytebuf why = {0};
  int ok = ct && rep->out.len &&
           content_decode(ct, rep->out.p, rep->out.len, &ev, &why) == 0;
  bytebuf_str(out, "\"format\": ");
  jsonl_str(out, content_format(ct));
  bytebuf_fmt(out, ", \"decoded\": %s, \"params\": ", ok ? "true" : "false");
  if (ok)
    params(out, v, &ev, req, cut);
  else
    bytebuf_str(out, "null");
  bytebuf_str(out, ", \"stdin\": ");
  if (ok && ev.in.shown) {
    const bytebuf *in =
        reading(&ev.in.bytes, req ? req->in.p : NULL, req ? req->in.len : 0);
    bytes(out, in->p, in->len, cut);
    *cut |= ev.in.partial;
  } else {
    bytebuf_str(out, "null");
  }
  if (ok && ev.role)
    bytebuf_fmt(out, ", \"role\": %u", ev.role);
  else
    bytebuf_str(out, ", \"role\": null");
  if (ok && ev.id_shown)
    bytebuf_fmt(out, ", \"shown_id\": %u", ev.request_id);
  else
    bytebuf_str(out, ", \"shown_id\": null");
  if (!ok && rep->out.len) {
    bytebuf_str(out, ", \"stdout_head\": ");
    jsonl_bytes(out, rep->out.p, rep->out.len < 200 ? rep->out.len : 200);
  }
  if (ct && rep->out.len)
    echo_view_free(&ev);
  bytebuf_free(&why);
}

static void reply(bytebuf *out, const view_run *v, const fsp_reply *rep) {
  /* Cut: bytes received but not kept, or reading stopped at the cap
   * before the reply ended. */
  int cut = rep->out.len < rep->out_total ||
            (!rep->ended && !strcmp(v->ended_by, "flood"));
  bytebuf_fmt(out, "{\"id\": %u, ", rep->id);
  if (rep->ended)
    bytebuf_fmt(out, "\"app_status\": %u, \"protocol_status\": %u, ",
                rep->end.app_status, rep->end.protocol_status);
  else
    bytebuf_str(out, "\"app_status\": null, \"protocol_status\": null, ");
  page(out, v, rep, &cut);
  bytebuf_fmt(
      out,
      ", \"stdout_bytes\": %llu, \"stderr_bytes\": %llu, \"ended\": %s, "
      "\"truncated\": %s}",
      (unsigned long long)rep->out_total, (unsigned long long)rep->err_total,
      rep->ended ? "true" : "false", cut ? "true" : "false");
}

static void add_reason(bytebuf *out, bytebuf *seen, size_t *n, fcs_err e) {
  if (bytebuf_flag(seen, (size_t)e))
    return;
  bytebuf_flag_set(seen, (size_t)e);
  bytebuf_str(out, (*n)++ ? ", " : "");
  jsonl_str(out, fcs_err_name(e));
}

/* Each rule the backend's bytes broke, once, in order of first breach. */
static void broken(bytebuf *out, const view_run *v) {
  const fsp_replies *r = &v->conn.replies;
  bytebuf seen = {0};
  size_t n = 0;
  bytebuf_str(out, "[");
  for (size_t i = 0; i < r->nbreach; i++)
    add_reason(out, &seen, &n, r->breach[i].reason);
  if (r->failed)
    add_reason(out, &seen, &n, r->error.code);
  if (v->conn.garbage)
    add_reason(out, &seen, &n, v->conn.garbage_err.code);
  bytebuf_str(out, "]");
  bytebuf_free(&seen);
}

static void management(bytebuf *out, const fsp_replies *r) {
  bytebuf_str(out, "[");
  for (size_t i = 0; i < r->nmgmt; i++) {
    if (r->mgmt[i].type == FCS_UNKNOWN_TYPE)
      bytebuf_fmt(out, "%s\"UNKNOWN_TYPE %u\"", i ? ", " : "",
                  r->mgmt[i].unknown.type);
    else
      bytebuf_fmt(out, "%s\"GET_VALUES_RESULT\"", i ? ", " : "");
  }
  bytebuf_str(out, "]");
}

void view_json(const view_run *v, const char *file, bytebuf *out) {
  const fsp_replies *r = &v->conn.replies;
  bytebuf_str(out, "{\"file\": ");
  jsonl_str(out, file);
  bytebuf_str(out, ", \"target\": ");
  jsonl_str(out, v->t->name);
  bytebuf_fmt(out, ", \"outcome\": \"%s\", \"replies\": [", outcome(v));
  for (size_t i = 0; i < r->n; i++) {
    bytebuf_str(out, i ? ", " : "");
    reply(out, v, &r->v[i]);
  }
  bytebuf_str(out, "], \"records_broken\": ");
  broken(out, v);
  bytebuf_str(out, ", \"management\": ");
  management(out, r);
  bytebuf_fmt(out, ", \"ended_by\": \"%s\", \"ms\": %lld", v->ended_by,
              (long long)v->ms);
  if (v->refused) {
    bytebuf_str(out, ", \"error\": ");
    jsonl_str(out, v->err);
  }
  bytebuf_str(out, "}\n");
}
