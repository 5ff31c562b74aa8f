/* The recording backend of proxy mode (recorder.h) over a real Unix socket:
 * a test speaks as a proxy would, with the codec's encoder, reads the
 * replies through the client-side assembler (strict: any broken rule in a
 * reply fails it) and checks what the recorder kept. Usage: test_recorder
 * [TEST]. */
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "case.h"
#include "check.h"
#include "client.h"
#include "clock.h"
#include "recorder.h"

/* How long a reply or a change may take before a test gives up on it. */
#define REPLY_MS 5000
/* How long a test watches for something that must not happen. */
#define QUIET_MS 300

static char tmpdir[200];
static fsp_target where;
static fsp_recorder *rec;

/* ---- the recorder ------------------------------------------------------- */

static void start_at(const char *spec) {
  char err[256];
  if (target_parse(spec, &where, err, sizeof err) != 0 ||
      !(rec = recorder_start(&where, err, sizeof err))) {
    fprintf(stderr, "cannot start the recorder on %s: %s\n", spec, err);
    exit(1);
  }
}

static void start(void) {
  char spec[300];
  snprintf(spec, sizeof spec, "unix:%s/rec.sock", tmpdir);
  start_at(spec);
}

/* Stops it; the socket file it made goes with it. */
static void stop(void) {
  recorder_stop(rec);
  rec = NULL;
  if (where.is_unix)
    CHECK(access(where.path, F_OK) != 0);
}

typedef int (*state_pred)(const rec_state *st, size_t arg);

/* Waits, through recorder_wait, until ok holds of the state. */
static int wait_for(state_pred ok, size_t arg) {
  int64_t until = now_ms() + REPLY_MS;
  for (;;) {
    const rec_state *st = recorder_lock(rec);
    int yes = ok(st, arg);
    uint64_t seen = st->events;
    recorder_unlock(rec);
    if (yes)
      return 1;
    if (now_ms() >= until)
      return 0;
    recorder_wait(rec, seen, until);
  }
}

static int conn_closed(const rec_state *st, size_t i) {
  return st->nconns > i && st->conns[i].closed != 0;
}

static int first_stdin_has(const rec_state *st, size_t n) {
  return st->nreqs > 0 && st->reqs[0].in_total == n;
}

/* ---- the proxy's side --------------------------------------------------- */

typedef struct peer {
  int fd;
  int eof; /* the recorder closed */
  client c;
} peer;

static void peer_open(peer *p) {
  char err[128];
  memset(p, 0, sizeof *p);
  client_init(&p->c);
  p->fd = target_connect(&where, now_ms() + REPLY_MS, err, sizeof err);
  if (p->fd < 0) {
    fprintf(stderr, "cannot connect to the recorder: %s\n", err);
    exit(1);
  }
}

static void peer_close(peer *p) {
  if (p->fd >= 0)
    close(p->fd);
  p->fd = -1;
  client_free(&p->c);
}

/* Sends what the client has queued. */
static void peer_send(peer *p) {
  size_t at = 0;
  while (at < p->c.send.len) {
    ssize_t w = write(p->fd, p->c.send.p + at, p->c.send.len - at);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      fprintf(stderr, "write to the recorder: %s\n", strerror(errno));
      exit(1);
    }
    at += (size_t)w;
  }
  p->c.send.len = 0;
}

/* Reads replies until done says so, the recorder closes, or until. */
static void peer_read_until(peer *p, int (*done)(client *c, uint16_t id),
                            uint16_t id, int64_t until) {
  while (!(done && done(&p->c, id)) && !p->eof) {
    int64_t left = until - now_ms();
    struct pollfd pf = {p->fd, POLLIN, 0};
    if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
      return;
    uint8_t buf[65536];
    ssize_t n = read(p->fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      p->eof = 1;
    else
      client_receive(&p->c, buf, (size_t)n);
  }
}

static int raw_at_least(client *c, uint16_t n) { return c->raw.len >= n; }

static int has_end(client *c, uint16_t id) {
  return client_req_of(c, id)->end_count > 0;
}

static int has_mgmt_replies(client *c, uint16_t id) {
  (void)id;
  return c->gv_count > 0 && c->unknown_count > 0;
}

static void await_end(peer *p, uint16_t id) {
  peer_read_until(p, has_end, id, now_ms() + REPLY_MS);
}

static void await_eof(peer *p) {
  peer_read_until(p, NULL, 0, now_ms() + REPLY_MS);
}

/* The reply of a complete request, whose index in reqs is index. */
static void check_reply_at(int line, peer *p, uint16_t id, size_t index) {
  char want[200];
  snprintf(want, sizeof want,
           "Status: 200 OK\r\nContent-Type: text/plain\r\n"
           "X-Fcgispec-Recorder: %zu\r\n\r\nrecorded request %zu\n",
           index, index);
  client_req *r = client_req_of(&p->c, id);
  if (p->c.failed || r->out_ended != 1 || r->end_count != 1 ||
      r->end.protocol_status != FCS_REQUEST_COMPLETE || r->end.app_status != 0)
    fprintf(stderr, "test_recorder.c:%d: reply of id %u is not complete\n",
            line, (unsigned)id);
  CHECK(!p->c.failed);
  CHECK_EQ(r->out_ended, 1);
  CHECK_EQ(r->end_count, 1);
  CHECK_EQ(r->end.protocol_status, FCS_REQUEST_COMPLETE);
  CHECK_EQ(r->end.app_status, 0);
  CHECK_TEXT(r->out.p, r->out.len, want);
}
#define check_reply(p, id, index) check_reply_at(__LINE__, p, id, index)

/* One pair, appended to content; force_long writes both lengths in 4
 * bytes. Returns where the pair starts. */
static size_t add_pair(bytebuf *content, const char *name, const char *value,
                       int force_long) {
  size_t at = content->len, n;
  fcs_nv_pair p = {(const uint8_t *)name, (uint32_t)strlen(name),
                   (const uint8_t *)value, (uint32_t)strlen(value)};
  fcs_encode_pairs(NULL, 0, &p, 1, force_long, &n);
  fcs_encode_pairs(bytebuf_reserve(content, n), n, &p, 1, force_long, &n);
  content->len += n;
  return at;
}

static const char *const few_params[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/",
                                         NULL};

static int param_is(const rec_param *p, const char *name, const char *value) {
  return p->name.len == strlen(name) && !memcmp(p->name.p, name, p->name.len) &&
         p->value.len == strlen(value) &&
         !memcmp(p->value.p, value, p->value.len);
}

/* ---- tests -------------------------------------------------------------- */

/* Params in three records, one boundary between two pairs and one inside
 * a pair; a long value, a pair with both lengths in 4 bytes, a name given
 * twice; 100 KiB of STDIN in four records. */
/* test_params' request, as the recorder saw it. */
static void check_params_request(const rec_request *q, const char *longvalue,
                                 const uint8_t *body, size_t body_len) {
  CHECK_EQ(q->conn, 0);
  CHECK_EQ(q->id, 1);
  CHECK_EQ(q->role, FCS_RESPONDER);
  CHECK_EQ(q->flags, FCS_KEEP_CONN);
  CHECK_EQ(q->others_active, 0);
  CHECK_EQ(q->nparams, 6);
  static const struct {
    const char *name, *value;
    int name_long, value_long, straddles;
  } want[6] = {{"REQUEST_METHOD", "POST", 0, 0, 0},
               {"DUP", "first", 0, 0, 0},
               {"LONGVALUE", NULL, 0, 1, 0},
               {"FORCED", "x", 1, 1, 0},
               {"DUP", "second", 0, 0, 0},
               {"SPLIT", "across records", 0, 0, 1}};
  for (size_t i = 0; i < 6 && i < q->nparams; i++) {
    const rec_param *r = &q->params[i];
    CHECK(param_is(r, want[i].name, want[i].value ? want[i].value : longvalue));
    CHECK_EQ(r->name_long, want[i].name_long);
    CHECK_EQ(r->value_long, want[i].value_long);
    CHECK_EQ(r->straddles, want[i].straddles);
  }
  CHECK_EQ(rec_param_count(q, "DUP"), 2);
  const bytebuf *dup = rec_param_value(q, "DUP");
  CHECK(dup && dup->len == 5 && !memcmp(dup->p, "first", 5));
  CHECK(rec_param_value(q, "DU") == NULL);
  CHECK_EQ(rec_param_count(q, "NOPE"), 0);
  CHECK_EQ(q->params_records, 4);
  CHECK(q->params_done && q->in_done && !q->data_done);
  CHECK_EQ(q->in_total, body_len);
  CHECK_BYTES(q->in.p, q->in.len, body, body_len);
  CHECK_EQ(q->in_records, 4);
  CHECK_EQ(q->data_total, 0);
  CHECK(q->answered && !q->aborted && !q->cut);
  CHECK(q->begun > 0 && q->ended >= q->begun);
}

/* test_params' connection: its bytes and records. */
static void check_params_conn(const rec_conn *c, size_t sent, size_t dup2,
                              size_t body_len) {
  CHECK_EQ(c->bytes, sent);
  CHECK_EQ(c->nviolations, 0);
  CHECK_EQ(c->violations.len, 0);
  CHECK_EQ(c->requests, 1);
  CHECK_EQ(c->closed, 0);
  CHECK_EQ(c->nrecords, 1 + 4 + 5);
  if (c->nrecords == 10) {
    const rec_record *b = &c->records[0], *p1 = &c->records[1],
                     *pend = &c->records[4], *s4 = &c->records[8];
    CHECK(b->type == FCS_BEGIN_REQUEST && b->version == 1 && b->id == 1 &&
          b->clen == 8 && b->offset == 0 && b->padding == 0);
    CHECK(p1->type == FCS_PARAMS && p1->clen == dup2 && p1->offset == 16);
    CHECK(pend->type == FCS_PARAMS && pend->clen == 0);
    CHECK(s4->type == FCS_STDIN && s4->clen == body_len - 3 * 30000);
    CHECK(c->records[9].type == FCS_STDIN && c->records[9].clen == 0);
    CHECK(b->t > 0 && c->records[9].t >= b->t);
  }
}

static void test_params(void) {
  start();
  char longvalue[301];
  memset(longvalue, 'v', 300);
  longvalue[300] = 0;
  bytebuf params = {0};
  add_pair(&params, "REQUEST_METHOD", "POST", 0);
  add_pair(&params, "DUP", "first", 0);
  add_pair(&params, "LONGVALUE", longvalue, 0);
  add_pair(&params, "FORCED", "x", 1);
  size_t dup2 = add_pair(&params, "DUP", "second", 0);
  size_t split = add_pair(&params, "SPLIT", "across records", 0) + 3;
  static uint8_t body[100 * 1024];
  for (size_t i = 0; i < sizeof body; i++)
    body[i] = (uint8_t)(i * 7 % 251);

  peer p;
  peer_open(&p);
  client_begin(&p.c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_record(&p.c, FCS_PARAMS, 1, params.p, dup2);
  client_record(&p.c, FCS_PARAMS, 1, params.p + dup2, split - dup2);
  client_record(&p.c, FCS_PARAMS, 1, params.p + split, params.len - split);
  client_record(&p.c, FCS_PARAMS, 1, NULL, 0);
  client_stream(&p.c, FCS_STDIN, 1, body, sizeof body, 30000, 1);
  size_t sent = p.c.send.len;
  peer_send(&p);
  await_end(&p, 1);
  check_reply(&p, 1, 0);

  const rec_state *st = recorder_lock(rec);
  CHECK_EQ(st->nconns, 1);
  CHECK_EQ(st->nreqs, 1);
  if (st->nreqs == 1 && st->nconns == 1) {
    const rec_request *q = &st->reqs[0];
    check_params_request(q, longvalue, body, sizeof body);
    check_params_conn(&st->conns[0], sent, dup2, sizeof body);
  }
  recorder_unlock(rec);
  bytebuf_free(&params);
  peer_close(&p);
  stop();
}

/* STDIN beyond REC_STREAM_KEEP is counted, not kept. */
static void test_stream_keep(void) {
  start();
  size_t len = REC_STREAM_KEEP + 1000;
  uint8_t *body = malloc(len);
  for (size_t i = 0; i < len; i++)
    body[i] = (uint8_t)(i % 253);
  peer p;
  peer_open(&p);
  client_begin(&p.c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&p.c, 1, few_params, 1);
  client_stream(&p.c, FCS_STDIN, 1, body, len, 0, 1);
  peer_send(&p);
  await_end(&p, 1);
  check_reply(&p, 1, 0);
  const rec_state *st = recorder_lock(rec);
  if (st->nreqs == 1) {
    CHECK_EQ(st->reqs[0].in_total, len);
    CHECK_BYTES(st->reqs[0].in.p, st->reqs[0].in.len, body, REC_STREAM_KEEP);
    CHECK_EQ(st->reqs[0].in_records, (len + 65534) / 65535);
  }
  recorder_unlock(rec);
  free(body);
  peer_close(&p);
  stop();
}

/* KEEP_CONN 0: the recorder closes once it has replied. */
static void test_close_without_keep_conn(void) {
  start();
  peer p;
  peer_open(&p);
  client_simple_request(&p.c, 1, 0, few_params, "hello");
  peer_send(&p);
  await_eof(&p);
  check_reply(&p, 1, 0);
  CHECK(p.eof);
  CHECK(wait_for(conn_closed, 0));
  const rec_state *st = recorder_lock(rec);
  if (st->nconns == 1 && st->nreqs == 1) {
    CHECK(st->conns[0].closed_by_us);
    CHECK(st->reqs[0].answered && !st->reqs[0].cut);
    const bytebuf *uri = rec_param_value(&st->reqs[0], "REQUEST_URI");
    CHECK(uri && uri->len == 1 && uri->p[0] == '/');
    CHECK_BYTES(st->reqs[0].in.p, st->reqs[0].in.len, "hello", 5);
  }
  recorder_unlock(rec);
  peer_close(&p);
  stop();
}

/* KEEP_CONN 1: two requests one after the other on one connection, which
 * stays open until the proxy closes it. */
static void test_keep_conn(void) {
  start();
  peer p;
  peer_open(&p);
  client_simple_request(&p.c, 1, FCS_KEEP_CONN, few_params, "one");
  peer_send(&p);
  await_end(&p, 1);
  check_reply(&p, 1, 0);
  client_simple_request(&p.c, 1, FCS_KEEP_CONN, few_params, "two");
  peer_send(&p);
  await_end(&p, 1);
  check_reply(&p, 1, 1);
  peer_read_until(&p, NULL, 0, now_ms() + QUIET_MS);
  CHECK(!p.eof);

  const rec_state *st = recorder_lock(rec);
  CHECK_EQ(st->nconns, 1);
  CHECK_EQ(st->nreqs, 2);
  if (st->nconns == 1 && st->nreqs == 2) {
    CHECK_EQ(st->conns[0].requests, 2);
    CHECK_EQ(st->conns[0].closed, 0);
    CHECK_EQ(st->reqs[1].conn, 0);
    CHECK_EQ(st->reqs[1].others_active, 0);
    CHECK_BYTES(st->reqs[1].in.p, st->reqs[1].in.len, "two", 3);
  }
  recorder_unlock(rec);
  peer_close(&p);
  CHECK(wait_for(conn_closed, 0));
  st = recorder_lock(rec);
  if (st->nconns == 1 && st->nreqs == 2) {
    CHECK(!st->conns[0].closed_by_us);
    CHECK(!st->reqs[0].cut && !st->reqs[1].cut);
  }
  recorder_unlock(rec);
  stop();
}

/* Two requests open at once: the second sees the first. */
static void test_multiplexed(void) {
  start();
  peer p;
  peer_open(&p);
  client_begin(&p.c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&p.c, 1, few_params, 1);
  client_begin(&p.c, 2, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&p.c, 2, few_params, 1);
  client_stream(&p.c, FCS_STDIN, 2, "b", 1, 0, 1);
  client_stream(&p.c, FCS_STDIN, 1, "a", 1, 0, 1);
  peer_send(&p);
  await_end(&p, 1);
  check_reply(&p, 2, 1);
  check_reply(&p, 1, 0);
  const rec_state *st = recorder_lock(rec);
  CHECK_EQ(st->nreqs, 2);
  if (st->nreqs == 2) {
    CHECK_EQ(st->reqs[0].others_active, 0);
    CHECK_EQ(st->reqs[1].others_active, 1);
    CHECK_EQ(st->reqs[1].id, 2);
  }
  recorder_unlock(rec);
  peer_close(&p);
  stop();
}

/* An Authorizer is answered after PARAMS, a Filter after DATA, an unknown
 * role with END_REQUEST (UNKNOWN_ROLE) alone. */
static void test_roles(void) {
  start();
  peer p;
  peer_open(&p);
  client_begin(&p.c, 1, FCS_AUTHORIZER, FCS_KEEP_CONN);
  client_params(&p.c, 1, few_params, 1);
  client_begin(&p.c, 2, FCS_FILTER, FCS_KEEP_CONN);
  client_params(&p.c, 2, few_params, 1);
  client_stream(&p.c, FCS_STDIN, 2, "in", 2, 0, 1);
  client_stream(&p.c, FCS_DATA, 2, "data", 4, 0, 1);
  client_begin(&p.c, 3, 7, FCS_KEEP_CONN);
  peer_send(&p);
  await_end(&p, 3);
  await_end(&p, 2);
  check_reply(&p, 1, 0);
  check_reply(&p, 2, 1);
  client_req *unknown = client_req_of(&p.c, 3);
  CHECK_EQ(unknown->end_count, 1);
  CHECK_EQ(unknown->end.protocol_status, FCS_UNKNOWN_ROLE);
  CHECK_EQ(unknown->out_ended, 0);
  const rec_state *st = recorder_lock(rec);
  CHECK_EQ(st->nreqs, 3);
  if (st->nreqs == 3) {
    CHECK(st->reqs[0].answered && !st->reqs[0].in_done);
    CHECK_EQ(st->reqs[0].role, FCS_AUTHORIZER);
    CHECK(st->reqs[1].data_done && st->reqs[1].answered);
    CHECK_BYTES(st->reqs[1].data.p, st->reqs[1].data.len, "data", 4);
    CHECK_EQ(st->reqs[1].data_records, 1);
    CHECK_EQ(st->reqs[1].data_total, 4);
    CHECK_EQ(st->reqs[2].role, 7);
    CHECK(st->reqs[2].answered && !st->reqs[2].params_done);
  }
  recorder_unlock(rec);
  peer_close(&p);
  stop();
}

/* ABORT_REQUEST in the middle of STDIN: END_REQUEST (complete) after an
 * empty STDOUT; the connection stays open (KEEP_CONN). */
static void test_abort(void) {
  start();
  static const uint8_t part[1000];
  peer p;
  peer_open(&p);
  client_begin(&p.c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&p.c, 1, few_params, 1);
  client_stream(&p.c, FCS_STDIN, 1, part, sizeof part, 0, 0);
  client_abort(&p.c, 1);
  peer_send(&p);
  await_end(&p, 1);
  client_req *r = client_req_of(&p.c, 1);
  CHECK(!p.c.failed);
  CHECK_EQ(r->end_count, 1);
  CHECK_EQ(r->end.protocol_status, FCS_REQUEST_COMPLETE);
  CHECK_EQ(r->out_ended, 1);
  CHECK_EQ(r->out.len, 0);
  const rec_state *st = recorder_lock(rec);
  CHECK_EQ(st->nreqs, 1);
  if (st->nreqs == 1) {
    const rec_request *q = &st->reqs[0];
    CHECK(q->aborted && q->answered && !q->in_done && !q->cut);
    CHECK_EQ(q->in_total, sizeof part);
    CHECK(q->ended != 0);
    CHECK_EQ(st->conns[0].closed, 0);
  }
  recorder_unlock(rec);
  peer_close(&p);
  stop();
}

/* The proxy closes in the middle of STDIN: the request is cut. Closing
 * inside a record is also a broken rule (TRUNCATED). */
static void test_cut(void) {
  start();
  static const uint8_t part[500];
  peer p;
  peer_open(&p);
  client_begin(&p.c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&p.c, 1, few_params, 1);
  client_stream(&p.c, FCS_STDIN, 1, part, sizeof part, 0, 0);
  peer_send(&p);
  CHECK(wait_for(first_stdin_has, sizeof part));
  peer_close(&p);
  CHECK(wait_for(conn_closed, 0));
  const rec_state *st = recorder_lock(rec);
  if (st->nreqs == 1 && st->nconns == 1) {
    const rec_request *q = &st->reqs[0];
    CHECK(q->cut && !q->answered && !q->in_done);
    CHECK(q->ended != 0);
    CHECK(!st->conns[0].closed_by_us);
    CHECK_EQ(st->conns[0].nviolations, 0);
  }
  recorder_unlock(rec);

  /* A header and half the content of a STDIN record. */
  peer_open(&p);
  client_begin(&p.c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&p.c, 1, few_params, 1);
  client_stream(&p.c, FCS_STDIN, 1, part, 100, 0, 0);
  p.c.send.len -= 50;
  size_t sent = p.c.send.len;
  peer_send(&p);
  peer_close(&p);
  CHECK(wait_for(conn_closed, 1));
  char want[64];
  snprintf(want, sizeof want, "TRUNCATED at byte %zu\n", sent);
  st = recorder_lock(rec);
  if (st->nconns == 2 && st->nreqs == 2) {
    CHECK_TEXT(st->conns[1].violations.p, st->conns[1].violations.len, want);
    CHECK(st->reqs[1].cut);
    CHECK_EQ(st->reqs[1].in_total, 50);
  }
  recorder_unlock(rec);
  stop();
}

/* The rules a proxy breaks, one line each; records for an id never begun
 * are ignored as the spec says, which breaks no rule; broken framing ends
 * the connection. */
static void test_violations(void) {
  start();
  static const uint8_t past_end[] = {10, 5, 'a', 'b', 'c', 'd'};
  peer p;
  peer_open(&p);
  client_begin(&p.c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_record(&p.c, FCS_PARAMS, 1, past_end, sizeof past_end);
  client_record(&p.c, FCS_PARAMS, 1, NULL, 0); /* at byte 16 + 14 */
  client_record(&p.c, FCS_STDIN, 9, "x", 1);
  client_record(&p.c, FCS_STDIN, 1, NULL, 0);
  peer_send(&p);
  await_end(&p, 1);
  check_reply(&p, 1, 0);
  const rec_state *st = recorder_lock(rec);
  if (st->nconns == 1 && st->nreqs == 1) {
    CHECK_TEXT(st->conns[0].violations.p, st->conns[0].violations.len,
               "NV_TRUNCATED at byte 30\n");
    CHECK_EQ(st->conns[0].nviolations, 1);
    CHECK(st->reqs[0].params_done);
    CHECK_EQ(st->reqs[0].nparams, 0);
    CHECK_EQ(st->reqs[0].in_total, 0);
  }
  recorder_unlock(rec);
  peer_close(&p);

  /* STDIN before PARAMS ended. */
  peer_open(&p);
  client_begin(&p.c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_stream(&p.c, FCS_STDIN, 1, "abc", 3, 0, 0);
  client_params(&p.c, 1, few_params, 1);
  client_stream(&p.c, FCS_STDIN, 1, NULL, 0, 0, 1);
  peer_send(&p);
  await_end(&p, 1);
  check_reply(&p, 1, 1);
  st = recorder_lock(rec);
  if (st->nconns == 2 && st->nreqs == 2) {
    CHECK_TEXT(st->conns[1].violations.p, st->conns[1].violations.len,
               "STREAM_ORDER at byte 16\n");
    CHECK_EQ(st->reqs[1].in_total, 3);
  }
  recorder_unlock(rec);
  peer_close(&p);

  /* A BEGIN_REQUEST body of 4 bytes: the framing is broken. */
  peer_open(&p);
  client_record(&p.c, FCS_BEGIN_REQUEST, 1, "\0\1\1\0", 4);
  peer_send(&p);
  await_eof(&p);
  CHECK(p.eof);
  CHECK(wait_for(conn_closed, 2));
  st = recorder_lock(rec);
  if (st->nconns == 3) {
    CHECK_TEXT(st->conns[2].violations.p, st->conns[2].violations.len,
               "BODY_TOO_SHORT at byte 4\n");
    CHECK(st->conns[2].closed_by_us);
    CHECK_EQ(st->nreqs, 2);
  }
  recorder_unlock(rec);
  peer_close(&p);
  stop();
}

/* GET_VALUES: each known name asked for, once; an unknown management type
 * gets UNKNOWN_TYPE. */
static void test_get_values(void) {
  start();
  peer p;
  peer_open(&p);
  static const char *const names[] = {FCS_MAX_CONNS, FCS_MPXS_CONNS,
                                      "NOT_A_NAME", FCS_MAX_CONNS, NULL};
  client_get_values(&p.c, names);
  client_record(&p.c, 42, FCS_NULL_REQUEST_ID, "\0\0\0\0\0\0\0\0", 8);
  peer_send(&p);
  peer_read_until(&p, has_mgmt_replies, 0, now_ms() + REPLY_MS);
  CHECK(!p.c.failed);
  CHECK_EQ(p.c.gv_count, 1);
  bytebuf want = {0};
  add_pair(&want, FCS_MAX_CONNS, "100", 0);
  add_pair(&want, FCS_MPXS_CONNS, "1", 0);
  CHECK_BYTES(p.c.gv.p, p.c.gv.len, want.p, want.len);
  bytebuf_free(&want);
  CHECK_EQ(p.c.unknown_count, 1);
  CHECK_EQ(p.c.unknown[0], 42);
  const rec_state *st = recorder_lock(rec);
  if (st->nconns == 1) {
    CHECK_EQ(st->conns[0].get_values, 1);
    CHECK_EQ(st->conns[0].nrecords, 2);
    CHECK_EQ(st->conns[0].nviolations, 0);
  }
  CHECK_EQ(st->nreqs, 0);
  recorder_unlock(rec);
  peer_close(&p);
  stop();
}

static void *connect_later(void *arg) {
  (void)arg;
  sleep_ms(100);
  peer p;
  peer_open(&p);
  peer_close(&p);
  return NULL;
}

/* recorder_wait returns at the deadline when nothing changes, at once
 * when the count already differs, and when a connection arrives. */
static void test_wait(void) {
  start();
  const rec_state *st = recorder_lock(rec);
  uint64_t e0 = st->events;
  recorder_unlock(rec);
  int64_t t0 = now_ms();
  CHECK_EQ(recorder_wait(rec, e0, t0 + 200), e0);
  CHECK(now_ms() - t0 >= 200);
  t0 = now_ms();
  CHECK_EQ(recorder_wait(rec, e0 + 1, t0 + REPLY_MS), e0);
  CHECK(now_ms() - t0 < 100);
  pthread_t th;
  pthread_create(&th, NULL, connect_later, NULL);
  t0 = now_ms();
  uint64_t e1 = recorder_wait(rec, e0, t0 + REPLY_MS);
  int64_t took = now_ms() - t0;
  CHECK(e1 != e0);
  CHECK(took >= 50 && took < REPLY_MS / 2);
  pthread_join(th, NULL);
  stop();
}

/* A path held by something else is not taken; TCP works like Unix. */
static void test_listen(void) {
  char spec[300], err[256], file[256];
  snprintf(file, sizeof file, "%s/plain-file", tmpdir);
  FILE *f = fopen(file, "w");
  if (f)
    fclose(f);
  snprintf(spec, sizeof spec, "unix:%s", file);
  fsp_target t;
  target_parse(spec, &t, err, sizeof err);
  CHECK(recorder_start(&t, err, sizeof err) == NULL);
  CHECK(strstr(err, "cannot listen on unix:") && strstr(err, "not a socket"));
  CHECK(access(file, F_OK) == 0);
  unlink(file);

  start();
  CHECK(recorder_start(&where, err, sizeof err) == NULL);
  CHECK(strstr(err, "already listening") != NULL);
  stop();

  /* A port the kernel says is free just now. */
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sin = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t sl = sizeof sin;
  bind(s, (struct sockaddr *)&sin, sizeof sin);
  getsockname(s, (struct sockaddr *)&sin, &sl);
  close(s);
  snprintf(spec, sizeof spec, "tcp:127.0.0.1:%u", ntohs(sin.sin_port));
  start_at(spec);
  CHECK(recorder_start(&where, err, sizeof err) == NULL);
  CHECK(strstr(err, "cannot listen on tcp:127.0.0.1:") != NULL);
  peer p;
  peer_open(&p);
  client_simple_request(&p.c, 1, 0, few_params, "over tcp");
  peer_send(&p);
  await_eof(&p);
  check_reply(&p, 1, 0);
  peer_close(&p);
  const rec_state *st = recorder_lock(rec);
  CHECK_EQ(st->nreqs, 1);
  CHECK(st->nconns == 1 && st->conns[0].closed_by_us);
  recorder_unlock(rec);
  stop();
}

static void *stop_later(void *arg) {
  (void)arg;
  sleep_ms(150);
  stop();
  return NULL;
}

/* A socket whose server goes away a moment later is waited for; one that
 * stays is reported at the deadline (a backend restart on a loaded
 * machine: its stopped group may still be dying). */
static void test_wait_released(void) {
  start();
  int64_t t0 = now_ms();
  CHECK_EQ(unix_path_wait_released(where.path, t0 + 200), -1);
  CHECK(now_ms() - t0 >= 200);
  pthread_t th;
  pthread_create(&th, NULL, stop_later, NULL);
  t0 = now_ms();
  CHECK_EQ(unix_path_wait_released(where.path, t0 + 5000), 0);
  int64_t took = now_ms() - t0;
  CHECK(took >= 50 && took < 2500);
  pthread_join(th, NULL);
}

/* ---- scripted replies (recorder_script) ---------------------------------- */

/* Answers the requests that carry marker with a proxy case's reply lines;
 * c keeps the steps until recorder_scripts_clear. */
static void script(fsp_case *c, const char *marker, const char *replies) {
  char text[4096], err[256];
  snprintf(text, sizeof text,
           "id: t/x\nsection: t\nlevel: MUST\nrequirement: r\n%sget \"/\"\n",
           replies);
  FILE *f = fmemopen(text, strlen(text), "r");
  if (case_parse_stream(f, "script", c, err, sizeof err)) {
    fprintf(stderr, "cannot parse the script: %s\n", err);
    exit(1);
  }
  fclose(f);
  recorder_script(rec, marker, c->steps, c->nsteps - 1);
}

/* The request the scripts answer: its marker among other params. */
static const char *const marked[] = {
    "REQUEST_METHOD=GET", "QUERY_STRING=a=1&fcgispec=c1r1&b=2", NULL};

/* A record header followed by its content and padding bytes. */
static void rec_bytes(bytebuf *b, uint8_t version, uint8_t type, uint16_t id,
                      const char *content, size_t clen, uint16_t declared,
                      uint8_t pad, uint8_t padbyte, uint8_t reserved) {
  uint8_t h[8] = {version,
                  type,
                  (uint8_t)(id >> 8),
                  (uint8_t)id,
                  (uint8_t)(declared >> 8),
                  (uint8_t)declared,
                  pad,
                  reserved};
  bytebuf_add(b, h, 8);
  bytebuf_add(b, content, clen);
  for (int i = 0; i < pad; i++)
    bytebuf_add(b, &padbyte, 1);
}
#define REC(b, type, id, s)                                                    \
  rec_bytes(b, 1, type, id, s, strlen(s), (uint16_t)strlen(s), 0, 0, 0)

/* Records on the request's id (id= another), with the options of
 * 'record'; then the connection closes: the request had no KEEP_CONN. */
static void test_script_records(void) {
  start();
  fsp_case c;
  script(&c, "fcgispec=c1r1",
         "reply stdout \"Status: 200 OK\\r\\n\\r\\nhi\"\n"
         "reply stdout pad=3 padbyte=ee \"x\"\n"
         "reply stderr id=7 \"e\"\n"
         "reply stdout split=2 \"abcde\"\n"
         "reply stdout version=2 reserved=9 \"v\"\n"
         "reply stdout\n"
         "reply end\n"
         "reply stdout clen=9 \"abc\"\n");
  bytebuf want = {0};
  REC(&want, FCS_STDOUT, 3, "Status: 200 OK\r\n\r\nhi");
  rec_bytes(&want, 1, FCS_STDOUT, 3, "x", 1, 1, 3, 0xee, 0);
  REC(&want, FCS_STDERR, 7, "e");
  REC(&want, FCS_STDOUT, 3, "ab");
  REC(&want, FCS_STDOUT, 3, "cd");
  REC(&want, FCS_STDOUT, 3, "e");
  rec_bytes(&want, 2, FCS_STDOUT, 3, "v", 1, 1, 0, 0, 9);
  REC(&want, FCS_STDOUT, 3, "");
  rec_bytes(&want, 1, FCS_END_REQUEST, 3, "\0\0\0\0\0\0\0\0", 8, 8, 0, 0, 0);
  rec_bytes(&want, 1, FCS_STDOUT, 3, "abc", 3, 9, 0, 0, 0);

  peer p;
  peer_open(&p);
  client_simple_request(&p.c, 3, 0, marked, "");
  peer_send(&p);
  await_eof(&p);
  CHECK(p.eof);
  CHECK_BYTES(p.c.raw.p, p.c.raw.len, want.p, want.len);
  CHECK(wait_for(conn_closed, 0));
  const rec_state *st = recorder_lock(rec);
  if (st->nreqs == 1 && st->nconns == 1) {
    CHECK(st->reqs[0].scripted && st->reqs[0].answered && !st->reqs[0].cut);
    CHECK(st->conns[0].closed_by_us);
  }
  recorder_unlock(rec);
  peer_close(&p);
  recorder_scripts_clear(rec);
  bytebuf_free(&want);
  case_free(&c);
  stop();
}

/* Raw bytes as they are; a wait holds back what follows it; close ends
 * the connection (KEEP_CONN notwithstanding) after what came before. */
static void test_script_raw_wait_close(void) {
  start();
  fsp_case c;
  script(&c, "fcgispec=c1r1",
         "reply raw \"abc\"\nreply wait 400\nreply raw \"def\" 00ff\n"
         "reply close\nreply raw \"never\"\n");
  peer p;
  peer_open(&p);
  client_simple_request(&p.c, 1, FCS_KEEP_CONN, marked, "");
  int64_t t0 = now_ms();
  peer_send(&p);
  peer_read_until(&p, raw_at_least, 3, now_ms() + REPLY_MS);
  CHECK_TEXT(p.c.raw.p, p.c.raw.len, "abc");
  peer_read_until(&p, raw_at_least, 4, now_ms() + REPLY_MS);
  int64_t waited = now_ms() - t0;
  CHECK(waited >= 400);
  await_eof(&p);
  CHECK(p.eof);
  CHECK_BYTES(p.c.raw.p, p.c.raw.len, "abcdef\0\xff", 8);
  recorder_scripts_clear(rec);
  peer_close(&p);
  case_free(&c);
  stop();
}

/* After its script the connection stays open for a request with
 * KEEP_CONN (the next request on it gets the default reply) and closes
 * for one without. */
static void test_script_keep_conn(void) {
  start();
  fsp_case c;
  script(&c, "fcgispec=c1r1", "reply stdout\nreply end\n");
  bytebuf want = {0};
  REC(&want, FCS_STDOUT, 1, "");
  rec_bytes(&want, 1, FCS_END_REQUEST, 1, "\0\0\0\0\0\0\0\0", 8, 8, 0, 0, 0);
  peer p;
  peer_open(&p);
  client_simple_request(&p.c, 1, FCS_KEEP_CONN, marked, "");
  peer_send(&p);
  await_end(&p, 1);
  peer_read_until(&p, NULL, 0, now_ms() + QUIET_MS);
  CHECK(!p.eof);
  CHECK_BYTES(p.c.raw.p, p.c.raw.len, want.p, want.len);
  client_simple_request(&p.c, 2, FCS_KEEP_CONN, few_params, "");
  peer_send(&p);
  await_end(&p, 2);
  check_reply(&p, 2, 1);
  peer_close(&p);

  peer_open(&p);
  client_simple_request(&p.c, 1, 0, marked, "");
  peer_send(&p);
  await_eof(&p);
  CHECK(p.eof);
  CHECK_BYTES(p.c.raw.p, p.c.raw.len, want.p, want.len);
  const rec_state *st = recorder_lock(rec);
  CHECK_EQ(st->nreqs, 3);
  if (st->nconns == 2)
    CHECK(st->conns[1].closed && st->conns[1].closed_by_us);
  recorder_unlock(rec);
  peer_close(&p);
  recorder_scripts_clear(rec);
  bytebuf_free(&want);
  case_free(&c);
  stop();
}

/* A proxy that half-closes after its request still gets the whole
 * scripted reply, then the close. */
static void test_script_half_close(void) {
  start();
  fsp_case c;
  script(&c, "fcgispec=c1r1",
         "reply raw \"a\"\nreply wait 200\nreply raw \"b\"\n");
  peer p;
  peer_open(&p);
  client_simple_request(&p.c, 1, FCS_KEEP_CONN, marked, "");
  peer_send(&p);
  shutdown(p.fd, SHUT_WR);
  await_eof(&p);
  CHECK(p.eof);
  CHECK_TEXT(p.c.raw.p, p.c.raw.len, "ab");
  CHECK(wait_for(conn_closed, 0));
  const rec_state *st = recorder_lock(rec);
  if (st->nconns == 1)
    CHECK(!st->conns[0].closed_by_us);
  recorder_unlock(rec);
  peer_close(&p);
  recorder_scripts_clear(rec);
  case_free(&c);
  stop();
}

/* A script answers only the requests that carry its marker whole:
 * fcgispec=c1r1 is not in fcgispec=c1r12; the others get the default
 * reply. */
static void test_script_marker(void) {
  start();
  fsp_case c;
  script(&c, "fcgispec=c1r1", "reply raw \"scripted\"\n");
  static const char *const longer[] = {"QUERY_STRING=fcgispec=c1r12", NULL};
  static const char *const other[] = {"QUERY_STRING=fcgispec=c1r2", NULL};
  static const char *const at_end[] = {"REQUEST_URI=/x?fcgispec=c1r1", NULL};
  peer p;
  peer_open(&p);
  client_simple_request(&p.c, 1, FCS_KEEP_CONN, longer, "");
  peer_send(&p);
  await_end(&p, 1);
  check_reply(&p, 1, 0);
  client_simple_request(&p.c, 1, FCS_KEEP_CONN, other, "");
  peer_send(&p);
  await_end(&p, 1);
  check_reply(&p, 1, 1);
  size_t from = p.c.raw.len;
  client_simple_request(&p.c, 1, 0, at_end, "");
  peer_send(&p);
  await_eof(&p);
  CHECK_TEXT(p.c.raw.p + from, p.c.raw.len - from, "scripted");
  const rec_state *st = recorder_lock(rec);
  CHECK_EQ(st->nreqs, 3);
  if (st->nreqs == 3)
    CHECK(!st->reqs[0].scripted && !st->reqs[1].scripted &&
          st->reqs[2].scripted);
  recorder_unlock(rec);
  peer_close(&p);
  recorder_scripts_clear(rec);
  case_free(&c);
  stop();
}

/* recorder_scripts_clear closes a connection still playing a script (an
 * app that never answers costs one case), and forgets the scripts. */
static void test_scripts_clear(void) {
  start();
  fsp_case c;
  script(&c, "fcgispec=c1r1",
         "reply stdout \"a\"\nreply wait 60000\nreply end\n");
  peer p;
  peer_open(&p);
  client_simple_request(&p.c, 1, FCS_KEEP_CONN, marked, "");
  peer_send(&p);
  peer_read_until(&p, raw_at_least, 9, now_ms() + REPLY_MS);
  CHECK_EQ(p.c.raw.len, 9);
  int64_t t0 = now_ms();
  recorder_scripts_clear(rec);
  await_eof(&p);
  CHECK(p.eof);
  CHECK(now_ms() - t0 < REPLY_MS);
  CHECK_EQ(p.c.raw.len, 9); /* no END_REQUEST */
  CHECK_EQ(client_req_of(&p.c, 1)->end_count, 0);
  peer_close(&p);
  CHECK(wait_for(conn_closed, 0));

  peer_open(&p);
  client_simple_request(&p.c, 1, 0, marked, "");
  peer_send(&p);
  await_eof(&p);
  check_reply(&p, 1, 1);
  peer_close(&p);
  case_free(&c);

  /* A script that played out but never ended its request leaves a kept
   * connection open: it ends with the case too. */
  script(&c, "fcgispec=c1r1", "reply stdout \"a\"\n");
  peer_open(&p);
  client_simple_request(&p.c, 1, FCS_KEEP_CONN, marked, "");
  peer_send(&p);
  peer_read_until(&p, raw_at_least, 9, now_ms() + REPLY_MS);
  peer_read_until(&p, NULL, 0, now_ms() + 200); /* it stays open */
  CHECK(!p.eof);
  recorder_scripts_clear(rec);
  await_eof(&p);
  CHECK(p.eof);
  CHECK_EQ(p.c.raw.len, 9);
  peer_close(&p);
  case_free(&c);
  stop();
}

static void remove_tmpdir(void) {
  DIR *d = opendir(tmpdir);
  struct dirent *e;
  while (d && (e = readdir(d))) {
    char path[512];
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
    unlink(path);
  }
  if (d)
    closedir(d);
  rmdir(tmpdir);
}

int main(int argc, char **argv) {
  const char *only = argc > 1 ? argv[1] : NULL;
  const char *base = getenv("TMPDIR");
  snprintf(tmpdir, sizeof tmpdir, "%s/fcs-recorder-XXXXXX",
           base && *base ? base : "/tmp");
  if (!mkdtemp(tmpdir)) {
    fprintf(stderr, "cannot create a temporary directory: %s\n",
            strerror(errno));
    return 1;
  }
  RUN_IF(test_params, only);
  RUN_IF(test_stream_keep, only);
  RUN_IF(test_close_without_keep_conn, only);
  RUN_IF(test_keep_conn, only);
  RUN_IF(test_multiplexed, only);
  RUN_IF(test_roles, only);
  RUN_IF(test_abort, only);
  RUN_IF(test_cut, only);
  RUN_IF(test_violations, only);
  RUN_IF(test_get_values, only);
  RUN_IF(test_wait, only);
  RUN_IF(test_listen, only);
  RUN_IF(test_wait_released, only);
  RUN_IF(test_script_records, only);
  RUN_IF(test_script_raw_wait_close, only);
  RUN_IF(test_script_keep_conn, only);
  RUN_IF(test_script_half_close, only);
  RUN_IF(test_script_marker, only);
  RUN_IF(test_scripts_clear, only);
  remove_tmpdir();
  return check_exit("test_recorder", only);
}
