/* Every condition of an expect line (case.h, docs/cases.md) judged by
 * cond_eval on crafted backend bytes: for each kind, bytes that make it
 * true, bytes that make it false (with a why that names the problem) and
 * bytes that leave it pending. The bytes take the runner's receive path:
 * conn_ingest into the record log and the observe-mode assembler, for
 * request ids declared sent with replies_begin. Conditions are read from
 * expect lines by the case parser, so they mean what they mean in a case.
 * `echo` is judged with a real fsp_content, learnt from the reference
 * responder's reply to a request produced and read back as the runner
 * does it.
 *
 * `test_conditions NAME` runs the one test NAME: conformance/tests/
 * planted.cmake names the test that must catch each planted bug. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_conn.h"
#include "check.h"
#include "content.h"
#include "expect.h"
#include "fcs/fcs.h"
#include "fcs_responder.h"
#include "produce.h"
#include "sent.h"

/* ---- Backend bytes, written with the codec's encoder ---- */

static uint8_t scratch[FCS_MAX_RECORD];

/* Appends the n bytes an encoder call wrote into scratch. */
static void emit(bytebuf *b, fcs_err rc, const size_t *n) {
  CHECK(rc == FCS_E_OK);
  if (rc == FCS_E_OK)
    bytebuf_add(b, scratch, *n);
}

/* One record; o NULL: version 1, no padding. */
static void record(bytebuf *b, uint8_t type, uint16_t id, const void *content,
                   size_t len, const fcs_record_opts *o) {
  size_t n;
  emit(
      b,
      fcs_encode_record(scratch, sizeof scratch, type, id, content, len, o, &n),
      &n);
}

/* One stream record holding text ("" is the stream's empty record). */
static void put(bytebuf *b, uint8_t type, uint16_t id, const char *text) {
  record(b, type, id, text, strlen(text), NULL);
}

static void end_request(bytebuf *b, uint16_t id, uint8_t status) {
  size_t n;
  emit(b,
       fcs_encode_end_request(scratch, sizeof scratch, id, 0, status, NULL, &n),
       &n);
}

/* A whole reply: STDOUT, its empty record, END_REQUEST(REQUEST_COMPLETE). */
static void reply(bytebuf *b, uint16_t id) {
  put(b, FCS_STDOUT, id, "Status: 200 OK\r\n\r\nok");
  put(b, FCS_STDOUT, id, "");
  end_request(b, id, FCS_REQUEST_COMPLETE);
}

static void unknown_type(bytebuf *b, uint8_t type) {
  size_t n;
  emit(b, fcs_encode_unknown_type(scratch, sizeof scratch, type, NULL, &n), &n);
}

/* GET_VALUES_RESULT on id holding "NAME=VALUE" pairs (NULL-terminated). */
static void values_result(bytebuf *b, uint16_t id, const char *const *kv) {
  fcs_nv_pair pairs[8];
  size_t n = 0, len;
  for (; kv[n]; n++) {
    const char *eq = strchr(kv[n], '=');
    pairs[n] = (fcs_nv_pair){(const uint8_t *)kv[n], (uint32_t)(eq - kv[n]),
                             (const uint8_t *)eq + 1, (uint32_t)strlen(eq + 1)};
  }
  static uint8_t content[4096];
  CHECK(fcs_encode_pairs(content, sizeof content, pairs, n, 0, &len) ==
        FCS_E_OK);
  record(b, FCS_GET_VALUES_RESULT, id, content, len, NULL);
}

/* ---- A connection's log, and conditions asked about it ---- */

typedef struct scene {
  fsp_trace trace;
  fsp_conn conn;
  bytebuf wire; /* backend bytes written, not yet received */
  /* How a condition is asked (fsp_eval): */
  uint64_t mark;         /* first record after the latest write */
  int64_t elapsed;       /* ms since the expect line began */
  const fsp_sent *sent;  /* what the runner sent, or NULL */
  const fsp_content *ct; /* how the app shows a request, or NULL */
  bytebuf used;          /* replies earlier checks consumed */
  /* What the latest judgement set: */
  size_t reply_index;
  int unchecked;
} scene;

static void scene_open(scene *s) {
  memset(s, 0, sizeof *s);
  trace_init(&s->trace);
  conn_init(&s->conn, &s->trace);
}

static void scene_free(scene *s) {
  conn_close(&s->conn);
  trace_free(&s->trace);
  bytebuf_free(&s->wire);
  bytebuf_free(&s->used);
}

/* The runner sent BEGIN_REQUEST for id. */
static void begun(scene *s, uint16_t id) {
  replies_begin(&s->conn.replies, id, FCS_RESPONDER, FCS_KEEP_CONN);
}

/* What the backend wrote arrives. */
static void arrive(scene *s) {
  if (s->wire.len)
    conn_ingest(&s->conn, s->wire.p, s->wire.len);
  s->wire.len = 0;
}

/* ... and then the backend closes. */
static void closes(scene *s) {
  arrive(s);
  conn_ingest_end(&s->conn, 0);
}

/* cond_eval of the condition on the line "expect COND". */
static fsp_tri judge(scene *s, const char *cond, bytebuf *why) {
  char text[512];
  snprintf(text, sizeof text,
           "id: t/c\nsection: t\nlevel: MUST\nrole: any\nrequirement: r\n"
           "expect %s\n",
           cond);
  FILE *f = fmemopen(text, strlen(text), "r");
  fsp_case c;
  char err[256];
  int rc = case_parse_stream(f, "condition", &c, err, sizeof err);
  fclose(f);
  if (rc) {
    fprintf(stderr, "cannot parse 'expect %s': %s\n", cond, err);
    check_failures++;
    return TRI_PENDING;
  }
  s->reply_index = SIZE_MAX;
  s->unchecked = 0;
  fsp_eval x = {.c = &s->conn,
                .sent = s->sent,
                .mark = s->mark,
                .step_start = 1000,
                .now = 1000 + s->elapsed,
                .content = s->ct,
                .used = &s->used,
                .reply_index = &s->reply_index,
                .unchecked = &s->unchecked};
  fsp_tri t = cond_eval(&c.steps[0].alts[0], &x, why);
  case_free(&c);
  return t;
}

static const char *tri_name(fsp_tri t) {
  return t == TRI_TRUE ? "true" : t == TRI_FALSE ? "false" : "pending";
}

/* cond is want on s; when names is given, why contains it. */
static void judged(int line, scene *s, const char *cond, fsp_tri want,
                   const char *names) {
  bytebuf why = {0};
  fsp_tri got = judge(s, cond, &why);
  int named =
      !names || bytebuf_contains(&why, (const uint8_t *)names, strlen(names));
  if (got != want || !named) {
    fprintf(stderr, "%s:%d: '%s' is %s (why: %.*s), want %s%s%s\n", __FILE__,
            line, cond, tri_name(got), (int)why.len,
            why.len ? (const char *)why.p : "", tri_name(want),
            names ? " naming " : "", names ? names : "");
    check_failures++;
  }
  bytebuf_free(&why);
}

#define IS_TRUE(s, cond) judged(__LINE__, s, cond, TRI_TRUE, NULL)
#define IS_PENDING(s, cond) judged(__LINE__, s, cond, TRI_PENDING, NULL)
/* A false condition says why, naming the problem. */
#define IS_FALSE(s, cond, names) judged(__LINE__, s, cond, TRI_FALSE, names)

/* A STDOUT record of version 0 (the encoder writes 0 as version 1): the
 * decoder and the assembler stop on it. */
static void version_0(bytebuf *b, uint16_t id) {
  size_t at = b->len;
  put(b, FCS_STDOUT, id, "x");
  b->p[at] = 0;
}

/* ---- Replies ---- */

static void test_response(void) {
  scene s;
  scene_open(&s);
  begun(&s, 1);
  put(&s.wire, FCS_STDOUT, 1, "partial");
  arrive(&s);
  IS_PENDING(&s, "response 1");
  put(&s.wire, FCS_STDOUT, 1, "");
  end_request(&s.wire, 1, FCS_REQUEST_COMPLETE);
  arrive(&s);
  IS_TRUE(&s, "response 1");
  CHECK_EQ(s.reply_index, 0);
  /* Each response uses up one END_REQUEST: once an earlier check consumed
   * it, the next one is awaited. */
  bytebuf_byte(&s.used, 1);
  IS_PENDING(&s, "response 1");
  begun(&s, 1);
  reply(&s.wire, 1);
  arrive(&s);
  IS_TRUE(&s, "response 1");
  CHECK_EQ(s.reply_index, 1);
  scene_free(&s);

  scene_open(&s);
  begun(&s, 1);
  put(&s.wire, FCS_STDOUT, 1, "");
  end_request(&s.wire, 1, FCS_OVERLOADED);
  arrive(&s);
  IS_FALSE(&s, "response 1", "protocolStatus 2 (FCGI_OVERLOADED)");
  scene_free(&s);

  scene_open(&s);
  begun(&s, 1);
  put(&s.wire, FCS_STDOUT, 1, "partial");
  closes(&s);
  IS_FALSE(&s, "response 1",
           "the connection closed before END_REQUEST for id 1");
  scene_free(&s);

  scene_open(&s);
  begun(&s, 1);
  version_0(&s.wire, 1);
  arrive(&s);
  IS_FALSE(&s, "response 1", "bytes that do not frame as records");
  scene_free(&s);
}

static void test_end(void) {
  scene s;
  scene_open(&s);
  begun(&s, 1);
  IS_PENDING(&s, "end 1 cant-mpx");
  end_request(&s.wire, 1, FCS_CANT_MPX_CONN);
  arrive(&s);
  IS_TRUE(&s, "end 1 cant-mpx");
  IS_TRUE(&s, "end 1 1");
  IS_FALSE(&s, "end 1 overloaded", "protocolStatus 1 (FCGI_CANT_MPX_CONN)");
  IS_FALSE(&s, "end 1 complete", "END_REQUEST(1) with protocolStatus 1");
  scene_free(&s);

  scene_open(&s);
  begun(&s, 1);
  reply(&s.wire, 1);
  arrive(&s);
  IS_TRUE(&s, "end 1 complete");
  IS_FALSE(&s, "end 1 unknown-role",
           "protocolStatus 0 (FCGI_REQUEST_COMPLETE)");
  scene_free(&s);
}

static void test_stdout_end(void) {
  scene s;
  scene_open(&s);
  begun(&s, 1);
  put(&s.wire, FCS_STDOUT, 1, "body");
  put(&s.wire, FCS_STDOUT, 1, "");
  arrive(&s);
  IS_PENDING(&s, "stdout-end 1");
  end_request(&s.wire, 1, FCS_REQUEST_COMPLETE);
  arrive(&s);
  IS_TRUE(&s, "stdout-end 1");
  /* The latest response is the one judged. */
  begun(&s, 1);
  put(&s.wire, FCS_STDOUT, 1, "body");
  end_request(&s.wire, 1, FCS_REQUEST_COMPLETE);
  arrive(&s);
  IS_FALSE(&s, "stdout-end 1", "no empty STDOUT record before END_REQUEST(1)");
  scene_free(&s);

  /* STDERR's empty record does not end STDOUT. */
  scene_open(&s);
  begun(&s, 1);
  put(&s.wire, FCS_STDOUT, 1, "body");
  put(&s.wire, FCS_STDERR, 1, "warning");
  put(&s.wire, FCS_STDERR, 1, "");
  end_request(&s.wire, 1, FCS_REQUEST_COMPLETE);
  arrive(&s);
  IS_FALSE(&s, "stdout-end 1", "no empty STDOUT record");
  scene_free(&s);
}

static void test_stderr_ok(void) {
  scene s;
  scene_open(&s);
  begun(&s, 1);
  put(&s.wire, FCS_STDERR, 1, "warning");
  arrive(&s);
  IS_PENDING(&s, "stderr-ok 1");
  put(&s.wire, FCS_STDERR, 1, "");
  reply(&s.wire, 1);
  arrive(&s);
  IS_TRUE(&s, "stderr-ok 1");
  CHECK_EQ(s.unchecked, 0);
  scene_free(&s);

  /* Nothing on STDERR: true, but nothing was checked. */
  scene_open(&s);
  begun(&s, 1);
  reply(&s.wire, 1);
  arrive(&s);
  IS_TRUE(&s, "stderr-ok 1");
  CHECK_EQ(s.unchecked, 1);
  scene_free(&s);

  scene_open(&s);
  begun(&s, 1);
  put(&s.wire, FCS_STDERR, 1, "warning");
  reply(&s.wire, 1);
  arrive(&s);
  IS_FALSE(&s, "stderr-ok 1", "never ended by an empty STDERR record");
  scene_free(&s);

  scene_open(&s);
  begun(&s, 1);
  put(&s.wire, FCS_STDERR, 1, "warning");
  put(&s.wire, FCS_STDERR, 1, "");
  put(&s.wire, FCS_STDERR, 1, "");
  reply(&s.wire, 1);
  arrive(&s);
  IS_FALSE(&s, "stderr-ok 1", "STDERR record after STDERR's empty record");
  scene_free(&s);

  scene_open(&s);
  begun(&s, 1);
  put(&s.wire, FCS_STDERR, 1, "warning");
  put(&s.wire, FCS_STDERR, 1, "");
  put(&s.wire, FCS_STDERR, 1, "more");
  reply(&s.wire, 1);
  arrive(&s);
  IS_FALSE(&s, "stderr-ok 1", "STREAM_AFTER_END");
  scene_free(&s);
}

static void test_single_end(void) {
  scene s;
  scene_open(&s);
  begun(&s, 1);
  put(&s.wire, FCS_STDOUT, 1, "body");
  arrive(&s);
  IS_PENDING(&s, "single-end 1");
  put(&s.wire, FCS_STDOUT, 1, "");
  end_request(&s.wire, 1, FCS_REQUEST_COMPLETE);
  arrive(&s);
  IS_TRUE(&s, "single-end 1");
  /* The END_REQUEST of a new request with the same id is not a second
   * one. */
  begun(&s, 1);
  reply(&s.wire, 1);
  arrive(&s);
  IS_TRUE(&s, "single-end 1");
  scene_free(&s);

  scene_open(&s);
  begun(&s, 1);
  begun(&s, 2);
  reply(&s.wire, 1);
  end_request(&s.wire, 1, FCS_REQUEST_COMPLETE);
  reply(&s.wire, 2);
  arrive(&s);
  IS_FALSE(&s, "single-end 1", "2 END_REQUEST records for id 1");
  IS_TRUE(&s, "single-end 2");
  scene_free(&s);
}

static void test_nothing_after_end(void) {
  scene s;
  scene_open(&s);
  begun(&s, 1);
  begun(&s, 2);
  put(&s.wire, FCS_STDOUT, 1, "body");
  arrive(&s);
  IS_PENDING(&s, "nothing-after-end 1");
  put(&s.wire, FCS_STDOUT, 1, "");
  end_request(&s.wire, 1, FCS_REQUEST_COMPLETE);
  reply(&s.wire, 2);
  arrive(&s);
  IS_TRUE(&s, "nothing-after-end 1");
  put(&s.wire, FCS_STDOUT, 1, "late");
  arrive(&s);
  IS_FALSE(&s, "nothing-after-end 1",
           "1 records for id 1 after its END_REQUEST");
  IS_TRUE(&s, "nothing-after-end 2");
  scene_free(&s);
}

/* ---- Management replies ---- */

static void test_unknown_type(void) {
  scene s;
  scene_open(&s);
  IS_PENDING(&s, "unknown-type 32");
  unknown_type(&s.wire, 32);
  arrive(&s);
  IS_TRUE(&s, "unknown-type 32");
  IS_FALSE(&s, "unknown-type 33", "for type 32 (expected id 0, type 33)");
  /* Only what came after the latest write counts. */
  s.mark = 1;
  IS_PENDING(&s, "unknown-type 32");
  scene_free(&s);

  /* An END_REQUEST for a later request came first. */
  scene_open(&s);
  begun(&s, 1);
  reply(&s.wire, 1);
  arrive(&s);
  IS_FALSE(&s, "unknown-type 32",
           "no FCGI_UNKNOWN_TYPE before the END_REQUEST of a later request");
  scene_free(&s);

  scene_open(&s);
  uint8_t body[FCS_BODY_LEN + 1] = {32};
  record(&s.wire, FCS_UNKNOWN_TYPE, 1, body, FCS_BODY_LEN, NULL);
  arrive(&s);
  IS_FALSE(&s, "unknown-type 32", "FCGI_UNKNOWN_TYPE with id 1 for type 32");
  scene_free(&s);

  scene_open(&s);
  record(&s.wire, FCS_UNKNOWN_TYPE, 0, body, sizeof body, NULL);
  arrive(&s);
  IS_FALSE(&s, "unknown-type 32", "BODY_LENGTH");
  scene_free(&s);

  /* Its version is version-1's business. */
  scene_open(&s);
  fcs_record_opts v2 = {.version = 2};
  record(&s.wire, FCS_UNKNOWN_TYPE, 0, body, FCS_BODY_LEN, &v2);
  arrive(&s);
  IS_TRUE(&s, "unknown-type 32");
  IS_FALSE(&s, "version-1", "BAD_VERSION");
  scene_free(&s);

  scene_open(&s);
  closes(&s);
  IS_FALSE(&s, "unknown-type 32",
           "the connection closed before any FCGI_UNKNOWN_TYPE");
  scene_free(&s);
}

static const char *const all_three[] = {"FCGI_MAX_CONNS=16", "FCGI_MAX_REQS=32",
                                        "FCGI_MPXS_CONNS=1", NULL};

static void test_values_result(void) {
  scene s;
  scene_open(&s);
  IS_PENDING(&s, "values-result");
  values_result(&s.wire, 0, all_three);
  arrive(&s);
  IS_TRUE(&s, "values-result");
  s.mark = 1;
  IS_PENDING(&s, "values-result");
  scene_free(&s);

  scene_open(&s);
  values_result(&s.wire, 1, all_three);
  arrive(&s);
  IS_FALSE(&s, "values-result", "on request id 1, not 0");
  scene_free(&s);

  scene_open(&s);
  record(&s.wire, FCS_GET_VALUES_RESULT, 0,
         "\x0e\x01"
         "FCGI_MPXS",
         11, NULL);
  arrive(&s);
  IS_FALSE(&s, "values-result", "the reply's pairs do not parse");
  scene_free(&s);

  scene_open(&s);
  closes(&s);
  IS_FALSE(&s, "values-result",
           "the connection closed before any FCGI_GET_VALUES_RESULT");
  scene_free(&s);
}

/* A condition on the GET_VALUES_RESULT holding pairs ("NAME=VALUE", NULL
 * ends them): true when names is NULL, else false naming names. Pairs NULL:
 * nothing has arrived yet, so every values condition is pending. */
typedef struct values_row {
  int line;
  const char *cond;
  const char *const *pairs;
  const char *names;
} values_row;

#define PAIRS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define HAS "values-has \"FCGI_MPXS_CONNS\" \"FCGI_MAX_REQS\""
#define LACKS "values-lacks \"X_UNKNOWN\""
#define ONLY "values-only \"FCGI_MPXS_CONNS\""

static const values_row values_rows[] = {
    {__LINE__, HAS, NULL, NULL},
    {__LINE__, HAS, all_three, NULL},
    {__LINE__, HAS, PAIRS("FCGI_MPXS_CONNS=1", "X_OTHER=1"),
     "the reply (2 pairs) lacks FCGI_MAX_REQS"},
    {__LINE__, LACKS, NULL, NULL},
    {__LINE__, LACKS, all_three, NULL},
    {__LINE__, LACKS, PAIRS("FCGI_MPXS_CONNS=1", "X_UNKNOWN="),
     "the reply has X_UNKNOWN="},
    {__LINE__, ONLY, NULL, NULL},
    {__LINE__, ONLY, PAIRS("FCGI_MPXS_CONNS=1"), NULL},
    {__LINE__, ONLY, all_three, "the reply has FCGI_MAX_CONNS=16"},
    {__LINE__, ONLY, PAIRS("FCGI_MPXS_CONNS=1", "FCGI_MPXS_CONNS=1"),
     "the reply has FCGI_MPXS_CONNS 2 times"},
    /* No names: only an empty reply. */
    {__LINE__, "values-only", PAIRS(NULL), NULL},
    {__LINE__, "values-valid", NULL, NULL},
    {__LINE__, "values-valid",
     PAIRS("FCGI_MAX_CONNS=16", "FCGI_MAX_REQS=0", "FCGI_MPXS_CONNS=0",
           "X_OTHER=any"),
     NULL},
    {__LINE__, "values-valid", PAIRS("FCGI_MPXS_CONNS=2"), "FCGI_MPXS_CONNS=2"},
    {__LINE__, "values-valid", PAIRS("FCGI_MPXS_CONNS=11"),
     "FCGI_MPXS_CONNS=11"},
    {__LINE__, "values-valid", PAIRS("FCGI_MAX_REQS="), "FCGI_MAX_REQS="},
    {__LINE__, "values-valid", PAIRS("FCGI_MAX_CONNS=1x"), "FCGI_MAX_CONNS=1x"},
    {__LINE__, "values-valid", PAIRS("FCGI_MAX_CONNS=-1"), "FCGI_MAX_CONNS=-1"},
};

static void test_values_conditions(void) {
  for (size_t i = 0; i < sizeof values_rows / sizeof values_rows[0]; i++) {
    const values_row *r = &values_rows[i];
    scene s;
    scene_open(&s);
    if (r->pairs) {
      values_result(&s.wire, 0, r->pairs);
      arrive(&s);
    }
    judged(r->line, &s, r->cond,
           !r->pairs  ? TRI_PENDING
           : r->names ? TRI_FALSE
                      : TRI_TRUE,
           r->names);
    scene_free(&s);
  }
}

/* ---- The connection ---- */

static void test_close(void) {
  scene s;
  scene_open(&s);
  IS_PENDING(&s, "close");
  s.elapsed = 99;
  IS_PENDING(&s, "close 100");
  s.elapsed = 100;
  IS_FALSE(&s, "close 100", "the connection is still open after 100 ms");
  closes(&s);
  IS_TRUE(&s, "close 100");
  IS_TRUE(&s, "close");
  scene_free(&s);

  /* Bytes that do not frame end the connection as well. */
  scene_open(&s);
  version_0(&s.wire, 1);
  arrive(&s);
  IS_TRUE(&s, "close");
  scene_free(&s);
}

static void test_open(void) {
  scene s;
  scene_open(&s);
  s.elapsed = 199;
  IS_PENDING(&s, "open 200");
  s.elapsed = 200;
  IS_TRUE(&s, "open 200");
  s.elapsed = 10;
  closes(&s);
  IS_FALSE(&s, "open 200", "the backend closed the connection within 200 ms");
  scene_free(&s);
}

static void test_quiet(void) {
  scene s;
  scene_open(&s);
  begun(&s, 1);
  begun(&s, 2);
  IS_TRUE(&s, "quiet 1");
  s.elapsed = 299;
  IS_PENDING(&s, "quiet 1 300");
  s.elapsed = 300;
  IS_TRUE(&s, "quiet 1 300");
  reply(&s.wire, 2);
  arrive(&s);
  IS_TRUE(&s, "quiet 1 300");
  put(&s.wire, FCS_STDOUT, 1, "early");
  arrive(&s);
  IS_FALSE(&s, "quiet 1 300", "the backend sent a reply for id 1");
  /* A record for an id never begun counts too. */
  put(&s.wire, FCS_STDOUT, 7, "x");
  arrive(&s);
  IS_FALSE(&s, "quiet 7", "the backend sent FCGI_STDOUT for id 7");
  scene_free(&s);
}

/* ---- Rules every record obeys ----
 * These are decided on what arrived so far, never pending: while other
 * conditions still wait (an unfinished reply), they are already true. */

/* A reply still coming: what the rule conditions judge before the end. */
static void unfinished(scene *s) {
  begun(s, 1);
  put(&s->wire, FCS_STDOUT, 1, "body");
  arrive(s);
  IS_PENDING(s, "response 1");
}

static void test_version_1(void) {
  scene s;
  scene_open(&s);
  unfinished(&s);
  IS_TRUE(&s, "version-1");
  /* Another rule broken is not this one's business. */
  end_request(&s.wire, 1, 7);
  arrive(&s);
  IS_TRUE(&s, "version-1");
  scene_free(&s);

  scene_open(&s);
  begun(&s, 1);
  fcs_record_opts v2 = {.version = 2};
  record(&s.wire, FCS_STDOUT, 1, "body", 4, &v2);
  arrive(&s);
  IS_FALSE(&s, "version-1", "BAD_VERSION");
  scene_free(&s);

  /* Version 0 stops the assembler, and breaks the rule all the same. */
  scene_open(&s);
  begun(&s, 1);
  reply(&s.wire, 1);
  version_0(&s.wire, 1);
  arrive(&s);
  IS_FALSE(&s, "version-1", "BAD_VERSION");
  scene_free(&s);
}

static void test_ids_valid(void) {
  scene s;
  scene_open(&s);
  unfinished(&s);
  IS_TRUE(&s, "ids-valid");
  fcs_record_opts v2 = {.version = 2};
  record(&s.wire, FCS_STDOUT, 1, "x", 1, &v2);
  arrive(&s);
  IS_TRUE(&s, "ids-valid");
  scene_free(&s);

  scene_open(&s);
  values_result(&s.wire, 1, all_three);
  arrive(&s);
  IS_FALSE(&s, "ids-valid", "MGMT_NONZERO_ID");
  scene_free(&s);

  scene_open(&s);
  begun(&s, 1);
  put(&s.wire, FCS_STDOUT, 0, "x");
  arrive(&s);
  IS_FALSE(&s, "ids-valid", "APP_RECORD_NULL_ID");
  scene_free(&s);

  scene_open(&s);
  begun(&s, 1);
  put(&s.wire, FCS_STDOUT, 9, "x");
  arrive(&s);
  IS_FALSE(&s, "ids-valid",
           "record 0 (FCGI_STDOUT, id 9) at byte 0: "
           "UNEXPECTED_ID");
  scene_free(&s);
}

static void test_types_valid(void) {
  scene s;
  scene_open(&s);
  unfinished(&s);
  IS_TRUE(&s, "types-valid");
  unknown_type(&s.wire, 12);
  values_result(&s.wire, 0, all_three);
  put(&s.wire, FCS_STDOUT, 0, "x");
  arrive(&s);
  IS_TRUE(&s, "types-valid");
  scene_free(&s);

  scene_open(&s);
  begun(&s, 1);
  put(&s.wire, FCS_PARAMS, 1, "");
  arrive(&s);
  IS_FALSE(&s, "types-valid", "FCGI_PARAMS, id 1) at byte 0: WRONG_DIRECTION");
  scene_free(&s);

  scene_open(&s);
  put(&s.wire, 200, 0, "x");
  arrive(&s);
  IS_FALSE(&s, "types-valid", "WRONG_DIRECTION");
  scene_free(&s);
}

static void test_end_body(void) {
  scene s;
  scene_open(&s);
  unfinished(&s);
  IS_TRUE(&s, "end-body");
  /* A fixed-size body of another type that is too long. */
  uint8_t long_body[9] = {12};
  record(&s.wire, FCS_UNKNOWN_TYPE, 0, long_body, sizeof long_body, NULL);
  arrive(&s);
  IS_TRUE(&s, "end-body");
  scene_free(&s);

  scene_open(&s);
  begun(&s, 1);
  put(&s.wire, FCS_STDOUT, 1, "");
  record(&s.wire, FCS_END_REQUEST, 1, long_body, sizeof long_body, NULL);
  arrive(&s);
  IS_FALSE(&s, "end-body", "BODY_LENGTH");
  scene_free(&s);

  scene_open(&s);
  begun(&s, 1);
  put(&s.wire, FCS_STDOUT, 1, "");
  end_request(&s.wire, 1, 4);
  arrive(&s);
  IS_FALSE(&s, "end-body", "BAD_PROTOCOL_STATUS");
  scene_free(&s);

  /* A body too short to read stops the assembler, and breaks the rule. */
  scene_open(&s);
  begun(&s, 1);
  put(&s.wire, FCS_STDOUT, 1, "");
  record(&s.wire, FCS_END_REQUEST, 1, long_body, 5, NULL);
  arrive(&s);
  IS_FALSE(&s, "end-body", "BODY_TOO_SHORT");
  scene_free(&s);
}

static void test_aligned(void) {
  fcs_record_opts align = {.padding = {.mode = FCS_PAD_ALIGN8}};
  scene s;
  scene_open(&s);
  begun(&s, 1);
  record(&s.wire, FCS_STDOUT, 1, "body", 4, &align);
  arrive(&s);
  IS_PENDING(&s, "response 1");
  IS_TRUE(&s, "aligned");
  record(&s.wire, FCS_STDOUT, 1, NULL, 0, &align);
  end_request(&s.wire, 1, FCS_REQUEST_COMPLETE);
  arrive(&s);
  IS_TRUE(&s, "aligned");
  put(&s.wire, FCS_STDERR, 1, "odd");
  arrive(&s);
  IS_FALSE(&s, "aligned",
           "record 3 (FCGI_STDERR) has content 3 + padding 0, not a multiple "
           "of 8");
  scene_free(&s);
}

static void test_reserved_zero(void) {
  scene s;
  scene_open(&s);
  unfinished(&s);
  IS_TRUE(&s, "reserved-zero");
  /* Content bytes where fixed-size bodies have reserved ones are not
   * reserved in a stream. */
  put(&s.wire, FCS_STDOUT, 1, "\x01\x02\x03\x04\x05\x06\x07\x08\x09");
  put(&s.wire, FCS_STDOUT, 1, "");
  end_request(&s.wire, 1, FCS_REQUEST_COMPLETE);
  unknown_type(&s.wire, 12);
  arrive(&s);
  IS_TRUE(&s, "reserved-zero");
  scene_free(&s);

  scene_open(&s);
  fcs_record_opts r1 = {.reserved = 1};
  begun(&s, 1);
  record(&s.wire, FCS_STDOUT, 1, "x", 1, &r1);
  arrive(&s);
  IS_FALSE(&s, "reserved-zero", "record 0 (FCGI_STDOUT) has non-zero reserved");
  scene_free(&s);

  /* END_REQUEST: bytes 5-7 of the body; UNKNOWN_TYPE: bytes 1-7. */
  static const uint8_t end_body[8] = {0, 0, 0, 0, 0, 0, 0, 1};
  static const uint8_t unknown_body[8] = {12, 1, 0, 0, 0, 0, 0, 0};
  scene_open(&s);
  begun(&s, 1);
  put(&s.wire, FCS_STDOUT, 1, "");
  record(&s.wire, FCS_END_REQUEST, 1, end_body, 8, NULL);
  arrive(&s);
  IS_FALSE(&s, "reserved-zero",
           "record 1 (FCGI_END_REQUEST) has non-zero reserved");
  scene_free(&s);

  scene_open(&s);
  record(&s.wire, FCS_UNKNOWN_TYPE, 0, unknown_body, 8, NULL);
  arrive(&s);
  IS_FALSE(&s, "reserved-zero",
           "record 0 (FCGI_UNKNOWN_TYPE) has non-zero reserved");
  scene_free(&s);
}

/* ---- echo: the app's view of a request against the request sent ---- */

/* The bytes of a `request ID keep` step on line `line` (std params, the
 * marker, a body), as the runner produces them. */
static void produce_request(uint16_t id, int line, bytebuf *out) {
  fsp_params std = {0};
  params_defaults(&std);
  fsp_step st = {.kind = S_REQUEST,
                 .line = line,
                 .id = id,
                 .role = FCS_RESPONDER,
                 .keep = 1};
  st.o = (fsp_rec_opts){-1, -1, -1, -1, -1, -1, -1};
  char err[128];
  CHECK(step_produce(NULL, &st, &std, out, err, sizeof err) == 0);
  params_free(&std);
}

/* The reference responder's answer to in, served in-process. */
static void responder_answer(const bytebuf *in, bytebuf *out) {
  fcs_responder_config cfg;
  fcs_responder_config_default(&cfg);
  fcs_responder *r = fcs_responder_new(&cfg);
  size_t at = 0, used, n;
  do {
    used = fcs_responder_input(r, in->p + at, in->len - at);
    at += used;
    const uint8_t *o;
    fcs_responder_output(r, &o, &n);
    bytebuf_add(out, o, n);
    fcs_responder_output_consumed(r, n);
  } while (used || n);
  fcs_responder_free(r);
}

static void declare(void *replies, uint16_t id, uint16_t role, uint8_t flags) {
  replies_begin(replies, id, role, flags);
}

/* Request id of line `line` is sent (read back into sent and begun on s's
 * connection) and answered by the reference responder into s->wire; with
 * from given, the responder receives it with the bytes from replaced by to
 * (as long). */
static void exchange(scene *s, fsp_sent *sent, uint16_t id, int line,
                     const char *from, const char *to) {
  bytebuf req = {0};
  produce_request(id, line, &req);
  sent_feed(sent, req.p, req.len, declare, &s->conn.replies);
  if (from) {
    size_t n = strlen(from), at = 0;
    while (at + n <= req.len && memcmp(req.p + at, from, n))
      at++;
    CHECK(at + n <= req.len && strlen(to) == n);
    if (at + n <= req.len)
      memcpy(req.p + at, to, n);
  }
  responder_answer(&req, &s->wire);
  bytebuf_free(&req);
}

/* "echo 1" after exchange() of request line req_line, whose bytes sent_text
 * the app saw as seen: false, naming names. */
static void echo_changed(int line, const fsp_content *ct, int req_line,
                         const char *sent_text, const char *seen,
                         const char *names) {
  scene s;
  fsp_sent sent;
  scene_open(&s);
  sent_init(&sent);
  s.sent = &sent;
  s.ct = ct;
  exchange(&s, &sent, 1, req_line, sent_text, seen);
  arrive(&s);
  judged(line, &s, "echo 1", TRI_FALSE, names);
  sent_free(&sent);
  scene_free(&s);
}

static void test_echo(void) {
  /* The probe, as probe.c learns from it how the app shows a request. */
  scene s;
  fsp_sent sent;
  scene_open(&s);
  sent_init(&sent);
  exchange(&s, &sent, 1, 1, NULL, NULL);
  arrive(&s);
  const fsp_reply *rep = replies_next_end(&s.conn.replies, 1, NULL, NULL);
  bytebuf why = {0};
  fsp_params env = {0};
  params_defaults(&env);
  fsp_content *ct =
      rep ? content_learn(rep->out.p, rep->out.len, sent_find(&sent, 1, 0),
                          &env, NULL, &why)
          : NULL;
  CHECK(ct && strcmp(content_format(ct), "lines") == 0);
  params_free(&env);
  bytebuf_free(&why);
  sent_free(&sent);
  scene_free(&s);

  /* An exact echo. */
  scene_open(&s);
  sent_init(&sent);
  s.sent = &sent;
  s.ct = ct;
  exchange(&s, &sent, 1, 2, NULL, NULL);
  IS_PENDING(&s, "echo 1");
  arrive(&s);
  IS_TRUE(&s, "echo 1");
  CHECK_EQ(s.unchecked, 0);
  CHECK_EQ(s.reply_index, 0);
  /* The app reveals nothing: true, but nothing was checked. */
  s.ct = NULL;
  IS_TRUE(&s, "echo 1");
  CHECK_EQ(s.unchecked, 1);
  sent_free(&sent);
  scene_free(&s);

  /* The app saw another body than the one sent, or another value. */
  echo_changed(__LINE__, ct, 3, "fcgispec body", "fcgispec BODY",
               "body changed at byte 9");
  echo_changed(__LINE__, ct, 4, "/fcgispec", "/fcgispeX",
               "value of REQUEST_URI changed at byte 8");
  content_free(ct);
}

int main(int argc, char **argv) {
  const char *only = argc > 1 ? argv[1] : NULL;
  RUN_IF(test_response, only);
  RUN_IF(test_echo, only);
  RUN_IF(test_end, only);
  RUN_IF(test_stdout_end, only);
  RUN_IF(test_stderr_ok, only);
  RUN_IF(test_single_end, only);
  RUN_IF(test_nothing_after_end, only);
  RUN_IF(test_unknown_type, only);
  RUN_IF(test_values_result, only);
  RUN_IF(test_values_conditions, only);
  RUN_IF(test_close, only);
  RUN_IF(test_open, only);
  RUN_IF(test_quiet, only);
  RUN_IF(test_version_1, only);
  RUN_IF(test_ids_valid, only);
  RUN_IF(test_types_valid, only);
  RUN_IF(test_end_body, only);
  RUN_IF(test_aligned, only);
  RUN_IF(test_reserved_zero, only);
  return check_exit("test_conditions", only);
}
