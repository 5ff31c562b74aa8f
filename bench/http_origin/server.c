/* One poll() loop, as in the reference responder's server
 * (responder/app/server.c): a fixed table of connections, each with a
 * bounded input buffer; a stop pipe and the listening socket first in the
 * poll set; accepting pauses while the table is full. The reply to a GET
 * is a head built per request and the one shared body. */
#define _POSIX_C_SOURCE 200809L
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "http.h"

#define INPUT_BYTES (16 * 1024)
#define HEAD_BYTES 192

typedef struct conn {
  int fd;
  uint8_t in[INPUT_BYTES];
  size_t in_len;
  uint64_t discard;      /* request body bytes still to drop */
  char head[HEAD_BYTES]; /* the reply's head */
  size_t head_len;
  size_t body_len;       /* of the shared body, 0 for HEAD and errors */
  size_t sent;           /* of head_len + body_len */
  uint8_t replying;
  uint8_t close_after;   /* close once the reply has gone */
  uint8_t peer_eof;
} conn;

typedef struct server {
  const origin_config *cfg;
  int listen_fd;
  conn **conns; /* max_conns entries, NULL when free */
  uint32_t nconns;
  uint8_t *body;
  struct pollfd *pfds;
  conn **pconn;
} server;

static void close_conn(server *s, uint32_t i) {
  close(s->conns[i]->fd);
  free(s->conns[i]);
  s->conns[i] = NULL;
  s->nconns--;
}

static void accept_conns(server *s) {
  while (s->nconns < s->cfg->max_conns) {
    int fd = accept(s->listen_fd, NULL, NULL);
    if (fd < 0)
      return; /* EAGAIN, or a connection that went away meanwhile */
    int fl = fcntl(fd, F_GETFL);
    conn *c = calloc(1, sizeof *c);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 || !c) {
      fprintf(stderr, "fcs-http-origin: cannot set up a connection: %s\n",
              c ? strerror(errno) : "out of memory");
      free(c);
      close(fd);
      continue;
    }
    c->fd = fd;
    for (uint32_t i = 0; i < s->cfg->max_conns; i++)
      if (!s->conns[i]) {
        s->conns[i] = c;
        break;
      }
    s->nconns++;
  }
}

static const char *reason(uint16_t status) {
  switch (status) {
  case 200:
    return "OK";
  case 405:
    return "Method Not Allowed";
  case 501:
    return "Not Implemented";
  default:
    return "Bad Request";
  }
}

static void start_reply(server *s, conn *c, const http_request *rq,
                        uint16_t status) {
  int ok = status == 200;
  size_t body = ok ? s->cfg->body_bytes : 0;
  c->close_after = !rq || !rq->keep_alive;
  c->head_len = (size_t)snprintf(
      c->head, sizeof c->head,
      "HTTP/1.1 %u %s\r\nContent-Type: application/octet-stream\r\n"
      "Content-Length: %zu\r\n%s\r\n",
      (unsigned)status, reason(status), body,
      c->close_after ? "Connection: close\r\n"
      : rq->http10   ? "Connection: keep-alive\r\n"
                     : "");
  c->body_len = ok && !rq->head ? body : 0;
  c->sent = 0;
  c->replying = 1;
}

/* Starts the reply to the next complete request in the buffer, if any.
 * Returns -1 when the connection is to be dropped. */
static int next_request(server *s, conn *c) {
  if (c->discard) {
    size_t n = c->in_len < c->discard ? c->in_len : (size_t)c->discard;
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
    c->discard -= n;
    if (c->discard)
      return 0;
  }
  http_request rq;
  switch (http_parse(c->in, c->in_len, &rq)) {
  case HTTP_INCOMPLETE:
    if (c->in_len == INPUT_BYTES) /* a head that does not fit */
      start_reply(s, c, NULL, 431);
    return c->peer_eof && !c->replying ? -1 : 0;
  case HTTP_BAD:
    start_reply(s, c, NULL, 400);
    return 0;
  case HTTP_OK:
    break;
  }
  memmove(c->in, c->in + rq.head_len, c->in_len - rq.head_len);
  c->in_len -= rq.head_len;
  c->discard = rq.body_len;
  start_reply(s, c, &rq, rq.status);
  return 0;
}

static int read_input(conn *c) {
  while (!c->peer_eof && c->in_len < INPUT_BYTES) {
    ssize_t n = read(c->fd, c->in + c->in_len, INPUT_BYTES - c->in_len);
    if (n > 0)
      c->in_len += (size_t)n;
    else if (n == 0)
      c->peer_eof = 1;
    else if (errno == EINTR)
      continue;
    else
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
  }
  return 0;
}

/* Sends what is left of the reply: 1 when all of it went, 0 when the
 * socket is full, -1 when the peer is gone. */
static int send_reply(server *s, conn *c) {
  size_t total = c->head_len + c->body_len;
  while (c->sent < total) {
    struct iovec iov[2];
    int n = 0;
    if (c->sent < c->head_len)
      iov[n++] = (struct iovec){c->head + c->sent, c->head_len - c->sent};
    size_t boff = c->sent > c->head_len ? c->sent - c->head_len : 0;
    if (c->body_len > boff)
      iov[n++] = (struct iovec){s->body + boff, c->body_len - boff};
    struct msghdr msg = {0};
    msg.msg_iov = iov;
    msg.msg_iovlen = (size_t)n;
    ssize_t w = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
    c->sent += (size_t)w;
  }
  c->replying = 0;
  return 1;
}

/* Returns -1 when the connection is to be closed. */
static int service(server *s, conn *c, short revents) {
  if ((revents & (POLLIN | POLLHUP | POLLERR)) && read_input(c) < 0)
    return -1;
  for (;;) {
    if (!c->replying) {
      if (next_request(s, c) < 0)
        return -1;
      if (!c->replying)
        return 0;
    }
    int r = send_reply(s, c);
    if (r <= 0)
      return r;
    if (c->close_after) {
      shutdown(c->fd, SHUT_WR);
      return -1;
    }
    if (read_input(c) < 0)
      return -1;
  }
}

static int loop(server *s, int stop_fd) {
  for (;;) {
    nfds_t n = 0;
    s->pfds[n] = (struct pollfd){stop_fd, POLLIN, 0};
    s->pconn[n++] = NULL;
    int accepting = s->nconns < s->cfg->max_conns;
    if (accepting) {
      s->pfds[n] = (struct pollfd){s->listen_fd, POLLIN, 0};
      s->pconn[n++] = NULL;
    }
    for (uint32_t i = 0; i < s->cfg->max_conns; i++) {
      conn *c = s->conns[i];
      if (!c)
        continue;
      short ev = c->replying ? POLLOUT : 0;
      if (!c->peer_eof && c->in_len < INPUT_BYTES)
        ev |= POLLIN;
      s->pfds[n] = (struct pollfd){c->fd, ev, 0};
      s->pconn[n++] = c;
    }
    if (poll(s->pfds, n, -1) < 0) {
      if (errno == EINTR)
        continue;
      fprintf(stderr, "fcs-http-origin: poll: %s\n", strerror(errno));
      return -1;
    }
    if (s->pfds[0].revents)
      return 0;
    for (nfds_t i = 1; i < n; i++) {
      conn *c = s->pconn[i];
      if (!c || !s->pfds[i].revents)
        continue;
      if (service(s, c, s->pfds[i].revents) < 0)
        for (uint32_t k = 0; k < s->cfg->max_conns; k++)
          if (s->conns[k] == c) {
            close_conn(s, k);
            break;
          }
    }
    if (accepting && s->pfds[1].revents)
      accept_conns(s);
  }
}

int origin_run(int listen_fd, int stop_fd, const origin_config *cfg) {
  server s = {0};
  s.cfg = cfg;
  s.listen_fd = listen_fd;
  s.conns = calloc(cfg->max_conns, sizeof *s.conns);
  s.pfds = calloc((size_t)cfg->max_conns + 2, sizeof *s.pfds);
  s.pconn = calloc((size_t)cfg->max_conns + 2, sizeof *s.pconn);
  s.body = malloc(cfg->body_bytes ? cfg->body_bytes : 1);
  int rc = -1;
  if (!s.conns || !s.pfds || !s.pconn || !s.body) {
    fprintf(stderr, "fcs-http-origin: out of memory\n");
  } else {
    /* The same bytes as fcgi-responder --body-bytes. */
    for (uint32_t i = 0; i < cfg->body_bytes; i++)
      s.body[i] = (uint8_t)('a' + i % 26);
    rc = loop(&s, stop_fd);
    for (uint32_t i = 0; i < cfg->max_conns; i++)
      if (s.conns[i])
        close_conn(&s, i);
  }
  free(s.conns);
  free(s.pfds);
  free(s.pconn);
  free(s.body);
  return rc;
}
