/* fcs-interop-check: cross-checks the codec against a real FastCGI
 * application. Starts the application on a Unix socket in a private
 * directory, then, as a client built on the codec, on one connection:
 *
 *   1. asks GET_VALUES for FCGI_MAX_CONNS, FCGI_MAX_REQS, FCGI_MPXS_CONNS;
 *   2. sends a responder request with KEEP_CONN: params including a
 *      200-byte value (4-byte length form), a body in several STDIN records;
 *   3. sends a second request without KEEP_CONN and expects the
 *      application to close the connection after answering it.
 *
 * Every reply is decoded leniently (to read it) and strictly (to judge it);
 * the echoed params and body must be what was sent. Exit status 0 only when
 * everything matched and every strict verdict is the backend's known one
 * (backend.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "conn.h"
#include "echo_check.h"
#include "fcs/fcs.h"
#include "request.h"
#include "server.h"
#include "strict.h"
#include "tempdir.h"

#define REPLY_TIMEOUT_MS 5000
#define START_TIMEOUT_MS 10000
#define DEFERRED_PROBE_MS 500
#define LONG_VALUE_LEN 200
#define MAX_PARAMS 16

typedef struct run {
  const interop_backend *backend;
  char **args;
  interop_tempdir dir;
  interop_server server;
  char socket_path[256];
} run;

/* One request of the scenario, as sent. */
typedef struct sent_request {
  uint16_t id;
  uint8_t flags;
  const char *query;
  size_t body_len;
  uint32_t stdin_chunk;
  fcs_nv_pair params[MAX_PARAMS];
  size_t nparams;
  char text[4][256]; /* param values made for this request */
  uint8_t *body;
} sent_request;

static const char *const asked_values[] = {"FCGI_MAX_CONNS", "FCGI_MAX_REQS",
                                           "FCGI_MPXS_CONNS"};
#define NASKED (sizeof(asked_values) / sizeof(asked_values[0]))

/* Prints the verdict; a problem unless it is exactly the expected one. */
static int judge(const run *r, const strict_verdict *v, fcs_err expected,
                 const char *exchange) {
  strict_print(v, exchange);
  if (v->code == expected) {
    if (expected != FCS_E_OK)
      printf("%s: known deviation of %s, accepted\n", exchange,
             r->backend->name);
    return 0;
  }
  if (expected == FCS_E_OK)
    printf("FAIL %s: %s is expected to be strictly clean here\n", exchange,
           r->backend->name);
  else
    printf("FAIL %s: %s's known deviation %s is no longer what it does; "
           "update codec/interop/backend.c\n",
           exchange, r->backend->name, fcs_err_name(expected));
  return 1;
}

/* Whether the streams were ended by empty records, as the backend is known
 * to do (or not to do). */
static int check_stream_ends(const run *r, const interop_reply *reply,
                             const char *label) {
  int want = r->backend->ends_streams;
  int out_ok = reply->out_closed == want;
  int err_ok = reply->err.len == 0 || reply->err_closed == want;
  if (out_ok && err_ok)
    return 0;
  printf("FAIL %s: %s the empty record ending %s, unlike what %s is known "
         "to do (update codec/interop/backend.c)\n",
         label, want ? "missing" : "found", out_ok ? "STDERR" : "STDOUT",
         r->backend->name);
  return 1;
}

/* Index of the asked name p carries, or -1. */
static int asked_index(const fcs_nv_pair *p) {
  for (size_t i = 0; i < NASKED; i++)
    if (p->name_len == strlen(asked_values[i]) &&
        memcmp(p->name, asked_values[i], p->name_len) == 0)
      return (int)i;
  return -1;
}

static int is_decimal(const fcs_nv_pair *p) {
  for (uint32_t i = 0; i < p->value_len; i++)
    if (p->value[i] < '0' || p->value[i] > '9')
      return 0;
  return p->value_len > 0;
}

/* The reply holds only names that were asked, each once, with a decimal
 * value (spec 4.1). Names left out are allowed. */
static int check_values(const interop_mgmt *m) {
  if (m->type != FCS_GET_VALUES_RESULT) {
    printf("FAIL GET_VALUES: answered with %s\n", fcs_type_name(m->type));
    return 1;
  }
  int problems = 0, count[NASKED] = {0};
  size_t pos = 0;
  fcs_nv_pair p;
  while (fcs_nv_next(m->pairs.data, m->pairs.len, &pos, &p) == FCS_NV_OK) {
    int i = asked_index(&p);
    printf("GET_VALUES: %.*s=%.*s\n", (int)p.name_len, (const char *)p.name,
           (int)p.value_len, (const char *)p.value);
    if (i < 0 || !is_decimal(&p) || ++count[i] > 1) {
      printf("FAIL GET_VALUES: %.*s was not asked for, came twice, or its "
             "value is not a decimal number\n",
             (int)p.name_len, (const char *)p.name);
      problems++;
    }
  }
  for (size_t i = 0; i < NASKED; i++)
    if (!count[i])
      printf("GET_VALUES: %s not answered (allowed)\n", asked_values[i]);
  return problems;
}

/* Scenario steps return the number of problems they found, or -1 when the
 * connection cannot go on (the reason is printed). */

static int await_get_values(const run *r, interop_conn *c) {
  interop_mgmt m = {0};
  interop_span span;
  strict_verdict v;
  int problems = conn_await_mgmt(c, &m, &span);
  if (problems == 0) {
    strict_check(c->transcript.data, span.start, span.end, 0, 0, &v);
    problems = judge(r, &v, FCS_E_OK, "GET_VALUES") + check_values(&m);
  }
  mgmt_free(&m);
  return problems;
}

static fcs_nv_pair pair(const char *name, const char *value) {
  fcs_nv_pair p = {(const uint8_t *)name, (uint32_t)strlen(name),
                   (const uint8_t *)value, (uint32_t)strlen(value)};
  return p;
}

/* Fills q->params and q->body. */
static void make_request(const run *r, sent_request *q) {
  static char long_value[LONG_VALUE_LEN + 1];
  for (int i = 0; i < LONG_VALUE_LEN; i++)
    long_value[i] = (char)('a' + i % 26);
  snprintf(q->text[0], sizeof(q->text[0]), "/echo?%s", q->query);
  snprintf(q->text[1], sizeof(q->text[1]), "%s", q->query);
  snprintf(q->text[2], sizeof(q->text[2]), "%zu", q->body_len);
  snprintf(q->text[3], sizeof(q->text[3]), "%u", q->id);
  fcs_nv_pair *p = q->params;
  size_t n = 0;
  p[n++] = pair("REQUEST_METHOD", "POST");
  p[n++] = pair("SCRIPT_FILENAME", r->args[r->backend->nargs - 1]);
  p[n++] = pair("SCRIPT_NAME", "/echo");
  p[n++] = pair("REQUEST_URI", q->text[0]);
  p[n++] = pair("QUERY_STRING", q->text[1]);
  p[n++] = pair("CONTENT_TYPE", "application/octet-stream");
  p[n++] = pair("CONTENT_LENGTH", q->text[2]);
  p[n++] = pair("SERVER_PROTOCOL", "HTTP/1.1");
  p[n++] = pair("GATEWAY_INTERFACE", "CGI/1.1");
  p[n++] = pair("SERVER_NAME", "localhost");
  p[n++] = pair("SERVER_PORT", "80");
  p[n++] = pair("REMOTE_ADDR", "127.0.0.1");
  p[n++] = pair("HTTP_X_LONG", long_value);
  p[n++] = pair("HTTP_X_FCS_REQUEST", q->text[3]);
  q->nparams = n;
  q->body = malloc(q->body_len ? q->body_len : 1);
  if (!q->body) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  for (size_t i = 0; i < q->body_len; i++)
    q->body[i] = (uint8_t)(i * 7 + q->id); /* every byte value shows up */
}

static int send_request(const run *r, interop_conn *c, sent_request *q) {
  interop_buf wire = {0};
  make_request(r, q);
  interop_request req = {q->id,   q->flags,    q->params,     q->nparams,
                         q->body, q->body_len, q->stdin_chunk};
  request_encode(&req, &wire);
  int rc = conn_begin(c, q->id, q->flags) || conn_send(c, &wire) ? -1 : 0;
  buf_free(&wire);
  return rc;
}

static int check_reply(const run *r, interop_conn *c, const interop_span *span,
                       const sent_request *q, const interop_reply *reply) {
  char label[32];
  strict_verdict v;
  snprintf(label, sizeof(label), "request %u", q->id);
  strict_check(c->transcript.data, span->start, span->end, q->id, q->flags, &v);
  fcs_err expected =
      r->backend->ends_streams ? FCS_E_OK : FCS_E_MISSING_STREAM_END;
  int problems =
      judge(r, &v, expected, label) + check_stream_ends(r, reply, label);
  if (reply->end.protocol_status != FCS_REQUEST_COMPLETE ||
      reply->end.app_status != 0) {
    printf("FAIL %s: END_REQUEST says %s, appStatus %u\n", label,
           fcs_protocol_status_name(reply->end.protocol_status),
           reply->end.app_status);
    problems++;
  }
  problems += echo_check(label, &reply->out, q->params, q->nparams, q->body,
                         q->body_len);
  printf("%s: STDOUT %zu bytes, STDERR %zu bytes: %.*s", label, reply->out.len,
         reply->err.len, (int)reply->err.len, (const char *)reply->err.data);
  if (reply->err.len == 0 || reply->err.data[reply->err.len - 1] != '\n')
    printf("\n");
  return problems;
}

static int await_request(const run *r, interop_conn *c, sent_request *q) {
  interop_reply reply = {0};
  interop_span span;
  reply.id = q->id;
  int problems = conn_await_reply(c, &reply, &span);
  if (problems == 0)
    problems = check_reply(r, c, &span, q, &reply);
  reply_free(&reply);
  return problems;
}

/* Adds a step's outcome to *problems; 0 while the scenario can go on. */
static int step(int *problems, int outcome) {
  *problems += outcome < 0 ? 1 : outcome;
  return outcome < 0 ? -1 : 0;
}

/* GET_VALUES, then the first request. A backend that answers GET_VALUES
 * only when the next record arrives must stay silent until then. Adds to
 * *problems; returns -1 when the connection cannot go on. */
static int get_values_then_request(const run *r, interop_conn *c,
                                   sent_request *first, int *problems) {
  interop_buf query = {0};
  get_values_encode(asked_values, NASKED, &query);
  int sent = conn_send(c, &query);
  buf_free(&query);
  if (step(problems, sent))
    return -1;
  if (!r->backend->get_values_deferred)
    return step(problems, await_get_values(r, c)) ||
                   step(problems, send_request(r, c, first)) ||
                   step(problems, await_request(r, c, first))
               ? -1
               : 0;
  if (conn_expect_silence(c, DEFERRED_PROBE_MS) == 0) {
    printf("GET_VALUES: no reply within %d ms, before the next record "
           "(known deviation of %s, accepted)\n",
           DEFERRED_PROBE_MS, r->backend->name);
  } else {
    printf("FAIL GET_VALUES: %s answered before the next record; its known "
           "deviation is gone, update codec/interop/backend.c\n",
           r->backend->name);
    (*problems)++;
  }
  return step(problems, send_request(r, c, first)) ||
                 step(problems, await_get_values(r, c)) ||
                 step(problems, await_request(r, c, first))
             ? -1
             : 0;
}

static int scenario(run *r) {
  sent_request first = {.id = 1,
                        .flags = FCS_KEEP_CONN,
                        .query = "req=1",
                        .body_len = 3000,
                        .stdin_chunk = 1000};
  sent_request second = {.id = 2,
                         .flags = 0,
                         .query = "req=2&last",
                         .body_len = 700,
                         .stdin_chunk = 256};
  interop_conn c;
  int problems = 0;
  int fd = server_connect(&r->server, r->socket_path, START_TIMEOUT_MS);
  if (fd < 0)
    return 1;
  if (conn_open(&c, fd, REPLY_TIMEOUT_MS)) {
    conn_close(&c);
    return 1;
  }
  if (get_values_then_request(r, &c, &first, &problems) == 0 &&
      step(&problems, send_request(r, &c, &second)) == 0 &&
      step(&problems, await_request(r, &c, &second)) == 0 &&
      conn_await_eof(&c)) {
    printf("FAIL request 2: the connection did not end cleanly after a "
           "request without KEEP_CONN\n");
    problems++;
  }
  free(first.body);
  free(second.body);
  conn_close(&c);
  return problems;
}

static int usage(const char *self) {
  size_t n;
  const interop_backend *b = backend_list(&n);
  fprintf(stderr, "usage:\n");
  for (size_t i = 0; i < n; i++)
    fprintf(stderr, "  %s %s %s\n", self, b[i].name, b[i].args_usage);
  return 2;
}

int main(int argc, char **argv) {
  run r = {0};
  setvbuf(stdout, NULL, _IOLBF, 0); /* keep stdout and stderr in order */
  if (argc < 2 || !(r.backend = backend_find(argv[1])) ||
      argc != 2 + r.backend->nargs)
    return usage(argv[0]);
  r.args = argv + 2;
  if (tempdir_create(&r.dir) ||
      tempdir_file(&r.dir, "app.sock", r.socket_path, sizeof(r.socket_path)) ||
      r.backend->start(r.backend, r.args, &r.dir, r.socket_path, &r.server)) {
    tempdir_remove(&r.dir);
    return 1;
  }
  int problems = scenario(&r);
  if (!problems && !server_running(&r.server)) {
    printf("FAIL %s died during the check\n", r.backend->name);
    problems++;
  }
  if (problems)
    server_show_log(&r.server);
  server_stop(&r.server);
  tempdir_remove(&r.dir);
  printf("%s cross-check: %s (%d problem%s)\n", r.backend->name,
         problems ? "FAIL" : "PASS", problems, problems == 1 ? "" : "s");
  return problems ? 1 : 0;
}
