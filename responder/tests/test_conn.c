/* The connection handler in-process: bytes in, bytes out, no sockets. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "client.h"
#include "fcs_responder.h"

/* Feeds c->send to r in pieces of step bytes (0: all at once), taking at
 * most take bytes of output per round (0: all of it), until the input is
 * used up and no more output comes. Returns the most output that was ever
 * pending at once. */
static size_t drive(fcs_responder *r, client *c, size_t step, size_t take) {
  size_t pos = 0, peak = 0;
  for (;;) {
    size_t n = c->send.len - pos;
    if (step && n > step)
      n = step;
    pos += fcs_responder_input(r, c->send.p + pos, n);
    const uint8_t *data;
    size_t len;
    fcs_responder_output(r, &data, &len);
    if (len > peak)
      peak = len;
    if (take && len > take)
      len = take;
    client_receive(c, data, len);
    fcs_responder_output_consumed(r, len);
    if (len == 0 && (pos == c->send.len || fcs_responder_should_close(r)))
      break;
  }
  c->send.len = 0;
  CHECK_EQ(c->misaligned, 0);
  return peak;
}

static fcs_responder *new_responder(const fcs_responder_config *cfg) {
  fcs_responder_config d;
  if (!cfg) {
    fcs_responder_config_default(&d);
    cfg = &d;
  }
  fcs_responder *r = fcs_responder_new(cfg);
  if (!r) {
    fprintf(stderr, "cannot create a responder\n");
    abort();
  }
  return r;
}

static const char *const baseline_params[] = {"REQUEST_METHOD=GET",
                                              "SERVER_PROTOCOL=HTTP/1.1",
                                              "REQUEST_URI=/x?a=b", NULL};

static const char baseline_echo[] = "Status: 200 OK\r\n"
                                    "Content-Type: text/plain\r\n\r\n"
                                    "request-id 1\n"
                                    "role RESPONDER\n"
                                    "flags 1\n"
                                    "params 3\n"
                                    "param REQUEST_METHOD=GET\n"
                                    "param SERVER_PROTOCOL=HTTP/1.1\n"
                                    "param REQUEST_URI=/x?a%3Db\n"
                                    "stdin 5 3610a686 5\n"
                                    "hello\n"
                                    "end\n";

/* Bitwise CRC-32, independent of the responder's table-driven one. */
static uint32_t reference_crc32(const uint8_t *p, size_t n) {
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++)
      crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

static void check_completed(client *c, uint16_t id, uint32_t app_status) {
  client_req *q = client_req_of(c, id);
  CHECK_EQ(q->end_count, 1);
  CHECK_EQ(q->end.protocol_status, FCS_REQUEST_COMPLETE);
  CHECK_EQ(q->end.app_status, app_status);
  CHECK_EQ(q->out_ended, 1);
}

static void test_get_values_exact(void) {
  fcs_responder *r = new_responder(NULL);
  client c;
  client_init(&c);
  const char *const names[] = {"FCGI_MAX_CONNS", "FCGI_MAX_REQS",
                               "FCGI_MPXS_CONNS", NULL};
  client_get_values(&c, names);
  drive(r, &c, 0, 0);
  static const char want[] = "\x01\x0a\x00\x00\x00\x35\x03\x00"
                             "\x0e\x02"
                             "FCGI_MAX_CONNS16"
                             "\x0d\x02"
                             "FCGI_MAX_REQS32"
                             "\x0f\x01"
                             "FCGI_MPXS_CONNS1"
                             "\x00\x00\x00";
  CHECK_BYTES(c.raw.p, c.raw.len, want, sizeof want - 1);
  CHECK(!fcs_responder_should_close(r));
  client_free(&c);
  fcs_responder_free(r);
}

static void test_get_values_subset_and_empty(void) {
  fcs_responder_config cfg;
  fcs_responder_config_default(&cfg);
  cfg.mpxs_conns = 0;
  fcs_responder *r = new_responder(&cfg);
  client c;
  client_init(&c);
  const char *const asked[] = {"FCGI_MPXS_CONNS", "X_UNKNOWN",
                               "FCGI_MPXS_CONNS", NULL};
  client_get_values(&c, asked);
  drive(r, &c, 0, 0);
  CHECK_EQ(c.gv_count, 1);
  CHECK_BYTES(c.gv.p, c.gv.len,
              "\x0f\x01"
              "FCGI_MPXS_CONNS0",
              18);

  const char *const none[] = {NULL};
  const char *const unknown[] = {"X_UNKNOWN", NULL};
  client_get_values(&c, none);
  client_get_values(&c, unknown);
  c.raw.len = 0;
  c.scanned = 0;
  drive(r, &c, 0, 0);
  CHECK_EQ(c.gv_count, 3);
  CHECK_BYTES(c.raw.p, c.raw.len,
              "\x01\x0a\x00\x00\x00\x00\x00\x00"
              "\x01\x0a\x00\x00\x00\x00\x00\x00",
              16);
  client_free(&c);
  fcs_responder_free(r);
}

static void test_unknown_type(void) {
  fcs_responder *r = new_responder(NULL);
  client c;
  client_init(&c);
  client_record(&c, 0x20, 0, "ABCDEFGH", 8);
  drive(r, &c, 0, 0);
  CHECK_BYTES(c.raw.p, c.raw.len,
              "\x01\x0b\x00\x00\x00\x08\x00\x00"
              "\x20\x00\x00\x00\x00\x00\x00\x00",
              16);
  /* On a request id, between the records of a request in flight: answered
   * the same way, and the request's params are not disturbed. */
  client_begin(&c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&c, 1, baseline_params, 0);
  client_record(&c, 0xff, 1, "zz", 2);
  client_get_values(&c, (const char *const[]){"FCGI_MAX_REQS", NULL});
  client_stream(&c, FCS_PARAMS, 1, NULL, 0, 0, 1);
  client_stream(&c, FCS_STDIN, 1, "hello", 5, 0, 1);
  drive(r, &c, 0, 0);
  CHECK_EQ(c.unknown_count, 2);
  CHECK_EQ(c.unknown[1], 0xff);
  CHECK_EQ(c.gv_count, 1);
  client_req *q = client_req_of(&c, 1);
  CHECK_TEXT(q->out.p, q->out.len, baseline_echo);
  check_completed(&c, 1, 0);
  client_free(&c);
  fcs_responder_free(r);
}

/* The same request fed whole, one byte at a time, and with every stream
 * split into one-byte records gives the same reply. */
static void test_echo_any_chunking(void) {
  bytebuf whole = {0}, pairs = {0};
  client_pairs(&pairs, baseline_params);
  for (int mode = 0; mode < 3; mode++) {
    fcs_responder *r = new_responder(NULL);
    client c;
    client_init(&c);
    uint32_t record_size = mode == 2 ? 1 : 0;
    client_begin(&c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
    client_stream(&c, FCS_PARAMS, 1, pairs.p, pairs.len, record_size, 1);
    client_stream(&c, FCS_STDIN, 1, "hello", 5, record_size, 1);
    drive(r, &c, mode == 1 ? 1 : 0, 0);
    client_req *q = client_req_of(&c, 1);
    CHECK_TEXT(q->out.p, q->out.len, baseline_echo);
    check_completed(&c, 1, 0);
    CHECK(!c.failed);
    if (mode == 0)
      bytebuf_add(&whole, c.raw.p, c.raw.len);
    else
      CHECK_BYTES(c.raw.p, c.raw.len, whole.p, whole.len);
    client_free(&c);
    fcs_responder_free(r);
  }
  bytebuf_free(&pairs);
  bytebuf_free(&whole);
}

/* Replies larger than the output buffer: input stops while the buffer is
 * full, the buffer never grows, and the replies equal those of a roomy run
 * (only their division into records differs). */
static void test_backpressure(void) {
  static char big[6001];
  memset(big, 'v', sizeof big - 1);
  memcpy(big, "BIG=", 4);
  const char *const params[] = {big, "A=1", NULL};
  bytebuf roomy[3] = {{0}};
  for (int small = 0; small < 2; small++) {
    fcs_responder_config cfg;
    fcs_responder_config_default(&cfg);
    cfg.output_bytes = small ? 1024 : 65536;
    fcs_responder *r = new_responder(&cfg);
    client c;
    client_init(&c);
    for (uint16_t id = 1; id <= 3; id++) {
      client_begin(&c, id, FCS_RESPONDER, FCS_KEEP_CONN);
      client_params(&c, id, params, 1);
      client_stream(&c, FCS_STDIN, id, "body", 4, 0, 1);
    }
    size_t first = fcs_responder_input(r, c.send.p, c.send.len);
    if (small)
      CHECK(first < c.send.len);
    else
      CHECK_EQ(first, c.send.len);
    /* Take the output slowly: 100 bytes a round. */
    bytebuf rest = {0};
    bytebuf_add(&rest, c.send.p + first, c.send.len - first);
    const uint8_t *data;
    size_t len;
    fcs_responder_output(r, &data, &len);
    CHECK(len <= cfg.output_bytes);
    client_receive(&c, data, len);
    fcs_responder_output_consumed(r, len);
    c.send.len = 0;
    bytebuf_add(&c.send, rest.p, rest.len);
    size_t peak = drive(r, &c, 0, 100);
    CHECK(peak <= cfg.output_bytes);
    for (uint16_t id = 1; id <= 3; id++) {
      check_completed(&c, id, 0);
      client_req *q = client_req_of(&c, id);
      if (small)
        CHECK_BYTES(q->out.p, q->out.len, roomy[id - 1].p, roomy[id - 1].len);
      else
        bytebuf_add(&roomy[id - 1], q->out.p, q->out.len);
    }
    bytebuf_free(&rest);
    client_free(&c);
    fcs_responder_free(r);
  }
  for (int i = 0; i < 3; i++)
    bytebuf_free(&roomy[i]);
}

static void test_keep_conn(void) {
  fcs_responder *r = new_responder(NULL);
  client c;
  client_init(&c);
  client_simple_request(&c, 1, FCS_KEEP_CONN, baseline_params, "hello");
  drive(r, &c, 0, 0);
  check_completed(&c, 1, 0);
  CHECK(!fcs_responder_should_close(r));
  /* The same id again, now without KEEP_CONN: served, then closing, and
   * what follows is not read. */
  client_simple_request(&c, 1, 0, baseline_params, "hello");
  client_get_values(&c, (const char *const[]){"FCGI_MAX_REQS", NULL});
  drive(r, &c, 0, 0);
  check_completed(&c, 1, 0);
  CHECK(fcs_responder_should_close(r));
  CHECK_EQ(c.gv_count, 0);
  CHECK(fcs_responder_error(r) == NULL);
  client_free(&c);
  fcs_responder_free(r);
}

static void test_abort(void) {
  fcs_responder *r = new_responder(NULL);
  client c;
  client_init(&c);
  client_begin(&c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&c, 1, baseline_params, 1);
  client_stream(&c, FCS_STDIN, 1, "partial", 7, 0, 0);
  drive(r, &c, 0, 0);
  CHECK_EQ(c.records, 0);
  client_abort(&c, 1);
  client_abort(&c, 1); /* the id is inactive by now: ignored */
  drive(r, &c, 0, 0);
  client_req *q = client_req_of(&c, 1);
  check_completed(&c, 1, FCS_RESPONDER_STATUS_ABORTED);
  CHECK_EQ(q->out.len, 0);
  CHECK(!fcs_responder_should_close(r));
  client_simple_request(&c, 2, FCS_KEEP_CONN, baseline_params, "x");
  drive(r, &c, 0, 0);
  check_completed(&c, 2, 0);
  client_free(&c);
  fcs_responder_free(r);
}

static void test_unknown_role(void) {
  fcs_responder *r = new_responder(NULL);
  client c;
  client_init(&c);
  client_begin(&c, 1, 7, FCS_KEEP_CONN);
  client_params(&c, 1, baseline_params, 1);
  client_stream(&c, FCS_STDIN, 1, NULL, 0, 0, 1);
  drive(r, &c, 0, 0);
  client_req *q = client_req_of(&c, 1);
  CHECK_EQ(q->end_count, 1);
  CHECK_EQ(q->end.protocol_status, FCS_UNKNOWN_ROLE);
  CHECK_EQ(q->out_ended, 0);
  CHECK_EQ(q->out.len, 0);
  CHECK_EQ(c.records, 1);
  CHECK(!fcs_responder_should_close(r));
  client_free(&c);
  fcs_responder_free(r);
}

static void test_cant_mpx(void) {
  fcs_responder_config cfg;
  fcs_responder_config_default(&cfg);
  cfg.mpxs_conns = 0;
  fcs_responder *r = new_responder(&cfg);
  client c;
  client_init(&c);
  client_begin(&c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&c, 1, baseline_params, 1);
  client_begin(&c, 2, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&c, 2, baseline_params, 1);
  client_stream(&c, FCS_STDIN, 2, NULL, 0, 0, 1);
  client_stream(&c, FCS_STDIN, 1, "hello", 5, 0, 1);
  drive(r, &c, 0, 0);
  client_req *q2 = client_req_of(&c, 2);
  CHECK_EQ(q2->end_count, 1);
  CHECK_EQ(q2->end.protocol_status, FCS_CANT_MPX_CONN);
  CHECK_EQ(q2->out_ended, 0);
  client_req *q1 = client_req_of(&c, 1);
  CHECK_TEXT(q1->out.p, q1->out.len, baseline_echo);
  check_completed(&c, 1, 0);
  CHECK(q2->end_index < q1->end_index);
  client_free(&c);
  fcs_responder_free(r);
}

static void test_overloaded(void) {
  /* Per connection: a third concurrent request over max_conn_reqs = 2,
   * with FCGI_MAX_REQS far from reached. */
  fcs_responder_config cfg;
  fcs_responder_config_default(&cfg);
  cfg.max_conn_reqs = 2;
  fcs_responder *r = new_responder(&cfg);
  client c;
  client_init(&c);
  for (uint16_t id = 1; id <= 3; id++) {
    client_begin(&c, id, FCS_RESPONDER, FCS_KEEP_CONN);
    client_params(&c, id, baseline_params, 1);
  }
  drive(r, &c, 0, 0);
  CHECK_EQ(client_req_of(&c, 3)->end.protocol_status, FCS_OVERLOADED);
  CHECK_EQ(client_req_of(&c, 1)->end_count, 0);
  client_stream(&c, FCS_STDIN, 1, "hello", 5, 0, 1);
  drive(r, &c, 0, 0);
  check_completed(&c, 1, 0);
  /* A slot is free again. */
  client_simple_request(&c, 3, FCS_KEEP_CONN, baseline_params, "");
  drive(r, &c, 0, 0);
  check_completed(&c, 3, 0);
  client_free(&c);
  fcs_responder_free(r);

  /* Across connections sharing a budget of max_reqs = 2. */
  fcs_responder_budget budget = {0};
  cfg.budget = &budget;
  cfg.max_reqs = 2;
  fcs_responder *a = new_responder(&cfg), *b = new_responder(&cfg);
  client ca, cb;
  client_init(&ca);
  client_init(&cb);
  client_begin(&ca, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_begin(&ca, 2, FCS_RESPONDER, FCS_KEEP_CONN);
  drive(a, &ca, 0, 0);
  CHECK_EQ(budget.active, 2);
  client_begin(&cb, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  drive(b, &cb, 0, 0);
  CHECK_EQ(client_req_of(&cb, 1)->end.protocol_status, FCS_OVERLOADED);
  fcs_responder_free(a); /* its requests leave the budget */
  CHECK_EQ(budget.active, 0);
  client_simple_request(&cb, 1, FCS_KEEP_CONN, baseline_params, "hello");
  drive(b, &cb, 0, 0);
  check_completed(&cb, 1, 0);
  CHECK_EQ(budget.active, 0);
  client_free(&ca);
  client_free(&cb);
  fcs_responder_free(b);
}

static void test_multiplexed(void) {
  fcs_responder *r = new_responder(NULL);
  client c;
  client_init(&c);
  const char *const p1[] = {"WHO=one", "N=1", NULL};
  const char *const p2[] = {"WHO=two", NULL};
  client_begin(&c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_begin(&c, 2, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&c, 2, p2, 0);
  client_params(&c, 1, p1, 0);
  client_stream(&c, FCS_PARAMS, 1, NULL, 0, 0, 1);
  client_stream(&c, FCS_STDIN, 1, "first", 5, 0, 0);
  client_stream(&c, FCS_PARAMS, 2, NULL, 0, 0, 1);
  client_stream(&c, FCS_STDIN, 2, "second", 6, 0, 1);
  client_stream(&c, FCS_STDIN, 1, NULL, 0, 0, 1);
  drive(r, &c, 0, 0);
  client_req *q1 = client_req_of(&c, 1), *q2 = client_req_of(&c, 2);
  CHECK_TEXT(q1->out.p, q1->out.len,
             "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"
             "request-id 1\nrole RESPONDER\nflags 1\nparams 2\n"
             "param WHO=one\nparam N=1\nstdin 5 9271ee57 5\nfirst\nend\n");
  CHECK_TEXT(q2->out.p, q2->out.len,
             "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"
             "request-id 2\nrole RESPONDER\nflags 1\nparams 1\n"
             "param WHO=two\nstdin 6 b61f1169 6\nsecond\nend\n");
  check_completed(&c, 1, 0);
  check_completed(&c, 2, 0);
  CHECK(q2->end_index < q1->end_index); /* finished out of order */
  client_free(&c);
  fcs_responder_free(r);
}

static void test_authorizer(void) {
  fcs_responder *r = new_responder(NULL);
  client c;
  client_init(&c);
  const char *const granted[] = {"HTTP_AUTHORIZATION=Basic Zm9vOmJhcg==", NULL};
  client_begin(&c, 1, FCS_AUTHORIZER, FCS_KEEP_CONN);
  client_params(&c, 1, granted, 1); /* answered without any STDIN */
  drive(r, &c, 0, 0);
  client_req *q = client_req_of(&c, 1);
  CHECK_TEXT(q->out.p, q->out.len,
             "Status: 200 OK\r\nVariable-FCS_AUTHORIZED: 1\r\n"
             "Content-Type: text/plain\r\n\r\n"
             "request-id 1\nrole AUTHORIZER\nflags 1\nparams 1\n"
             "param HTTP_AUTHORIZATION=Basic%20Zm9vOmJhcg%3D%3D\nend\n");
  check_completed(&c, 1, 0);
  client_stream(&c, FCS_STDIN, 1, NULL, 0, 0, 1); /* late: ignored */
  const char *const denied[] = {"HTTP_AUTHORIZATION=", "REMOTE_USER=x", NULL};
  client_begin(&c, 2, FCS_AUTHORIZER, FCS_KEEP_CONN);
  client_params(&c, 2, denied, 1);
  drive(r, &c, 0, 0);
  q = client_req_of(&c, 2);
  CHECK_TEXT(q->out.p, q->out.len,
             "Status: 403 Forbidden\r\nContent-Type: text/plain\r\n\r\n"
             "access denied: no HTTP_AUTHORIZATION param\n");
  check_completed(&c, 2, 0);
  CHECK(!c.failed);
  client_free(&c);
  fcs_responder_free(r);
}

static void test_filter(void) {
  fcs_responder *r = new_responder(NULL);
  client c;
  client_init(&c);
  const char *const params[] = {"FCGI_DATA_LENGTH=9", NULL};
  client_begin(&c, 5, FCS_FILTER, 0);
  client_params(&c, 5, params, 1);
  client_stream(&c, FCS_STDIN, 5, "in", 2, 0, 1);
  client_stream(&c, FCS_DATA, 5, "file-", 5, 0, 0);
  drive(r, &c, 0, 0);
  CHECK_EQ(c.records, 0); /* DATA not finished yet */
  client_stream(&c, FCS_DATA, 5, "data", 4, 0, 1);
  drive(r, &c, 0, 0);
  client_req *q = client_req_of(&c, 5);
  CHECK_TEXT(q->out.p, q->out.len,
             "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"
             "request-id 5\nrole FILTER\nflags 0\nparams 1\n"
             "param FCGI_DATA_LENGTH=9\nstdin 2 5fec8e4e 2\nin\n"
             "data 9 a71d28a2 9\nfile-data\nend\n");
  check_completed(&c, 5, 0);
  CHECK(fcs_responder_should_close(r));
  client_free(&c);
  fcs_responder_free(r);
}

/* Nothing is written before the streams a role must read are complete. */
static void test_waits_for_input(void) {
  fcs_responder *r = new_responder(NULL);
  client c;
  client_init(&c);
  client_begin(&c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&c, 1, baseline_params, 0);
  drive(r, &c, 0, 0);
  CHECK_EQ(c.records, 0);
  client_stream(&c, FCS_PARAMS, 1, NULL, 0, 0, 1);
  client_stream(&c, FCS_STDIN, 1, "hel", 3, 0, 0);
  drive(r, &c, 0, 0);
  CHECK_EQ(c.records, 0);
  client_stream(&c, FCS_STDIN, 1, "lo", 2, 0, 1);
  drive(r, &c, 0, 0);
  client_req *q = client_req_of(&c, 1);
  CHECK_TEXT(q->out.p, q->out.len, baseline_echo);
  client_free(&c);
  fcs_responder_free(r);
}

static void test_knobs(void) {
  fcs_responder *r = new_responder(NULL);
  client c;
  client_init(&c);
  const char *const good[] = {"FCS_STDERR=warning: x", "FCS_APP_STATUS=42",
                              NULL};
  client_simple_request(&c, 1, FCS_KEEP_CONN, good, NULL);
  drive(r, &c, 0, 0);
  client_req *q = client_req_of(&c, 1);
  CHECK_TEXT(q->err.p, q->err.len, "warning: x");
  CHECK_EQ(q->err_ended, 1);
  check_completed(&c, 1, 42);
  const char *const bad[] = {"FCS_APP_STATUS=4294967296", NULL};
  client_simple_request(&c, 2, FCS_KEEP_CONN, bad, NULL);
  drive(r, &c, 0, 0);
  q = client_req_of(&c, 2);
  const char *knob_error = "\nknob-error FCS_APP_STATUS\n";
  CHECK(bytebuf_contains(&q->out, knob_error, strlen(knob_error)));
  CHECK_EQ(q->err_ended, 0);
  check_completed(&c, 2, 0);
  client_free(&c);
  fcs_responder_free(r);
}

static void test_escaping(void) {
  fcs_responder *r = new_responder(NULL);
  client c;
  client_init(&c);
  static const uint8_t pairs[] = {4,   6,    'A',  '=',  'B', ' ', 0x01,
                                  '%', 0x7f, 0xff, '\n', 'z', 0,   0};
  client_begin(&c, 1, FCS_RESPONDER, 0);
  client_stream(&c, FCS_PARAMS, 1, pairs, sizeof pairs, 0, 1);
  client_stream(&c, FCS_STDIN, 1, NULL, 0, 0, 1);
  drive(r, &c, 0, 0);
  client_req *q = client_req_of(&c, 1);
  CHECK_TEXT(q->out.p, q->out.len,
             "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"
             "request-id 1\nrole RESPONDER\nflags 0\nparams 2\n"
             "param A%3DB%20=%01%25%7F%FF%0Az\nparam =\n"
             "stdin 0 00000000 0\n\nend\n");
  client_free(&c);
  fcs_responder_free(r);
}

/* A FILTER request with a repeated name, quotes, a backslash and bytes
 * outside ASCII, answered in the given echo format. */
static void check_echo_format(fcs_echo_format format, const char *want,
                              size_t want_len) {
  fcs_responder_config cfg;
  fcs_responder_config_default(&cfg);
  cfg.echo_format = (uint8_t)format;
  fcs_responder *r = new_responder(&cfg);
  client c;
  client_init(&c);
  const char *const params[] = {"D=1", "Q=a\"b\\c\x01\xff", "D=2", "E=", NULL};
  client_begin(&c, 1, FCS_FILTER, 0);
  client_params(&c, 1, params, 1);
  client_stream(&c, FCS_STDIN, 1, "b\xffz\n", 4, 0, 1);
  client_stream(&c, FCS_DATA, 1, "dd", 2, 0, 1);
  drive(r, &c, 0, 0);
  client_req *q = client_req_of(&c, 1);
  CHECK_BYTES(q->out.p, q->out.len, want, want_len);
  check_completed(&c, 1, 0);
  client_free(&c);
  fcs_responder_free(r);
}

#define CHECK_ECHO_FORMAT(format, text)                                        \
  check_echo_format(format, text, sizeof text - 1)
#define TEXT_HEAD "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"

static void test_echo_format_lines(void) {
  CHECK_ECHO_FORMAT(FCS_ECHO_LINES,
                    TEXT_HEAD "request-id 1\nrole FILTER\nflags 0\nparams 4\n"
                              "param D=1\nparam Q=a\"b\\c%01%FF\nparam D=2\n"
                              "param E=\nstdin 4 3bf6ac1b 4\nb\xffz\n\n"
                              "data 2 0a97191d 2\ndd\nend\n");
}

/* Each name once with its last value; bytes outside printable ASCII as
 * \u00XX. */
static void test_echo_format_json(void) {
  CHECK_ECHO_FORMAT(
      FCS_ECHO_JSON,
      "Status: 200 OK\r\nContent-Type: application/json\r\n\r\n"
      "{\"request_id\":1,\"role\":\"FILTER\",\"params\":{\"D\":\"2\","
      "\"Q\":\"a\\\"b\\\\c\\u0001\\u00ff\",\"E\":\"\"},"
      "\"stdin\":\"b\\u00ffz\\u000a\",\"data\":\"dd\"}\n");
}

/* Every pair in order, raw; no DATA. */
static void test_echo_format_printenv(void) {
  CHECK_ECHO_FORMAT(FCS_ECHO_PRINTENV,
                    TEXT_HEAD "D=1\nQ=a\"b\\c\x01\xff\nD=2\nE=\n\nb\xffz\n");
}

static void test_echo_format_var_dump(void) {
  CHECK_ECHO_FORMAT(FCS_ECHO_PHP_VAR_DUMP,
                    TEXT_HEAD "array(3) {\n  [\"D\"]=>\n  string(1) \"2\"\n"
                              "  [\"Q\"]=>\n  string(7) \"a\"b\\c\x01\xff\"\n"
                              "  [\"E\"]=>\n  string(0) \"\"\n}\n"
                              "string(4) \"b\xffz\n\"\nstring(2) \"dd\"\n");
}

static void test_echo_format_print_r(void) {
  CHECK_ECHO_FORMAT(FCS_ECHO_PHP_PRINT_R,
                    TEXT_HEAD "Array\n(\n    [D] => 2\n"
                              "    [Q] => a\"b\\c\x01\xff\n    [E] => \n)\n"
                              "b\xffz\n");
}

/* A body far larger than the echo: counted and checksummed in full, only
 * the first echo_bytes kept. */
static void test_large_body(void) {
  fcs_responder_config cfg;
  fcs_responder_config_default(&cfg);
  cfg.echo_bytes = 16;
  fcs_responder *r = new_responder(&cfg);
  client c;
  client_init(&c);
  size_t n = 1 << 20;
  uint8_t *body = malloc(n);
  for (size_t i = 0; i < n; i++)
    body[i] = (uint8_t)(i * 7 + (i >> 8));
  client_begin(&c, 1, FCS_RESPONDER, 0);
  client_params(&c, 1, NULL, 1);
  client_stream(&c, FCS_STDIN, 1, body, n, 0, 1);
  drive(r, &c, 4096, 0);
  char want[512];
  int len = snprintf(want, sizeof want,
                     "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                     "request-id 1\nrole RESPONDER\nflags 0\nparams 0\n"
                     "stdin %zu %08x 16\n",
                     n, (unsigned)reference_crc32(body, n));
  memcpy(want + len, body, 16);
  memcpy(want + len + 16, "\nend\n", 5);
  client_req *q = client_req_of(&c, 1);
  CHECK_BYTES(q->out.p, q->out.len, want, (size_t)len + 21);
  check_completed(&c, 1, 0);
  free(body);
  client_free(&c);
  fcs_responder_free(r);
}

/* body_bytes: every RESPONDER request gets the same fixed reply, whatever
 * it carried, through a 64 KiB output buffer and with two requests in
 * flight on one connection; a FILTER still gets its echo. */
static void test_fixed_body(void) {
  fcs_responder_config cfg;
  fcs_responder_config_default(&cfg);
  cfg.body_bytes = 65536;
  fcs_responder *r = new_responder(&cfg);
  client c;
  client_init(&c);
  client_simple_request(&c, 1, FCS_KEEP_CONN, baseline_params, "hello");
  client_simple_request(&c, 2, FCS_KEEP_CONN, baseline_params, "");
  drive(r, &c, 1000, 3000);
  static const char head[] = "Status: 200 OK\r\n"
                             "Content-Type: application/octet-stream\r\n"
                             "Content-Length: 65536\r\n\r\n";
  size_t hl = sizeof head - 1;
  uint8_t *want = malloc(hl + 65536);
  memcpy(want, head, hl);
  for (size_t i = 0; i < 65536; i++)
    want[hl + i] = (uint8_t)('a' + i % 26);
  for (uint16_t id = 1; id <= 2; id++) {
    client_req *q = client_req_of(&c, id);
    CHECK_BYTES(q->out.p, q->out.len, want, hl + 65536);
    check_completed(&c, id, 0);
  }
  CHECK(!fcs_responder_should_close(r));
  free(want);
  client_free(&c);
  fcs_responder_free(r);
  cfg.body_bytes = (16u << 20) + 1;
  const char *why = fcs_responder_config_check(&cfg);
  CHECK(why && strcmp(why, "body_bytes must be 0..16777216") == 0);
  fcs_responder_config_default(&cfg);
  CHECK_EQ(cfg.body_bytes, 0);
}

/* A request-layer error ends its request with STDERR naming the error,
 * then the connection. */
static void test_error_in_request(void) {
  fcs_responder *r = new_responder(NULL);
  client c;
  client_init(&c);
  client_begin(&c, 3, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&c, 3, baseline_params, 0);
  size_t stdin_at = c.send.len;
  client_stream(&c, FCS_STDIN, 3, "x", 1, 0, 1); /* before PARAMS ended */
  drive(r, &c, 0, 0);
  CHECK(fcs_responder_should_close(r));
  const fcs_error *e = fcs_responder_error(r);
  CHECK(e && e->code == FCS_E_STREAM_ORDER);
  CHECK(e && e->offset == stdin_at);
  client_req *q = client_req_of(&c, 3);
  check_completed(&c, 3, FCS_RESPONDER_STATUS_PROTOCOL_ERROR);
  CHECK_EQ(q->out.len, 0);
  const char *said = "protocol error STREAM_ORDER at offset";
  CHECK(bytebuf_contains(&q->err, said, strlen(said)));
  CHECK_EQ(q->err_ended, 1);
  /* Nothing more is read. */
  CHECK_EQ(fcs_responder_input(r, (const uint8_t *)"\x01\x09", 2), 0);
  client_free(&c);
  fcs_responder_free(r);
}

static void test_error_in_record_layer(void) {
  fcs_responder *r = new_responder(NULL);
  client c;
  client_init(&c);
  client_begin(&c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_record(&c, FCS_PARAMS, 1, NULL, 0);
  c.send.p[16] = 2; /* the PARAMS record's version */
  drive(r, &c, 0, 0);
  CHECK(fcs_responder_should_close(r));
  const fcs_error *e = fcs_responder_error(r);
  CHECK(e && e->code == FCS_E_BAD_VERSION && e->offset == 16 && e->record == 1);
  CHECK_EQ(c.records, 0);
  client_free(&c);
  fcs_responder_free(r);
}

static void test_eof(void) {
  fcs_responder *r = new_responder(NULL);
  fcs_responder_input_eof(r);
  CHECK(fcs_responder_should_close(r));
  CHECK(fcs_responder_error(r) == NULL);
  fcs_responder_free(r);

  r = new_responder(NULL);
  CHECK_EQ(fcs_responder_input(r, (const uint8_t *)"\x01\x01\x00", 3), 3);
  CHECK(!fcs_responder_should_close(r));
  fcs_responder_input_eof(r);
  CHECK(fcs_responder_should_close(r));
  const fcs_error *e = fcs_responder_error(r);
  CHECK(e && e->code == FCS_E_TRUNCATED && e->offset == 3);
  fcs_responder_free(r);
}

static void test_config(void) {
  fcs_responder_config cfg;
  fcs_responder_config_default(&cfg);
  CHECK(fcs_responder_config_check(&cfg) == NULL);
  CHECK(fcs_responder_memory_size(&cfg) > cfg.output_bytes);
  cfg.max_reqs = 0;
  const char *why = fcs_responder_config_check(&cfg);
  CHECK(why && strstr(why, "max_reqs") != NULL);
  CHECK(fcs_responder_new(&cfg) == NULL);
  fcs_responder_config_default(&cfg);
  cfg.output_bytes = 1023;
  why = fcs_responder_config_check(&cfg);
  CHECK(why && strstr(why, "output_bytes") != NULL);
  fcs_responder_config_default(&cfg);
  cfg.mpxs_conns = 2;
  why = fcs_responder_config_check(&cfg);
  CHECK(why && strstr(why, "mpxs_conns") != NULL);
  fcs_responder_config_default(&cfg);
  CHECK_EQ(cfg.max_conn_reqs, 8);
  size_t capped = fcs_responder_memory_size(&cfg);
  cfg.max_conn_reqs = 0;
  why = fcs_responder_config_check(&cfg);
  CHECK(why && strcmp(why, "max_conn_reqs must be 1..max_reqs") == 0);
  cfg.max_conn_reqs = cfg.max_reqs + 1;
  CHECK(fcs_responder_config_check(&cfg) == why);
  /* Memory follows the per-connection cap, not FCGI_MAX_REQS: each of
   * the 24 slots more holds at least one request's params. */
  cfg.max_conn_reqs = cfg.max_reqs;
  CHECK(fcs_responder_memory_size(&cfg) >
        capped + (size_t)(cfg.max_reqs - 8) * cfg.max_params_bytes);
  CHECK_EQ(fcs_responder_conn_reqs_default(1), 1);
  CHECK_EQ(fcs_responder_conn_reqs_default(7), 1);
  CHECK_EQ(fcs_responder_conn_reqs_default(32), 8);
  CHECK_EQ(fcs_responder_conn_reqs_default(4096), 1024);
  fcs_responder_config_default(&cfg);
  CHECK_EQ(cfg.echo_format, FCS_ECHO_LINES);
  cfg.echo_format = FCS_ECHO_PHP_PRINT_R + 1;
  why = fcs_responder_config_check(&cfg);
  CHECK(why && strstr(why, "echo_format") != NULL);
}

int main(void) {
  RUN(test_get_values_exact);
  RUN(test_get_values_subset_and_empty);
  RUN(test_unknown_type);
  RUN(test_echo_any_chunking);
  RUN(test_backpressure);
  RUN(test_keep_conn);
  RUN(test_abort);
  RUN(test_unknown_role);
  RUN(test_cant_mpx);
  RUN(test_overloaded);
  RUN(test_multiplexed);
  RUN(test_authorizer);
  RUN(test_filter);
  RUN(test_waits_for_input);
  RUN(test_knobs);
  RUN(test_escaping);
  RUN(test_echo_format_lines);
  RUN(test_echo_format_json);
  RUN(test_echo_format_printenv);
  RUN(test_echo_format_var_dump);
  RUN(test_echo_format_print_r);
  RUN(test_large_body);
  RUN(test_fixed_body);
  RUN(test_error_in_request);
  RUN(test_error_in_record_layer);
  RUN(test_eof);
  RUN(test_config);
  if (check_failures)
    fprintf(stderr, "%d check(s) failed\n", check_failures);
  return check_failures ? 1 : 0;
}
