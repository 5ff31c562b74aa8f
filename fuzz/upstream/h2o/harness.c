/* h2o (lib/handler/fastcgi.c, Debian 2.2.5+dfsg2-7): the FastCGI handler
 * reading the application's reply.
 *
 * The input is the byte stream a FastCGI application sends back. h2o runs
 * as it does in the server: a host "default" with the FastCGI handler on
 * "/" (h2o_fastcgi_register_by_address, default settings: I/O timeout 30 s,
 * no keep-alive), an evloop event loop and h2o_context_init. For each input
 * a client (shim_client.c) sends "GET /"; h2o's socket pool connects to a
 * Unix socket the harness listens on (abstract name, so no file), and the
 * harness plays the application: it reads the request h2o writes, then
 * writes the input in pieces and runs the event loop after each, so h2o's
 * own socket layer reads them and calls fastcgi.c's on_read, which decodes
 * the records and hands STDOUT to the header parser and the body buffer.
 * The piece sizes, and whether the client's "write done" comes before or
 * after each piece, are drawn from a hash of the input, so records and the
 * header block straddle reads. Then the harness closes its end (h2o reads
 * EOF) and runs the loop until the response is complete.
 *
 * Half the inputs (a bit of their hash) go to "/keep", a second FastCGI
 * handler on the same address with fastcgi.timeout.keepalive set (10 s):
 * h2o asks for FCGI_KEEP_CONN and, on END_REQUEST, puts the connection in
 * its socket pool. There the harness keeps its end open once the input is
 * written; when the response completes so, a second client request
 * follows, which h2o sends on the pooled connection (or a new one), and
 * the harness answers it with a fixed reply.
 *
 * Oracles beyond the sanitizers (the model is narrow, from fastcgi.c):
 * - h2o finishes the response once the application has closed.
 * - The headers h2o forwards carry no CR, LF or NUL (picohttpparser ends
 *   a line at LF and refuses other control bytes). A continuation line
 *   becomes a header with an empty name: known (docs/findings/F082), not
 *   asserted.
 * - Body: when the FastCGI handler started the response itself (not h2o's
 *   503 after a broken reply) and libfcs's decoder reads the same records
 *   without error, the body is the content of the STDOUT records after the
 *   header block, cut at the Content-Length the application gave. What
 *   counts as h2o sees it: on_read takes complete records only (header,
 *   content and padding), never looks at the version or the request id (it
 *   sends one request, id 1, per connection), skips STDERR, and ends the
 *   reply at the first record of any other type (END_REQUEST, or an
 *   unexpected type once the headers are out) or at EOF; append_content
 *   keeps at most Content-Length bytes. The header block ends at its first
 *   empty line, LF or CRLF, as picohttpparser ends it.
 * - On a kept connection, the second response is the fixed reply's body:
 *   nothing of the first reply reaches another request. */
/* _GNU_SOURCE (accept4) comes with h2o's definitions, upstream.cmake. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bytebuf.h"
#include "oracle.h"
#include "h2o.h"
#include "hash.h"
#include "shim_client.h"
#include "target.h"

/* Event loop runs allowed for h2o to write its request, and to finish the
 * response once the input is all written; each run has work to do. */
#define LOOP_RUNS 64

/* The path of the handler that keeps its FastCGI connections, and for how
 * long (fastcgi.timeout.keepalive, milliseconds). */
#define KEEP_PATH "/keep"
#define KEEPALIVE_MS 10000

static struct {
  int ready;
  h2o_globalconf_t conf;
  h2o_context_t ctx;
  h2o_evloop_t *loop;
  int listener;
} world;

/* What the FastCGI handler hands on: an output filter first in the
 * chain, so it sees the bytes before h2o's chunked encoder does, and
 * passes them on unchanged. It notes whether the handler's generator
 * started the response (it has a proceed callback) or h2o_send_inline did
 * (the 503 h2o sends for a broken reply; its generator has none). */
static struct {
  int handler_started;
  bytebuf body;
} seen;

static void keep_body(const h2o_iovec_t *bufs, size_t n) {
  for (size_t i = 0; i < n; i++)
    bytebuf_add(&seen.body, bufs[i].base, bufs[i].len);
}

static void observe_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs,
                         size_t n, h2o_send_state_t state) {
  keep_body(bufs, n);
  h2o_ostream_send_next(self, req, bufs, n, state);
}

static void observe_start(h2o_filter_t *self, h2o_req_t *req,
                          h2o_ostream_t **slot) {
  (void)self;
  seen.handler_started = req->_generator->proceed != NULL;
  h2o_ostream_t *observer = h2o_add_ostream(req, sizeof(*observer), slot);
  observer->do_send = observe_send;
  h2o_setup_next_ostream(req, &observer->next);
}

/* Stands in for the access log Debian's h2o.conf sets up: loggers only
 * read a request once it is done, and h2o_dispose_request walks the list
 * of them (an empty list there is NULL plus 0, which UBSan reports). */
static void log_nothing(h2o_logger_t *self, h2o_req_t *req) {
  (void)self;
  (void)req;
}

/* One FastCGI handler on path, as fastcgi.connect with
 * fastcgi.timeout.keepalive (0: the default, off) configures it. */
static void add_handler(h2o_pathconf_t *path, struct sockaddr_un *sa,
                        socklen_t salen, uint64_t keepalive_ms) {
  path->error_log.emit_request_errors = 0; /* kept in req->error_logs */
  h2o_fastcgi_config_vars_t vars = {.io_timeout =
                                        H2O_DEFAULT_FASTCGI_IO_TIMEOUT,
                                    .keepalive_timeout = keepalive_ms};
  h2o_fastcgi_register_by_address(path, (void *)sa, salen, &vars);
  /* h2o_create_filter puts it first, in front of the chunked encoder. */
  h2o_filter_t *observer = h2o_create_filter(path, sizeof(*observer));
  observer->on_setup_ostream = observe_start;
  h2o_create_logger(path, sizeof(h2o_logger_t))->log_access = log_nothing;
}

static void setup(void) {
  /* The h2o server ignores SIGPIPE (src/main.c); so does its library use. */
  signal(SIGPIPE, SIG_IGN);
  h2o_config_init(&world.conf);
  h2o_hostconf_t *host = h2o_config_register_host(
      &world.conf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
  /* Both paths before either is configured: registering one moves the
   * other (a vector). h2o takes the first path that matches. */
  h2o_config_register_path(host, KEEP_PATH, 0);
  h2o_config_register_path(host, "/", 0);

  world.listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  socklen_t salen = sizeof(sa_family_t); /* autobind: an abstract name */
  if (world.listener < 0 || bind(world.listener, (void *)&sa, salen) != 0 ||
      listen(world.listener, 4) != 0 ||
      fcntl(world.listener, F_SETFL, O_NONBLOCK) != 0 ||
      (salen = sizeof(sa), getsockname(world.listener, (void *)&sa, &salen)))
    FZ_CHECK(0, "h2o harness: cannot listen on a Unix socket: %s",
             strerror(errno));

  add_handler(&host->paths.entries[0], &sa, salen, KEEPALIVE_MS);
  add_handler(&host->paths.entries[1], &sa, salen, 0);

  world.loop = h2o_evloop_create();
  h2o_context_init(&world.ctx, world.loop, &world.conf);
  world.ready = 1;
}

static void run_loop(void) { h2o_evloop_run(world.loop, 0); }

/* Reads what h2o has written on app; 1 once the last 8 bytes read (kept in
 * tail) are the empty STDIN record that ends a request (id 1:
 * build_request's). */
static int request_read(int app, uint8_t tail[8]) {
  static const uint8_t stdin_end[8] = {1, 5, 0, 1, 0, 0, 0, 0};
  uint8_t buf[4096];
  ssize_t n;
  while ((n = read(app, buf, sizeof buf)) > 0) {
    size_t keep = n < 8 ? 8 - (size_t)n : 0;
    memmove(tail, tail + 8 - keep, keep);
    memcpy(tail + keep, buf + (size_t)n - (8 - keep), 8 - keep);
  }
  return memcmp(tail, stdin_end, 8) == 0;
}

/* The application's end of the connection h2o writes its request on, once
 * the request is read: kept (the end of a connection h2o may take from its
 * pool; -1 for none) or one accepted now. */
static int app_take_request(int kept) {
  uint8_t tail[8] = {0};
  int app = kept;
  for (int runs = 0; runs < LOOP_RUNS; runs++) {
    run_loop();
    int fresh =
        accept4(world.listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fresh >= 0) {
      if (app >= 0)
        close(app); /* h2o found the kept one dead, or did not want it */
      app = fresh;
      memset(tail, 0, 8);
    }
    if (app >= 0 && request_read(app, tail))
      return app;
  }
  FZ_CHECK(0, "h2o did not write its request within %d loop runs", LOOP_RUNS);
}

static uint64_t next_random(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

/* Writes one piece, letting h2o read when the socket's buffer is full.
 * Returns 0 once h2o has closed its end: the rest goes nowhere. */
static int app_write(int app, const uint8_t *p, size_t n) {
  for (int full = 0; n > 0;) {
    ssize_t w = send(app, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EAGAIN) {
      FZ_CHECK(++full < LOOP_RUNS, "h2o stopped reading the application");
      run_loop();
      continue;
    }
    if (w <= 0)
      return 0;
    p += w;
    n -= (size_t)w;
  }
  return 1;
}

/* Runs the loop until the response is complete, delivering proceeds. */
static void finish(client *c) {
  for (int runs = 0; runs < LOOP_RUNS && !c->complete; runs++) {
    run_loop();
    client_proceed(c);
  }
}

/* Writes the input in pieces, each read by h2o before the next; the
 * client's proceed (its last send written out) lands before or after.
 * Then closes the application's end, unless keep and the response is
 * complete without that: returns the end kept open, or -1. */
static int app_reply(client *c, int app, const uint8_t *in, size_t len,
                     int keep) {
  static const size_t piece_max[4] = {0, 7, 61, 509}; /* 0: whole input */
  uint64_t s = fz_hash(FZ_HASH_INIT, in, len) | 1;
  size_t max = piece_max[next_random(&s) & 3];
  for (size_t at = 0; at < len;) {
    /* On a kept connection h2o stops reading once the response is done
     * (the socket waits in its pool); the rest would only fill the
     * socket, and h2o's liveness check drops a connection with bytes
     * waiting. */
    if (keep && c->complete)
      break;
    size_t n = max ? 1 + next_random(&s) % max : len;
    if (n > len - at)
      n = len - at;
    int proceed_first = next_random(&s) & 1;
    if (proceed_first)
      client_proceed(c);
    if (!app_write(app, in + at, n))
      break;
    at += n;
    run_loop();
    if (!proceed_first)
      client_proceed(c);
  }
  if (keep) {
    finish(c);
    if (c->complete)
      return app;
  }
  close(app);
  finish(c);
  return -1;
}

/* The STDOUT content h2o reads before the reply ends (see the top), or
 * -1 when libfcs's lenient decoder stops with an error before that. */
static ssize_t stdout_content(const uint8_t *in, size_t len, uint8_t *out) {
  fcs_decoder d;
  fcs_decoder_init(&d, FCS_LENIENT);
  fcs_decoder_whole_records(&d, 1);
  size_t at = 0, n = 0;
  for (;;) {
    fcs_event ev;
    at += fcs_decoder_feed(&d, in + at, len - at, &ev);
    if (ev.type == FCS_EV_NONE)
      return (ssize_t)n;
    if (ev.type == FCS_EV_ERROR)
      return -1;
    if (ev.type != FCS_EV_RECORD)
      continue; /* pieces of a record cut short by EOF: h2o waits for it */
    if (ev.header.type == FCS_STDOUT) {
      memcpy(out + n, ev.data, ev.len);
      n += ev.len;
    } else if (ev.header.type != FCS_STDERR) {
      return (ssize_t)n;
    }
  }
}

/* Where the header block ends: after its first empty line. */
static size_t header_block_end(const uint8_t *s, size_t len) {
  for (size_t line = 0; line < len;) {
    const uint8_t *lf = memchr(s + line, '\n', len - line);
    if (!lf)
      break;
    size_t end = (size_t)(lf - s);
    if (end == line || (end == line + 1 && s[line] == '\r'))
      return end + 1;
    line = end + 1;
  }
  return SIZE_MAX;
}

static void check_headers(const h2o_req_t *req) {
  for (size_t i = 0; i < req->res.headers.size; i++) {
    const h2o_header_t *h = req->res.headers.entries + i;
    const h2o_iovec_t parts[2] = {*h->name, h->value};
    for (int p = 0; p < 2; p++)
      for (size_t k = 0; k < parts[p].len; k++) {
        char ch = parts[p].base[k];
        FZ_CHECK(ch != '\r' && ch != '\n' && ch != '\0',
                 "h2o forwards header '%.*s' with byte 0x%02x in its %s",
                 (int)h->name->len, h->name->base, (unsigned char)ch,
                 p ? "value" : "name");
      }
  }
}

/* h2o does not apply the application's Content-Length to the body bytes
 * of the STDOUT record that completes a header block begun in an earlier
 * one (F149 in docs/findings; reproducer in seeds/regression/h2o). Such a
 * reply is left out of the body check, so that fuzzing goes on past it,
 * unless the environment sets FCS_UPSTREAM_STRICT: the ctest
 * fuzz_upstream_bug_h2o_F149 does, to show the pinned source still has
 * it. The shape: the first STDOUT record with content holds no complete
 * header block. */
/* Where the record whose header is at in + at ends (content and padding
 * included), as every FastCGI reader frames it. */
static size_t record_end(const uint8_t *in, size_t at) {
  return at + FCS_HEADER_LEN + ((size_t)in[at + 4] << 8 | in[at + 5]) +
         in[at + 6];
}

static int known_split_block(const h2o_req_t *req, const uint8_t *in,
                             size_t len) {
  if (req->res.content_length == SIZE_MAX || fz_upstream_strict())
    return 0;
  for (size_t at = 0; len - at >= FCS_HEADER_LEN; at = record_end(in, at)) {
    size_t clen = (size_t)in[at + 4] << 8 | in[at + 5];
    size_t body = at + FCS_HEADER_LEN;
    if (in[at + 1] == FCS_STDOUT && clen > 0)
      return header_block_end(
                 in + body, clen < len - body ? clen : len - body) == SIZE_MAX;
    if (record_end(in, at) > len)
      break;
  }
  return 0;
}

static void check_body(const h2o_req_t *req, const uint8_t *in, size_t len) {
  uint8_t *s = malloc(len ? len : 1);
  ssize_t n = stdout_content(in, len, s);
  if (n >= 0 && !known_split_block(req, in, len)) {
    size_t h = header_block_end(s, (size_t)n);
    FZ_CHECK(h != SIZE_MAX,
             "h2o started a response, but the %zd STDOUT bytes before the "
             "reply ended hold no complete header block",
             n);
    size_t want = (size_t)n - h;
    if (req->res.content_length < want)
      want = req->res.content_length;
    FZ_CHECK(seen.body.len == want &&
                 (want == 0 || memcmp(seen.body.p, s + h, want) == 0),
             "h2o sent %zu body bytes, the STDOUT content after the %zu-byte "
             "header block (Content-Length %zd) is %zu bytes%s",
             seen.body.len, h,
             req->res.content_length == SIZE_MAX
                 ? (ssize_t)-1
                 : (ssize_t)req->res.content_length,
             want, seen.body.len == want ? ", and they differ" : "");
  }
  free(s);
}

/* h2o keeps the bytes it read past END_REQUEST with the pooled
 * connection, and the next request that takes the connection gets them as
 * the start of its reply (F161 in docs/findings; reproducer in
 * seeds/regression/h2o). An input with bytes after the first END_REQUEST
 * record is left out of the kept-connection check, so that fuzzing goes
 * on past it, unless the environment sets FCS_UPSTREAM_STRICT (ctest
 * fuzz_upstream_bug_h2o_F161). */
static int known_leftover(const uint8_t *in, size_t len) {
  if (fz_upstream_strict())
    return 0;
  for (size_t at = 0; len - at >= FCS_HEADER_LEN; at = record_end(in, at)) {
    if (in[at + 1] == FCS_END_REQUEST)
      return record_end(in, at) < len;
    if (record_end(in, at) > len)
      break;
  }
  return 0;
}

/* A second request on the handler that keeps connections: h2o sends it on
 * the kept connection (or a new one), the application answers with a
 * fixed reply, and that reply's body is what the client gets. */
static void check_kept_connection(int app) {
  static const char head[] = "Content-Type: text/plain\r\n\r\n",
                    body[] = "second reply\n";
  uint8_t text[sizeof head + sizeof body], reply[128];
  size_t n = sizeof head - 1 + sizeof body - 1, at = 0, used;
  memcpy(text, head, sizeof head - 1);
  memcpy(text + sizeof head - 1, body, sizeof body - 1);
  FZ_CHECK(
      fcs_encode_stream(reply, sizeof reply, FCS_STDOUT, 1, text, n, 1, NULL,
                        &used) == FCS_E_OK &&
          fcs_encode_end_request(reply + used, sizeof reply - used, 1, 0,
                                 FCS_REQUEST_COMPLETE, NULL, &at) == FCS_E_OK,
      "h2o harness: the second reply does not fit %zu bytes", sizeof reply);
  client *c = client_open(&world.ctx, KEEP_PATH);
  seen.handler_started = 0;
  seen.body.len = 0;
  client_send_request(c);
  app = app_take_request(app);
  FZ_CHECK(app_write(app, reply, used + at),
           "h2o closed the connection it sent the second request on");
  close(app);
  finish(c);
  FZ_CHECK(c->complete && seen.handler_started &&
               seen.body.len == sizeof body - 1 &&
               memcmp(seen.body.p, body, sizeof body - 1) == 0,
           "on the kept connection, the second request got %zu body bytes "
           "(%.*s), not the application's second reply",
           seen.body.len, (int)(seen.body.len < 64 ? seen.body.len : 64),
           seen.body.p ? (const char *)seen.body.p : "");
  client_close(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!world.ready)
    setup();
  int keep = (fz_hash(FZ_HASH_INIT, data, size) >> 40) & 1;
  client *c = client_open(&world.ctx, keep ? KEEP_PATH : "/");
  seen.handler_started = 0;
  seen.body.len = 0;
  client_send_request(c);
  int app = app_reply(c, app_take_request(-1), data, size, keep);
  FZ_CHECK(c->complete,
           "h2o did not finish the response %d loop runs after the "
           "application closed",
           LOOP_RUNS);
  if (seen.handler_started) {
    check_headers(&c->req);
    check_body(&c->req, data, size);
  }
  client_close(c);
  if (app >= 0 && known_leftover(data, size))
    close(app);
  else if (app >= 0)
    check_kept_connection(app);
  run_loop(); /* h2o frees the sockets it closed */
  return 0;
}
