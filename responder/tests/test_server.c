/* The fcgi-responder binary over real sockets: started on a temporary Unix
 * socket, on 127.0.0.1 port 0 and on an inherited fd 0, spoken to with the
 * codec, stopped by pid. Usage: test_responder_server PATH-TO-BINARY */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "client.h"
#include "fcs_responder.h"
#include "proc.h"

/* How long a reply may take before a test gives up on it. */
#define REPLY_TIMEOUT_MS 5000
/* How long a test watches for something that must not happen. */
#define QUIET_MS 300

static const char *binary;
static char tmpdir[256];

static const char *const baseline_params[] = {
    "REQUEST_METHOD=GET", "SERVER_PROTOCOL=HTTP/1.1", "REQUEST_URI=/", NULL};

static const char baseline_echo[] = "Status: 200 OK\r\n"
                                    "Content-Type: text/plain\r\n\r\n"
                                    "request-id 1\n"
                                    "role RESPONDER\n"
                                    "flags 1\n"
                                    "params 3\n"
                                    "param REQUEST_METHOD=GET\n"
                                    "param SERVER_PROTOCOL=HTTP/1.1\n"
                                    "param REQUEST_URI=/\n"
                                    "stdin 5 3610a686 5\n"
                                    "hello\n"
                                    "end\n";

static void tmp_path(char *out, size_t cap, const char *name) {
  snprintf(out, cap, "%s/%s", tmpdir, name);
}

/* Starts the binary with extra arguments (NULL-terminated). */
static int start(proc *p, const char *listen, const char *log_name, ...) {
  char *argv[16];
  int n = 0;
  argv[n++] = (char *)binary;
  argv[n++] = "--listen";
  argv[n++] = (char *)listen;
  va_list ap;
  va_start(ap, log_name);
  const char *a;
  while ((a = va_arg(ap, const char *)) && n < 15)
    argv[n++] = (char *)a;
  va_end(ap);
  argv[n] = NULL;
  char log[512];
  tmp_path(log, sizeof log, log_name);
  int rc = proc_start(p, argv, log, -1);
  CHECK_EQ(rc, 0);
  return rc;
}

static void close_on_exec(int fd) { fcntl(fd, F_SETFD, FD_CLOEXEC); }

/* A blocking connection to "tcp:HOST:PORT" or "unix:PATH", or -1. */
static int dial(const char *address) {
  int fd = -1;
  if (strncmp(address, "unix:", 5) == 0) {
    struct sockaddr_un sa = {0};
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", address + 5);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
      close(fd);
      fd = -1;
    }
  } else if (strncmp(address, "tcp:", 4) == 0) {
    const char *colon = strrchr(address, ':');
    char host[64];
    snprintf(host, sizeof host, "%.*s", (int)(colon - address - 4),
             address + 4);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)atoi(colon + 1));
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd >= 0 && (inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
                    connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)) {
      close(fd);
      fd = -1;
    }
  }
  if (fd < 0)
    fprintf(stderr, "cannot connect to %s: %s\n", address, strerror(errno));
  else
    close_on_exec(fd); /* responders started later must not hold it */
  CHECK(fd >= 0);
  return fd;
}

static int send_all(int fd, client *c) {
  size_t off = 0;
  while (off < c->send.len) {
    ssize_t n = send(fd, c->send.p + off, c->send.len - off, MSG_NOSIGNAL);
    if (n <= 0)
      return -1;
    off += (size_t)n;
  }
  c->send.len = 0;
  return 0;
}

typedef int (*reply_done)(client *c, const void *arg);

enum { READ_DONE, READ_EOF, READ_TIMEOUT };

/* Sends c->send, then reads replies until done says so, the peer closes,
 * or timeout_ms passes. */
static int converse(int fd, client *c, reply_done done, const void *arg,
                    int timeout_ms) {
  if (c->send.len && send_all(fd, c) != 0)
    return READ_EOF;
  while (!done || !done(c, arg)) {
    struct pollfd pfd = {fd, POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms) <= 0)
      return READ_TIMEOUT;
    uint8_t buf[16384];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      return READ_EOF;
    client_receive(c, buf, (size_t)n);
  }
  return READ_DONE;
}

/* arg: a 0-terminated list of request ids that must all have ended. */
static int ids_ended(client *c, const void *arg) {
  for (const uint16_t *id = arg; *id; id++)
    if (client_req_of(c, *id)->end_count == 0)
      return 0;
  return 1;
}

static int gv_arrived(client *c, const void *arg) {
  return c->gv_count >= *(const int *)arg;
}

static int unknown_arrived(client *c, const void *arg) {
  return c->unknown_count >= *(const int *)arg;
}

static int wait_ends(int fd, client *c, const uint16_t *ids) {
  int rc = converse(fd, c, ids_ended, ids, REPLY_TIMEOUT_MS);
  CHECK_EQ(rc, READ_DONE);
  CHECK(!c->failed);
  CHECK_EQ(c->misaligned, 0);
  return rc;
}

static void check_completed(client *c, uint16_t id, uint32_t app_status) {
  client_req *q = client_req_of(c, id);
  CHECK_EQ(q->end_count, 1);
  CHECK_EQ(q->end.protocol_status, FCS_REQUEST_COMPLETE);
  CHECK_EQ(q->end.app_status, app_status);
  CHECK_EQ(q->out_ended, 1);
}

/* ---- one server, one scenario per function ------------------------------ */

static void test_get_values(const char *address) {
  int fd = dial(address);
  client c;
  client_init(&c);
  const char *const names[] = {"FCGI_MAX_CONNS", "FCGI_MAX_REQS",
                               "FCGI_MPXS_CONNS", NULL};
  client_get_values(&c, names);
  const int one = 1;
  CHECK_EQ(converse(fd, &c, gv_arrived, &one, REPLY_TIMEOUT_MS), READ_DONE);
  static const char want[] = "\x01\x0a\x00\x00\x00\x35\x03\x00"
                             "\x0e\x02"
                             "FCGI_MAX_CONNS16"
                             "\x0d\x02"
                             "FCGI_MAX_REQS32"
                             "\x0f\x01"
                             "FCGI_MPXS_CONNS1"
                             "\x00\x00\x00";
  CHECK_BYTES(c.raw.p, c.raw.len, want, sizeof want - 1);
  client_free(&c);
  close(fd);
}

static void test_unknown_type(const char *address) {
  int fd = dial(address);
  client c;
  client_init(&c);
  client_record(&c, 0x20, 0, "ABCDEFGH", 8);
  const int one = 1;
  CHECK_EQ(converse(fd, &c, unknown_arrived, &one, REPLY_TIMEOUT_MS),
           READ_DONE);
  CHECK_BYTES(c.raw.p, c.raw.len,
              "\x01\x0b\x00\x00\x00\x08\x00\x00"
              "\x20\x00\x00\x00\x00\x00\x00\x00",
              16);
  client_free(&c);
  close(fd);
}

static void test_unknown_role(const char *address) {
  int fd = dial(address);
  client c;
  client_init(&c);
  client_begin(&c, 1, 0x0101, FCS_KEEP_CONN);
  client_params(&c, 1, baseline_params, 1);
  client_stream(&c, FCS_STDIN, 1, NULL, 0, 0, 1);
  wait_ends(fd, &c, (const uint16_t[]){1, 0});
  client_req *q = client_req_of(&c, 1);
  CHECK_EQ(q->end.protocol_status, FCS_UNKNOWN_ROLE);
  CHECK_EQ(q->out_ended, 0);
  CHECK_EQ(c.records, 1);
  client_free(&c);
  close(fd);
}

/* KEEP_CONN clear: END_REQUEST, then EOF with nothing after it. */
static void test_keep_conn_clear_closes(const char *address) {
  int fd = dial(address);
  client c;
  client_init(&c);
  client_simple_request(&c, 1, 0, baseline_params, "hello");
  CHECK_EQ(converse(fd, &c, NULL, NULL, REPLY_TIMEOUT_MS), READ_EOF);
  client_req *q = client_req_of(&c, 1);
  CHECK_EQ(q->end_count, 1);
  CHECK_EQ(q->end_index + 1, c.records);
  CHECK_EQ(c.scanned, c.raw.len);
  client_free(&c);
  close(fd);
}

/* KEEP_CONN set: the connection stays open and serves the same id again. */
static void test_keep_conn_set_stays(const char *address) {
  int fd = dial(address);
  client c;
  client_init(&c);
  client_simple_request(&c, 1, FCS_KEEP_CONN, baseline_params, "hello");
  wait_ends(fd, &c, (const uint16_t[]){1, 0});
  client_req *q = client_req_of(&c, 1);
  CHECK_TEXT(q->out.p, q->out.len, baseline_echo);
  check_completed(&c, 1, 0);
  CHECK_EQ(converse(fd, &c, NULL, NULL, QUIET_MS), READ_TIMEOUT);
  client_simple_request(&c, 1, FCS_KEEP_CONN, baseline_params, "hello");
  wait_ends(fd, &c, (const uint16_t[]){1, 0});
  CHECK_TEXT(q->out.p, q->out.len, baseline_echo);
  check_completed(&c, 1, 0);
  client_free(&c);
  close(fd);
}

/* A peer that half-closes after its request still gets the whole reply,
 * then EOF. */
static void test_half_close(const char *address) {
  int fd = dial(address);
  client c;
  client_init(&c);
  client_simple_request(&c, 1, FCS_KEEP_CONN, baseline_params, "hello");
  CHECK_EQ(send_all(fd, &c), 0);
  shutdown(fd, SHUT_WR);
  CHECK_EQ(converse(fd, &c, NULL, NULL, REPLY_TIMEOUT_MS), READ_EOF);
  client_req *q = client_req_of(&c, 1);
  CHECK_TEXT(q->out.p, q->out.len, baseline_echo);
  check_completed(&c, 1, 0);
  client_free(&c);
  close(fd);
}

static void test_abort(const char *address) {
  int fd = dial(address);
  client c;
  client_init(&c);
  client_begin(&c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&c, 1, baseline_params, 1);
  client_stream(&c, FCS_STDIN, 1, "partial", 7, 0, 0);
  CHECK_EQ(converse(fd, &c, NULL, NULL, QUIET_MS), READ_TIMEOUT);
  CHECK_EQ(c.records, 0);
  client_abort(&c, 1);
  wait_ends(fd, &c, (const uint16_t[]){1, 0});
  check_completed(&c, 1, FCS_RESPONDER_STATUS_ABORTED);
  /* A second ABORT for the now inactive id gets nothing. */
  client_abort(&c, 1);
  CHECK_EQ(converse(fd, &c, NULL, NULL, QUIET_MS), READ_TIMEOUT);
  CHECK_EQ(client_req_of(&c, 1)->end_count, 1);
  client_free(&c);
  close(fd);
}

static void test_multiplexed(const char *address) {
  int fd = dial(address);
  client c;
  client_init(&c);
  const char *const p1[] = {"WHO=one", NULL};
  const char *const p2[] = {"WHO=two", "EXTRA=x", NULL};
  client_begin(&c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_begin(&c, 2, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&c, 1, p1, 0);
  client_params(&c, 2, p2, 0);
  client_stream(&c, FCS_PARAMS, 2, NULL, 0, 0, 1);
  client_stream(&c, FCS_PARAMS, 1, NULL, 0, 0, 1);
  client_stream(&c, FCS_STDIN, 1, "first", 5, 0, 0);
  client_stream(&c, FCS_STDIN, 2, "second", 6, 0, 1);
  client_stream(&c, FCS_STDIN, 1, NULL, 0, 0, 1);
  wait_ends(fd, &c, (const uint16_t[]){1, 2, 0});
  client_req *q1 = client_req_of(&c, 1), *q2 = client_req_of(&c, 2);
  CHECK_TEXT(q1->out.p, q1->out.len,
             "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"
             "request-id 1\nrole RESPONDER\nflags 1\nparams 1\n"
             "param WHO=one\nstdin 5 9271ee57 5\nfirst\nend\n");
  CHECK_TEXT(q2->out.p, q2->out.len,
             "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"
             "request-id 2\nrole RESPONDER\nflags 1\nparams 2\n"
             "param WHO=two\nparam EXTRA=x\nstdin 6 b61f1169 6\nsecond\n"
             "end\n");
  check_completed(&c, 1, 0);
  check_completed(&c, 2, 0);
  client_free(&c);
  close(fd);
}

static void test_authorizer(const char *address) {
  int fd = dial(address);
  client c;
  client_init(&c);
  const char *const granted[] = {"HTTP_AUTHORIZATION=Bearer t", NULL};
  client_begin(&c, 1, FCS_AUTHORIZER, FCS_KEEP_CONN);
  client_params(&c, 1, granted, 1);
  client_begin(&c, 2, FCS_AUTHORIZER, FCS_KEEP_CONN);
  client_params(&c, 2, baseline_params, 1);
  wait_ends(fd, &c, (const uint16_t[]){1, 2, 0});
  client_req *q1 = client_req_of(&c, 1), *q2 = client_req_of(&c, 2);
  CHECK_TEXT(q1->out.p, q1->out.len,
             "Status: 200 OK\r\nVariable-FCS_AUTHORIZED: 1\r\n"
             "Content-Type: text/plain\r\n\r\n"
             "request-id 1\nrole AUTHORIZER\nflags 1\nparams 1\n"
             "param HTTP_AUTHORIZATION=Bearer%20t\nend\n");
  CHECK_TEXT(q2->out.p, q2->out.len,
             "Status: 403 Forbidden\r\nContent-Type: text/plain\r\n\r\n"
             "access denied: no HTTP_AUTHORIZATION param\n");
  check_completed(&c, 1, 0);
  check_completed(&c, 2, 0);
  client_free(&c);
  close(fd);
}

static void test_filter(const char *address) {
  int fd = dial(address);
  client c;
  client_init(&c);
  const char *const params[] = {"FCGI_DATA_LENGTH=9", NULL};
  client_begin(&c, 4, FCS_FILTER, FCS_KEEP_CONN);
  client_params(&c, 4, params, 1);
  client_stream(&c, FCS_STDIN, 4, "in", 2, 1, 1);
  client_stream(&c, FCS_DATA, 4, "file-data", 9, 4, 1);
  wait_ends(fd, &c, (const uint16_t[]){4, 0});
  client_req *q = client_req_of(&c, 4);
  CHECK_TEXT(q->out.p, q->out.len,
             "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"
             "request-id 4\nrole FILTER\nflags 1\nparams 1\n"
             "param FCGI_DATA_LENGTH=9\nstdin 2 5fec8e4e 2\nin\n"
             "data 9 a71d28a2 9\nfile-data\nend\n");
  check_completed(&c, 4, 0);
  client_free(&c);
  close(fd);
}

static void test_stderr_knob(const char *address) {
  int fd = dial(address);
  client c;
  client_init(&c);
  const char *const params[] = {"FCS_STDERR=something went wrong",
                                "FCS_APP_STATUS=3", NULL};
  client_simple_request(&c, 9, FCS_KEEP_CONN, params, NULL);
  wait_ends(fd, &c, (const uint16_t[]){9, 0});
  client_req *q = client_req_of(&c, 9);
  CHECK_TEXT(q->err.p, q->err.len, "something went wrong");
  CHECK_EQ(q->err_ended, 1);
  check_completed(&c, 9, 3);
  client_free(&c);
  close(fd);
}

/* A malformed stream closes its own connection only; another connection
 * with a request in flight carries on, and the error is logged. */
static void test_malformed_closes_one(proc *p) {
  int good = dial(p->address), bad = dial(p->address);
  client cg, cb;
  client_init(&cg);
  client_init(&cb);
  client_begin(&cg, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&cg, 1, baseline_params, 1);
  CHECK_EQ(converse(good, &cg, NULL, NULL, QUIET_MS), READ_TIMEOUT);
  client_begin(&cb, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_record(&cb, FCS_PARAMS, 1, NULL, 0);
  cb.send.p[16] = 7; /* version of the PARAMS record */
  CHECK_EQ(converse(bad, &cb, NULL, NULL, REPLY_TIMEOUT_MS), READ_EOF);
  CHECK_EQ(cb.records, 0);
  client_stream(&cg, FCS_STDIN, 1, "hello", 5, 0, 1);
  wait_ends(good, &cg, (const uint16_t[]){1, 0});
  client_req *q = client_req_of(&cg, 1);
  CHECK_TEXT(q->out.p, q->out.len, baseline_echo);
  close(bad);
  close(good);
  client_free(&cg);
  client_free(&cb);
  const char *log = proc_slurp(p->log_path);
  CHECK(strstr(log, "protocol error BAD_VERSION at offset 16, record 1") !=
        NULL);
}

/* A request-layer error ends that request with the error on STDERR. */
static void test_error_ends_request(const char *address) {
  int fd = dial(address);
  client c;
  client_init(&c);
  client_begin(&c, 2, FCS_RESPONDER, FCS_KEEP_CONN);
  client_stream(&c, FCS_STDIN, 2, "early", 5, 0, 0);
  CHECK_EQ(converse(fd, &c, NULL, NULL, REPLY_TIMEOUT_MS), READ_EOF);
  client_req *q = client_req_of(&c, 2);
  check_completed(&c, 2, FCS_RESPONDER_STATUS_PROTOCOL_ERROR);
  const char *said = "protocol error STREAM_ORDER";
  CHECK(bytebuf_contains(&q->err, said, strlen(said)));
  client_free(&c);
  close(fd);
}

static void test_default_server_unix(void) {
  char sock[300], listen[320];
  tmp_path(sock, sizeof sock, "responder.sock");
  snprintf(listen, sizeof listen, "unix:%s", sock);
  proc p;
  if (start(&p, listen, "unix.log", NULL) != 0)
    return;
  CHECK(strcmp(p.address, listen) == 0);
  test_get_values(p.address);
  test_unknown_type(p.address);
  test_unknown_role(p.address);
  test_keep_conn_clear_closes(p.address);
  test_keep_conn_set_stays(p.address);
  test_half_close(p.address);
  test_abort(p.address);
  test_multiplexed(p.address);
  test_authorizer(p.address);
  test_filter(p.address);
  test_stderr_knob(p.address);
  test_error_ends_request(p.address);
  test_malformed_closes_one(&p);
  CHECK_EQ(proc_stop(&p), 0);
  struct stat st;
  CHECK(stat(sock, &st) != 0 && errno == ENOENT); /* removed on SIGTERM */
}

/* A server removes its socket file at exit only while the file is still
 * its own: one that took the path over meanwhile keeps it. */
static void test_socket_file_ownership(void) {
  char sock[300], listen[320];
  tmp_path(sock, sizeof sock, "shared.sock");
  snprintf(listen, sizeof listen, "unix:%s", sock);
  proc first, second;
  if (start(&first, listen, "first.log", NULL) != 0)
    return;
  char *again[] = {(char *)binary, "--listen", listen, NULL};
  char out[512];
  tmp_path(out, sizeof out, "usage.txt");
  CHECK_EQ(proc_run(again, out), 1); /* the path is in use */
  CHECK(strstr(proc_slurp(out), "is in use by a running server") != NULL);
  unlink(sock);
  if (start(&second, listen, "second.log", NULL) != 0) {
    proc_stop(&first);
    return;
  }
  CHECK_EQ(proc_stop(&first), 0);
  struct stat st;
  CHECK(stat(sock, &st) == 0);
  test_get_values(second.address);
  CHECK_EQ(proc_stop(&second), 0);
  CHECK(stat(sock, &st) != 0 && errno == ENOENT);
}

/* A body echoed whole through a 1 KiB output buffer: the reply (about
 * 1 MiB) leaves in many rounds of back-pressure. */
static void test_large_echo(const char *address) {
  size_t n = 1 << 20;
  uint8_t *body = malloc(n);
  for (size_t i = 0; i < n; i++)
    body[i] = (uint8_t)(i % 251);
  int fd = dial(address);
  client c;
  client_init(&c);
  client_begin(&c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&c, 1, NULL, 1);
  client_stream(&c, FCS_STDIN, 1, body, n, 0, 1);
  wait_ends(fd, &c, (const uint16_t[]){1, 0});
  client_req *q = client_req_of(&c, 1);
  static const char head[] =
      "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"
      "request-id 1\nrole RESPONDER\nflags 1\nparams 0\n"
      "stdin 1048576 ";
  CHECK(q->out.len == sizeof head - 1 + 8 + 9 + n + 5);
  if (q->out.len == sizeof head - 1 + 8 + 9 + n + 5) {
    CHECK_BYTES(q->out.p, sizeof head - 1, head, sizeof head - 1);
    CHECK_BYTES(q->out.p + sizeof head - 1 + 8, 9, " 1048576\n", 9);
    CHECK(memcmp(q->out.p + sizeof head - 1 + 17, body, n) == 0);
  }
  check_completed(&c, 1, 0);
  client_free(&c);
  close(fd);
  free(body);
}

static void test_small_buffer_server_tcp(void) {
  proc p;
  if (start(&p, "tcp:127.0.0.1:0", "tcp.log", "--echo-bytes", "1048576",
            "--output-bytes", "1024", NULL) != 0)
    return;
  CHECK(strncmp(p.address, "tcp:127.0.0.1:", 14) == 0 &&
        atoi(p.address + 14) > 0);
  test_get_values(p.address);
  test_keep_conn_set_stays(p.address);
  test_keep_conn_clear_closes(p.address);
  test_multiplexed(p.address);
  test_large_echo(p.address);
  CHECK_EQ(proc_stop(&p), 0);
}

static void test_cant_mpx_conn(void) {
  proc p;
  if (start(&p, "tcp:127.0.0.1:0", "mpxs0.log", "--mpxs", "0", NULL) != 0)
    return;
  int fd = dial(p.address);
  client c;
  client_init(&c);
  client_get_values(&c, (const char *const[]){"FCGI_MPXS_CONNS", NULL});
  client_begin(&c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&c, 1, baseline_params, 1);
  client_begin(&c, 2, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&c, 2, baseline_params, 1);
  client_stream(&c, FCS_STDIN, 2, NULL, 0, 0, 1);
  client_stream(&c, FCS_STDIN, 1, "hello", 5, 0, 1);
  wait_ends(fd, &c, (const uint16_t[]){1, 2, 0});
  CHECK_BYTES(c.gv.p, c.gv.len,
              "\x0f\x01"
              "FCGI_MPXS_CONNS0",
              18);
  client_req *q1 = client_req_of(&c, 1), *q2 = client_req_of(&c, 2);
  CHECK_EQ(q2->end.protocol_status, FCS_CANT_MPX_CONN);
  CHECK_EQ(q2->out_ended, 0);
  CHECK_TEXT(q1->out.p, q1->out.len, baseline_echo);
  check_completed(&c, 1, 0);
  client_free(&c);
  close(fd);
  CHECK_EQ(proc_stop(&p), 0);
}

/* FCGI_MAX_REQS counts requests across connections. */
static void test_overloaded(void) {
  proc p;
  if (start(&p, "tcp:127.0.0.1:0", "maxreqs.log", "--max-reqs", "2",
            "--max-conn-reqs", "2", NULL) != 0)
    return;
  int a = dial(p.address), b = dial(p.address);
  client ca, cb;
  client_init(&ca);
  client_init(&cb);
  client_begin(&ca, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_begin(&ca, 2, FCS_RESPONDER, FCS_KEEP_CONN);
  client_get_values(&ca, (const char *const[]){"FCGI_MAX_REQS", NULL});
  const int one = 1;
  CHECK_EQ(converse(a, &ca, gv_arrived, &one, REPLY_TIMEOUT_MS), READ_DONE);
  CHECK_BYTES(ca.gv.p, ca.gv.len,
              "\x0d\x01"
              "FCGI_MAX_REQS2",
              16);
  client_begin(&cb, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  wait_ends(b, &cb, (const uint16_t[]){1, 0});
  CHECK_EQ(client_req_of(&cb, 1)->end.protocol_status, FCS_OVERLOADED);
  /* Once one finishes, the other connection gets its turn. */
  client_params(&ca, 1, NULL, 1);
  client_stream(&ca, FCS_STDIN, 1, NULL, 0, 0, 1);
  wait_ends(a, &ca, (const uint16_t[]){1, 0});
  client_simple_request(&cb, 1, FCS_KEEP_CONN, baseline_params, "hello");
  wait_ends(b, &cb, (const uint16_t[]){1, 0});
  check_completed(&cb, 1, 0);
  client_free(&ca);
  client_free(&cb);
  close(a);
  close(b);
  CHECK_EQ(proc_stop(&p), 0);
}

/* Opens requests first..last (KEEP_CONN, no params) on fd and waits for
 * the END_REQUESTs of the ids from refused_from on: each is OVERLOADED,
 * and none came for the ids before it. */
static void open_past_cap(int fd, client *c, uint16_t last,
                          uint16_t refused_from) {
  uint16_t refused[CLIENT_MAX_IDS + 1] = {0};
  for (uint16_t id = 1; id <= last; id++) {
    client_begin(c, id, FCS_RESPONDER, FCS_KEEP_CONN);
    if (id >= refused_from)
      refused[id - refused_from] = id;
  }
  wait_ends(fd, c, refused);
  for (uint16_t id = 1; id <= last; id++) {
    client_req *q = client_req_of(c, id);
    CHECK_EQ(q->end_count, id >= refused_from);
    if (id >= refused_from)
      CHECK_EQ(q->end.protocol_status, FCS_OVERLOADED);
  }
}

/* --max-conn-reqs: a connection that opens more requests than its cap gets
 * OVERLOADED for the excess only; another connection still has its share
 * of FCGI_MAX_REQS, and the capped connection's open requests carry on. */
static void test_max_conn_reqs(void) {
  proc p;
  if (start(&p, "tcp:127.0.0.1:0", "connreqs.log", "--max-reqs", "4",
            "--max-conn-reqs", "2", NULL) != 0)
    return;
  int a = dial(p.address), b = dial(p.address);
  client ca, cb;
  client_init(&ca);
  client_init(&cb);
  open_past_cap(a, &ca, 5, 3);
  client_simple_request(&cb, 1, FCS_KEEP_CONN, baseline_params, "hello");
  client_simple_request(&cb, 2, FCS_KEEP_CONN, baseline_params, "hello");
  wait_ends(b, &cb, (const uint16_t[]){1, 2, 0});
  check_completed(&cb, 1, 0);
  check_completed(&cb, 2, 0);
  CHECK_TEXT(client_req_of(&cb, 1)->out.p, client_req_of(&cb, 1)->out.len,
             baseline_echo);
  for (uint16_t id = 1; id <= 2; id++) {
    client_params(&ca, id, baseline_params, 1);
    client_stream(&ca, FCS_STDIN, id, NULL, 0, 0, 1);
  }
  wait_ends(a, &ca, (const uint16_t[]){1, 2, 0});
  check_completed(&ca, 1, 0);
  check_completed(&ca, 2, 0);
  client_free(&ca);
  client_free(&cb);
  close(a);
  close(b);
  CHECK_EQ(proc_stop(&p), 0);
}

/* With the default limits, one connection holding 32 unfinished requests
 * (FCGI_MAX_REQS) keeps 8 and leaves the rest of the budget to others. */
static void test_default_conn_cap(void) {
  proc p;
  if (start(&p, "tcp:127.0.0.1:0", "conncap.log", NULL) != 0)
    return;
  int a = dial(p.address), b = dial(p.address);
  client ca, cb;
  client_init(&ca);
  client_init(&cb);
  open_past_cap(a, &ca, 32, 9);
  client_simple_request(&cb, 1, FCS_KEEP_CONN, baseline_params, "hello");
  wait_ends(b, &cb, (const uint16_t[]){1, 0});
  check_completed(&cb, 1, 0);
  client_free(&ca);
  client_free(&cb);
  close(a);
  close(b);
  CHECK_EQ(proc_stop(&p), 0);
}

/* FCGI_MAX_CONNS: a connection past the limit waits to be accepted. */
static void test_max_conns(void) {
  proc p;
  if (start(&p, "tcp:127.0.0.1:0", "maxconns.log", "--max-conns", "1", NULL) !=
      0)
    return;
  int first = dial(p.address);
  client c1, c2;
  client_init(&c1);
  client_init(&c2);
  const int one = 1;
  client_get_values(&c1, (const char *const[]){"FCGI_MAX_CONNS", NULL});
  CHECK_EQ(converse(first, &c1, gv_arrived, &one, REPLY_TIMEOUT_MS), READ_DONE);
  int second = dial(p.address);
  client_get_values(&c2, (const char *const[]){"FCGI_MAX_CONNS", NULL});
  CHECK_EQ(converse(second, &c2, gv_arrived, &one, QUIET_MS), READ_TIMEOUT);
  close(first);
  CHECK_EQ(converse(second, &c2, gv_arrived, &one, REPLY_TIMEOUT_MS),
           READ_DONE);
  CHECK_BYTES(c2.gv.p, c2.gv.len,
              "\x0e\x01"
              "FCGI_MAX_CONNS1",
              17);
  client_free(&c1);
  client_free(&c2);
  close(second);
  CHECK_EQ(proc_stop(&p), 0);
}

static long elapsed_ms(const struct timespec *since) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - since->tv_sec) * 1000L +
         (now.tv_nsec - since->tv_nsec) / 1000000L;
}

/* One GET_VALUES round trip: the connection is accepted and served. */
static void ask_values(int fd, client *c) {
  int want = c->gv_count + 1;
  client_get_values(c, (const char *const[]){"FCGI_MAX_CONNS", NULL});
  CHECK_EQ(converse(fd, c, gv_arrived, &want, REPLY_TIMEOUT_MS), READ_DONE);
}

/* --idle-timeout: two silent connections that fill --max-conns are closed
 * (EOF, logged) once the timeout passes, and the client waiting in the
 * backlog is served soon after, not never. */
static void test_idle_timeout_frees_slots(void) {
  proc p;
  if (start(&p, "tcp:127.0.0.1:0", "idle.log", "--max-conns", "2",
            "--idle-timeout", "200", NULL) != 0)
    return;
  int idle[2];
  client ci[2], c;
  for (int i = 0; i < 2; i++) {
    idle[i] = dial(p.address);
    client_init(&ci[i]);
    ask_values(idle[i], &ci[i]);
  }
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int fd = dial(p.address);
  client_init(&c);
  client_simple_request(&c, 1, FCS_KEEP_CONN, baseline_params, "hello");
  wait_ends(fd, &c, (const uint16_t[]){1, 0});
  long waited = elapsed_ms(&t0);
  CHECK(waited < 1000); /* 200 ms of timeout, and some slack */
  check_completed(&c, 1, 0);
  CHECK_TEXT(client_req_of(&c, 1)->out.p, client_req_of(&c, 1)->out.len,
             baseline_echo);
  for (int i = 0; i < 2; i++) {
    size_t before = ci[i].raw.len;
    CHECK_EQ(converse(idle[i], &ci[i], NULL, NULL, REPLY_TIMEOUT_MS), READ_EOF);
    CHECK_EQ(ci[i].raw.len, before);
    client_free(&ci[i]);
    close(idle[i]);
  }
  client_free(&c);
  close(fd);
  CHECK_EQ(proc_stop(&p), 0);
  const char *log = proc_slurp(p.log_path);
  const char *line = "closed after 200 ms without input\n";
  const char *first = strstr(log, line);
  CHECK(first != NULL);
  CHECK(first && strstr(first + 1, line) != NULL);
}

/* A connection that keeps talking, 100 ms apart, outlives the timeout. */
static void talk_past_timeout(const char *address) {
  int fd = dial(address);
  client c;
  client_init(&c);
  for (int i = 0; i < 6; i++) {
    ask_values(fd, &c);
    poll(NULL, 0, 100);
  }
  ask_values(fd, &c);
  client_free(&c);
  close(fd);
}

/* A reply far larger than the socket buffers (the output buffer is 1 KiB),
 * left unread for three timeouts, still arrives whole. */
static void unread_reply_survives(const char *address) {
  int fd = dial(address);
  client c;
  client_init(&c);
  size_t n = 1u << 20;
  char *body = malloc(n);
  memset(body, 'b', n);
  client_begin(&c, 1, FCS_RESPONDER, FCS_KEEP_CONN);
  client_params(&c, 1, NULL, 1);
  client_stream(&c, FCS_STDIN, 1, body, n, 0, 1);
  free(body);
  CHECK_EQ(send_all(fd, &c), 0);
  poll(NULL, 0, 600);
  wait_ends(fd, &c, (const uint16_t[]){1, 0});
  check_completed(&c, 1, 0);
  CHECK(client_req_of(&c, 1)->out.len > n);
  client_free(&c);
  close(fd);
}

/* The idle clock counts silence only, and stops while a reply waits for
 * the peer to read it; --idle-timeout 0 lets a connection stay silent. */
static void test_idle_timeout_spares_busy(void) {
  char sock[300], listen[320];
  tmp_path(sock, sizeof sock, "idle.sock");
  snprintf(listen, sizeof listen, "unix:%s", sock);
  proc p;
  if (start(&p, listen, "busy.log", "--idle-timeout", "200", "--echo-bytes",
            "1048576", "--output-bytes", "1024", "--max-conn-reqs", "1",
            NULL) != 0)
    return;
  talk_past_timeout(p.address);
  unread_reply_survives(p.address);
  CHECK_EQ(proc_stop(&p), 0);
  CHECK(strstr(proc_slurp(p.log_path), "without input") == NULL);

  if (start(&p, "tcp:127.0.0.1:0", "never.log", "--idle-timeout", "0", NULL) !=
      0)
    return;
  int fd = dial(p.address);
  client c;
  client_init(&c);
  ask_values(fd, &c);
  poll(NULL, 0, 400);
  ask_values(fd, &c);
  client_free(&c);
  close(fd);
  CHECK_EQ(proc_stop(&p), 0);
}

/* Started spawn-fcgi style: no --listen, a listening socket on fd 0. */
static void test_inherited_fd0(void) {
  int ls = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {0};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t sl = sizeof sa;
  CHECK(ls >= 0 && bind(ls, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        listen(ls, 8) == 0 &&
        getsockname(ls, (struct sockaddr *)&sa, &sl) == 0);
  char want[64];
  snprintf(want, sizeof want, "tcp:127.0.0.1:%u", ntohs(sa.sin_port));
  char *argv[] = {(char *)binary, NULL};
  char log[512];
  tmp_path(log, sizeof log, "fd0.log");
  proc p;
  int rc = proc_start(&p, argv, log, ls);
  close(ls);
  CHECK_EQ(rc, 0);
  if (rc != 0)
    return;
  CHECK(strcmp(p.address, want) == 0);
  int fd = dial(p.address);
  client c;
  client_init(&c);
  client_simple_request(&c, 1, FCS_KEEP_CONN, baseline_params, "hello");
  wait_ends(fd, &c, (const uint16_t[]){1, 0});
  client_req *q = client_req_of(&c, 1);
  CHECK_TEXT(q->out.p, q->out.len, baseline_echo);
  client_free(&c);
  close(fd);
  CHECK_EQ(proc_stop(&p), 0);
}

/* FCGI_WEB_SERVER_ADDRS: a peer not listed is closed unserved. */
static void test_web_server_addrs(void) {
  static const char *const lists[] = {"192.0.2.1", "192.0.2.1, 127.0.0.1"};
  for (int listed = 0; listed < 2; listed++) {
    proc p;
    setenv("FCGI_WEB_SERVER_ADDRS", lists[listed], 1);
    int rc = start(&p, "tcp:127.0.0.1:0", "addrs.log", NULL);
    unsetenv("FCGI_WEB_SERVER_ADDRS");
    if (rc != 0)
      return;
    int fd = dial(p.address);
    client c;
    client_init(&c);
    client_simple_request(&c, 1, FCS_KEEP_CONN, baseline_params, "hello");
    if (listed) {
      wait_ends(fd, &c, (const uint16_t[]){1, 0});
      check_completed(&c, 1, 0);
    } else {
      CHECK_EQ(converse(fd, &c, NULL, NULL, REPLY_TIMEOUT_MS), READ_EOF);
      CHECK_EQ(c.raw.len, 0);
    }
    client_free(&c);
    close(fd);
    CHECK_EQ(proc_stop(&p), 0);
    if (!listed)
      CHECK(strstr(proc_slurp(p.log_path),
                   "closed a connection from 127.0.0.1: not listed in "
                   "FCGI_WEB_SERVER_ADDRS") != NULL);
  }
  char out[512];
  tmp_path(out, sizeof out, "usage.txt");
  char *argv[] = {(char *)binary, "--listen", "tcp:127.0.0.1:0", NULL};
  setenv("FCGI_WEB_SERVER_ADDRS", "127.0.0.1,localhost", 1);
  CHECK_EQ(proc_run(argv, out), 2);
  unsetenv("FCGI_WEB_SERVER_ADDRS");
  CHECK(strstr(proc_slurp(out), "'localhost' is not a dotted-quad") != NULL);
}

static void test_usage_errors(void) {
  char out[512];
  tmp_path(out, sizeof out, "usage.txt");
  char *help[] = {(char *)binary, "--help", NULL};
  CHECK_EQ(proc_run(help, out), 0);
  CHECK(strstr(proc_slurp(out), "--max-reqs N") != NULL);
  char *mpxs[] = {(char *)binary, "--listen", "tcp:127.0.0.1:0",
                  "--mpxs",       "2",        NULL};
  CHECK_EQ(proc_run(mpxs, out), 2);
  CHECK(strstr(proc_slurp(out), "--mpxs takes 0 or 1, not '2'") != NULL);
  char *format[] = {(char *)binary,  "--listen", "tcp:127.0.0.1:0",
                    "--echo-format", "xml",      NULL};
  CHECK_EQ(proc_run(format, out), 2);
  CHECK(strstr(proc_slurp(out),
               "--echo-format takes lines, json, printenv, "
               "php-var-dump or php-print-r, not 'xml'") != NULL);
  char *range[] = {(char *)binary, "--listen", "tcp:127.0.0.1:0",
                   "--max-reqs",   "0",        NULL};
  CHECK_EQ(proc_run(range, out), 2);
  CHECK(strstr(proc_slurp(out), "max_reqs must be 1..4096") != NULL);
  char *conn_reqs[] = {(char *)binary,    "--listen", "tcp:127.0.0.1:0",
                       "--max-conn-reqs", "",         NULL};
  static const char *const bad_conn_reqs[] = {"0", "33", "-1", "x"};
  for (size_t i = 0; i < 4; i++) {
    conn_reqs[4] = (char *)bad_conn_reqs[i];
    CHECK_EQ(proc_run(conn_reqs, out), 2);
    const char *got = proc_slurp(out);
    CHECK(strchr(got, '\n') == got + strlen(got) - 1); /* one line */
    CHECK(strstr(got, i < 2
                          ? "bad option value: max_conn_reqs must be "
                            "1..max_reqs"
                          : "--max-conn-reqs takes a decimal number") != NULL);
  }
  char *idle[] = {(char *)binary,   "--listen", "tcp:127.0.0.1:0",
                  "--idle-timeout", "",         NULL};
  static const char *const bad_idle[] = {"x", "-1", "86400001", "1.5"};
  for (size_t i = 0; i < 4; i++) {
    idle[4] = (char *)bad_idle[i];
    CHECK_EQ(proc_run(idle, out), 2);
    char want[96];
    snprintf(want, sizeof want,
             "fcgi-responder: --idle-timeout takes milliseconds, "
             "0..86400000, not '%s'\n",
             bad_idle[i]);
    CHECK(strcmp(proc_slurp(out), want) == 0);
  }
  char *above[] = {(char *)binary,
                   "--listen",
                   "tcp:127.0.0.1:0",
                   "--max-reqs",
                   "4",
                   "--max-conn-reqs",
                   "5",
                   NULL};
  CHECK_EQ(proc_run(above, out), 2);
  CHECK(strstr(proc_slurp(out), "max_conn_reqs must be 1..max_reqs") != NULL);
  char *addr[] = {(char *)binary, "--listen", "127.0.0.1:9000", NULL};
  CHECK_EQ(proc_run(addr, out), 1);
  CHECK(strstr(proc_slurp(out), "must start with tcp:") != NULL);
  char *nofd[] = {(char *)binary, NULL};
  CHECK_EQ(proc_run(nofd, out), 2); /* fd 0 is not a socket here */
  CHECK(strstr(proc_slurp(out), "fd 0 is not a listening socket") != NULL);
}

/* --version prints the project version and exits 0, before any socket. */
static void test_version(void) {
  char out[512];
  tmp_path(out, sizeof out, "version.txt");
  char *argv[] = {(char *)binary, "--version", NULL};
  CHECK_EQ(proc_run(argv, out), 0);
  CHECK(strcmp(proc_slurp(out), "fcgi-responder " FCS_VERSION "\n") == 0);
}

/* Removes the temporary directory and whatever the tests left in it. */
static void remove_tmpdir(void) {
  DIR *d = opendir(tmpdir);
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    char path[512];
    tmp_path(path, sizeof path, e->d_name);
    unlink(path);
  }
  if (d)
    closedir(d);
  rmdir(tmpdir);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s PATH-TO-fcgi-responder\n", argv[0]);
    return 2;
  }
  binary = argv[1];
  const char *base = getenv("TMPDIR");
  snprintf(tmpdir, sizeof tmpdir, "%s/fcs-responder-XXXXXX",
           base && *base ? base : "/tmp");
  if (!mkdtemp(tmpdir)) {
    fprintf(stderr, "cannot create a temporary directory: %s\n",
            strerror(errno));
    return 1;
  }
  RUN(test_default_server_unix);
  RUN(test_socket_file_ownership);
  RUN(test_small_buffer_server_tcp);
  RUN(test_cant_mpx_conn);
  RUN(test_overloaded);
  RUN(test_max_conn_reqs);
  RUN(test_default_conn_cap);
  RUN(test_max_conns);
  RUN(test_idle_timeout_frees_slots);
  RUN(test_idle_timeout_spares_busy);
  RUN(test_inherited_fd0);
  RUN(test_web_server_addrs);
  RUN(test_usage_errors);
  RUN(test_version);
  remove_tmpdir();
  if (check_failures)
    fprintf(stderr, "%d check(s) failed\n", check_failures);
  return check_failures ? 1 : 0;
}
