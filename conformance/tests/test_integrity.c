/* Each integrity finding from a crafted view, no finding for an exact echo
 * or for any of an application's learnt quirks (integrity.h). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "echo_formats.h"
#include "fcs/proto.h"
#include "fcs_crc32.h"
#include "integrity.h"

#define MAX_PAIRS 16

/* A request to send: "NAME=VALUE" strings split at the first '='. */
typedef struct req {
  fcs_nv_pair pairs[MAX_PAIRS];
  sent_request rq;
} req;

static void req_init(req *r, uint16_t id, uint16_t role, const char *const *kv,
                     const char *body) {
  memset(r, 0, sizeof *r);
  size_t n = 0;
  for (; kv[n]; n++) {
    const char *eq = strchr(kv[n], '=');
    r->pairs[n].name = (const uint8_t *)kv[n];
    r->pairs[n].name_len = (uint32_t)(eq - kv[n]);
    r->pairs[n].value = (const uint8_t *)eq + 1;
    r->pairs[n].value_len = (uint32_t)strlen(eq + 1);
  }
  r->rq = (sent_request){id,           role, r->pairs, n, (const uint8_t *)body,
                         strlen(body), NULL, 0};
}

/* What an exact echo of rq shows. */
static void view_of(const sent_request *rq, echo_view *v) {
  memset(v, 0, sizeof *v);
  v->format = ECHO_LINES;
  for (size_t i = 0; i < rq->npairs; i++)
    echo_view_add(v, rq->pairs[i].name, rq->pairs[i].name_len,
                  rq->pairs[i].value, rq->pairs[i].value_len);
  echo_stream_set(&v->in, rq->in, rq->in_len);
  if (rq->role == FCS_FILTER)
    echo_stream_set(&v->data, rq->data, rq->data_len);
  v->id_shown = 1;
  v->request_id = rq->id;
}

static void set_value(echo_view *v, size_t i, const char *value) {
  echo_pair *p = (echo_pair *)(void *)v->pairs.p + i;
  echo_str_free(&p->value);
  bytebuf_str(&p->value.bytes, value);
}

/* The quirks of an application that shows everything and adds nothing. */
static const echo_quirks plain = {.body_shown = 1, .data_shown = 1};

typedef struct expected {
  integrity_kind kind;
  const char *text; /* NULL ends a list */
} expected;

/* The findings are exactly want, in order. */
static void check_findings_at(int line, const integrity_report *r,
                              const expected *want) {
  size_t n = 0;
  while (want[n].text)
    n++;
  int ok = integrity_count(r) == n;
  for (size_t i = 0; ok && i < n; i++) {
    const integrity_finding *f = integrity_at(r, i);
    ok = f->kind == want[i].kind && f->text.len == strlen(want[i].text) &&
         !memcmp(f->text.p, want[i].text, f->text.len);
  }
  if (ok)
    return;
  fprintf(stderr, "test_integrity.c:%d: findings differ\n  got:\n", line);
  for (size_t i = 0; i < integrity_count(r); i++)
    fprintf(stderr, "    [%d] %.*s\n", (int)integrity_at(r, i)->kind,
            (int)integrity_at(r, i)->text.len,
            (const char *)integrity_at(r, i)->text.p);
  fprintf(stderr, "  want:\n");
  for (size_t i = 0; i < n; i++)
    fprintf(stderr, "    [%d] %s\n", (int)want[i].kind, want[i].text);
  check_failures++;
}

/* CHECK_FINDINGS(&r, {KIND, "text"}, ...); a single expected whose text
 * is NULL means none. */
#define CHECK_FINDINGS(r, ...)                                                 \
  check_findings_at(__LINE__, r, (const expected[]){__VA_ARGS__, {0, NULL}})
#define CHECK_NO_FINDING(r) CHECK_EQ(integrity_count(r), 0)

/* Runs one check of rq against v with the plain quirks and no other
 * request, and frees v. */
static void run(const sent_request *rq, echo_view *v, integrity_report *r) {
  integrity_check(rq, v, &plain, NULL, 0, r);
  echo_view_free(v);
}

static const char *const basic[] = {"REQUEST_METHOD=POST", "CONTENT_LENGTH=5",
                                    "Q=a=b", NULL};

static void test_exact_echo(void) {
  req a;
  req_init(&a, 1, FCS_RESPONDER, basic, "hello");
  echo_view v;
  view_of(&a.rq, &v);
  integrity_report r;
  run(&a.rq, &v, &r);
  CHECK_NO_FINDING(&r);
  CHECK_EQ(r.checked, 5); /* id, three params, body */
  CHECK_EQ(r.unchecked, 0);
  bytebuf s = {0};
  integrity_summary(&r, &s);
  CHECK_TEXT(s.p, s.len, "5 checks, 0 not made");
  bytebuf_free(&s);
  integrity_report_free(&r);
}

static void test_body_findings(void) {
  req a;
  req_init(&a, 1, FCS_RESPONDER, basic, "hello");
  static const struct {
    const char *shown;
    expected want;
  } cases[] = {
      {"", {INTEGRITY_BODY_LOST, "body lost"}},
      {"hel", {INTEGRITY_BODY_CUT, "body cut at byte 3 (sent 5 bytes)"}},
      {"hexlo", {INTEGRITY_BODY_CHANGED, "body changed at byte 2"}},
      {"hello!", {INTEGRITY_BODY_CHANGED, "body changed at byte 5"}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    echo_view v;
    view_of(&a.rq, &v);
    echo_stream_set(&v.in, cases[i].shown, strlen(cases[i].shown));
    integrity_report r;
    run(&a.rq, &v, &r);
    CHECK_FINDINGS(&r, cases[i].want);
    integrity_report_free(&r);
  }
  /* A page that shows bodies but not this one. */
  echo_view v;
  view_of(&a.rq, &v);
  echo_str_free(&v.in.bytes);
  v.in.shown = 0;
  integrity_report r;
  run(&a.rq, &v, &r);
  CHECK_FINDINGS(&r, {INTEGRITY_BODY_LOST, "body lost"});
  integrity_report_free(&r);
}

/* The body is checked only when CONTENT_LENGTH says how long it is. */
static void test_body_needs_content_length(void) {
  static const char *const short_cl[] = {"CONTENT_LENGTH=3", NULL};
  static const char *const bad_cl[] = {"CONTENT_LENGTH=5x", NULL};
  static const char *const two_cl[] = {"CONTENT_LENGTH=1", "CONTENT_LENGTH=5",
                                       NULL};
  const char *const *lists[] = {short_cl, bad_cl};
  for (int i = 0; i < 2; i++) {
    req a;
    req_init(&a, 1, FCS_RESPONDER, lists[i], "hello");
    echo_view v;
    view_of(&a.rq, &v);
    echo_stream_set(&v.in, "hel", 3);
    integrity_report r;
    run(&a.rq, &v, &r);
    CHECK_NO_FINDING(&r);
    CHECK_EQ(r.unchecked, 1);
    integrity_report_free(&r);
  }
  req a; /* the last CONTENT_LENGTH counts */
  req_init(&a, 1, FCS_RESPONDER, two_cl, "hello");
  echo_view v;
  view_of(&a.rq, &v);
  echo_stream_set(&v.in, "hel", 3);
  integrity_report r;
  run(&a.rq, &v, &r);
  CHECK_FINDINGS(&r, {INTEGRITY_BODY_CUT, "body cut at byte 3 (sent 5 bytes)"});
  integrity_report_free(&r);
  /* No CONTENT_LENGTH and no body: a body that shows up is wrong. */
  static const char *const none[] = {"A=1", NULL};
  req_init(&a, 1, FCS_RESPONDER, none, "");
  view_of(&a.rq, &v);
  echo_stream_set(&v.in, "x", 1);
  run(&a.rq, &v, &r);
  CHECK_FINDINGS(&r, {INTEGRITY_BODY_CHANGED, "body changed at byte 0"});
  integrity_report_free(&r);
}

/* The lines format with KEPT < TOTAL: first bytes, length and CRC-32. */
static void test_body_partial(void) {
  req a;
  req_init(&a, 1, FCS_RESPONDER, basic, "hello");
  uint32_t crc = fcsr_crc32_update(FCSR_CRC32_INIT, a.rq.in, 5);
  static const struct {
    const char *kept;
    uint64_t total;
    int crc_ok;
    expected want;
  } cases[] = {
      {"hel", 5, 1, {0, NULL}},
      {"hel",
       5,
       0,
       {INTEGRITY_BODY_CHANGED,
        "body changed at byte 3 or later (CRC-32 differs)"}},
      {"hel", 4, 1, {INTEGRITY_BODY_CUT, "body cut at byte 4 (sent 5 bytes)"}},
      {"hel", 6, 1, {INTEGRITY_BODY_CHANGED, "body changed at byte 5"}},
      {"hex", 5, 1, {INTEGRITY_BODY_CHANGED, "body changed at byte 2"}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    echo_view v;
    view_of(&a.rq, &v);
    echo_stream_set(&v.in, cases[i].kept, 3);
    v.in.partial = 1;
    v.in.total = cases[i].total;
    v.in.crc = cases[i].crc_ok ? crc : crc ^ 1;
    integrity_report r;
    run(&a.rq, &v, &r);
    CHECK_FINDINGS(&r, cases[i].want);
    integrity_report_free(&r);
  }
}

static void test_data_findings(void) {
  static const char *const params[] = {"FCGI_DATA_LENGTH=4", NULL};
  req a;
  req_init(&a, 2, FCS_FILTER, params, "");
  a.rq.data = (const uint8_t *)"file";
  a.rq.data_len = 4;
  static const struct {
    const char *shown;
    expected want;
  } cases[] = {
      {"file", {0, NULL}},
      {"", {INTEGRITY_DATA_LOST, "data lost"}},
      {"fi", {INTEGRITY_DATA_CUT, "data cut at byte 2 (sent 4 bytes)"}},
      {"fila", {INTEGRITY_DATA_CHANGED, "data changed at byte 3"}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    echo_view v;
    view_of(&a.rq, &v);
    echo_stream_set(&v.data, cases[i].shown, strlen(cases[i].shown));
    integrity_report r;
    run(&a.rq, &v, &r);
    CHECK_FINDINGS(&r, cases[i].want);
    integrity_report_free(&r);
  }
  /* A FCGI_DATA_LENGTH that differs, or a role that reads no DATA: not
   * checked. */
  static const char *const wrong[] = {"FCGI_DATA_LENGTH=9", NULL};
  for (int i = 0; i < 2; i++) {
    req b;
    req_init(&b, 2, i ? FCS_RESPONDER : FCS_FILTER, i ? params : wrong, "");
    b.rq.data = (const uint8_t *)"file";
    b.rq.data_len = 4;
    echo_view v;
    view_of(&b.rq, &v);
    echo_stream_set(&v.data, "fi", 2);
    integrity_report r;
    run(&b.rq, &v, &r);
    CHECK_NO_FINDING(&r);
    integrity_report_free(&r);
  }
}

static void test_params_lost(void) {
  static const char *const kv[] = {"A=1", "B=2", "C\n%=3", "D=4", NULL};
  req a;
  req_init(&a, 1, FCS_RESPONDER, kv, "");
  echo_view v = {0};
  echo_view_add(&v, "A", 1, "1", 1);
  echo_view_add(&v, "D", 1, "4", 1);
  integrity_report r;
  run(&a.rq, &v, &r);
  CHECK_FINDINGS(&r, {INTEGRITY_PARAMS_LOST, "params lost: B, C%0A%25"});
  integrity_report_free(&r);
}

static void test_values(void) {
  static const char *const kv[] = {"A=hello", "B=world", "E=", NULL};
  req a;
  req_init(&a, 1, FCS_RESPONDER, kv, "");
  echo_view v;
  view_of(&a.rq, &v);
  set_value(&v, 0, "hell");
  set_value(&v, 1, "wOrld");
  set_value(&v, 2, "x");
  integrity_report r;
  run(&a.rq, &v, &r);
  CHECK_FINDINGS(&r, {INTEGRITY_VALUE_CUT, "value of A cut at byte 4"},
                 {INTEGRITY_VALUE_CHANGED, "value of B changed at byte 1"},
                 {INTEGRITY_VALUE_CHANGED, "value of E changed at byte 0"});
  integrity_report_free(&r);
}

/* A name sent twice accepts either value, shown once or twice. */
static void test_duplicates(void) {
  static const char *const kv[] = {"X=abc", "X=zz", NULL};
  req a;
  req_init(&a, 1, FCS_RESPONDER, kv, "");
  static const struct {
    const char *shown[2];
    expected want;
  } cases[] = {
      {{"zz", NULL}, {0, NULL}},
      {{"abc", NULL}, {0, NULL}},
      {{"abc", "zz"}, {0, NULL}},
      {{"zz", "zz"}, {0, NULL}},
      {{"ab", NULL}, {INTEGRITY_VALUE_CUT, "value of X cut at byte 2"}},
      {{"zq", "abc"},
       {INTEGRITY_VALUE_CHANGED, "value of X changed at byte 1"}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    echo_view v = {0};
    for (int k = 0; k < 2 && cases[i].shown[k]; k++)
      echo_view_add(&v, "X", 1, cases[i].shown[k], strlen(cases[i].shown[k]));
    integrity_report r;
    run(&a.rq, &v, &r);
    CHECK_FINDINGS(&r, cases[i].want);
    integrity_report_free(&r);
  }
}

static void test_injected(void) {
  static const char *const kv[] = {"A=1", NULL};
  req a;
  req_init(&a, 1, FCS_RESPONDER, kv, "");
  echo_view v;
  view_of(&a.rq, &v);
  echo_view_add(&v, "Z\x01", 2, "1", 1);
  echo_view_add(&v, "Z\x01", 2, "2", 1); /* reported once */
  integrity_report r;
  run(&a.rq, &v, &r);
  CHECK_FINDINGS(&r, {INTEGRITY_INJECTED, "param Z%01 injected"});
  integrity_report_free(&r);
}

/* A value sent in another request of the connection, injected or in place
 * of this request's value. */
static void test_crossed(void) {
  static const char *const kv1[] = {"A=one", NULL};
  static const char *const kv2[] = {"A=two", "Y=why", NULL};
  static const char *const kv3[] = {"Y=other", NULL};
  req a, others[2];
  req_init(&a, 1, FCS_RESPONDER, kv1, "");
  req_init(&others[0], 3, FCS_RESPONDER, kv3, "");
  req_init(&others[1], 2, FCS_RESPONDER, kv2, "");
  sent_request rest[2] = {others[0].rq, others[1].rq};
  echo_view v;
  view_of(&a.rq, &v);
  set_value(&v, 0, "two");
  echo_view_add(&v, "Y", 1, "why", 3);
  echo_view_add(&v, "W", 1, "two", 3); /* a name nobody sent */
  integrity_report r;
  integrity_check(&a.rq, &v, &plain, rest, 2, &r);
  CHECK_FINDINGS(
      &r, {INTEGRITY_INJECTED, "param W injected"},
      {INTEGRITY_CROSSED, "params of request 2 seen in request 1: A, Y"});
  integrity_report_free(&r);
  echo_view_free(&v);
}

/* An AUTHORIZER reads no body: whatever the page shows of STDIN is not
 * checked. */
static void test_authorizer_body(void) {
  static const char *const kv[] = {"CONTENT_LENGTH=5", NULL};
  req a;
  req_init(&a, 1, FCS_AUTHORIZER, kv, "hello");
  echo_view v;
  view_of(&a.rq, &v);
  echo_str_free(&v.in.bytes);
  v.in.shown = 0;
  integrity_report r;
  run(&a.rq, &v, &r);
  CHECK_NO_FINDING(&r);
  CHECK_EQ(r.unchecked, 0);
  integrity_report_free(&r);
}

/* A page that shows nothing of the request has nothing to compare. */
static void test_no_echo(void) {
  req a;
  req_init(&a, 1, FCS_RESPONDER, basic, "hello");
  echo_view v = {.format = ECHO_NONE};
  integrity_report r;
  run(&a.rq, &v, &r);
  CHECK_NO_FINDING(&r);
  CHECK_EQ(r.checked + r.unchecked, 0);
  integrity_report_free(&r);
}

static void test_wrong_id(void) {
  req a;
  req_init(&a, 1, FCS_RESPONDER, basic, "hello");
  echo_view v;
  view_of(&a.rq, &v);
  v.request_id = 2;
  integrity_report r;
  run(&a.rq, &v, &r);
  CHECK_FINDINGS(&r, {INTEGRITY_WRONG_ID, "answered as request id 2"});
  integrity_report_free(&r);
}

/* Values a page could not show exactly are counted, never findings. */
static void test_not_comparable(void) {
  req a;
  req_init(&a, 1, FCS_RESPONDER, basic, "hello");
  echo_view v;
  view_of(&a.rq, &v);
  set_value(&v, 2, "a=\xef\xbf\xbd");
  ((echo_pair *)(void *)v.pairs.p)[2].value.inexact = 1;
  echo_stream_set(&v.in, "h\xef\xbf\xbdo", 5);
  v.in.bytes.inexact = 1;
  integrity_report r;
  run(&a.rq, &v, &r);
  CHECK_NO_FINDING(&r);
  CHECK_EQ(r.not_comparable, 2);
  CHECK_EQ(r.unchecked, 2);
  bytebuf s = {0};
  integrity_summary(&r, &s);
  CHECK_TEXT(s.p, s.len, "3 checks, 2 not made (2 values not comparable)");
  bytebuf_free(&s);
  integrity_report_free(&r);
  /* An unreadable name: the sent name it may stand for is not lost. */
  static const char *const kv[] = {"A=1", "N\xff=2", NULL};
  req_init(&a, 1, FCS_RESPONDER, kv, "");
  v = (echo_view){0};
  echo_view_add(&v, "A", 1, "1", 1);
  echo_pair *p = echo_view_add(&v, "N\xef\xbf\xbd", 4, "2", 1);
  p->name.inexact = 1;
  run(&a.rq, &v, &r);
  CHECK_NO_FINDING(&r);
  CHECK_EQ(r.not_comparable, 1);
  integrity_report_free(&r);
}

/* A JSON string matches through either of its readings. */
static void test_two_readings(void) {
  static const char *const kv[] = {"L=\xff", "U=\xc3\xbf", NULL};
  req a;
  req_init(&a, 1, FCS_RESPONDER, kv, "");
  echo_view v = {0};
  for (int i = 0; i < 2; i++) {
    echo_pair *p = echo_view_add(&v, i ? "U" : "L", 1, "\xc3\xbf", 2);
    bytebuf_byte(&p->value.latin1, 0xff);
    p->value.has_latin1 = 1;
  }
  integrity_report r;
  run(&a.rq, &v, &r);
  CHECK_NO_FINDING(&r);
  CHECK_EQ(r.checked, 3); /* two values and the (empty) body */
  integrity_report_free(&r);
  /* Where a value parts from the one sent is told by the closer reading. */
  static const char *const longer[] = {"L=\xff"
                                       "AB",
                                       NULL};
  req_init(&a, 1, FCS_RESPONDER, longer, "");
  v = (echo_view){0};
  echo_pair *p = echo_view_add(&v, "L", 1,
                               "\xc3\xbf"
                               "A",
                               3);
  bytebuf_add(&p->value.latin1,
              "\xff"
              "A",
              2);
  p->value.has_latin1 = 1;
  run(&a.rq, &v, &r);
  CHECK_FINDINGS(&r, {INTEGRITY_VALUE_CUT, "value of L cut at byte 2"});
  integrity_report_free(&r);
}

/* The probe shows the application's habits; none of them is a finding
 * afterwards. */
static void test_quirks(void) {
  static const char *const probe_kv[] = {
      "A=1",      "HIDDEN=2", "SCRIPT_NAME=/x", "SERVER_SOFTWARE=web",
      "ODD=\xff", NULL};
  req probe;
  req_init(&probe, 1, FCS_FILTER, probe_kv, "probe-body");
  echo_view pv = {0};
  echo_view_add(&pv, "A", 1, "1", 1);
  echo_view_add(&pv, "SCRIPT_NAME", 11, "/rewritten", 10);
  echo_view_add(&pv, "SERVER_SOFTWARE", 15, "web", 3);
  echo_view_add(&pv, "SERVER_SOFTWARE", 15, "app/1.0", 7);
  echo_view_add(&pv, "PHP_SELF", 8, "/self", 5);
  /* A value or name the page could not show exactly is no sign of a
   * rewrite, nor a name of the application's own. */
  echo_view_add(&pv, "ODD", 3, "\xef\xbf\xbd", 3)->value.inexact = 1;
  echo_view_add(&pv, "N\xef\xbf\xbd", 4, "", 0)->name.inexact = 1;
  echo_quirks q;
  echo_quirks_learn(&probe.rq, &pv, &q);
  echo_view_free(&pv);
  CHECK_EQ(echo_names_count(&q.added), 1);
  CHECK(echo_names_has(&q.added, (const uint8_t *)"PHP_SELF", 8));
  CHECK_EQ(echo_names_count(&q.hidden), 1);
  CHECK(echo_names_has(&q.hidden, (const uint8_t *)"HIDDEN", 6));
  CHECK_EQ(echo_names_count(&q.rewritten), 1);
  CHECK(echo_names_has(&q.rewritten, (const uint8_t *)"SCRIPT_NAME", 11));
  CHECK(!echo_names_has(&q.rewritten, (const uint8_t *)"SERVER_SOFTWARE", 15));
  CHECK_EQ(q.body_shown, 0);
  CHECK_EQ(q.data_shown, 0);

  static const char *const kv[] = {"A=9",
                                   "HIDDEN=3",
                                   "SCRIPT_NAME=/q",
                                   "CONTENT_LENGTH=1",
                                   "FCGI_DATA_LENGTH=1",
                                   NULL};
  req a;
  req_init(&a, 4, FCS_FILTER, kv, "x");
  a.rq.data = (const uint8_t *)"d";
  a.rq.data_len = 1;
  echo_view v = {0};
  echo_view_add(&v, "A", 1, "9", 1);
  echo_view_add(&v, "SCRIPT_NAME", 11, "/elsewhere", 10);
  echo_view_add(&v, "PHP_SELF", 8, "/other", 6);
  echo_view_add(&v, "CONTENT_LENGTH", 14, "1", 1);
  echo_view_add(&v, "FCGI_DATA_LENGTH", 16, "1", 1);
  integrity_report r;
  integrity_check(&a.rq, &v, &q, NULL, 0, &r);
  CHECK_NO_FINDING(&r);
  CHECK_EQ(r.unchecked, 4); /* HIDDEN, SCRIPT_NAME, body, data */
  CHECK_EQ(r.not_comparable, 0);
  integrity_report_free(&r);
  echo_view_free(&v);

  echo_quirks_free(&q);
}

/* A name the application sets too: its own value may show beside the one
 * sent, but not instead of it. */
static void test_quirks_own_value(void) {
  req probe, a;
  echo_view v;
  integrity_report r;
  static const char *const plain_kv[] = {"A=1", NULL};
  req_init(&probe, 1, FCS_RESPONDER, plain_kv, "");
  v = (echo_view){0};
  echo_view_add(&v, "A", 1, "1", 1);
  echo_view_add(&v, "SERVER_SOFTWARE", 15, "app/1.0", 7);
  echo_quirks with_own;
  echo_quirks_learn(&probe.rq, &v, &with_own); /* adds SERVER_SOFTWARE */
  echo_view_free(&v);
  static const char *const own[] = {"SERVER_SOFTWARE=mine", NULL};
  req_init(&a, 5, FCS_RESPONDER, own, "");
  v = (echo_view){0};
  echo_view_add(&v, "SERVER_SOFTWARE", 15, "mine", 4);
  echo_view_add(&v, "SERVER_SOFTWARE", 15, "app/1.0", 7);
  integrity_check(&a.rq, &v, &with_own, NULL, 0, &r);
  CHECK_NO_FINDING(&r);
  integrity_report_free(&r);
  echo_view_free(&v);
  v = (echo_view){0};
  echo_view_add(&v, "SERVER_SOFTWARE", 15, "app/1.0", 7);
  integrity_check(&a.rq, &v, &with_own, NULL, 0, &r);
  CHECK_FINDINGS(&r, {INTEGRITY_VALUE_CHANGED,
                      "value of SERVER_SOFTWARE changed at byte 0"});
  integrity_report_free(&r);
  echo_view_free(&v);
  echo_quirks_free(&with_own);
}

int main(void) {
  RUN(test_exact_echo);
  RUN(test_body_findings);
  RUN(test_body_needs_content_length);
  RUN(test_body_partial);
  RUN(test_data_findings);
  RUN(test_params_lost);
  RUN(test_values);
  RUN(test_duplicates);
  RUN(test_injected);
  RUN(test_crossed);
  RUN(test_authorizer_body);
  RUN(test_no_echo);
  RUN(test_wrong_id);
  RUN(test_not_comparable);
  RUN(test_two_readings);
  RUN(test_quirks);
  RUN(test_quirks_own_value);
  if (check_failures)
    fprintf(stderr, "%d check(s) failed\n", check_failures);
  return check_failures ? 1 : 0;
}
