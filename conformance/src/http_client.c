/* The socket side of http_client.h: connecting, writing raw request bytes
 * while reading what the proxy answers meanwhile, and reading with
 * deadlines. The parser is http_parse.c. */
#include "http_client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"

void http_conn_init(http_conn *c) {
  memset(c, 0, sizeof(*c));
  c->fd = -1;
}

int http_connect(http_conn *c, const fsp_target *t, int64_t deadline, char *err,
                 size_t errlen) {
  http_conn_init(c);
  int fd = target_connect(t, deadline, err, errlen);
  if (fd < 0)
    return -1;
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    snprintf(err, errlen, "cannot make the socket non-blocking: %s",
             strerror(errno));
    close(fd);
    return -1;
  }
  c->fd = fd;
  return 0;
}

/* Milliseconds poll() may wait for an absolute deadline. */
static int wait_ms(int64_t deadline) {
  int64_t left = deadline - now_ms();
  return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

/* One read; 1 when bytes or the end of the connection arrived. */
static int read_some(http_conn *c) {
  uint8_t buf[65536];
  ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
  if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
    return 0;
  if (n > 0)
    http_ingest(c, buf, (size_t)n);
  else /* EOF, or ECONNRESET (or any other error: the connection is gone) */
    http_ingest_eof(c);
  return 1;
}

enum { RQ_START = 0, RQ_HEAD, RQ_LENGTH, RQ_UNTIL_EMPTY_LINE };

/* A head line of the current request ended (n of its bytes kept). */
static void request_field(http_req_scan *s, size_t n) {
  static const char cl[] = "content-length:", te[] = "transfer-encoding:";
  if (n >= sizeof(te) - 1 && !strncasecmp((char *)s->text, te, sizeof(te) - 1))
    s->chunked = 1;
  if (n < sizeof(cl) - 1 || strncasecmp((char *)s->text, cl, sizeof(cl) - 1))
    return;
  size_t i = sizeof(cl) - 1;
  while (i < n && (s->text[i] == ' ' || s->text[i] == '\t'))
    i++;
  s->length = 0;
  for (; i < n && s->text[i] >= '0' && s->text[i] <= '9' &&
         s->length < UINT64_MAX / 10 - 9;
       i++)
    s->length = s->length * 10 + (uint64_t)(s->text[i] - '0');
}

static void scan_byte(http_conn *c, uint8_t b) {
  http_req_scan *s = &c->scan;
  if (s->state == RQ_START) {
    if (b == '\r' || b == '\n')
      return;
    c->sent_requests++;
    *s = (http_req_scan){.state = RQ_HEAD, .first_line = 1};
  }
  if (b == '\r')
    return;
  if (b != '\n') {
    if (s->line < sizeof(s->text))
      s->text[s->line] = b;
    size_t n = c->sent_requests - 1;
    if (++s->line == 5 && s->first_line && !memcmp(s->text, "HEAD ", 5) &&
        n < sizeof(c->head_mask) * CHAR_BIT)
      c->head_mask |= 1u << n;
    return;
  }
  if (s->line) {
    if (s->state == RQ_HEAD && !s->first_line)
      request_field(s, s->line < sizeof(s->text) ? s->line : sizeof(s->text));
  } else if (s->state == RQ_UNTIL_EMPTY_LINE) {
    s->state = RQ_START;
  } else if (s->chunked) {
    s->state = RQ_UNTIL_EMPTY_LINE;
  } else {
    s->left = s->length;
    s->state = s->length ? RQ_LENGTH : RQ_START;
  }
  s->line = 0;
  s->first_line = 0;
}

static void scan_requests(http_conn *c, const uint8_t *p, size_t len) {
  for (size_t i = 0; i < len;) {
    if (c->scan.state == RQ_LENGTH) {
      uint64_t n = len - i < c->scan.left ? len - i : c->scan.left;
      c->scan.left -= n;
      i += (size_t)n;
      if (!c->scan.left)
        c->scan.state = RQ_START;
    } else
      scan_byte(c, p[i++]);
  }
}

int http_send(http_conn *c, const uint8_t *p, size_t len, size_t chunk,
              int64_t deadline) {
  size_t at = 0;
  if (chunk == 0)
    chunk = len;
  while (at < len) {
    if (c->fd < 0 || c->write_failed || now_ms() >= deadline)
      return -1;
    /* Reading while writing: a proxy that answers before it has read all
     * (a 400 before the body) and stops reading must not block us. */
    struct pollfd pf = {c->fd, POLLOUT | (c->eof ? 0 : POLLIN), 0};
    if (poll(&pf, 1, wait_ms(deadline)) <= 0)
      continue;
    if (pf.revents & POLLIN)
      read_some(c);
    if (!(pf.revents & (POLLOUT | POLLERR | POLLHUP)))
      continue;
    /* Writes end where the chunk boundaries are, even after a short one. */
    size_t n = chunk - at % chunk;
    if (n > len - at)
      n = len - at;
    ssize_t w = send(c->fd, p + at, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        continue;
      c->write_failed = 1; /* EPIPE, ECONNRESET: the proxy is gone */
      return -1;
    }
    /* Counted before any response to them can be parsed. */
    scan_requests(c, p + at, (size_t)w);
    at += (size_t)w;
  }
  return 0;
}

int http_pump(http_conn *c, int64_t until) {
  while (c->fd >= 0 && !c->eof) {
    struct pollfd pf = {c->fd, POLLIN, 0};
    int timeout = wait_ms(until);
    if (poll(&pf, 1, timeout) > 0 && read_some(c))
      return 1;
    if (timeout == 0)
      return 0;
  }
  return 0;
}

/* The first n final responses are complete (they complete in order). */
static int responses_done(const http_conn *c, size_t n) {
  return n == 0 || (c->nresp >= n && c->resp[n - 1].complete);
}

int http_wait_responses(http_conn *c, size_t n, int64_t until) {
  /* Once parsing has ended, more bytes complete nothing. */
  while (!responses_done(c, n) && c->state >= 0)
    if (!http_pump(c, until))
      break;
  return responses_done(c, n);
}

void http_shutdown(http_conn *c) {
  if (c->fd >= 0)
    shutdown(c->fd, SHUT_WR);
}

void http_close(http_conn *c) {
  if (c->fd >= 0)
    close(c->fd);
  c->fd = -1;
}

void http_conn_free(http_conn *c) {
  bytebuf_free(&c->raw);
  for (size_t i = 0; i < HTTP_MAX_RESPONSES; i++) {
    bytebuf_free(&c->interim[i].head);
    bytebuf_free(&c->interim[i].body);
    bytebuf_free(&c->resp[i].head);
    bytebuf_free(&c->resp[i].body);
  }
}
