/* Runs a proxy case: writes its HTTP bytes to the proxy on up to
 * PX_CLIENTS connections, and judges its checks on the responses and on
 * what the recording backend received (docs/proxies.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "backend.h"
#include "clock.h"
#include "proc_rss.h"
#include "proxy_case.h"
#include "rec_session.h"
#include "xalloc.h"

static const uint8_t marker_key[] = "fcgispec=";

const rec_request *px_find(const px_case *pc, const rec_state *rs, size_t k) {
  for (size_t i = pc->req_from; i < rs->nreqs; i++) {
    const rec_request *q = &rs->reqs[i];
    for (size_t j = 0; j < q->nparams; j++)
      if (rec_marker_in(&q->params[j].value, pc->reqs[k - 1].marker))
        return q;
  }
  return NULL;
}

const http_conn *px_conn(const px_case *pc, size_t k) {
  const px_req *r = &pc->reqs[k - 1];
  const px_client *cl = &pc->cl[r->client];
  return r->gen == cl->gen ? &cl->h : &cl->past[r->gen];
}

const http_response *px_response(const px_case *pc, size_t k) {
  const http_conn *h = px_conn(pc, k);
  size_t n = pc->reqs[k - 1].ordinal;
  return n < h->nresp ? &h->resp[n] : NULL;
}

int px_req_done(const px_case *pc, size_t k) {
  const px_req *r = &pc->reqs[k - 1];
  const px_client *cl = &pc->cl[r->client];
  const http_response *resp = px_response(pc, k);
  if (resp && resp->complete)
    return 1;
  /* A body that ends at the close, on a connection the proxy keeps open:
   * the response is as done as it gets once nothing moves. */
  if (resp && resp->framing == HTTP_FRAME_CLOSE &&
      now_ms() - pc->last_change >= pc->cfg->settle_ms)
    return 1;
  const http_conn *h = px_conn(pc, k);
  return cl->gen != r->gen || h->fd < 0 || h->eof || h->error[0];
}

int px_case_conn(const px_case *pc, const rec_state *rs, size_t conn) {
  if (conn >= pc->conn_from)
    return 1;
  for (size_t i = pc->req_from; i < rs->nreqs; i++)
    if (rs->reqs[i].conn == conn)
      return 1;
  return 0;
}

int px_settled(const px_case *pc) {
  for (size_t k = 1; k <= pc->nreqs; k++)
    if (!px_req_done(pc, k))
      return 0;
  return now_ms() - pc->last_change >= pc->cfg->settle_ms;
}

void px_expand(const px_case *pc, size_t k, const bytebuf *in, bytebuf *out) {
  const char *const fixed[][2] = {
      {"{marker}", k >= 1 && k <= pc->nreqs ? pc->reqs[k - 1].marker : NULL},
      {"{host}", pc->env->host},
      {"{port}", pc->env->port},
      {"{docroot}", pc->env->docroot}};
  static const char numbered[] = "{marker:";
  for (size_t i = 0; i < in->len;) {
    const char *at = (const char *)in->p + i;
    size_t left = in->len - i, used = 0;
    for (size_t f = 0; f < sizeof(fixed) / sizeof(fixed[0]) && !used; f++) {
      size_t n = strlen(fixed[f][0]);
      if (fixed[f][1] && left >= n && !memcmp(at, fixed[f][0], n)) {
        bytebuf_str(out, fixed[f][1]);
        used = n;
      }
    }
    size_t n = sizeof(numbered) - 1, num = 0, j = n;
    if (!used && left > n && !memcmp(at, numbered, n)) { /* {marker:N} */
      while (j < left && at[j] >= '0' && at[j] <= '9')
        num = num * 10 + (size_t)(at[j++] - '0');
      if (j < left && at[j] == '}' && num >= 1 && num <= pc->nreqs) {
        bytebuf_str(out, pc->reqs[num - 1].marker);
        used = j + 1;
      }
    }
    if (!used) {
      bytebuf_byte(out, in->p[i]);
      used = 1;
    }
    i += used;
  }
}

static int has_marker(const bytebuf *item) {
  return bytebuf_contains(item, (const uint8_t *)"{marker}", 8);
}

/* A new request number for a step that carries {marker}; 0 when the case
 * has too many. */
static size_t new_request(px_case *pc) {
  if (pc->nreqs == PX_REQUESTS)
    return 0;
  px_req *r = &pc->reqs[pc->nreqs++];
  snprintf(r->marker, sizeof(r->marker), "%sc%ur%zu", marker_key, pc->seq,
           pc->nreqs);
  r->client = pc->cur;
  return pc->nreqs;
}

/* get/post: the request line with the marker in the query, Host, the
 * case's header lines, and for post Content-Length and the body. */
static void build_request(px_case *pc, const fsp_step *s, size_t k,
                          bytebuf *out) {
  bytebuf target = {0};
  px_expand(pc, k, &s->items[0], &target);
  bytebuf_str(out, s->kind == S_POST ? "POST " : "GET ");
  bytebuf_add(out, target.p, target.len);
  if (!has_marker(&s->items[0])) {
    bytebuf_byte(out,
                 target.len && memchr(target.p, '?', target.len) ? '&' : '?');
    bytebuf_str(out, pc->reqs[k - 1].marker);
  }
  bytebuf_fmt(out, " HTTP/1.1\r\nHost: %s\r\n", pc->env->host);
  size_t first_header = s->kind == S_POST ? 2 : 1;
  bytebuf body = {0};
  if (s->kind == S_POST) {
    px_expand(pc, k, &s->items[1], &body);
    bytebuf_fmt(out, "Content-Length: %zu\r\n", body.len);
  }
  for (size_t i = first_header; i < s->nitems; i++) {
    px_expand(pc, k, &s->items[i], out);
    bytebuf_str(out, "\r\n");
  }
  bytebuf_str(out, "\r\n");
  bytebuf_add(out, body.p, body.len);
  bytebuf_free(&body);
  bytebuf_free(&target);
}

/* The reply lines since the previous request answer request k (the
 * parser lets only http bytes and client switches stand between them and
 * it): copied with their placeholders expanded, for the recorder to play. */
static void take_replies(px_case *pc, size_t k, const fsp_step *s) {
  const fsp_step *first = s;
  while (first > pc->c->steps && !step_is_request(first - 1))
    first--;
  px_req *r = &pc->reqs[k - 1];
  for (const fsp_step *t = first; t < s; t++)
    r->nreply += t->kind == S_REPLY;
  r->reply = r->nreply ? xcalloc(r->nreply, sizeof *r->reply) : NULL;
  fsp_step *to = r->reply;
  for (const fsp_step *t = first; t < s; t++) {
    if (t->kind != S_REPLY)
      continue;
    *to = *t;
    to->items = t->nitems ? xcalloc(t->nitems, sizeof *to->items) : NULL;
    size_t len = 0;
    for (size_t j = 0; j < t->nitems; j++) {
      px_expand(pc, k, &t->items[j], &to->items[j]);
      len += to->items[j].len;
    }
    /* The parser bounds a record's content before its placeholders grow. */
    if (to->reply == R_RECORD && to->o.split < 0 && len > FCS_MAX_CONTENT &&
        !pc->unplayable[0])
      snprintf(pc->unplayable, sizeof pc->unplayable,
               "line %d: record content is %zu bytes once its placeholders "
               "are expanded (at most 65535; use split=N)",
               t->line, len);
    to++;
  }
}

static void produce(px_case *pc, const fsp_step *s) {
  size_t k = 0;
  if (step_is_request(s) && !(k = new_request(pc)))
    return;
  if (k)
    take_replies(pc, k, s);
  if (s->kind == S_HTTP)
    for (size_t i = 0; i < s->nitems; i++)
      px_expand(pc, k, &s->items[i], &pc->pending);
  else
    build_request(pc, s, k, &pc->pending);
  if (k)
    pc->pending_req = (int)k;
}

static int64_t deadline(const px_case *pc) {
  long budget = pc->c->deadline_ms ? pc->c->deadline_ms : pc->cfg->timeout_ms;
  return pc->last_change + budget;
}

static int64_t cap(const px_case *pc) {
  long budget = pc->c->deadline_ms ? pc->c->deadline_ms : pc->cfg->timeout_ms;
  return pc->t0 + (pc->cfg->cap_ms ? pc->cfg->cap_ms : 20 * budget);
}

/* Reads every client and watches the recorder until something changes or
 * until; 1 when something did. */
static int pump(px_case *pc, int64_t until) {
  int changed = 0;
  for (int i = 0; i < PX_CLIENTS; i++)
    if (pc->cl[i].h.fd >= 0 && !pc->cl[i].h.eof)
      changed |= http_pump(&pc->cl[i].h, now_ms());
  int64_t wake = now_ms() + 5;
  uint64_t ev = recorder_wait(pc->env->rec, pc->events,
                              changed        ? now_ms()
                              : wake < until ? wake
                                             : until);
  changed |= ev != pc->events;
  pc->events = ev;
  if (changed)
    pc->last_change = now_ms();
  return changed;
}

/* The last complete response on h has "close" in a Connection header. */
static int said_close(const http_conn *h) {
  if (!h->nresp || !h->resp[h->nresp - 1].complete)
    return 0;
  const uint8_t *v;
  size_t len;
  if (!http_header(&h->resp[h->nresp - 1], "Connection", &v, &len))
    return 0;
  for (size_t i = 0; i + 5 <= len; i++)
    if (!strncasecmp((const char *)v + i, "close", 5))
      return 1;
  return 0;
}

static int connect_client(px_case *pc, char *err, size_t errlen) {
  px_client *cl = &pc->cl[pc->cur];
  if (cl->h.fd >= 0)
    return 0;
  if (cl->used) { /* closed by the proxy, by a close step, or after a
                     response that said Connection: close */
    cl->past = xrealloc(cl->past, (cl->gen + 1) * sizeof *cl->past);
    cl->past[cl->gen++] = cl->h; /* its responses may still be judged */
    cl->sent = 0;
  }
  memset(&cl->h, 0, sizeof(cl->h));
  cl->h.fd = -1;
  cl->used = 1;
  cl->closed_by_us = 0;
  return http_connect(&cl->h, &pc->env->proxy, now_ms() + pc->cfg->timeout_ms,
                      err, errlen);
}

/* A connection of this case reached the proxy. */
static int connected_before(const px_case *pc) {
  for (int i = 0; i < PX_CLIENTS; i++)
    if (pc->cl[i].gen > 0 || pc->cl[i].h.fd >= 0 || pc->cl[i].h.raw_total ||
        pc->cl[i].log.len)
      return 1;
  return 0;
}

/* Writes the pending bytes on the current client; -1 when it cannot
 * connect (an error verdict). */
static int flush(px_case *pc, fsp_result *res) {
  if (!pc->pending.len)
    return 0;
  px_client *cl = &pc->cl[pc->cur];
  char err[256];
  /* A client does not write on a connection the proxy closed or said it
   * would close (RFC 9112 9.6): a new one. */
  if (cl->h.fd >= 0 && (cl->h.eof || said_close(&cl->h)))
    http_close(&cl->h);
  if (connect_client(pc, err, sizeof(err))) {
    /* Refused after this case reached it: the proxy went down under the
     * case (a crash the liveness check confirms), not a runner error. */
    res->verdict = connected_before(pc) ? FSP_V_FAIL : FSP_V_ERROR;
    bytebuf_fmt(&res->observed, "cannot connect to the proxy %s: %s%s",
                pc->env->host, err,
                connected_before(pc)
                    ? " (it took this case's earlier connections)"
                    : "");
    return -1;
  }
  if (pc->pending_req) {
    px_req *r = &pc->reqs[pc->pending_req - 1];
    if (r->nreply)
      recorder_script(pc->env->rec, r->marker, r->reply, r->nreply);
    r->client = pc->cur;
    r->gen = cl->gen;
    r->ordinal = cl->sent++;
  }
  bytebuf_add(&cl->log, pc->pending.p, pc->pending.len);
  /* A proxy that answers and closes before reading everything is not an
   * error: the checks judge what it did. A proxy that reads slowly gets
   * until the case's cap. */
  http_send(&cl->h, pc->pending.p, pc->pending.len, pc->chunk, cap(pc));
  pc->pending.len = 0;
  pc->pending_req = 0;
  pc->last_change = now_ms();
  return 0;
}

static fsp_tri eval_alts(px_case *pc, const fsp_step *s, bytebuf *why) {
  const rec_state *rs = recorder_lock(pc->env->rec);
  int pending = 0;
  fsp_tri out = TRI_FALSE;
  for (size_t i = 0; i < s->nalts && out != TRI_TRUE; i++) {
    bytebuf w = {0};
    fsp_tri t = px_cond_eval(pc, rs, &s->alts[i], &w);
    if (t == TRI_TRUE) {
      why->len = 0;
      out = TRI_TRUE;
    } else if (t == TRI_PENDING) {
      pending = 1;
    } else if (w.len && !bytebuf_contains(why, w.p, w.len)) {
      /* alternatives about one request often fail for one reason */
      if (why->len)
        bytebuf_str(why, "; ");
      bytebuf_add(why, w.p, w.len);
    }
    bytebuf_free(&w);
  }
  recorder_unlock(pc->env->rec);
  return out == TRI_TRUE ? TRI_TRUE : pending ? TRI_PENDING : TRI_FALSE;
}

static void fail_with(fsp_result *res, const fsp_step *s, fsp_verdict v,
                      const bytebuf *why) {
  res->verdict = v;
  bytebuf_fmt(&res->expected, "line %d: %s", s->line, s->text);
  bytebuf_add(&res->observed, why->p, why->len);
}

/* Runs the expect at steps[i] and its allow lines; the index of the last
 * step used, and *decided when the case's verdict is set. */
static size_t do_expect(px_case *pc, size_t i, fsp_result *res, int *decided) {
  const fsp_case *c = pc->c;
  const fsp_step *s = &c->steps[i];
  pc->step_start = now_ms();
  bytebuf why = {0};
  fsp_tri t;
  for (;;) {
    why.len = 0;
    t = eval_alts(pc, s, &why);
    if (t != TRI_PENDING || now_ms() >= deadline(pc) || now_ms() >= cap(pc))
      break;
    pump(pc, deadline(pc) < cap(pc) ? deadline(pc) : cap(pc));
  }
  size_t last = i;
  while (last + 1 < c->nsteps && c->steps[last + 1].kind == S_ALLOW)
    last++;
  if (t == TRI_TRUE) {
    bytebuf_free(&why);
    return last;
  }
  *decided = 1;
  if (t == TRI_PENDING)
    bytebuf_fmt(&why, "%sno decision: nothing moved for %ld ms",
                why.len ? "; " : "",
                c->deadline_ms ? c->deadline_ms : pc->cfg->timeout_ms);
  for (size_t j = i + 1; j <= last; j++) {
    bytebuf w = {0};
    if (eval_alts(pc, &c->steps[j], &w) == TRI_TRUE) {
      fsp_verdict v = (fsp_verdict)c->steps[j].verdict;
      if (c->level >= FSP_LVL_MAY)
        v = FSP_V_INFO;
      bytebuf_fmt(&why, "; tolerated by line %d: %s", c->steps[j].line,
                  c->steps[j].text);
      fail_with(res, s, v, &why);
      bytebuf_free(&w);
      bytebuf_free(&why);
      return last;
    }
    bytebuf_free(&w);
  }
  fail_with(res, s, level_verdict(c->level, t == TRI_PENDING), &why);
  bytebuf_free(&why);
  return last;
}

/* observe K NAME...: waits until the case settles, then notes what
 * request K carried in those params. */
static void do_observe(px_case *pc, const fsp_step *s, fsp_result *res) {
  while (!px_settled(pc) && now_ms() < deadline(pc) && now_ms() < cap(pc))
    pump(pc, deadline(pc));
  const rec_state *rs = recorder_lock(pc->env->rec);
  const rec_request *q =
      s->id && s->id <= pc->nreqs ? px_find(pc, rs, s->id) : NULL;
  const http_response *r =
      s->id && s->id <= pc->nreqs ? px_response(pc, s->id) : NULL;
  bytebuf_fmt(&res->notes, "line %d: request %lu: ", s->line, s->id);
  if (r)
    bytebuf_fmt(&res->notes, "HTTP %d; ", r->status);
  if (!q)
    bytebuf_str(&res->notes, "did not reach the backend");
  else
    bytebuf_fmt(&res->notes, "FCGI_KEEP_CONN %s; ",
                q->flags & FCS_KEEP_CONN ? "set" : "not set");
  for (size_t i = 0; q && i < s->nitems; i++) {
    if (i)
      bytebuf_str(&res->notes, ", ");
    px_show_param(q, &s->items[i], &res->notes);
  }
  bytebuf_byte(&res->notes, '\n');
  recorder_unlock(pc->env->rec);
}

static void run_steps(px_case *pc, fsp_result *res) {
  const fsp_case *c = pc->c;
  int decided = 0;
  for (size_t i = 0; i < c->nsteps && !decided; i++) {
    const fsp_step *s = &c->steps[i];
    if (s->kind == S_HTTP || s->kind == S_GET || s->kind == S_POST) {
      /* One request per write: each request's connection and place on it
       * are then known. */
      if (pc->pending_req && step_is_request(s) && flush(pc, res))
        return;
      produce(pc, s);
      if (pc->unplayable[0]) {
        res->verdict = FSP_V_ERROR;
        bytebuf_str(&res->observed, pc->unplayable);
        return;
      }
      continue;
    }
    if (s->kind != S_ALLOW && flush(pc, res))
      return;
    px_client *cl = &pc->cl[pc->cur];
    switch (s->kind) {
    case S_CHUNK:
      pc->chunk = s->chunk;
      break;
    case S_WAIT: {
      int64_t until = now_ms() + (int64_t)s->ms;
      while (now_ms() < until)
        pump(pc, until);
      break;
    }
    case S_SHUTDOWN:
      if (cl->h.fd >= 0)
        http_shutdown(&cl->h);
      break;
    case S_CLOSE:
      if (cl->h.fd >= 0)
        http_close(&cl->h);
      cl->closed_by_us = 1;
      break;
    case S_RECONNECT:
      if (cl->h.fd >= 0)
        http_close(&cl->h);
      cl->closed_by_us = 1;
      break;
    case S_CLIENT:
      pc->cur = (int)s->client - 1;
      break;
    case S_EXPECT:
      i = do_expect(pc, i, res, &decided);
      break;
    case S_OBSERVE:
      do_observe(pc, s, res);
      break;
    default:
      break;
    }
  }
  if (!decided)
    flush(pc, res);
}

/* The proxy still takes connections after the case. */
static int proxy_alive(const px_case *pc) {
  char err[128];
  int fd = target_connect(&pc->env->proxy, now_ms() + pc->cfg->timeout_ms, err,
                          sizeof(err));
  if (fd < 0)
    return 0;
  close(fd);
  return 1;
}

/* The spawned proxy's processes stay within --rss-limit: a reply that
 * makes a proxy hoard memory is a denial of service. */
static void check_memory(const px_case *pc, pid_t pid, fsp_result *res) {
  res->rss_kib = proc_group_rss_kib(pid);
  if (!pc->env->rss_limit_kib || res->rss_kib <= pc->env->rss_limit_kib)
    return;
  bytebuf_fmt(&res->notes,
              "the proxy's processes hold %ld KiB after this case, over "
              "--rss-limit (%ld KiB)\n",
              res->rss_kib, pc->env->rss_limit_kib);
  if (res->verdict < FSP_V_FAIL) {
    res->verdict = FSP_V_FAIL;
    bytebuf_str(&res->expected,
                "the proxy's processes stay within --rss-limit");
    bytebuf_fmt(&res->observed, "the proxy holds %ld KiB", res->rss_kib);
  }
}

static void free_replies(px_case *pc) {
  for (size_t k = 0; k < pc->nreqs; k++) {
    px_req *r = &pc->reqs[k];
    for (size_t i = 0; i < r->nreply; i++) {
      for (size_t j = 0; j < r->reply[i].nitems; j++)
        bytebuf_free(&r->reply[i].items[j]);
      free(r->reply[i].items);
    }
    free(r->reply);
  }
}

static void px_free(px_case *pc) {
  free_replies(pc);
  for (int i = 0; i < PX_CLIENTS; i++) {
    if (pc->cl[i].h.fd >= 0)
      http_close(&pc->cl[i].h);
    if (pc->cl[i].used)
      http_conn_free(&pc->cl[i].h);
    for (unsigned g = 0; g < pc->cl[i].gen; g++)
      http_conn_free(&pc->cl[i].past[g]);
    free(pc->cl[i].past);
    bytebuf_free(&pc->cl[i].log);
  }
  bytebuf_free(&pc->pending);
}

void proxy_run_case(const fsp_case *c, fsp_backend *be, fsp_result *res) {
  memset(res, 0, sizeof(*res));
  px_case pc = {.c = c, .cfg = be->cfg, .env = be->proxy};
  for (int i = 0; i < PX_CLIENTS; i++)
    pc.cl[i].h.fd = -1;
  pthread_mutex_lock(&be->lock);
  pc.seq = ++pc.env->cases;
  pthread_mutex_unlock(&be->lock);
  pc.t0 = pc.last_change = now_ms();
  const rec_state *rs = recorder_lock(pc.env->rec);
  pc.req_from = rs->nreqs;
  pc.conn_from = rs->nconns;
  pc.events = rs->events;
  recorder_unlock(pc.env->rec);
  res->verdict = c->level == FSP_LVL_INFO ? FSP_V_INFO : FSP_V_PASS;
  run_steps(&pc, res);
  /* Let what is in flight land before the next case starts, so a late
   * request is not taken for the next case's. */
  while (!px_settled(&pc) && now_ms() < deadline(&pc) && now_ms() < cap(&pc))
    pump(&pc, deadline(&pc));
  for (int i = 0; i < PX_CLIENTS; i++)
    if (pc.cl[i].h.fd >= 0)
      http_close(&pc.cl[i].h);
  /* A reply still waiting (an app that never answers) ends with the case. */
  recorder_scripts_clear(pc.env->rec);
  if (!proxy_alive(&pc)) {
    res->down = 1;
    bytebuf_str(&res->notes, "the proxy stopped accepting connections after "
                             "this case\n");
    if (res->verdict < FSP_V_FAIL)
      res->verdict = FSP_V_FAIL;
    if (be->cfg->spawn) { /* one crash costs one case */
      bytebuf why = {0};
      respawn(be, backend_generation(be), &why);
      bytebuf_fmt(&res->notes, "%.*s\n", (int)why.len, (const char *)why.p);
      bytebuf_free(&why);
    }
  }
  if (be->pid > 0 && !res->down)
    check_memory(&pc, be->pid, res);
  rs = recorder_lock(pc.env->rec);
  if (res->verdict != FSP_V_PASS)
    px_trace(&pc, rs, &res->trace);
  px_requests_json(&pc, rs, &res->requests);
  recorder_unlock(pc.env->rec);
  px_free(&pc);
  res->elapsed_ms = now_ms() - pc.t0;
}

/* Expands c's requests as a run's first case would (no connection):
 * pc->pending gets their bytes, pc->reqs their replies. */
static int expand_case(px_case *pc, char *err, size_t errlen) {
  const fsp_case *c = pc->c;
  for (size_t i = 0; i < c->nsteps; i++) {
    const fsp_step *s = &c->steps[i];
    if (s->kind != S_HTTP && s->kind != S_GET && s->kind != S_POST)
      continue;
    if (pc->nreqs == PX_REQUESTS) {
      snprintf(err, errlen, "line %d: more than %d requests", s->line,
               PX_REQUESTS);
      return -1;
    }
    produce(pc, s);
    if (pc->unplayable[0]) {
      snprintf(err, errlen, "%s", pc->unplayable);
      return -1;
    }
  }
  return 0;
}

int proxy_case_bytes(const fsp_case *c, const proxy_env *env, bytebuf *out,
                     char *err, size_t errlen) {
  px_case pc = {.c = c, .env = (proxy_env *)env, .seq = 1};
  int rc = expand_case(&pc, err, errlen);
  if (!rc)
    bytebuf_add(out, pc.pending.p, pc.pending.len);
  bytebuf_free(&pc.pending);
  free_replies(&pc);
  return rc;
}

int proxy_case_reply(const fsp_case *c, const proxy_env *env, uint16_t id,
                     bytebuf *out, char *err, size_t errlen) {
  px_case pc = {.c = c, .env = (proxy_env *)env, .seq = 1};
  int rc = expand_case(&pc, err, errlen);
  for (size_t k = 0; !rc && k < pc.nreqs; k++)
    if (pc.reqs[k].nreply) {
      rec_script_bytes(pc.reqs[k].reply, pc.reqs[k].nreply, id, out);
      break;
    }
  bytebuf_free(&pc.pending);
  free_replies(&pc);
  return rc;
}
