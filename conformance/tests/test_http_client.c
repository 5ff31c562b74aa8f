/* The raw HTTP client of proxy mode (http_client.c, http_parse.c): the
 * response parser on crafted bytes (every framing, pipelining, interim
 * responses, bytes cut anywhere, malformed input named by offset, the
 * bounds), and the socket side against a peer in this process (requests
 * counted as written, a proxy that answers early and closes).
 *
 * `test_http_client NAME` runs the one test NAME (see test_conditions.c). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "http_client.h"

/* A parser fed text (or bytes) and, when eof, the end of the connection. */
static http_conn *parse_bytes(const void *p, size_t len, int eof) {
  http_conn *c = malloc(sizeof(*c));
  http_conn_init(c);
  http_ingest(c, p, len);
  if (eof)
    http_ingest_eof(c);
  return c;
}

static http_conn *parse(const char *text, int eof) {
  return parse_bytes(text, strlen(text), eof);
}

static void done(http_conn *c) {
  http_conn_free(c);
  free(c);
}

#define CHECK_BODY(r, text) CHECK_TEXT((r)->body.p, (r)->body.len, text)

static void check_header(const http_response *r, const char *name,
                         const char *want) {
  const uint8_t *v = NULL;
  size_t n = 0;
  int found = http_header(r, name, &v, &n);
  if (!want) {
    CHECK(!found);
    return;
  }
  CHECK(found);
  if (found)
    CHECK_TEXT(v, n, want);
}

static void test_content_length(void) {
  const char *head = "HTTP/1.1 200 OK\r\nServer: t\r\n"
                     "content-LENGTH:  5 \r\n\r\n";
  char text[256];
  snprintf(text, sizeof text, "%shello", head);
  http_conn *c = parse(text, 0);
  CHECK_TEXT(c->error, strlen(c->error), "");
  CHECK_EQ(c->nresp, 1);
  CHECK_EQ(c->ninterim, 0);
  http_response *r = &c->resp[0];
  CHECK_EQ(r->status, 200);
  CHECK_EQ(r->framing, HTTP_FRAME_LENGTH);
  CHECK(r->complete);
  CHECK(r->t > 0);
  CHECK_TEXT(r->head.p, r->head.len, head);
  CHECK_BODY(r, "hello");
  CHECK_EQ(r->body_total, 5);
  CHECK_TEXT(c->raw.p, c->raw.len, text);
  CHECK_EQ(c->raw_total, strlen(text));
  check_header(r, "Content-Length", "5");
  check_header(r, "server", "t");
  check_header(r, "Date", NULL);
  done(c);
}

/* Line ends may be bare LFs; a status line may end after the code. */
static void test_lf_line_ends(void) {
  http_conn *c = parse("HTTP/1.0 201\nContent-Length: 2\n\nok", 0);
  CHECK_TEXT(c->error, strlen(c->error), "");
  CHECK_EQ(c->resp[0].status, 201);
  CHECK(c->resp[0].complete);
  CHECK_BODY(&c->resp[0], "ok");
  done(c);
}

#define CHUNKED_TEXT                                                           \
  "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"                \
  "5;name=value\r\nhello\r\n6 ; x=\"q\"\r\n world\r\nA\r\n0123456789\r\n"      \
  "0\r\nTrailer-One: a\r\nTrailer-Two: b\r\n\r\n"                              \
  "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"

static void test_chunked(void) {
  http_conn *c = parse(CHUNKED_TEXT, 0);
  CHECK_TEXT(c->error, strlen(c->error), "");
  CHECK_EQ(c->nresp, 2);
  http_response *r = &c->resp[0];
  CHECK_EQ(r->framing, HTTP_FRAME_CHUNKED);
  CHECK(r->complete);
  CHECK_BODY(r, "hello world0123456789");
  CHECK_EQ(r->body_total, 21);
  /* Trailers are not part of the head. */
  check_header(r, "Trailer-One", NULL);
  CHECK(c->resp[1].complete);
  CHECK_BODY(&c->resp[1], "abc");
  done(c);
}

/* Two parsers that took the same bytes agree on everything they found. */
static void check_same(const http_conn *a, const http_conn *b) {
  CHECK_TEXT(a->error, strlen(a->error), b->error);
  CHECK_EQ(a->nresp, b->nresp);
  CHECK_EQ(a->ninterim, b->ninterim);
  for (size_t i = 0; i < a->nresp && i < b->nresp; i++) {
    const http_response *x = &a->resp[i], *y = &b->resp[i];
    CHECK_EQ(x->status, y->status);
    CHECK_EQ(x->framing, y->framing);
    CHECK_EQ(x->complete, y->complete);
    CHECK_EQ(x->body_total, y->body_total);
    CHECK_BYTES(x->head.p, x->head.len, y->head.p, y->head.len);
    CHECK_BYTES(x->body.p, x->body.len, y->body.p, y->body.len);
  }
}

/* Cut in two at every place, and fed one byte at a time, the chunked
 * response and the one after it parse as when fed whole. */
static void test_chunked_any_split(void) {
  const char *text = CHUNKED_TEXT;
  size_t len = strlen(text);
  http_conn *whole = parse(text, 1);
  for (size_t cut = 0; cut <= len; cut++) {
    http_conn *c = parse_bytes(text, cut, 0);
    http_ingest(c, (const uint8_t *)text + cut, len - cut);
    http_ingest_eof(c);
    check_same(c, whole);
    done(c);
  }
  http_conn *c = parse("", 0);
  for (size_t i = 0; i < len; i++)
    http_ingest(c, (const uint8_t *)text + i, 1);
  http_ingest_eof(c);
  check_same(c, whole);
  CHECK_EQ(whole->nresp, 2);
  done(c);
  done(whole);
}

static void test_continue(void) {
  http_conn *c = parse("HTTP/1.1 100 Continue\r\n\r\n"
                       "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                       "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                       0);
  CHECK_TEXT(c->error, strlen(c->error), "");
  CHECK_EQ(c->ninterim, 2);
  CHECK_EQ(c->interim[0].status, 100);
  CHECK_EQ(c->interim[1].status, 103);
  CHECK_EQ(c->interim[0].framing, HTTP_FRAME_NONE);
  CHECK(c->interim[0].complete && c->interim[1].complete);
  check_header(&c->interim[1], "link", "</a>");
  CHECK_EQ(c->nresp, 1);
  CHECK_EQ(c->resp[0].status, 200);
  CHECK_BODY(&c->resp[0], "ok");
  done(c);
}

/* After a 101 the bytes are another protocol's: not parsed, no error. */
static void test_switching_protocols(void) {
  http_conn *c = parse("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n"
                       "\x01\x02 not http",
                       0);
  CHECK_TEXT(c->error, strlen(c->error), "");
  CHECK_EQ(c->ninterim, 1);
  CHECK_EQ(c->interim[0].status, 101);
  CHECK_EQ(c->nresp, 0);
  CHECK_EQ(c->raw_total, 59);
  done(c);
}

static void test_no_body_statuses(void) {
  http_conn *c = parse("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"
                       "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n"
                       "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
                       0);
  CHECK_TEXT(c->error, strlen(c->error), "");
  CHECK_EQ(c->nresp, 3);
  for (int i = 0; i < 2; i++) {
    CHECK_EQ(c->resp[i].framing, HTTP_FRAME_NONE);
    CHECK(c->resp[i].complete);
    CHECK_EQ(c->resp[i].body_total, 0);
  }
  CHECK_EQ(c->resp[1].status, 304);
  CHECK_BODY(&c->resp[2], "x");
  done(c);
}

/* The first request was HEAD: its response's Content-Length announces no
 * body; the second one's does. */
static void test_head_response(void) {
  http_conn *c = malloc(sizeof(*c));
  http_conn_init(c);
  c->head_mask = 1;
  const char *text = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
                     "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
  http_ingest(c, (const uint8_t *)text, strlen(text));
  CHECK_TEXT(c->error, strlen(c->error), "");
  CHECK_EQ(c->nresp, 2);
  CHECK_EQ(c->resp[0].framing, HTTP_FRAME_NONE);
  CHECK(c->resp[0].complete);
  check_header(&c->resp[0], "content-length", "100");
  CHECK_EQ(c->resp[1].framing, HTTP_FRAME_LENGTH);
  CHECK_BODY(&c->resp[1], "abc");
  done(c);
}

static void test_close_delimited(void) {
  const char *text[] = {
      "HTTP/1.0 200 OK\r\n\r\nsome body",
      /* a final coding other than chunked */
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n"
      "\r\nsome body"};
  for (int i = 0; i < 2; i++) {
    http_conn *c = parse(text[i], 0);
    CHECK_EQ(c->resp[0].framing, HTTP_FRAME_CLOSE);
    CHECK(!c->resp[0].complete);
    http_ingest_eof(c);
    CHECK(c->eof);
    CHECK(c->resp[0].complete);
    CHECK_BODY(&c->resp[0], "some body");
    CHECK_TEXT(c->error, strlen(c->error), "");
    done(c);
  }
}

static void test_pipelined(void) {
  http_conn *c = parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"
                       "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked"
                       "\r\n\r\n3\r\ntwo\r\n0\r\n\r\n",
                       0);
  CHECK_TEXT(c->error, strlen(c->error), "");
  CHECK_EQ(c->nresp, 2);
  CHECK_EQ(c->resp[0].status, 200);
  CHECK_BODY(&c->resp[0], "one");
  CHECK_EQ(c->resp[1].status, 404);
  CHECK_BODY(&c->resp[1], "two");
  CHECK(c->resp[0].complete && c->resp[1].complete);
  done(c);
}

static void test_cut_by_eof(void) {
  const char *text[] = {
      "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n",
      "HTTP/1.1 200 OK\r\nContent-Le"};
  for (int i = 0; i < 4; i++) {
    http_conn *c = parse(text[i], 1);
    CHECK_TEXT(c->error, strlen(c->error), "");
    CHECK_EQ(c->nresp, 1);
    CHECK(!c->resp[0].complete);
    CHECK_BODY(&c->resp[0], i < 3 ? "abc" : "");
    done(c);
  }
  http_conn *c = parse("HTTP/1.", 1);
  CHECK_TEXT(c->error, strlen(c->error),
             "connection closed inside a status line at byte 7");
  CHECK_EQ(c->nresp, 0);
  done(c);
}

/* Bytes that are not HTTP: the reason names the first bad byte. */
static void test_malformed(void) {
  static const struct {
    const char *text;
    const char *error;
  } bad[] = {
      {"XTTP/1.1 200 OK\r\n", "bad status line at byte 0"},
      {"HTTP/2.0 200 OK\r\n", "bad status line at byte 5"},
      {"HTTP/1.1 099 OK\r\n", "bad status line at byte 9"},
      {"HTTP/1.1 2000 OK\r\n", "bad status line at byte 12"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nGARBAGE",
       "bad status line at byte 38"},
      {"HTTP/1.1 200 OK\rX", "CR without LF at byte 15"},
      {"HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n",
       "folded header line (obs-fold) at byte 23"},
      {"HTTP/1.1 200 OK\r\nContent-Length : 5\r\n",
       "bad header line at byte 31"},
      {"HTTP/1.1 200 OK\r\nNo colon\r\n", "bad header line at byte 19"},
      {"HTTP/1.1 200 OK\r\n: empty name\r\n", "bad header line at byte 17"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
       "conflicting Content-Length at byte 52"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\n",
       "bad Content-Length at byte 33"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n",
       "bad Content-Length at byte 33"},
      {"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
       "bad Content-Length at byte 32"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
       "bad Content-Length at byte 33"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
       "Transfer-Encoding: chunked\r\n\r\n",
       "both Transfer-Encoding and Content-Length at byte 33"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       "bad chunk size at byte 47"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"
       "x\r\n",
       "bad chunk size at byte 55"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3 4\r\n",
       "bad chunk size at byte 49"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
       "10000000000000000\r\n",
       "chunk size too large at byte 63"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX",
       "no line end after chunk data at byte 53"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT x\r\n",
       "bad trailer line at byte 51"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    http_conn *c = parse(bad[i].text, 0);
    if (strcmp(c->error, bad[i].error))
      fprintf(stderr, "case %zu: '%s'\n", i, c->error);
    CHECK_TEXT(c->error, strlen(c->error), bad[i].error);
    /* Parsing stopped; later bytes are counted and kept, nothing more. */
    size_t n = c->nresp;
    http_ingest(c, (const uint8_t *)"HTTP/1.1 200 OK\r\n\r\n", 19);
    CHECK_EQ(c->raw_total, strlen(bad[i].text) + 19);
    CHECK_EQ(c->raw.len, c->raw_total);
    CHECK_EQ(c->nresp, n);
    done(c);
  }
}

/* NUL bytes, where a C string cannot carry them. */
static void test_nul_bytes(void) {
  static const char value[] = "HTTP/1.1 200 OK\r\nA: x\0y\r\n\r\n";
  http_conn *c = parse_bytes(value, sizeof value - 1, 0);
  CHECK_TEXT(c->error, strlen(c->error),
             "bad character in a header value at byte 21");
  done(c);
  static const char ext[] =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;a\0\r\n";
  c = parse_bytes(ext, sizeof ext - 1, 0);
  CHECK_TEXT(c->error, strlen(c->error), "bad chunk extension at byte 50");
  done(c);
}

static void test_head_too_long(void) {
  const char *start = "HTTP/1.1 200 OK\r\nX: ";
  size_t n = strlen(start);
  uint8_t *big = malloc(HTTP_HEAD_MAX + 10);
  memcpy(big, start, n);
  memset(big + n, 'a', HTTP_HEAD_MAX + 10 - n);
  http_conn *c = parse_bytes(big, HTTP_HEAD_MAX + 10, 0);
  char want[128];
  snprintf(want, sizeof want, "response head longer than %u bytes at byte %u",
           HTTP_HEAD_MAX, HTTP_HEAD_MAX);
  CHECK_TEXT(c->error, strlen(c->error), want);
  CHECK_EQ(c->resp[0].head.len, HTTP_HEAD_MAX);
  CHECK(!c->resp[0].complete);
  done(c);
  free(big);
}

static void test_body_over_keep(void) {
  char head[128];
  uint64_t total = HTTP_BODY_KEEP + 100;
  int hl = snprintf(head, sizeof head,
                    "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\n\r\n",
                    (unsigned long long)total);
  http_conn *c = parse(head, 0);
  uint8_t *body = malloc(total);
  for (uint64_t i = 0; i < total; i++)
    body[i] = (uint8_t)(i * 7);
  http_ingest(c, body, (size_t)total);
  http_response *r = &c->resp[0];
  CHECK(r->complete);
  CHECK_EQ(r->body_total, total);
  CHECK_EQ(r->body.len, HTTP_BODY_KEEP);
  CHECK_BYTES(r->body.p, r->body.len, body, HTTP_BODY_KEEP);
  /* raw keeps the first HEAD_MAX + BODY_KEEP bytes and counts the rest. */
  http_ingest(c, body, (size_t)total);
  CHECK_EQ(c->raw_total, (uint64_t)hl + 2 * total);
  CHECK_EQ(c->raw.len, HTTP_HEAD_MAX + HTTP_BODY_KEEP);
  CHECK_BYTES(c->raw.p + hl, total, body, total);
  done(c);
  free(body);
}

static void test_too_many_responses(void) {
  const char *one = "HTTP/1.1 204 No Content\r\n\r\n";
  size_t n = strlen(one);
  http_conn *c = parse("", 0);
  for (int i = 0; i <= HTTP_MAX_RESPONSES; i++)
    http_ingest(c, (const uint8_t *)one, n);
  char want[128];
  snprintf(want, sizeof want, "more than %d responses at byte %zu",
           HTTP_MAX_RESPONSES, HTTP_MAX_RESPONSES * n);
  CHECK_TEXT(c->error, strlen(c->error), want);
  CHECK_EQ(c->nresp, HTTP_MAX_RESPONSES);
  done(c);
}

/* ---- The socket side ---- */

/* A TCP socket bound to a free loopback port, listening unless asked not
 * to; t names it. */
static int loopback_socket(fsp_target *t, int listening) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t alen = sizeof a;
  CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
  CHECK(!listening || listen(fd, 1) == 0);
  CHECK(getsockname(fd, (struct sockaddr *)&a, &alen) == 0);
  memset(t, 0, sizeof(*t));
  snprintf(t->host, sizeof t->host, "127.0.0.1");
  snprintf(t->port, sizeof t->port, "%u", ntohs(a.sin_port));
  return fd;
}

static void read_exactly(int fd, size_t n, bytebuf *into) {
  while (n) {
    uint8_t buf[4096];
    ssize_t got = read(fd, buf, n < sizeof buf ? n : sizeof buf);
    if (got <= 0)
      break;
    bytebuf_add(into, buf, (size_t)got);
    n -= (size_t)got;
  }
}

/* http_send counts the requests it writes, across calls and however the
 * writes cut them, passing over bodies, and marks the HEAD ones before
 * their responses can arrive; http_wait_responses reads the responses. */
static void test_requests_counted(void) {
  fsp_target t;
  int lfd = loopback_socket(&t, 1);
  http_conn c;
  char err[128] = "";
  CHECK_EQ(http_connect(&c, &t, now_ms() + 2000, err, sizeof err), 0);
  int peer = accept(lfd, NULL, NULL);
  static const struct {
    const char *bytes;
    size_t chunk;
  } sends[] = {
      {"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n"
       "GET / HTTP/1.1\nHost: a\n\n"
       "\r\nHEAD /b HTTP/1.1\r\n\r\n",
       5},
      {"GET /c HTTP/1.1\r\ncontent-length: 6\r\n\r\n", 0},
      {"HEAD x", 0}, /* the body of /c */
      {"POST /d HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
       "3\r\nabc\r\n0\r\n\r\n"
       "HEAD /e HTTP/1.1\r\n\r\n",
       1},
  };
  for (size_t i = 0; i < sizeof sends / sizeof sends[0]; i++) {
    size_t len = strlen(sends[i].bytes);
    CHECK_EQ(http_send(&c, (const uint8_t *)sends[i].bytes, len, sends[i].chunk,
                       now_ms() + 2000),
             0);
    bytebuf got = {0};
    read_exactly(peer, len, &got);
    CHECK_TEXT(got.p, got.len, sends[i].bytes);
    bytebuf_free(&got);
  }
  CHECK_EQ(c.sent_requests, 6);
  CHECK_EQ(c.head_mask, 0x25);

  const char *answers = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"
                        "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody";
  CHECK(write(peer, answers, strlen(answers)) == (ssize_t)strlen(answers));
  CHECK_EQ(http_wait_responses(&c, 2, now_ms() + 2000), 1);
  CHECK_EQ(c.resp[0].framing, HTTP_FRAME_NONE);
  CHECK_BODY(&c.resp[1], "body");
  /* Nothing more comes: waiting for a third response times out. */
  int64_t t0 = now_ms();
  CHECK_EQ(http_wait_responses(&c, 3, t0 + 50), 0);
  CHECK(now_ms() - t0 >= 50);
  CHECK(!c.eof);
  close(peer);
  CHECK_EQ(http_pump(&c, now_ms() + 2000), 1);
  CHECK(c.eof);
  http_close(&c);
  CHECK_EQ(c.fd, -1);
  http_conn_free(&c);
  close(lfd);
}

/* A proxy that reads the request head, answers 400 at once, stops reading
 * and closes while the body is still coming. */
typedef struct early_server {
  int listen_fd;
  size_t head_bytes; /* what it read before answering */
} early_server;

static void *early_answer(void *arg) {
  early_server *s = arg;
  int fd = accept(s->listen_fd, NULL, NULL);
  if (fd < 0)
    return NULL;
  bytebuf in = {0};
  while (!bytebuf_contains(&in, (const uint8_t *)"\r\n\r\n", 4)) {
    uint8_t buf[512];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0)
      break;
    bytebuf_add(&in, buf, (size_t)n);
  }
  s->head_bytes = in.len;
  bytebuf_free(&in);
  static const char answer[] = "HTTP/1.1 400 Bad Request\r\n"
                               "Content-Length: 3\r\nConnection: close\r\n\r\n"
                               "bad";
  if (write(fd, answer, sizeof answer - 1) < 0)
    perror("early_answer: write");
  shutdown(fd, SHUT_WR);
  sleep_ms(200); /* the client reads the answer meanwhile */
  close(fd);     /* unread bytes: the client's next writes fail */
  return NULL;
}

static void test_early_answer(void) {
  fsp_target t;
  early_server s = {loopback_socket(&t, 1), 0};
  pthread_t th;
  CHECK(pthread_create(&th, NULL, early_answer, &s) == 0);
  http_conn c;
  char err[128] = "";
  CHECK_EQ(http_connect(&c, &t, now_ms() + 2000, err, sizeof err), 0);
  /* More than the socket buffers of both ends hold. */
  size_t body = 64u << 20;
  char head[128];
  int hl = snprintf(head, sizeof head,
                    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %zu\r\n\r\n",
                    body);
  uint8_t *req = calloc(1, (size_t)hl + body);
  memcpy(req, head, (size_t)hl);
  int64_t t0 = now_ms(), deadline = t0 + 10000;
  int rc = http_send(&c, req, (size_t)hl + body, 0, deadline);
  CHECK(now_ms() < deadline);
  CHECK(rc == -1 ? c.write_failed : 1);
  CHECK_EQ(http_wait_responses(&c, 1, now_ms() + 2000), 1);
  CHECK_EQ(c.nresp, 1);
  CHECK_EQ(c.resp[0].status, 400);
  CHECK_BODY(&c.resp[0], "bad");
  CHECK_EQ(c.sent_requests, 1);
  http_pump(&c, now_ms() + 2000);
  CHECK(c.eof);
  CHECK_EQ(s.head_bytes >= (size_t)hl, 1);
  pthread_join(th, NULL);
  http_close(&c);
  http_conn_free(&c);
  close(s.listen_fd);
  free(req);
}

static void test_connect_refused(void) {
  /* A port nothing listens on: bound, never listening. */
  fsp_target t;
  int fd = loopback_socket(&t, 0);
  http_conn c;
  char err[128] = "";
  CHECK_EQ(http_connect(&c, &t, now_ms() + 2000, err, sizeof err), -1);
  CHECK(strstr(err, "refused") != NULL);
  CHECK_EQ(c.fd, -1);
  CHECK_EQ(http_send(&c, (const uint8_t *)"x", 1, 0, now_ms() + 100), -1);
  CHECK_EQ(http_pump(&c, now_ms() + 100), 0);
  close(fd);
}

int main(int argc, char **argv) {
  const char *only = argc > 1 ? argv[1] : NULL;
  RUN_IF(test_content_length, only);
  RUN_IF(test_lf_line_ends, only);
  RUN_IF(test_chunked, only);
  RUN_IF(test_chunked_any_split, only);
  RUN_IF(test_continue, only);
  RUN_IF(test_switching_protocols, only);
  RUN_IF(test_no_body_statuses, only);
  RUN_IF(test_head_response, only);
  RUN_IF(test_close_delimited, only);
  RUN_IF(test_pipelined, only);
  RUN_IF(test_cut_by_eof, only);
  RUN_IF(test_malformed, only);
  RUN_IF(test_nul_bytes, only);
  RUN_IF(test_head_too_long, only);
  RUN_IF(test_body_over_keep, only);
  RUN_IF(test_too_many_responses, only);
  RUN_IF(test_requests_counted, only);
  RUN_IF(test_early_answer, only);
  RUN_IF(test_connect_refused, only);
  return check_exit("test_http_client", only);
}
