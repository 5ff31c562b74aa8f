#include "recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "rec_session.h"
#include "xalloc.h"

#define BACKLOG 128
#define READ_CHUNK 65536

/* An open connection: its socket and what its bytes mean. */
typedef struct live {
  int fd; /* -1 once closed */
  rec_session s;
} live;

struct fsp_recorder {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pthread_t thread;
  int running; /* the thread was started */
  int listen_fd;
  int wake[2]; /* a byte on wake[1] stops the thread */
  char unix_path[sizeof(((fsp_target *)0)->path)]; /* created by us, or "" */
  rec_store store;
  live **live;
  size_t nlive;
  struct pollfd *pfd;
  uint8_t rbuf[READ_CHUNK];
};

static void changed(fsp_recorder *r) {
  r->store.st.events++;
  pthread_cond_broadcast(&r->cv);
}

/* ---- connections --------------------------------------------------------- */

static void open_conn(fsp_recorder *r, int fd) {
  live *l = xcalloc(1, sizeof *l);
  l->fd = fd;
  rec_session_open(&r->store, &l->s);
  r->live = xrealloc(r->live, (r->nlive + 1) * sizeof *r->live);
  r->live[r->nlive++] = l;
  changed(r);
}

static void free_live(live *l) {
  if (l->fd >= 0)
    close(l->fd);
  rec_session_free(&l->s);
  free(l);
}

static void close_conn(fsp_recorder *r, live *l, int by_us) {
  rec_session_closed(&r->store, &l->s, by_us);
  close(l->fd);
  l->fd = -1;
  changed(r);
}

/* Writes what the socket takes; a peer that is gone loses the rest. */
static void flush(live *l) {
  rec_session *s = &l->s;
  while (s->out_at < s->out.len) {
    ssize_t w = send(l->fd, s->out.p + s->out_at, s->out.len - s->out_at,
                     MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
      s->out_at = s->out.len;
    if (w <= 0)
      break;
    s->out_at += (size_t)w;
  }
  if (s->out_at == s->out.len)
    s->out.len = s->out_at = 0;
}

static void read_conn(fsp_recorder *r, live *l) {
  ssize_t n = read(l->fd, r->rbuf, sizeof r->rbuf);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return;
  if (n > 0) {
    rec_session_feed(&r->store, &l->s, r->rbuf, (size_t)n);
    changed(r);
    return;
  }
  rec_session_eof(&r->store, &l->s);
  if (l->s.nplays) { /* a half-close: the scripted reply still plays */
    l->s.read_done = 1;
    return;
  }
  flush(l);
  close_conn(r, l, 0);
}

/* Non-blocking, and not inherited by programs the runner starts. */
static int own_fd(int fd) {
  if (fd < 0)
    return -1;
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 ||
      fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static void accept_all(fsp_recorder *r) {
  for (;;) {
    int fd = accept(r->listen_fd, NULL, NULL);
    if (fd < 0)
      return;
    if (own_fd(fd) >= 0)
      open_conn(r, fd);
  }
}

/* ---- the thread ---------------------------------------------------------- */

/* A byte on wake[1]: 0 stops the thread, 1 says the scripts changed. */
static void poke(fsp_recorder *r, char what) {
  ssize_t w;
  do
    w = write(r->wake[1], &what, 1);
  while (w < 0 && errno == EINTR);
}

static int woken_to_stop(fsp_recorder *r) {
  char b[64];
  ssize_t n = read(r->wake[0], b, sizeof b);
  return n <= 0 || memchr(b, 0, (size_t)n) != NULL;
}

/* Until the first scripted reply that waits falls due (-1: none). */
static int poll_timeout(const fsp_recorder *r) {
  int64_t due = 0;
  for (size_t i = 0; i < r->nlive; i++) {
    int64_t d = rec_play_due(&r->live[i]->s);
    if (d && (!due || d < due))
      due = d;
  }
  if (!due)
    return -1;
  int64_t left = due - now_ms();
  return left < 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

static size_t poll_set(fsp_recorder *r) {
  r->pfd = xrealloc(r->pfd, (r->nlive + 2) * sizeof *r->pfd);
  r->pfd[0] = (struct pollfd){r->wake[0], POLLIN, 0};
  r->pfd[1] = (struct pollfd){r->listen_fd, POLLIN, 0};
  for (size_t i = 0; i < r->nlive; i++) {
    const live *l = r->live[i];
    short want = (short)((l->s.closing || l->s.read_done ? 0 : POLLIN) |
                         (l->s.out_at < l->s.out.len ? POLLOUT : 0));
    r->pfd[i + 2] = (struct pollfd){l->fd, want, 0};
  }
  return r->nlive + 2;
}

static void serve(fsp_recorder *r, live *l, short revents) {
  if (revents & (POLLOUT | POLLERR | POLLHUP))
    flush(l);
  if (!l->s.closing && !l->s.read_done &&
      (revents & (POLLIN | POLLERR | POLLHUP)))
    read_conn(r, l);
  if (l->fd >= 0 && rec_play_tick(&l->s, now_ms()))
    changed(r);
  if (l->fd >= 0) {
    flush(l);
    /* Half-closed: done once the plays are, or when the peer is gone. */
    if (l->s.read_done && (!l->s.nplays || (revents & (POLLERR | POLLHUP))))
      l->s.closing = 1;
    if (l->s.closing && l->s.out.len == 0)
      close_conn(r, l, !l->s.read_done);
  }
}

static void *run(void *arg) {
  fsp_recorder *r = arg;
  for (;;) {
    pthread_mutex_lock(&r->mu);
    size_t n = poll_set(r);
    int timeout = poll_timeout(r);
    pthread_mutex_unlock(&r->mu);
    if (poll(r->pfd, n, timeout) < 0 && errno != EINTR)
      break;
    if (r->pfd[0].revents && woken_to_stop(r))
      break;
    pthread_mutex_lock(&r->mu);
    if (r->pfd[1].revents)
      accept_all(r);
    /* Connections accepted just now have no entry in pfd yet; every one
     * is served when a scripted reply may be due or the scripts changed. */
    for (size_t i = 0; i + 2 < n; i++)
      if (r->pfd[i + 2].revents || timeout >= 0 || r->pfd[0].revents)
        serve(r, r->live[i], r->pfd[i + 2].revents);
    size_t kept = 0;
    for (size_t i = 0; i < r->nlive; i++) {
      if (r->live[i]->fd >= 0)
        r->live[kept++] = r->live[i];
      else
        free_live(r->live[i]);
    }
    r->nlive = kept;
    pthread_mutex_unlock(&r->mu);
  }
  return NULL;
}

/* ---- start and stop ------------------------------------------------------ */

static int listen_unix(fsp_recorder *r, const char *path, char *err,
                       size_t errlen) {
  if (unix_path_claim(path, err, errlen))
    return -1;
  int fd = own_fd(socket(AF_UNIX, SOCK_STREAM, 0));
  struct sockaddr_un sun = {.sun_family = AF_UNIX};
  snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
  if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
    snprintf(err, errlen, "%s", strerror(errno));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  snprintf(r->unix_path, sizeof r->unix_path, "%s", path);
  if (listen(fd, BACKLOG) != 0) {
    snprintf(err, errlen, "%s", strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

static int listen_tcp(const fsp_target *t, char *err, size_t errlen) {
  struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
                           .ai_socktype = SOCK_STREAM},
                  *res = NULL;
  int rc = getaddrinfo(t->host, t->port, &hints, &res);
  if (rc) {
    snprintf(err, errlen, "%s", gai_strerror(rc));
    return -1;
  }
  int fd = -1, one = 1;
  for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
    fd = own_fd(socket(a->ai_family, SOCK_STREAM, 0));
    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, BACKLOG) != 0) {
      snprintf(err, errlen, "%s", strerror(errno));
      if (fd >= 0)
        close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  return fd;
}

fsp_recorder *recorder_start(const fsp_target *addr, char *err, size_t errlen) {
  fsp_recorder *r = xcalloc(1, sizeof *r);
  r->wake[0] = r->wake[1] = -1;
  pthread_mutex_init(&r->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&r->cv, &ca);
  pthread_condattr_destroy(&ca);
  char where[400], why[256];
  target_format(addr, where, sizeof where);
  r->listen_fd = addr->is_unix ? listen_unix(r, addr->path, why, sizeof why)
                               : listen_tcp(addr, why, sizeof why);
  if (r->listen_fd < 0) {
    snprintf(err, errlen, "cannot listen on %s: %s", where, why);
    recorder_stop(r);
    return NULL;
  }
  int rc = pipe(r->wake) != 0 ? errno : 0;
  if (!rc) {
    fcntl(r->wake[0], F_SETFD, FD_CLOEXEC);
    fcntl(r->wake[1], F_SETFD, FD_CLOEXEC);
    rc = pthread_create(&r->thread, NULL, run, r);
  }
  if (rc) {
    snprintf(err, errlen, "cannot start the recorder on %s: %s", where,
             strerror(rc));
    recorder_stop(r);
    return NULL;
  }
  r->running = 1;
  return r;
}

/* Also undoes a start that failed part way. */
void recorder_stop(fsp_recorder *r) {
  if (!r)
    return;
  if (r->running) {
    poke(r, 0);
    pthread_join(r->thread, NULL);
  }
  pthread_mutex_destroy(&r->mu);
  pthread_cond_destroy(&r->cv);
  for (int i = 0; i < 2; i++)
    if (r->wake[i] >= 0)
      close(r->wake[i]);
  for (size_t i = 0; i < r->nlive; i++)
    free_live(r->live[i]);
  free(r->live);
  free(r->pfd);
  if (r->listen_fd >= 0)
    close(r->listen_fd);
  if (r->unix_path[0])
    unlink(r->unix_path);
  rec_store_free(&r->store);
  free(r);
}

/* ---- the runner's side --------------------------------------------------- */

const rec_state *recorder_lock(fsp_recorder *r) {
  pthread_mutex_lock(&r->mu);
  return &r->store.st;
}

void recorder_unlock(fsp_recorder *r) { pthread_mutex_unlock(&r->mu); }

uint64_t recorder_wait(fsp_recorder *r, uint64_t since, int64_t until) {
  struct timespec ts = {(time_t)(until / 1000),
                        (long)(until % 1000) * 1000000L};
  pthread_mutex_lock(&r->mu);
  while (r->store.st.events == since && now_ms() < until)
    pthread_cond_timedwait(&r->cv, &r->mu, &ts);
  uint64_t now = r->store.st.events;
  pthread_mutex_unlock(&r->mu);
  return now;
}

void recorder_script(fsp_recorder *r, const char *marker,
                     const struct fsp_step *steps, size_t n) {
  pthread_mutex_lock(&r->mu);
  rec_store_add_script(&r->store, marker, steps, n);
  pthread_mutex_unlock(&r->mu);
}

void recorder_scripts_clear(fsp_recorder *r) {
  pthread_mutex_lock(&r->mu);
  r->store.nscripts = 0;
  for (size_t i = 0; i < r->nlive; i++)
    if (r->live[i]->s.played) {
      r->live[i]->s.nplays = 0;
      r->live[i]->s.closing = 1;
    }
  pthread_mutex_unlock(&r->mu);
  poke(r, 1);
}

static fcs_nv_pair as_pair(const rec_param *p) {
  return (fcs_nv_pair){p->name.p, (uint32_t)p->name.len, p->value.p,
                       (uint32_t)p->value.len};
}

const bytebuf *rec_param_value(const rec_request *q, const char *name) {
  for (size_t i = 0; i < q->nparams; i++) {
    fcs_nv_pair p = as_pair(&q->params[i]);
    if (fcs_nv_name_is(&p, name))
      return &q->params[i].value;
  }
  return NULL;
}

size_t rec_param_count(const rec_request *q, const char *name) {
  size_t n = 0;
  for (size_t i = 0; i < q->nparams; i++) {
    fcs_nv_pair p = as_pair(&q->params[i]);
    n += (size_t)fcs_nv_name_is(&p, name);
  }
  return n;
}
