/* The conditions of proxy cases (proxy_cond.c) judged on hand-built
 * states: HTTP responses on the case's clients and requests as the
 * recording backend kept them. Each test shows a condition holding and
 * failing, so a planted mistake in the judge fails a named test
 * (conformance/tests/planted.cmake).
 *
 * `test_proxy_conditions NAME` runs the one test NAME. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "clock.h"
#include "proxy_case.h"
#include "xalloc.h"

#define MAX_REQS 8

/* A case being built: its requests, their responses, the backend's
 * state. */
typedef struct fake {
  fsp_config cfg;
  proxy_env env;
  px_case pc;
  rec_request reqs[MAX_REQS];
  rec_conn conns[2];
  rec_state rs;
} fake;

static void fake_init(fake *f) {
  memset(f, 0, sizeof(*f));
  f->cfg.settle_ms = 50;
  snprintf(f->env.host, sizeof(f->env.host), "127.0.0.1:8080");
  f->env.docroot = "/srv/www";
  f->pc.cfg = &f->cfg;
  f->pc.env = &f->env;
  f->pc.seq = 7;
  f->pc.last_change = now_ms() - 1000; /* settled */
  for (int i = 0; i < PX_CLIENTS; i++)
    f->pc.cl[i].h.fd = -1;
  f->rs.reqs = f->reqs;
  f->rs.conns = f->conns;
  f->rs.nconns = 1;
}

/* Request k of the case on client 1, answered with status (0: not yet). */
static void sent(fake *f, int status) {
  px_req *r = &f->pc.reqs[f->pc.nreqs++];
  snprintf(r->marker, sizeof(r->marker), "fcgispec=c7r%zu", f->pc.nreqs);
  r->ordinal = f->pc.cl[0].sent++;
  f->pc.cl[0].used = 1;
  f->pc.cl[0].h.fd = 1000; /* open; the judge never touches it */
  if (status) {
    http_response *h = &f->pc.cl[0].h.resp[f->pc.cl[0].h.nresp++];
    h->status = status;
    h->complete = 1;
  }
}

static void param(rec_request *q, const char *name, const char *value) {
  q->params = xrealloc(q->params, (q->nparams + 1) * sizeof(rec_param));
  rec_param *p = &q->params[q->nparams++];
  memset(p, 0, sizeof(*p));
  bytebuf_str(&p->name, name);
  bytebuf_add(&p->value, value, strlen(value));
}

/* A backend request carrying request k's marker in QUERY_STRING. */
static rec_request *arrived(fake *f, size_t k) {
  rec_request *q = &f->reqs[f->rs.nreqs++];
  q->params_done = 1;
  bytebuf qs = {0};
  bytebuf_fmt(&qs, "a=1&%s%c", f->pc.reqs[k - 1].marker, 0);
  param(q, "QUERY_STRING", (const char *)qs.p);
  bytebuf_free(&qs);
  param(q, "REMOTE_ADDR", "127.0.0.1");
  return q;
}

static void fake_free(fake *f) {
  for (size_t i = 0; i < f->rs.nreqs; i++) {
    for (size_t j = 0; j < f->reqs[i].nparams; j++) {
      bytebuf_free(&f->reqs[i].params[j].name);
      bytebuf_free(&f->reqs[i].params[j].value);
    }
    free(f->reqs[i].params);
    bytebuf_free(&f->reqs[i].in);
  }
  bytebuf_free(&f->conns[0].violations);
  http_conn_free(&f->pc.cl[0].h);
}

/* Bytes from the proxy on client 1, parsed as the runner parses them. */
static void responds(fake *f, const char *bytes) {
  http_ingest(&f->pc.cl[0].h, (const uint8_t *)bytes, strlen(bytes));
}

/* Judges "kind k [name] [item]" on the fake. */
static fsp_tri judge(fake *f, fsp_cond_kind kind, unsigned long k,
                     const char *name, const char *item) {
  fsp_cond c = {.kind = kind, .id = k, .ms = -1};
  bytebuf items[2] = {{0}, {0}};
  if (name)
    bytebuf_str(&items[c.nitems++], name);
  if (item)
    bytebuf_str(&items[c.nitems++], item);
  c.items = items;
  bytebuf why = {0};
  fsp_tri t = px_cond_eval(&f->pc, &f->rs, &c, &why);
  bytebuf_free(&why);
  bytebuf_free(&items[0]);
  bytebuf_free(&items[1]);
  return t;
}

static void test_param(void) {
  fake f;
  fake_init(&f);
  sent(&f, 200);
  rec_request *q = arrived(&f, 1);
  CHECK_EQ(judge(&f, C_PARAM, 1, "REMOTE_ADDR", "127.0.0.1"), TRI_TRUE);
  CHECK_EQ(judge(&f, C_PARAM, 1, "REMOTE_ADDR", "127.0.0.2"), TRI_FALSE);
  param(q, "REMOTE_ADDR", "127.0.0.1"); /* twice: not "exactly one" */
  CHECK_EQ(judge(&f, C_PARAM, 1, "REMOTE_ADDR", "127.0.0.1"), TRI_FALSE);
  CHECK_EQ(judge(&f, C_PARAM_COUNT, 1, "REMOTE_ADDR", NULL), TRI_FALSE);
  CHECK_EQ(judge(&f, C_PARAM_ABSENT, 1, "HTTP_PROXY", NULL), TRI_TRUE);
  param(q, "HTTP_PROXY", "http://192.0.2.1");
  CHECK_EQ(judge(&f, C_PARAM_ABSENT, 1, "HTTP_PROXY", NULL), TRI_FALSE);
  CHECK_EQ(judge(&f, C_PARAM_HAS, 1, "HTTP_PROXY", "192.0.2"), TRI_TRUE);
  CHECK_EQ(judge(&f, C_PARAM_LACKS, 1, "HTTP_PROXY", "192.0.2"), TRI_FALSE);
  CHECK_EQ(judge(&f, C_PARAM_LACKS, 1, "HTTP_OTHER", "192.0.2"), TRI_TRUE);
  fake_free(&f);
}

/* A marker is found whole: request 1's is not the start of request 12's. */
static void test_marker_whole(void) {
  fake f;
  fake_init(&f);
  for (int i = 0; i < 12; i++)
    sent(&f, 200);
  arrived(&f, 12);
  CHECK_EQ(judge(&f, C_FORWARDED, 12, NULL, NULL), TRI_TRUE);
  CHECK_EQ(judge(&f, C_NOT_FORWARDED, 1, NULL, NULL), TRI_TRUE);
  CHECK_EQ(judge(&f, C_FORWARDED, 1, NULL, NULL), TRI_FALSE);
  fake_free(&f);
}

static void test_forwarded(void) {
  fake f;
  fake_init(&f);
  sent(&f, 0); /* no response yet: nothing can be decided */
  CHECK_EQ(judge(&f, C_NOT_FORWARDED, 1, NULL, NULL), TRI_PENDING);
  CHECK_EQ(judge(&f, C_PARAM_ABSENT, 1, "X", NULL), TRI_PENDING);
  f.pc.cl[0].h.resp[0].status = 400;
  f.pc.cl[0].h.resp[0].complete = 1;
  f.pc.cl[0].h.nresp = 1;
  CHECK_EQ(judge(&f, C_NOT_FORWARDED, 1, NULL, NULL), TRI_TRUE);
  /* A check of params fails for a request that never arrived. */
  CHECK_EQ(judge(&f, C_PARAM_ABSENT, 1, "X", NULL), TRI_FALSE);
  arrived(&f, 1);
  CHECK_EQ(judge(&f, C_NOT_FORWARDED, 1, NULL, NULL), TRI_FALSE);
  CHECK_EQ(judge(&f, C_PARAM_ABSENT, 1, "X", NULL), TRI_TRUE);
  fake_free(&f);
}

static void test_status(void) {
  fake f;
  fake_init(&f);
  sent(&f, 404);
  fsp_cond c = {.kind = C_STATUS, .id = 1, .num = 4, .ms = -1};
  bytebuf why = {0};
  CHECK_EQ(px_cond_eval(&f.pc, &f.rs, &c, &why), TRI_TRUE);
  c.num = 404;
  CHECK_EQ(px_cond_eval(&f.pc, &f.rs, &c, &why), TRI_TRUE);
  c.num = 2;
  CHECK_EQ(px_cond_eval(&f.pc, &f.rs, &c, &why), TRI_FALSE);
  c.num = 400;
  CHECK_EQ(px_cond_eval(&f.pc, &f.rs, &c, &why), TRI_FALSE);
  bytebuf_free(&why);
  fake_free(&f);
}

static void test_only_in_http(void) {
  fake f;
  fake_init(&f);
  sent(&f, 200);
  rec_request *q = arrived(&f, 1);
  param(q, "HTTP_REMOTE_ADDR", "spoofed-1");
  CHECK_EQ(judge(&f, C_ONLY_IN_HTTP, 1, NULL, "spoofed-1"), TRI_TRUE);
  param(q, "REMOTE_USER", "x spoofed-1");
  CHECK_EQ(judge(&f, C_ONLY_IN_HTTP, 1, NULL, "spoofed-1"), TRI_FALSE);
  fake_free(&f);
}

static void test_no_byte(void) {
  fake f;
  fake_init(&f);
  sent(&f, 200);
  rec_request *q = arrived(&f, 1);
  CHECK_EQ(judge(&f, C_NO_BYTE, 1, NULL, "\n"), TRI_TRUE);
  param(q, "HTTP_X", "a\nb");
  CHECK_EQ(judge(&f, C_NO_BYTE, 1, NULL, "\n"), TRI_FALSE);
  fake_free(&f);
}

static void test_param_under(void) {
  static const struct {
    const char *value;
    fsp_tri want;
  } v[] = {{"/srv/www/test.php", TRI_TRUE},
           {"/srv/www", TRI_TRUE},
           {"/srv/www/sub/../../etc/passwd", TRI_FALSE},
           {"/srv/www/./test.php", TRI_FALSE},
           {"/srv/wwwx/test.php", TRI_FALSE},
           {"/etc/passwd", TRI_FALSE},
           {"/srv/www/..", TRI_FALSE},
           {"proxy:fcgi://localhost/srv/www/test.php", TRI_TRUE},
           {"proxy:fcgi://127.0.0.1:9000/srv/www/../x", TRI_FALSE},
           {"proxy:unix:/run/a.sock|fcgi://localhost/srv/www/t.php", TRI_TRUE},
           {"proxy:fcgi://localhost/etc/passwd", TRI_FALSE}};
  for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
    fake f;
    fake_init(&f);
    sent(&f, 200);
    param(arrived(&f, 1), "SCRIPT_FILENAME", v[i].value);
    if (judge(&f, C_PARAM_UNDER, 1, "SCRIPT_FILENAME", "{docroot}") !=
        v[i].want)
      CHECK(!"param-under judged wrongly" && v[i].value);
    fake_free(&f);
  }
}

static void test_body_framed(void) {
  fake f;
  fake_init(&f);
  sent(&f, 200);
  rec_request *q = arrived(&f, 1);
  param(q, "CONTENT_LENGTH", "5");
  bytebuf_str(&q->in, "hello");
  q->in_total = 5;
  f.pc.last_change = now_ms(); /* still moving: the body may come */
  CHECK_EQ(judge(&f, C_BODY_FRAMED, 1, NULL, NULL), TRI_PENDING);
  f.pc.last_change = now_ms() - 1000; /* settled: it never ended */
  CHECK_EQ(judge(&f, C_BODY_FRAMED, 1, NULL, NULL), TRI_FALSE);
  q->in_done = 1;
  CHECK_EQ(judge(&f, C_BODY_FRAMED, 1, NULL, NULL), TRI_TRUE);
  CHECK_EQ(judge(&f, C_STDIN_IS, 1, NULL, "hello"), TRI_TRUE);
  CHECK_EQ(judge(&f, C_STDIN_IS, 1, NULL, "hell"), TRI_FALSE);
  CHECK_EQ(judge(&f, C_NO_SHORT_BODY, 0, NULL, NULL), TRI_TRUE);
  q->in_total = 3;
  CHECK_EQ(judge(&f, C_BODY_FRAMED, 1, NULL, NULL), TRI_FALSE);
  CHECK_EQ(judge(&f, C_NO_SHORT_BODY, 0, NULL, NULL), TRI_FALSE);
  q->aborted = 1; /* an aborted request's body may be short */
  CHECK_EQ(judge(&f, C_NO_SHORT_BODY, 0, NULL, NULL), TRI_TRUE);
  fake_free(&f);
  /* RFC 3875 4.1.2: "" | 1*digit. Empty is no body; "-1" is no length. */
  static const struct {
    const char *cl;
    fsp_tri want;
  } v[] = {
      {"", TRI_TRUE}, {"0", TRI_TRUE}, {"-1", TRI_FALSE}, {"x", TRI_FALSE}};
  for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
    fake_init(&f);
    sent(&f, 200);
    q = arrived(&f, 1);
    param(q, "CONTENT_LENGTH", v[i].cl);
    q->in_done = 1;
    if (judge(&f, C_BODY_FRAMED, 1, NULL, NULL) != v[i].want)
      CHECK(!"body-framed judged an empty body wrongly" && v[i].cl);
    fake_free(&f);
  }
}

static void test_no_smuggling(void) {
  fake f;
  fake_init(&f);
  sent(&f, 200);
  arrived(&f, 1);
  CHECK_EQ(judge(&f, C_NO_SMUGGLING, 0, NULL, NULL), TRI_TRUE);
  rec_request *q = &f.reqs[f.rs.nreqs++]; /* one without a marker */
  q->params_done = 1;
  param(q, "REQUEST_URI", "/smuggled.php");
  CHECK_EQ(judge(&f, C_NO_SMUGGLING, 0, NULL, NULL), TRI_FALSE);
  fake_free(&f);
  fake_init(&f);
  sent(&f, 200);
  arrived(&f, 1);
  arrived(&f, 1); /* the same request twice */
  CHECK_EQ(judge(&f, C_NO_SMUGGLING, 0, NULL, NULL), TRI_FALSE);
  fake_free(&f);
}

static void test_records_valid(void) {
  fake f;
  fake_init(&f);
  sent(&f, 200);
  arrived(&f, 1);
  CHECK_EQ(judge(&f, C_RECORDS_VALID, 0, NULL, NULL), TRI_TRUE);
  bytebuf_str(&f.conns[0].violations, "NV_TRUNCATED at byte 40\n");
  f.conns[0].nviolations = 1;
  CHECK_EQ(judge(&f, C_RECORDS_VALID, 0, NULL, NULL), TRI_FALSE);
  fake_free(&f);
}

static void test_same_param(void) {
  fake f;
  fake_init(&f);
  sent(&f, 200);
  sent(&f, 200);
  param(arrived(&f, 1), "HTTP_X_REAL_IP", "1.1.1.1");
  CHECK_EQ(judge(&f, C_SAME_PARAM, 0, "HTTP_X_REAL_IP", NULL), TRI_FALSE);
  rec_request *q = arrived(&f, 2);
  param(q, "HTTP_X_REAL_IP", "1.1.1.1");
  CHECK_EQ(judge(&f, C_SAME_PARAM, 0, "HTTP_X_REAL_IP", NULL), TRI_TRUE);
  bytebuf_str(&q->params[q->nparams - 1].value, "0");
  CHECK_EQ(judge(&f, C_SAME_PARAM, 0, "HTTP_X_REAL_IP", NULL), TRI_FALSE);
  fake_free(&f);
}

static void test_isolated(void) {
  fake f;
  fake_init(&f);
  for (int i = 0; i < 12; i++)
    sent(&f, 200);
  rec_request *q = arrived(&f, 1);
  CHECK_EQ(judge(&f, C_ISOLATED, 1, NULL, NULL), TRI_TRUE);
  CHECK_EQ(judge(&f, C_ISOLATED, 12, NULL, NULL), TRI_FALSE); /* never came */
  CHECK_EQ(judge(&f, C_ISOLATED, 1, NULL, NULL), TRI_TRUE);   /* r1 in r12 */
  arrived(&f, 12);
  CHECK_EQ(judge(&f, C_ISOLATED, 12, NULL, NULL), TRI_TRUE);
  param(q, "HTTP_X_PREVIOUS", "fcgispec=c7r2");
  CHECK_EQ(judge(&f, C_ISOLATED, 1, NULL, NULL), TRI_FALSE);
  fake_free(&f);
}

static void test_keep_conn_honest(void) {
  fake f;
  fake_init(&f);
  sent(&f, 200);
  sent(&f, 200);
  arrived(&f, 1)->flags = FCS_KEEP_CONN;
  arrived(&f, 2);
  CHECK_EQ(judge(&f, C_KEEP_CONN_HONEST, 0, NULL, NULL), TRI_TRUE);
  f.reqs[0].flags = 0; /* request 2 came on a connection to be closed */
  CHECK_EQ(judge(&f, C_KEEP_CONN_HONEST, 0, NULL, NULL), TRI_FALSE);
  fake_free(&f);
}

static void test_aborted(void) {
  fake f;
  fake_init(&f);
  sent(&f, 0);
  f.pc.cl[0].h.eof = 1; /* the proxy closed without a response */
  CHECK_EQ(judge(&f, C_ABORTED, 1, NULL, NULL), TRI_FALSE); /* never came */
  rec_request *q = arrived(&f, 1);
  CHECK_EQ(judge(&f, C_ABORTED, 1, NULL, NULL), TRI_FALSE); /* not ended */
  q->cut = 1;
  CHECK_EQ(judge(&f, C_ABORTED, 1, NULL, NULL), TRI_TRUE);
  q->cut = 0;
  q->aborted = 1;
  CHECK_EQ(judge(&f, C_ABORTED, 1, NULL, NULL), TRI_TRUE);
  q->aborted = 0;
  q->in_done = 1; /* it arrived whole */
  CHECK_EQ(judge(&f, C_ABORTED, 1, NULL, NULL), TRI_FALSE);
  fake_free(&f);
}

/* Placeholders expand; anything else, {marker:N} past the last request
 * included, stays as it is. */
static void test_expand(void) {
  fake f;
  fake_init(&f);
  sent(&f, 200);
  sent(&f, 200);
  bytebuf in = {0}, out = {0};
  bytebuf_str(&in, "a{marker}b{marker:2}c{host}{port}{docroot}{marker:9}{x}");
  snprintf(f.env.port, sizeof(f.env.port), "8080");
  px_expand(&f.pc, 1, &in, &out);
  CHECK_TEXT(out.p, out.len,
             "afcgispec=c7r1bfcgispec=c7r2c127.0.0.1:80808080/srv/www"
             "{marker:9}{x}");
  out.len = 0;
  px_expand(&f.pc, 0, &in, &out); /* no request: {marker} stays */
  CHECK(bytebuf_contains(&out, (const uint8_t *)"a{marker}b", 10));
  bytebuf_free(&in);
  bytebuf_free(&out);
  fake_free(&f);
}

/* header-count k name n */
static fsp_tri judge_count(fake *f, unsigned long k, const char *name,
                           unsigned long n) {
  bytebuf item = {0};
  bytebuf_str(&item, name);
  fsp_cond c = {.kind = C_HEADER_COUNT,
                .id = k,
                .num = n,
                .ms = -1,
                .items = &item,
                .nitems = 1};
  bytebuf why = {0};
  fsp_tri t = px_cond_eval(&f->pc, &f->rs, &c, &why);
  bytebuf_free(&why);
  bytebuf_free(&item);
  return t;
}

static const char ok_empty[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

/* body, body-has, body-lacks: pending while the body comes, then judged
 * on the whole de-chunked body; false when the proxy closed first. */
static void test_body(void) {
  fake f;
  fake_init(&f);
  sent(&f, 0);
  sent(&f, 0);
  responds(&f, "HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\nid fcgi");
  CHECK_EQ(judge(&f, C_BODY, 1, NULL, "id fcgispec=c7r1 hello"), TRI_PENDING);
  CHECK_EQ(judge(&f, C_BODY_HAS, 1, NULL, "id"), TRI_PENDING);
  CHECK_EQ(judge(&f, C_BODY_LACKS, 1, NULL, "x"), TRI_PENDING);
  responds(&f, "spec=c7r1 hello");
  CHECK_EQ(judge(&f, C_BODY, 1, NULL, "id {marker} hello"), TRI_TRUE);
  CHECK_EQ(judge(&f, C_BODY, 1, NULL, "id {marker:2} hello"), TRI_FALSE);
  CHECK_EQ(judge(&f, C_BODY, 1, NULL, "id {marker} hell"), TRI_FALSE);
  CHECK_EQ(judge(&f, C_BODY, 1, NULL, "id {marker} hello!"), TRI_FALSE);
  CHECK_EQ(judge(&f, C_BODY, 1, NULL, ""), TRI_FALSE);
  CHECK_EQ(judge(&f, C_BODY_HAS, 1, NULL, "c7r1 hel"), TRI_TRUE);
  CHECK_EQ(judge(&f, C_BODY_HAS, 1, NULL, "hello!"), TRI_FALSE);
  CHECK_EQ(judge(&f, C_BODY_LACKS, 1, NULL, "hello!"), TRI_TRUE);
  CHECK_EQ(judge(&f, C_BODY_LACKS, 1, NULL, "1 he"), TRI_FALSE);
  /* Chunked: the body is what the chunks carry. */
  responds(&f, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               "3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n");
  CHECK_EQ(judge(&f, C_BODY, 2, NULL, "hello"), TRI_TRUE);
  CHECK_EQ(judge(&f, C_BODY_LACKS, 2, NULL, "\r\n"), TRI_TRUE);
  fake_free(&f);

  fake_init(&f);
  sent(&f, 0);
  responds(&f, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel");
  f.pc.cl[0].h.eof = 1; /* the proxy closed inside the body */
  CHECK_EQ(judge(&f, C_BODY, 1, NULL, "hel"), TRI_FALSE);
  CHECK_EQ(judge(&f, C_BODY_LACKS, 1, NULL, "x"), TRI_FALSE);
  fake_free(&f);

  /* A body past what the client keeps may hold anything in its tail. */
  fake_init(&f);
  sent(&f, 0);
  size_t n = HTTP_BODY_KEEP + 10;
  char *big = malloc(n + 100);
  int head =
      snprintf(big, 100, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", n);
  memset(big + head, 'a', n);
  big[head + n] = 0;
  responds(&f, big);
  free(big);
  CHECK_EQ(judge(&f, C_BODY_HAS, 1, NULL, "aaa"), TRI_TRUE);
  CHECK_EQ(judge(&f, C_BODY_LACKS, 1, NULL, "b"), TRI_FALSE);
  fake_free(&f);
}

/* header, no-header, header-count: names in any case, the first header
 * of a name, values without the blanks around them. */
static void test_headers(void) {
  fake f;
  fake_init(&f);
  sent(&f, 0);
  responds(&f, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-A:  a b \r\n"
               "set-cookie: 1\r\nSet-Cookie: 2\r\ninjected: yes\r\n");
  CHECK_EQ(judge(&f, C_NO_HEADER, 1, "X-None", NULL), TRI_PENDING);
  CHECK_EQ(judge(&f, C_HEADER, 1, "X-A", "a b"), TRI_PENDING);
  responds(&f, "\r\n");
  CHECK_EQ(judge(&f, C_HEADER, 1, "X-A", "a b"), TRI_TRUE);
  CHECK_EQ(judge(&f, C_HEADER, 1, "x-a", "a b"), TRI_TRUE);
  CHECK_EQ(judge(&f, C_HEADER, 1, "X-A", "a"), TRI_FALSE);
  CHECK_EQ(judge(&f, C_HEADER, 1, "X-A", " a b "), TRI_FALSE);
  CHECK_EQ(judge(&f, C_HEADER, 1, "X-B", ""), TRI_FALSE);
  CHECK_EQ(judge(&f, C_HEADER, 1, "Set-Cookie", "1"), TRI_TRUE);
  CHECK_EQ(judge(&f, C_HEADER, 1, "Set-Cookie", "2"), TRI_FALSE);
  CHECK_EQ(judge(&f, C_NO_HEADER, 1, "Injected", NULL), TRI_FALSE);
  CHECK_EQ(judge(&f, C_NO_HEADER, 1, "INJECTED", NULL), TRI_FALSE);
  CHECK_EQ(judge(&f, C_NO_HEADER, 1, "Inject", NULL), TRI_TRUE);
  CHECK_EQ(judge(&f, C_NO_HEADER, 1, "X-Injected", NULL), TRI_TRUE);
  CHECK_EQ(judge_count(&f, 1, "Set-Cookie", 2), TRI_TRUE);
  CHECK_EQ(judge_count(&f, 1, "SET-COOKIE", 2), TRI_TRUE);
  CHECK_EQ(judge_count(&f, 1, "Set-Cookie", 1), TRI_FALSE);
  CHECK_EQ(judge_count(&f, 1, "X-None", 0), TRI_TRUE);
  CHECK_EQ(judge_count(&f, 1, "X-A", 0), TRI_FALSE);
  fake_free(&f);

  /* No response, and the proxy closed: nothing holds. */
  fake_init(&f);
  sent(&f, 0);
  f.pc.cl[0].h.eof = 1;
  CHECK_EQ(judge(&f, C_NO_HEADER, 1, "Injected", NULL), TRI_FALSE);
  CHECK_EQ(judge_count(&f, 1, "X-A", 0), TRI_FALSE);
  fake_free(&f);
}

/* own-reply 2 on response 2 (after an empty response 1), request 2
 * being the backend's request 1 when it arrived. */
static fsp_tri own_reply_2(const char *response, int arrived2) {
  fake f;
  fake_init(&f);
  sent(&f, 0);
  sent(&f, 0);
  arrived(&f, 1);
  if (arrived2)
    arrived(&f, 2);
  responds(&f, ok_empty);
  responds(&f, response);
  fsp_tri t = judge(&f, C_OWN_REPLY, 2, NULL, NULL);
  fake_free(&f);
  return t;
}

/* The recording backend's own reply to request 2's backend request, and
 * nothing else, is request 2's own reply. */
static void test_own_reply(void) {
  static const char own[] =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
      "X-Fcgispec-Recorder: 1\r\nContent-Length: 19\r\n\r\n"
      "recorded request 1\n";
  CHECK_EQ(own_reply_2(own, 1), TRI_TRUE);
  CHECK_EQ(own_reply_2("HTTP/1.1 200 OK\r\nx-fcgispec-recorder:  1 \r\n"
                       "Content-Length: 19\r\n\r\nrecorded request 1\n",
                       1),
           TRI_TRUE);
  /* Request 1's reply, handed to request 2. */
  CHECK_EQ(own_reply_2("HTTP/1.1 200 OK\r\nX-Fcgispec-Recorder: 0\r\n"
                       "Content-Length: 19\r\n\r\nrecorded request 0\n",
                       1),
           TRI_FALSE);
  CHECK_EQ(own_reply_2("HTTP/1.1 200 OK\r\nX-Fcgispec-Recorder: 1\r\n"
                       "Content-Length: 19\r\n\r\nrecorded request 0\n",
                       1),
           TRI_FALSE);
  CHECK_EQ(own_reply_2("HTTP/1.1 200 OK\r\nX-Fcgispec-Recorder: 11\r\n"
                       "Content-Length: 20\r\n\r\nrecorded request 11\n",
                       1),
           TRI_FALSE);
  /* Bytes beyond the reply (left over from another), or none of it. */
  CHECK_EQ(own_reply_2("HTTP/1.1 200 OK\r\nX-Fcgispec-Recorder: 1\r\n"
                       "Content-Length: 24\r\n\r\nrecorded request 1\nextra",
                       1),
           TRI_FALSE);
  CHECK_EQ(own_reply_2("HTTP/1.1 200 OK\r\nContent-Length: 19\r\n\r\n"
                       "recorded request 1\n",
                       1),
           TRI_FALSE);
  CHECK_EQ(own_reply_2("HTTP/1.1 502 Bad Gateway\r\nX-Fcgispec-Recorder: 1\r\n"
                       "Content-Length: 19\r\n\r\nrecorded request 1\n",
                       1),
           TRI_FALSE);
  /* Pending while the response comes; false for a request that never
   * reached the backend. */
  CHECK_EQ(own_reply_2("HTTP/1.1 200 OK\r\nX-Fcgispec-Recorder: 1\r\n"
                       "Content-Length: 19\r\n\r\nrecorded req",
                       1),
           TRI_PENDING);
  CHECK_EQ(own_reply_2(own, 0), TRI_FALSE);
}

int main(int argc, char **argv) {
  const char *only = argc > 1 ? argv[1] : NULL;
  RUN_IF(test_param, only);
  RUN_IF(test_marker_whole, only);
  RUN_IF(test_forwarded, only);
  RUN_IF(test_status, only);
  RUN_IF(test_only_in_http, only);
  RUN_IF(test_no_byte, only);
  RUN_IF(test_param_under, only);
  RUN_IF(test_body_framed, only);
  RUN_IF(test_no_smuggling, only);
  RUN_IF(test_records_valid, only);
  RUN_IF(test_same_param, only);
  RUN_IF(test_isolated, only);
  RUN_IF(test_keep_conn_honest, only);
  RUN_IF(test_aborted, only);
  RUN_IF(test_expand, only);
  RUN_IF(test_body, only);
  RUN_IF(test_headers, only);
  RUN_IF(test_own_reply, only);
  return check_exit("test_proxy_conditions", only);
}
