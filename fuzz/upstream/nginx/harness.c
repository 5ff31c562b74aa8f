/* nginx: the FastCGI reply parser of ngx_http_fastcgi_module, in a real
 * nginx cycle (shim_worker.c), through its sockets.
 *
 * Input: the bytes the FastCGI application sends back, as they are. A
 * client connects and sends one request; nginx passes it to the upstream
 * through its own connect and FastCGI request code; the harness, as the
 * application, accepts that connection, reads what nginx sends and writes
 * the input back in pieces, then (mostly) closes its side. What nginx
 * writes to the client is kept. A hash of the input picks, so that runs
 * are repeatable: the location (buffered or not, fastcgi_keep_conn or
 * not), GET or HEAD, whether the application closes after its reply or
 * keeps the connection open (nginx then meets fastcgi_read_timeout), and
 * where the input is cut into pieces (each piece is a separate write, and
 * nginx handles its events before the next one).
 *
 * Oracles beyond the sanitizers: the exchange ends with nginx holding no
 * connection, timer or posted event; and what nginx wrote to the client
 * parses (conformance/src/http_parse.c) as exactly one HTTP/1.1 response,
 * no interim one, nothing after it and no error. A response may end early
 * (nginx closes the connection when the reply breaks off). */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_client.h"
#include "nginx_shim.h"
#include "support/oracle.h"
#include "support/hash.h"
#include "support/target.h"

/* The known upstream bugs this harness goes past (F150, and the header
 * bytes of F151 and F116 it masks) are checked again under
 * fz_upstream_strict(). */

/* At most this many pieces; the last one takes what is left. */
#define MAX_PIECES 64
/* Passes through nginx's loop one exchange may take (each write, close
 * and timer takes a few). */
#define MAX_STEPS (4 * MAX_PIECES + 64)

typedef struct knobs {
  const char *location;
  int head;         /* a HEAD request, else GET */
  int keep_open;    /* the application does not close after its reply */
  size_t max_piece; /* 0: the whole input in one write */
  uint64_t rng;     /* piece sizes */
  char scene[128];  /* the above in words, for messages */
} knobs;

static uint64_t next_random(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static knobs pick_knobs(const uint8_t *data, size_t size) {
  uint64_t h = fz_hash(FZ_HASH_INIT, data, size);
  static const size_t piece_sizes[] = {0, 0, 1, 7, 64, 1000};
  knobs k;
  k.location = ngxs_locations[h % ngxs_nlocations];
  h /= ngxs_nlocations;
  k.head = h % 8 == 0;
  h /= 8;
  k.keep_open = h % 8 == 0;
  h /= 8;
  k.max_piece = piece_sizes[h % 6];
  k.rng = h | 1;
  char pieces[48] = "one write";
  if (k.max_piece)
    snprintf(pieces, sizeof pieces, "pieces of 1..%zu bytes", k.max_piece);
  snprintf(k.scene, sizeof k.scene, "%s %s, reply in %s%s",
           k.head ? "HEAD" : "GET", k.location, pieces,
           k.keep_open ? ", then kept open" : "");
  return k;
}

typedef struct exchange {
  int client, app;
  int client_eof, app_eof, app_shut;
  size_t sent; /* input bytes written to nginx */
  size_t pieces;
  bytebuf response; /* what nginx wrote to the client */
} exchange;

/* Reads what is there: into keep (NULL: thrown away), 1 at EOF. */
static int drain(int fd, bytebuf *keep) {
  uint8_t buf[4096];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      if (keep)
        bytebuf_add(keep, buf, (size_t)n);
      continue;
    }
    return n == 0 || (errno != EAGAIN && errno != EINTR);
  }
}

/* The application's next write: one piece of the input. */
static void write_piece(exchange *x, knobs *k, const uint8_t *data,
                        size_t size) {
  size_t n = size - x->sent;
  if (k->max_piece && x->pieces + 1 < MAX_PIECES) {
    size_t cut = 1 + (size_t)(next_random(&k->rng) % k->max_piece);
    n = cut < n ? cut : n;
  }
  ssize_t w = send(x->app, data + x->sent, n, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (w > 0) {
    x->sent += (size_t)w;
    x->pieces++;
  } else if (errno != EAGAIN) {
    x->app_eof = 1; /* nginx closed the connection */
  }
}

/* A new upstream connection from nginx: the application answers it from
 * the start of its reply. */
static void accept_app(exchange *x) {
  int fd = accept4(ngxs_app_listener(), NULL, NULL, SOCK_NONBLOCK);
  if (fd < 0)
    return;
  if (x->app >= 0)
    close(x->app);
  x->app = fd;
  x->app_eof = x->app_shut = 0;
  x->sent = x->pieces = 0;
}

/* One move of the client or the application, or of time; 0 when none is
 * left (nginx will never do anything again). */
static int step(exchange *x, knobs *k, const uint8_t *data, size_t size) {
  accept_app(x);
  x->client_eof = x->client_eof || drain(x->client, &x->response);
  if (x->app >= 0 && !x->app_eof)
    x->app_eof = drain(x->app, NULL);
  int app_open = x->app >= 0 && !x->app_eof && !x->app_shut;
  if (app_open && x->sent < size) {
    size_t before = x->sent;
    write_piece(x, k, data, size);
    if (x->sent != before)
      return 1;
  } else if (app_open && !k->keep_open) {
    shutdown(x->app, SHUT_WR);
    x->app_shut = 1;
    return 1;
  }
  if (ngxs_wait())
    return 1;
  if (app_open && !fz_upstream_strict() && ngxs_readv_stall()) {
    /* nginx ticket #2367 (F150 in docs/findings): nginx waits for the
     * application without a timeout; the application gives up and closes,
     * so that fuzzing goes on past it. */
    shutdown(x->app, SHUT_WR);
    x->app_shut = 1;
    return 1;
  }
  return 0;
}

static void run(exchange *x, knobs *k, const uint8_t *data, size_t size) {
  char request[128];
  int len =
      snprintf(request, sizeof request,
               "%s %s HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n",
               k->head ? "HEAD" : "GET", k->location);
  x->client = ngxs_connect_client();
  FZ_CHECK(x->client >= 0, "cannot connect to nginx: %s", strerror(errno));
  FZ_CHECK(send(x->client, request, (size_t)len, MSG_NOSIGNAL) == len,
           "the request did not fit in the socket: %s", strerror(errno));
  int steps = 0;
  for (;;) {
    FZ_CHECK(ngxs_settle() >= 0, "%s: nginx loops without end", k->scene);
    if (x->client_eof)
      break;
    FZ_CHECK(++steps <= MAX_STEPS,
             "%s: nginx still holds the client after %d steps", k->scene,
             steps);
    if (!step(x, k, data, size)) {
      x->client_eof = drain(x->client, &x->response);
      FZ_CHECK(x->client_eof,
               "%s: nginx holds the client connection with no event or "
               "timer due (%zu of %zu reply bytes sent, application %s)",
               k->scene, x->sent, size,
               x->app < 0    ? "never connected"
               : x->app_eof  ? "closed by nginx"
               : x->app_shut ? "closed"
                             : "open");
    }
  }
  if (x->app >= 0)
    close(x->app);
  close(x->client);
}

/* RFC 9110 tchar: the bytes of a field name. */
static int token_byte(uint8_t b) {
  return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') ||
         (b >= 'A' && b <= 'Z') || (b && strchr("!#$%&'*+-.^_`|~", b));
}

/* nginx copies the application's header block onto the response checked
 * only for CR, LF and NUL (docs/fuzzing.md, "nginx": known findings): the
 * Status value verbatim once its first three bytes are digits (codes below
 * 200 included, F116), field names with bytes outside the token set, and
 * control bytes in field values. The parser would stop at the first of
 * them; masked (a code below 200 read as 9xx, a final status of no meaning
 * of its own; a name byte as 'x'; a control byte, or what follows the code
 * instead of a space, as a space), the rest of the response is still
 * checked. CR, LF and NUL are never masked. */
static void mask_known(bytebuf *r) {
  if (fz_upstream_strict() || r->len < 12 || memcmp(r->p, "HTTP/1.1 ", 9))
    return;
  if (r->p[9] < '2')
    r->p[9] = '9';
  int name = 0; /* in a field name: after a line end, up to its colon */
  for (size_t i = 12; i < r->len; i++) {
    uint8_t b = r->p[i];
    if (b == '\n' && name)
      return; /* the blank line: the head ends */
    if (b == '\n')
      name = 1;
    if (b == '\r' || b == '\n' || !b)
      continue;
    if (i == 12)
      r->p[i] = ' ';
    else if (name && b == ':')
      name = 0;
    else if (name && !token_byte(b))
      r->p[i] = 'x';
    else if (!name && ((b < 0x20 && b != '\t') || b == 0x7f))
      r->p[i] = ' ';
  }
}

/* b as one line of text, for a failure message (the process ends). */
static const char *shown(const bytebuf *b) {
  static bytebuf text;
  bytebuf_escape(&text, b->p, b->len, 600);
  bytebuf_byte(&text, 0);
  return (const char *)text.p;
}

/* The oracle on what the client got: nothing (nginx gave up and closed),
 * or exactly one response. */
static void check_response(const exchange *x, const knobs *k) {
  if (!x->response.len)
    return;
  bytebuf r = {0};
  bytebuf_add(&r, x->response.p, x->response.len);
  mask_known(&r);
  static http_conn c;
  http_conn_init(&c);
  c.head_mask = (unsigned)k->head;
  http_ingest(&c, r.p, r.len);
  http_ingest_eof(&c);
  FZ_CHECK(!c.error[0],
           "%s: the response does not parse: %s; nginx wrote \"%s\"", k->scene,
           c.error, shown(&x->response));
  FZ_CHECK(c.nresp == 1 && c.ninterim == 0,
           "%s: nginx wrote %zu responses and %zu interim ones: \"%s\"",
           k->scene, c.nresp, c.ninterim, shown(&x->response));
  FZ_CHECK(!memcmp(c.resp[0].head.p, "HTTP/1.1 ", 9),
           "%s: the response is not HTTP/1.1: \"%s\"", k->scene,
           shown(&x->response));
  bytebuf_free(&r);
  http_conn_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ngxs_start();
  knobs k = pick_knobs(data, size);
  exchange x = {.client = -1, .app = -1};
  run(&x, &k, data, size);
  const char *left = ngxs_leftover();
  FZ_CHECK(!left, "%s: nginx still holds %s after the exchange", k.scene, left);
  check_response(&x, &k);
  bytebuf_free(&x.response);
  return 0;
}
