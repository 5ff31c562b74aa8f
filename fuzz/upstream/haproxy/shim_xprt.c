/* Stands in for the TCP socket to the FastCGI application: HAProxy's raw
 * socket transport (src/raw_sock.c), conn_subscribe/conn_unsubscribe
 * (src/connection.c) and the poller's wake-up of a subscriber
 * (sock_conn_iocb in src/sock.c).
 *
 * The application's bytes arrive in pieces the harness chooses; what has
 * arrived and was not read yet sits in the "socket". rcv_buf fills the
 * buffer as raw_sock_to_buf does: into the contiguous space at the tail,
 * then, if that was filled exactly and the buffer wraps, into the space at
 * the start; it stops when the socket has nothing more, and reports the
 * application's close as read0 (CO_FL_SOCK_RD_SH) once everything was read,
 * as it does with a poller that reports RDHUP (epoll). A wait_event
 * subscribed for receiving is woken when bytes arrive or the application
 * closes, and one subscribed for sending on the next arrival, the way the
 * fd handler wakes conn->subs. snd_buf takes everything (a socket with
 * room): the request HAProxy sends is not what this harness tests. */
#include <string.h>

#include <haproxy/connection.h>
#include <haproxy/task.h>

#include "shim.h"

static struct {
  struct connection *conn;
  const uint8_t *data;
  size_t arrived, read;
  int closed;
} sock;

void shim_socket_open(struct connection *conn, const uint8_t *data) {
  memset(&sock, 0, sizeof(sock));
  sock.conn = conn;
  sock.data = data;
}

size_t shim_socket_read(void) { return sock.read; }

int shim_socket_alive(void) { return sock.conn != NULL; }

/* conn_free (shim_layers.c) ends the socket. */
void shim_socket_end(void) { sock.conn = NULL; }

static void wake(int events) {
  struct connection *conn = sock.conn;
  if (!conn || !conn->subs || !(conn->subs->events & events))
    return;
  struct wait_event *es = conn->subs;
  tasklet_wakeup(es->tasklet);
  es->events &= ~events;
  if (!es->events)
    conn->subs = NULL;
}

void shim_socket_arrive(size_t n) {
  sock.arrived += n;
  wake(SUB_RETRY_RECV | SUB_RETRY_SEND);
}

void shim_socket_close(void) {
  sock.closed = 1;
  wake(SUB_RETRY_RECV);
}

static size_t rcv_buf(struct connection *conn, void *xprt_ctx,
                      struct buffer *buf, size_t count, int flags) {
  size_t done = 0;
  (void)xprt_ctx;
  (void)flags;
  while (count > 0) {
    size_t try = b_contig_space(buf);
    if (!try)
      break;
    if (try > count)
      try = count;
    size_t avail = sock.arrived - sock.read;
    size_t n = avail < try ? avail : try;
    memcpy(b_tail(buf), sock.data + sock.read, n);
    b_add(buf, n);
    sock.read += n;
    done += n;
    count -= n;
    if (n < try) {
      if (sock.closed && sock.read == sock.arrived)
        conn_sock_read0(conn);
      break;
    }
  }
  return done;
}

static size_t snd_buf(struct connection *conn, void *xprt_ctx,
                      const struct buffer *buf, size_t count, int flags) {
  (void)xprt_ctx;
  (void)buf;
  (void)flags;
  if (conn->flags & CO_FL_SOCK_WR_SH) {
    conn->flags |= CO_FL_ERROR | CO_FL_SOCK_RD_SH;
    return 0;
  }
  return count;
}

static int subscribe(struct connection *conn, void *xprt_ctx, int event_type,
                     struct wait_event *es) {
  (void)xprt_ctx;
  BUG_ON(conn->subs && conn->subs != es);
  es->events |= event_type;
  conn->subs = es;
  return 0;
}

static int unsubscribe(struct connection *conn, void *xprt_ctx, int event_type,
                       struct wait_event *es) {
  (void)xprt_ctx;
  BUG_ON(conn->subs && conn->subs != es);
  es->events &= ~event_type;
  if (!es->events)
    conn->subs = NULL;
  return 0;
}

const struct xprt_ops shim_xprt = {
    .rcv_buf = rcv_buf,
    .snd_buf = snd_buf,
    .subscribe = subscribe,
    .unsubscribe = unsubscribe,
    .name = "SHIM",
};
