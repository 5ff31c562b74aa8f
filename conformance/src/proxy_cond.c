/* The conditions of proxy cases (docs/proxies.md, "Conditions"): each is
 * pending until what it asks about has arrived or can no longer arrive. */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "proxy_case.h"

static int name_is(const rec_param *p, const bytebuf *name) {
  return p->name.len == name->len && !memcmp(p->name.p, name->p, name->len);
}

static int contains(const bytebuf *hay, const bytebuf *needle) {
  return needle->len && bytebuf_contains(hay, needle->p, needle->len);
}

static int equal(const bytebuf *a, const bytebuf *b) {
  return a->len == b->len && (!a->len || !memcmp(a->p, b->p, a->len));
}

static size_t count_named(const rec_request *q, const bytebuf *name) {
  size_t n = 0;
  for (size_t i = 0; i < q->nparams; i++)
    n += name_is(&q->params[i], name);
  return n;
}

static const bytebuf *first_named(const rec_request *q, const bytebuf *name) {
  for (size_t i = 0; i < q->nparams; i++)
    if (name_is(&q->params[i], name))
      return &q->params[i].value;
  return NULL;
}

/* Apache's mod_proxy_fcgi sends SCRIPT_FILENAME as proxy:fcgi://HOST/PATH
 * (or proxy:unix:SOCKET|fcgi://HOST/PATH), a documented form PHP-FPM
 * strips: the path is what names the file. */
static bytebuf file_path(const bytebuf *v) {
  static const char scheme[] = "fcgi://";
  if (v->len < 6 || memcmp(v->p, "proxy:", 6))
    return *v;
  for (size_t i = 6; i + sizeof(scheme) - 1 <= v->len; i++)
    if (!memcmp(v->p + i, scheme, sizeof(scheme) - 1)) {
      const uint8_t *host = v->p + i + sizeof(scheme) - 1;
      const uint8_t *path = memchr(host, '/', v->len - (size_t)(host - v->p));
      if (!path)
        break;
      bytebuf out = {(uint8_t *)path, v->len - (size_t)(path - v->p), 0};
      return out;
    }
  return *v;
}

/* The value under the root: the root itself, or root/... with no "." or
 * ".." segment and no NUL byte. */
static int under(const bytebuf *value, const bytebuf *root) {
  bytebuf path = file_path(value);
  const bytebuf *v = &path;
  size_t r = root->len;
  while (r > 1 && root->p[r - 1] == '/')
    r--;
  if (v->len < r || memcmp(v->p, root->p, r) || memchr(v->p, 0, v->len))
    return 0;
  if (v->len == r)
    return 1;
  if (v->p[r] != '/')
    return 0;
  for (size_t i = r; i < v->len;) { /* each segment after a '/' */
    size_t j = i + 1;
    while (j < v->len && v->p[j] != '/')
      j++;
    size_t n = j - i - 1;
    const uint8_t *seg = v->p + i + 1;
    if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
      return 0;
    i = j;
  }
  return 1;
}

static const bytebuf content_length = {(uint8_t *)"CONTENT_LENGTH", 14, 0};

/* CONTENT_LENGTH as a number: -1 when absent or empty (RFC 3875 4.1.2:
 * "" | 1*digit; empty, NULL, means no body), -2 when not a number. */
static long long declared_length(const rec_request *q) {
  const bytebuf *v = first_named(q, &content_length);
  if (!v || !v->len)
    return -1;
  if (v->len > 18)
    return -2;
  long long n = 0;
  for (size_t i = 0; i < v->len; i++) {
    if (v->p[i] < '0' || v->p[i] > '9')
      return -2;
    n = n * 10 + (v->p[i] - '0');
  }
  return n;
}

/* Request k as the backend got it: TRI_TRUE with *q set once its params
 * are complete; TRI_FALSE when it never came or was cut before them. */
static fsp_tri backend_request(const px_case *pc, const rec_state *rs, size_t k,
                               const rec_request **q, bytebuf *why) {
  *q = px_find(pc, rs, k);
  if (*q && (*q)->params_done)
    return TRI_TRUE;
  if (*q && ((*q)->cut || (*q)->aborted)) {
    bytebuf_fmt(why,
                "request %zu reached the backend but ended before its "
                "params did",
                k);
    return TRI_FALSE;
  }
  if (!*q && px_req_done(pc, k) &&
      now_ms() - pc->last_change >= pc->cfg->settle_ms) {
    const http_response *r = px_response(pc, k);
    if (r)
      bytebuf_fmt(why,
                  "request %zu did not reach the backend (the proxy "
                  "answered %d)",
                  k, r->status);
    else
      bytebuf_fmt(why, "request %zu did not reach the backend (no response)",
                  k);
    return TRI_FALSE;
  }
  return TRI_PENDING;
}

static fsp_tri status_is(const px_case *pc, const fsp_cond *k, bytebuf *why) {
  const http_response *r = px_response(pc, k->id);
  if (r) {
    int want = (int)k->num;
    int ok = want < 10 ? r->status / 100 == want : r->status == want;
    if (!ok)
      bytebuf_fmt(why, "request %lu got HTTP %d", k->id, r->status);
    return ok ? TRI_TRUE : TRI_FALSE;
  }
  if (px_req_done(pc, k->id)) {
    const http_conn *h = px_conn(pc, k->id);
    bytebuf_fmt(why, "request %lu got no response (%s)", k->id,
                h->error[0] ? h->error : "the connection closed");
    return TRI_FALSE;
  }
  return TRI_PENDING;
}

/* Conditions about one request's params and body at the backend. */
static fsp_tri about_request(const px_case *pc, const rec_request *q,
                             const fsp_cond *k, bytebuf *why) {
  int named = k->kind >= C_PARAM && k->kind <= C_PARAM_LACKS;
  const bytebuf *name = named ? &k->items[0] : NULL;
  bytebuf want = {0};
  if (k->nitems > 1)
    px_expand(pc, k->id, &k->items[k->nitems - 1], &want);
  size_t n = name ? count_named(q, name) : 0;
  int ok = 0;
  switch (k->kind) {
  case C_FORWARDED:
    ok = 1;
    break;
  case C_PARAM:
    ok = n == 1 && equal(first_named(q, name), &want);
    break;
  case C_PARAM_ABSENT:
    ok = n == 0;
    break;
  case C_PARAM_COUNT:
    ok = n == k->num;
    break;
  case C_PARAM_UNDER:
    ok = n >= 1;
    for (size_t i = 0; i < q->nparams && ok; i++)
      if (name_is(&q->params[i], name))
        ok = under(&q->params[i].value, &want);
    break;
  case C_PARAM_HAS:
  case C_PARAM_LACKS: {
    int found = 0;
    for (size_t i = 0; i < q->nparams; i++)
      found |=
          name_is(&q->params[i], name) && contains(&q->params[i].value, &want);
    ok = k->kind == C_PARAM_HAS ? found : !found;
    break;
  }
  case C_ONLY_IN_HTTP:
  case C_NO_BYTE:
    px_expand(pc, k->id, &k->items[0], &want);
    ok = 1;
    for (size_t i = 0; i < q->nparams && ok; i++) {
      const rec_param *p = &q->params[i];
      int in_value = contains(&p->value, &want);
      if (k->kind == C_NO_BYTE)
        ok = !in_value && !contains(&p->name, &want);
      else if (in_value && (p->name.len < 5 || memcmp(p->name.p, "HTTP_", 5)))
        ok = 0;
      if (!ok) {
        bytebuf_str(why, "in ");
        bytebuf_escape(why, p->name.p, p->name.len, 80);
        bytebuf_str(why, ": ");
      }
    }
    break;
  case C_ISOLATED:
    ok = 1;
    for (size_t j = 1; j <= pc->nreqs && ok; j++) {
      if (j == k->id)
        continue;
      for (size_t i = 0; i < q->nparams && ok; i++)
        if (rec_marker_in(&q->params[i].value, pc->reqs[j - 1].marker)) {
          ok = 0;
          bytebuf_fmt(why, "request %lu carries request %zu's marker in ",
                      k->id, j);
          bytebuf_escape(why, q->params[i].name.p, q->params[i].name.len, 80);
        }
    }
    break;
  default:
    break;
  }
  if (!ok && name) {
    bytebuf_fmt(why, "request %lu: ", k->id);
    px_show_param(q, name, why);
  } else if (!ok && k->kind == C_NO_BYTE) {
    bytebuf_str(why, "the byte is there");
  } else if (!ok && k->kind == C_ONLY_IN_HTTP) {
    bytebuf_str(why, "the client's value is in a param that is not HTTP_*");
  }
  bytebuf_free(&want);
  return ok ? TRI_TRUE : TRI_FALSE;
}

/* Conditions that wait for the body: stdin, body-framed, streams-ended. */
static fsp_tri about_body(const px_case *pc, const rec_request *q,
                          const fsp_cond *k, bytebuf *why) {
  int over = q->in_done || q->cut || q->aborted || q->answered;
  if (!over) {
    if (px_settled(pc)) {
      bytebuf_fmt(why, "request %lu: STDIN never ended (%llu bytes came)",
                  k->id, (unsigned long long)q->in_total);
      return TRI_FALSE;
    }
    return TRI_PENDING;
  }
  long long cl = declared_length(q);
  switch (k->kind) {
  case C_STDIN_IS: {
    bytebuf want = {0};
    px_expand(pc, k->id, &k->items[0], &want);
    int ok = q->in_done && q->in_total == q->in.len && equal(&q->in, &want);
    if (!ok) {
      bytebuf_fmt(why, "request %lu: STDIN %llu bytes%s: \"", k->id,
                  (unsigned long long)q->in_total,
                  q->in_done ? "" : ", not ended");
      bytebuf_escape(why, q->in.p, q->in.len, 120);
      bytebuf_str(why, "\"");
    }
    bytebuf_free(&want);
    return ok ? TRI_TRUE : TRI_FALSE;
  }
  case C_BODY_FRAMED:
    if (q->in_done && cl != -2 && (long long)q->in_total == (cl < 0 ? 0 : cl))
      return TRI_TRUE;
    bytebuf_fmt(why, "request %lu: ", k->id);
    px_show_param(q, &content_length, why);
    bytebuf_fmt(why, ", STDIN %llu bytes%s", (unsigned long long)q->in_total,
                q->in_done   ? ""
                : q->aborted ? ", aborted"
                             : ", not ended");
    return TRI_FALSE;
  default: /* streams-ended */
    if (q->params_done && q->in_done && (q->role != FCS_FILTER || q->data_done))
      return TRI_TRUE;
    bytebuf_fmt(why, "request %lu: PARAMS %s, STDIN %s", k->id,
                q->params_done ? "ended" : "not ended",
                q->in_done ? "ended" : "not ended");
    return TRI_FALSE;
  }
}

/* A backend request of this case carries one of its markers: the number
 * of that request, or 0. */
static size_t marker_of(const px_case *pc, const rec_state *rs,
                        const rec_request *q) {
  for (size_t k = 1; k <= pc->nreqs; k++)
    if (px_find(pc, rs, k) == q)
      return k;
  return 0;
}

/* Conditions over every backend request of the case, judged once it has
 * settled. */
static fsp_tri about_case(const px_case *pc, const rec_state *rs,
                          const fsp_cond *k, bytebuf *why) {
  if (!px_settled(pc))
    return TRI_PENDING;
  int ok = 1;
  for (size_t i = pc->req_from; i < rs->nreqs && ok; i++) {
    const rec_request *q = &rs->reqs[i];
    long long cl = declared_length(q);
    switch (k->kind) {
    case C_NO_SHORT_BODY:
      /* A CONTENT_LENGTH that is no number is body-framed's finding. */
      if (q->in_done && !q->aborted && cl != -2 &&
          (long long)q->in_total != (cl < 0 ? 0 : cl)) {
        ok = 0;
        bytebuf_fmt(why,
                    "backend request %zu ended its STDIN after %llu bytes "
                    "with CONTENT_LENGTH %lld",
                    i - pc->req_from + 1, (unsigned long long)q->in_total, cl);
      }
      break;
    case C_NO_SMUGGLING: {
      size_t m = marker_of(pc, rs, q);
      if (!m) {
        ok = 0;
        bytebuf_fmt(why, "backend request %zu carries no marker of this case: ",
                    i - pc->req_from + 1);
        bytebuf uri = {(uint8_t *)"REQUEST_URI", 11, 0};
        px_show_param(q, &uri, why);
      }
      for (size_t j = pc->req_from; j < i && ok; j++)
        if (m && marker_of(pc, rs, &rs->reqs[j]) == m) {
          ok = 0;
          bytebuf_fmt(why, "request %zu reached the backend twice", m);
        }
      break;
    }
    case C_KEEP_CONN_HONEST:
      if (!(q->flags & FCS_KEEP_CONN))
        for (size_t j = i + 1; j < rs->nreqs && ok; j++)
          if (rs->reqs[j].conn == q->conn) {
            ok = 0;
            bytebuf_fmt(why, "a request followed one without FCGI_KEEP_CONN "
                             "on the same connection");
          }
      break;
    default:
      break;
    }
  }
  if (k->kind == C_RECORDS_VALID)
    for (size_t c = 0; c < rs->nconns && ok; c++)
      if (px_case_conn(pc, rs, c) && rs->conns[c].nviolations) {
        ok = 0;
        const bytebuf *v = &rs->conns[c].violations;
        const uint8_t *nl = memchr(v->p, '\n', v->len);
        bytebuf_fmt(why, "%zu broken rule%s on backend connection %zu, first: ",
                    rs->conns[c].nviolations,
                    rs->conns[c].nviolations == 1 ? "" : "s", c + 1);
        bytebuf_add(why, v->p, nl ? (size_t)(nl - v->p) : v->len);
      }
  if (k->kind == C_SAME_PARAM) {
    const rec_request *first = NULL;
    size_t n = 0;
    for (size_t i = pc->req_from; i < rs->nreqs && ok; i++) {
      const rec_request *q = &rs->reqs[i];
      if (!q->params_done)
        continue;
      n++;
      if (!first) {
        first = q;
        continue;
      }
      size_t a = count_named(first, &k->items[0]);
      ok = a == count_named(q, &k->items[0]);
      for (size_t x = 0, y = 0; ok && x < first->nparams; x++) {
        if (!name_is(&first->params[x], &k->items[0]))
          continue;
        while (!name_is(&q->params[y], &k->items[0]))
          y++;
        ok = equal(&first->params[x].value, &q->params[y++].value);
      }
      if (!ok) {
        bytebuf_str(why, "first: ");
        px_show_param(first, &k->items[0], why);
        bytebuf_fmt(why, "; request %zu: ", n);
        px_show_param(q, &k->items[0], why);
      }
    }
    if (ok && n < 2) {
      ok = 0;
      bytebuf_fmt(why, "%zu request%s reached the backend: nothing to compare",
                  n, n == 1 ? "" : "s");
    }
  }
  return ok ? TRI_TRUE : TRI_FALSE;
}

/* close [MS] / open MS, on the current client connection. */
static fsp_tri about_client(const px_case *pc, const fsp_cond *k,
                            bytebuf *why) {
  const http_conn *h = &pc->cl[pc->cur].h;
  int64_t waited = now_ms() - pc->step_start;
  int closed = h->eof;
  if (k->kind == C_CLOSE) {
    if (closed)
      return TRI_TRUE;
    if (k->ms >= 0 && waited >= k->ms) {
      bytebuf_fmt(why, "the proxy kept the connection open for %ld ms", k->ms);
      return TRI_FALSE;
    }
    return TRI_PENDING;
  }
  if (closed) {
    bytebuf_fmt(why, "the proxy closed the connection after %lld ms",
                (long long)waited);
    return TRI_FALSE;
  }
  return waited >= k->ms ? TRI_TRUE : TRI_PENDING;
}

fsp_tri px_cond_eval(const px_case *pc, const rec_state *rs, const fsp_cond *k,
                     bytebuf *why) {
  if (k->id > pc->nreqs) {
    bytebuf_fmt(why, "the case sent no request %lu", k->id);
    return TRI_FALSE;
  }
  const rec_request *q;
  fsp_tri t;
  switch (k->kind) {
  case C_CLOSE:
  case C_OPEN:
    return about_client(pc, k, why);
  case C_STATUS:
    return status_is(pc, k, why);
  case C_ANSWERED: {
    const http_response *r = px_response(pc, k->id);
    if (r && r->complete)
      return TRI_TRUE;
    if (!px_req_done(pc, k->id))
      return TRI_PENDING;
    bytebuf_fmt(why, "request %lu got no complete response", k->id);
    return TRI_FALSE;
  }
  case C_ABORTED:
    q = px_find(pc, rs, k->id);
    if (q && (q->aborted || (q->cut && !q->in_done)))
      return TRI_TRUE;
    if (q && q->in_done) {
      bytebuf_fmt(why,
                  "request %lu reached the backend whole (STDIN %llu bytes)",
                  k->id, (unsigned long long)q->in_total);
      return TRI_FALSE;
    }
    if (px_req_done(pc, k->id) &&
        now_ms() - pc->last_change >= pc->cfg->settle_ms) {
      bytebuf_fmt(why, "request %lu %s", k->id,
                  q ? "was neither aborted nor cut"
                    : "did not reach the backend");
      return TRI_FALSE;
    }
    return TRI_PENDING;
  case C_NOT_FORWARDED:
    q = px_find(pc, rs, k->id);
    if (q) {
      bytebuf_fmt(why, "request %lu reached the backend", k->id);
      return TRI_FALSE;
    }
    return px_req_done(pc, k->id) &&
                   now_ms() - pc->last_change >= pc->cfg->settle_ms
               ? TRI_TRUE
               : TRI_PENDING;
  case C_BODY:
  case C_BODY_HAS:
  case C_BODY_LACKS:
  case C_HEADER:
  case C_NO_HEADER:
  case C_HEADER_COUNT:
  case C_OWN_REPLY:
    return px_cond_response(pc, rs, k, why);
  case C_NO_SHORT_BODY:
  case C_NO_SMUGGLING:
  case C_RECORDS_VALID:
  case C_KEEP_CONN_HONEST:
  case C_SAME_PARAM:
    return about_case(pc, rs, k, why);
  default:
    break;
  }
  t = backend_request(pc, rs, k->id, &q, why);
  if (t != TRI_TRUE)
    return t;
  if (k->kind == C_STDIN_IS || k->kind == C_BODY_FRAMED ||
      k->kind == C_STREAMS_ENDED)
    return about_body(pc, q, k, why);
  return about_request(pc, q, k, why);
}
