#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "backend_conn.h"
#include "clock.h"
#include "fcs/encoder.h"
#include "wire_trace.h"
#include "xalloc.h"

static void declare_on(void *ctx, uint16_t id, uint16_t role, uint8_t flags) {
  replies_begin(&((fsp_conn *)ctx)->replies, id, role, flags);
}

void served_free(fsp_served *got) {
  bytebuf_free(&got->out);
  bytebuf_free(&got->err);
  sent_free(&got->sent);
}

int serve_probe(const fsp_config *cfg, long deadline_ms,
                const char *const *pairs, uint16_t role, fsp_served *got,
                bytebuf *why) {
  int64_t deadline = now_ms() + deadline_ms;
  fsp_trace tr;
  trace_init(&tr);
  fsp_conn conn;
  fsp_sent sent;
  sent_init(&sent);
  char err[256];
  if (conn_open(&conn, &cfg->target, &tr, deadline, err, sizeof(err))) {
    bytebuf_fmt(why, "cannot connect: %s", err);
    conn_close(&conn);
    trace_free(&tr);
    if (got)
      got->sent = sent;
    else
      sent_free(&sent);
    return -1;
  }
  fsp_step s = {.kind = S_REQUEST, .id = 1, .role = role};
  s.o = (fsp_rec_opts){-1, -1, -1, -1, -1, -1, -1};
  size_t n = 0;
  while (pairs && pairs[n])
    n++;
  bytebuf *items = xcalloc(n + 1, sizeof(bytebuf)), out = {0};
  for (size_t i = 0; i < n; i++)
    bytebuf_str(&items[i], pairs[i]);
  s.items = items;
  s.nitems = n;
  step_produce(NULL, &s, &cfg->std, &out, err, sizeof(err));
  sent_feed(&sent, out.p, out.len, declare_on, &conn);
  conn_write(&conn, out.p, out.len, 0, deadline);
  const fsp_reply *rep = NULL;
  /* Slow is not hung here either: bytes received restart the deadline, up
   * to the same cap a case has. */
  int64_t cap = deadline + 19 * (int64_t)deadline_ms;
  while (!(rep = replies_next_end(&conn.replies, 1, NULL, NULL)) &&
         !conn_done(&conn) && now_ms() < deadline) {
    conn_pump(&conn, deadline);
    if (conn.rx_bytes && conn.last_rx + deadline_ms > deadline)
      deadline =
          conn.last_rx + deadline_ms < cap ? conn.last_rx + deadline_ms : cap;
  }
  int rc = -1;
  if (!rep)
    bytebuf_fmt(why, "%s before END_REQUEST",
                conn_done(&conn) ? "the connection closed or broke"
                                 : "no response within the deadline");
  else if (rep->end.protocol_status != FCS_REQUEST_COMPLETE)
    bytebuf_fmt(why, "END_REQUEST with protocolStatus %u (%s)",
                rep->end.protocol_status,
                fcs_protocol_status_name(rep->end.protocol_status));
  else
    rc = 0;
  if (rep && got) {
    bytebuf_add(&got->out, rep->out.p, rep->out.len);
    bytebuf_add(&got->err, rep->err.p, rep->err.len);
  }
  if (got)
    got->sent = sent;
  else
    sent_free(&sent);
  conn_close(&conn);
  bytebuf_free(&out);
  for (size_t i = 0; i < n; i++)
    bytebuf_free(&items[i]);
  free(items);
  trace_free(&tr);
  return rc;
}

static void copy_value(char *dst, size_t cap, const fcs_nv_pair *p) {
  size_t n = p->value_len < cap - 1 ? p->value_len : cap - 1;
  memcpy(dst, p->value, n);
  dst[n] = 0;
}

/* A GET_VALUES record asking for the three variables of spec 4.1; returns
 * its length. */
static size_t get_values_query(uint8_t *out, size_t cap) {
  static const char *const names[] = {FCS_MAX_CONNS, FCS_MAX_REQS,
                                      FCS_MPXS_CONNS};
  fcs_nv_pair pairs[3] = {{0}};
  for (size_t i = 0; i < 3; i++) {
    pairs[i].name = (const uint8_t *)names[i];
    pairs[i].name_len = (uint32_t)strlen(names[i]);
  }
  uint8_t content[64];
  size_t clen, len;
  fcs_encode_pairs(content, sizeof content, pairs, 3, 0, &clen);
  fcs_encode_record(out, cap, FCS_GET_VALUES, FCS_NULL_REQUEST_ID, content,
                    clen, NULL, &len);
  return len;
}

static void get_values(const fsp_config *cfg, fsp_probe *p) {
  long ms = cfg->timeout_ms < 1000 ? cfg->timeout_ms : 1000;
  int64_t deadline = now_ms() + ms;
  fsp_trace tr;
  trace_init(&tr);
  fsp_conn c;
  char err[256];
  if (conn_open(&c, &cfg->target, &tr, deadline, err, sizeof(err)) == 0) {
    uint8_t query[128];
    size_t len = get_values_query(query, sizeof query);
    conn_write(&c, query, len, 0, deadline);
    const fsp_replies *r = &c.replies;
    while (!r->nmgmt && !conn_done(&c) && now_ms() < deadline)
      conn_pump(&c, deadline);
    p->not_fastcgi =
        conn_speaks_text(&c, p->not_fastcgi_why, sizeof(p->not_fastcgi_why));
    if (r->nmgmt && r->mgmt[0].type == FCS_GET_VALUES_RESULT) {
      const bytebuf *b = &r->mgmt[0].pairs;
      p->get_values_answered = 1;
      size_t pos = 0;
      fcs_nv_pair pair;
      while (fcs_nv_next(b->p, b->len, &pos, &pair) == FCS_NV_OK) {
        if (fcs_nv_name_is(&pair, FCS_MAX_CONNS))
          copy_value(p->max_conns, sizeof(p->max_conns), &pair);
        if (fcs_nv_name_is(&pair, FCS_MAX_REQS))
          copy_value(p->max_reqs, sizeof(p->max_reqs), &pair);
        if (fcs_nv_name_is(&pair, FCS_MPXS_CONNS))
          copy_value(p->mpxs_conns, sizeof(p->mpxs_conns), &pair);
      }
    }
  }
  conn_close(&c);
  trace_free(&tr);
}

/* "Status: 404 Not Found" when the reply's CGI header block says so and
 * the status is not 2xx; the first line of STDERR too. */
static void odd_status(const fsp_served *got, bytebuf *out) {
  const uint8_t *p = got->out.p, *end = p + got->out.len;
  while (p && p < end) {
    const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = (size_t)((nl ? nl : end) - p);
    if (n && p[n - 1] == '\r')
      n--;
    if (n == 0)
      break; /* end of the header block */
    if (n > 9 && !strncasecmp((const char *)p, "Status: ", 8) && p[8] != '2')
      bytebuf_fmt(out, "'%.*s'", (int)(n < 60 ? n : 60), (const char *)p);
    p = nl ? nl + 1 : NULL;
  }
  if (out->len && got->err.len) {
    const uint8_t *nl = memchr(got->err.p, '\n', got->err.len);
    size_t n = nl ? (size_t)(nl - got->err.p) : got->err.len;
    bytebuf_fmt(out, " (STDERR: '%.*s')", (int)(n < 100 ? n : 100),
                (const char *)got->err.p);
  }
}

/* The baseline request with a marker of its own, and what its reply
 * reveals. */
static void learn_content(const fsp_config *cfg, const char *echo,
                          fsp_probe *p) {
  char token[64];
  snprintf(token, sizeof(token), "fcgispec-probe-%ld-%lld", (long)getpid(),
           (long long)now_ms());
  /* An Authorization header: apps that derive params from it (PHP's
   * PHP_AUTH_USER) show them here, so they are learnt as the app's own. */
  const char *pairs[] = {FSP_MARKER_PARAM, token, "HTTP_AUTHORIZATION",
                         "Basic ZmNnaXNwZWM6cHJvYmU=", NULL};
  fsp_served got = {0};
  if (serve_probe(cfg, cfg->timeout_ms, pairs, FCS_RESPONDER, &got,
                  &p->baseline_why) == 0) {
    p->baseline_served = 1;
    odd_status(&got, &p->baseline_status);
    if (got.sent.n)
      p->content = content_learn(got.out.p, got.out.len, &got.sent.v[0],
                                 &cfg->std, echo, &p->content_why);
  } else {
    bytebuf_str(&p->content_why, "the baseline request was not served");
  }
  served_free(&got);
}

void probe_backend(const fsp_config *cfg, unsigned roles, const char *echo,
                   fsp_probe *p) {
  memset(p, 0, sizeof(*p));
  get_values(cfg, p);
  if (p->not_fastcgi)
    return;
  learn_content(cfg, echo, p);
  bytebuf why = {0};
  if ((roles & REQ_AUTHORIZER) &&
      serve_probe(cfg, cfg->timeout_ms, NULL, FCS_AUTHORIZER, NULL, &why) == 0)
    p->authorizer = 1;
  why.len = 0;
  fsp_served got = {0};
  if ((roles & REQ_FILTER) &&
      serve_probe(cfg, cfg->timeout_ms, NULL, FCS_FILTER, &got, &why) == 0) {
    p->filter = 1;
    if (got.sent.n)
      content_learn_filter(p->content, got.out.p, got.out.len, &got.sent.v[0]);
  }
  served_free(&got);
  bytebuf_free(&why);
}

void probe_free(fsp_probe *p) {
  content_free(p->content);
  bytebuf_free(&p->baseline_why);
  bytebuf_free(&p->content_why);
  bytebuf_free(&p->baseline_status);
}
