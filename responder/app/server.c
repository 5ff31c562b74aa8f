#define _POSIX_C_SOURCE 200809L
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fcs/proto.h"

#define INPUT_BYTES (64 * 1024)
/* After the last reply: how long, and how much, to read and discard before
 * closing, so unread input does not turn the close into a reset that could
 * destroy the reply in flight. */
#define DRAIN_MS 1000
#define DRAIN_BYTES (1024 * 1024)
/* Pause before accepting again after accept() failed for lack of fds. */
#define ACCEPT_RETRY_MS 100

typedef struct conn {
  int fd;
  uint64_t serial; /* for log lines */
  fcs_responder *rsp;
  uint8_t *in;
  size_t in_len;
  uint8_t peer_eof;
  uint8_t eof_given;   /* fcs_responder_input_eof called */
  uint8_t logged;      /* its protocol error was logged */
  uint8_t draining;    /* write side shut down, reading to discard */
  int64_t last_active; /* when a byte last came in or went out (ms) */
  int64_t drain_deadline;
  size_t drained;
} conn;

typedef struct server {
  const fcs_responder_config *cfg;
  uint32_t idle_ms; /* 0: connections may stay silent for ever */
  const web_server_addrs *allowed;
  fcs_responder_budget budget;
  fcs_responder_config conn_cfg; /* cfg with the shared budget */
  int listen_fd;
  conn *conns; /* cfg->max_conns entries, fd -1 when free */
  uint32_t nconns;
  uint64_t next_serial;
  int64_t accept_after; /* accept paused until then (ms), 0 = not paused */
  struct pollfd *pfds;
  conn **pconn; /* pfds[i] belongs to pconn[i], NULL for the fixed ones */
} server;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_conn(server *s, conn *c) {
  close(c->fd);
  fcs_responder_free(c->rsp);
  free(c->in);
  memset(c, 0, sizeof *c);
  c->fd = -1;
  s->nconns--;
}

static void accept_conns(server *s) {
  while (s->nconns < s->cfg->max_conns) {
    int fd = accept(s->listen_fd, NULL, NULL);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
          errno == ENOMEM) {
        fprintf(stderr, "fcgi-responder: accept: %s (pausing)\n",
                strerror(errno));
        s->accept_after = now_ms() + ACCEPT_RETRY_MS;
      }
      return; /* EAGAIN, or a connection that went away meanwhile */
    }
    char who[64];
    if (!web_server_addrs_permit(s->allowed, fd, who, sizeof who)) {
      fprintf(stderr,
              "fcgi-responder: closed a connection from %s: not listed in "
              "FCGI_WEB_SERVER_ADDRS\n",
              who);
      close(fd);
      continue;
    }
    conn *c = NULL;
    for (uint32_t i = 0; i < s->cfg->max_conns && !c; i++)
      if (s->conns[i].fd < 0)
        c = &s->conns[i];
    int fl = fcntl(fd, F_GETFL);
    c->rsp = fcs_responder_new(&s->conn_cfg);
    c->in = malloc(INPUT_BYTES);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 || !c->rsp ||
        !c->in) {
      fprintf(stderr, "fcgi-responder: cannot set up a connection: %s\n",
              c->rsp && c->in ? strerror(errno) : "out of memory");
      fcs_responder_free(c->rsp);
      free(c->in);
      memset(c, 0, sizeof *c);
      c->fd = -1;
      close(fd);
      continue;
    }
    c->fd = fd;
    c->serial = ++s->next_serial;
    c->last_active = now_ms();
    s->nconns++;
  }
}

static void log_protocol_error(conn *c) {
  const fcs_error *e = fcs_responder_error(c->rsp);
  if (!e || c->logged)
    return;
  c->logged = 1;
  fprintf(stderr,
          "fcgi-responder: connection %" PRIu64 ": protocol error %s at "
          "offset %" PRIu64 ", record %" PRIu64
          " (request id %u, type %u %s): %s\n",
          c->serial, fcs_err_name(e->code), e->offset, e->record,
          (unsigned)e->request_id, (unsigned)e->type, fcs_type_name(e->type),
          fcs_err_message(e->code));
}

/* Sends what the responder has; returns bytes sent, or -1 when the peer
 * is gone. */
static ssize_t flush_output(conn *c) {
  ssize_t total = 0;
  for (;;) {
    const uint8_t *data;
    size_t len;
    fcs_responder_output(c->rsp, &data, &len);
    if (len == 0)
      return total;
    ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? total : -1;
    }
    fcs_responder_output_consumed(c->rsp, (size_t)n);
    c->last_active = now_ms();
    total += n;
  }
}

/* Reads what is available into the input buffer; -1 on a reset. */
static int read_input(conn *c) {
  while (!c->peer_eof && c->in_len < INPUT_BYTES) {
    ssize_t n = read(c->fd, c->in + c->in_len, INPUT_BYTES - c->in_len);
    if (n > 0) {
      c->in_len += (size_t)n;
      c->last_active = now_ms();
    } else if (n == 0) {
      c->peer_eof = 1;
    } else if (errno == EINTR) {
      continue;
    } else {
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
  }
  return 0;
}

/* Moves bytes between the buffers and the responder until neither side
 * can go on. Returns -1 when the connection is to be dropped. */
static int exchange(conn *c) {
  for (;;) {
    /* Offered even when empty: a reply finished by the last flush may let
     * the responder read events that need no more bytes. */
    size_t used = fcs_responder_input(c->rsp, c->in, c->in_len);
    memmove(c->in, c->in + used, c->in_len - used);
    c->in_len -= used;
    if (c->peer_eof && c->in_len == 0 && !c->eof_given) {
      fcs_responder_input_eof(c->rsp);
      c->eof_given = 1;
    }
    log_protocol_error(c);
    ssize_t sent = flush_output(c);
    if (sent < 0)
      return -1;
    if (used == 0 && sent == 0)
      return 0;
  }
}

static void start_drain(conn *c) {
  shutdown(c->fd, SHUT_WR);
  c->draining = 1;
  c->drain_deadline = now_ms() + DRAIN_MS;
  c->in_len = 0;
}

/* Discards input until EOF, the deadline or the byte cap. */
static int drain(conn *c) {
  for (;;) {
    ssize_t n = read(c->fd, c->in, INPUT_BYTES);
    if (n > 0) {
      c->drained += (size_t)n;
      if (c->drained > DRAIN_BYTES)
        return -1;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    }
  }
}

static void service(server *s, conn *c, short revents) {
  if (c->draining) {
    if (drain(c) < 0 || now_ms() >= c->drain_deadline)
      close_conn(s, c);
    return;
  }
  if ((revents & (POLLIN | POLLHUP | POLLERR)) && read_input(c) < 0) {
    close_conn(s, c);
    return;
  }
  if (exchange(c) < 0) {
    close_conn(s, c);
    return;
  }
  const uint8_t *data;
  size_t pending;
  fcs_responder_output(c->rsp, &data, &pending);
  if (fcs_responder_should_close(c->rsp) && pending == 0) {
    if (c->peer_eof)
      close_conn(s, c);
    else
      start_drain(c);
  }
}

static size_t output_pending(const conn *c) {
  const uint8_t *data;
  size_t pending;
  fcs_responder_output(c->rsp, &data, &pending);
  return pending;
}

static short wanted_events(const conn *c) {
  if (c->draining)
    return POLLIN;
  short ev = 0;
  if (!c->peer_eof && c->in_len < INPUT_BYTES)
    ev |= POLLIN;
  if (output_pending(c))
    ev |= POLLOUT;
  return ev;
}

/* When c is to be closed for silence, or 0 when it is not: the idle clock
 * stops while a reply is waiting for the peer to read it. */
static int64_t idle_deadline(const server *s, const conn *c) {
  if (!s->idle_ms || c->draining || output_pending(c))
    return 0;
  return c->last_active + s->idle_ms;
}

/* Closes the connections silent past the idle timeout. Every reply has
 * left and nothing came in for the whole timeout, so there is nothing for
 * a drain to protect: half-close, then close at once, which also frees the
 * slot for a client waiting in the backlog. */
static void close_idle(server *s) {
  int64_t now = now_ms();
  for (uint32_t i = 0; i < s->cfg->max_conns; i++) {
    conn *c = &s->conns[i];
    int64_t deadline = c->fd >= 0 ? idle_deadline(s, c) : 0;
    if (!deadline || now < deadline)
      continue;
    fprintf(stderr,
            "fcgi-responder: connection %" PRIu64 ": closed after %" PRIu32
            " ms without input\n",
            c->serial, s->idle_ms);
    shutdown(c->fd, SHUT_WR);
    close_conn(s, c);
  }
}

/* poll timeout: the nearest drain or idle deadline or accept retry, or
 * none. */
static int poll_timeout(const server *s) {
  int64_t next = s->accept_after, now = now_ms();
  for (uint32_t i = 0; i < s->cfg->max_conns; i++) {
    const conn *c = &s->conns[i];
    if (c->fd < 0)
      continue;
    int64_t deadline = c->draining ? c->drain_deadline : idle_deadline(s, c);
    if (deadline && (!next || deadline < next))
      next = deadline;
  }
  if (!next)
    return -1;
  return next <= now ? 0 : (int)(next - now);
}

static int loop(server *s, int stop_fd) {
  for (;;) {
    nfds_t n = 0;
    s->pfds[n] = (struct pollfd){stop_fd, POLLIN, 0};
    s->pconn[n++] = NULL;
    if (s->accept_after && now_ms() >= s->accept_after)
      s->accept_after = 0;
    int accepting = s->nconns < s->cfg->max_conns && !s->accept_after;
    if (accepting) {
      s->pfds[n] = (struct pollfd){s->listen_fd, POLLIN, 0};
      s->pconn[n++] = NULL;
    }
    for (uint32_t i = 0; i < s->cfg->max_conns; i++) {
      conn *c = &s->conns[i];
      if (c->fd < 0)
        continue;
      s->pfds[n] = (struct pollfd){c->fd, wanted_events(c), 0};
      s->pconn[n++] = c;
    }
    if (poll(s->pfds, n, poll_timeout(s)) < 0) {
      if (errno == EINTR)
        continue;
      fprintf(stderr, "fcgi-responder: poll: %s\n", strerror(errno));
      return -1;
    }
    if (s->pfds[0].revents)
      return 0;
    for (nfds_t i = 1; i < n; i++) {
      conn *c = s->pconn[i];
      if (!c)
        continue;
      if (s->pfds[i].revents || c->draining)
        service(s, c, s->pfds[i].revents);
    }
    close_idle(s);
    if (accepting && s->pfds[1].revents)
      accept_conns(s);
  }
}

int server_run(int listen_fd, int stop_fd, const fcs_responder_config *cfg,
               uint32_t idle_ms, const web_server_addrs *allowed) {
  server s = {0};
  s.cfg = cfg;
  s.idle_ms = idle_ms;
  s.allowed = allowed;
  s.conn_cfg = *cfg;
  s.conn_cfg.budget = &s.budget;
  s.listen_fd = listen_fd;
  s.conns = calloc(cfg->max_conns, sizeof *s.conns);
  s.pfds = calloc((size_t)cfg->max_conns + 2, sizeof *s.pfds);
  s.pconn = calloc((size_t)cfg->max_conns + 2, sizeof *s.pconn);
  int rc = -1;
  if (!s.conns || !s.pfds || !s.pconn) {
    fprintf(stderr, "fcgi-responder: out of memory\n");
  } else {
    for (uint32_t i = 0; i < cfg->max_conns; i++)
      s.conns[i].fd = -1;
    rc = loop(&s, stop_fd);
    for (uint32_t i = 0; s.conns && i < cfg->max_conns; i++)
      if (s.conns[i].fd >= 0)
        close_conn(&s, &s.conns[i]);
  }
  free(s.conns);
  free(s.pfds);
  free(s.pconn);
  return rc;
}
