#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "child.h"
#include "clock.h"

int target_parse(const char *spec, fsp_target *t, char *err, size_t errlen) {
  memset(t, 0, sizeof(*t));
  if (strncmp(spec, "unix:", 5) == 0) {
    const char *path = spec + 5;
    if (!*path || strlen(path) >= sizeof(t->path)) {
      snprintf(err, errlen, "unix socket path is empty or longer than %zu",
               sizeof(t->path) - 1);
      return -1;
    }
    t->is_unix = 1;
    strcpy(t->path, path);
    return 0;
  }
  if (strncmp(spec, "tcp:", 4) == 0) {
    const char *hp = spec + 4, *colon = strrchr(hp, ':');
    if (!colon || colon == hp || !colon[1] ||
        (size_t)(colon - hp) >= sizeof(t->host) ||
        strlen(colon + 1) >= sizeof(t->port)) {
      snprintf(err, errlen, "'%s': expected tcp:HOST:PORT", spec);
      return -1;
    }
    memcpy(t->host, hp, (size_t)(colon - hp));
    strcpy(t->port, colon + 1);
    /* [::1]:9000 */
    size_t hl = strlen(t->host);
    if (t->host[0] == '[' && t->host[hl - 1] == ']') {
      memmove(t->host, t->host + 1, hl - 2);
      t->host[hl - 2] = 0;
    }
    char *end;
    long port = strtol(t->port, &end, 10);
    if (*end || port < 1 || port > 65535) {
      snprintf(err, errlen, "'%s': port must be 1..65535", t->port);
      return -1;
    }
    return 0;
  }
  snprintf(err, errlen, "'%s': a target is tcp:HOST:PORT or unix:PATH", spec);
  return -1;
}

void target_format(const fsp_target *t, char *out, size_t outlen) {
  if (t->is_unix)
    snprintf(out, outlen, "unix:%s", t->path);
  else if (strchr(t->host, ':'))
    snprintf(out, outlen, "tcp:[%s]:%s", t->host, t->port);
  else
    snprintf(out, outlen, "tcp:%s:%s", t->host, t->port);
}

/* Non-blocking connect bounded by the deadline. */
static int connect_addr(const struct sockaddr *sa, socklen_t len, int family,
                        int64_t deadline, char *err, size_t errlen) {
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    snprintf(err, errlen, "socket: %s", strerror(errno));
    return -1;
  }
  if (connect(fd, sa, len) < 0) {
    if (errno != EINPROGRESS) {
      snprintf(err, errlen, "%s", strerror(errno));
      close(fd);
      return -1;
    }
    struct pollfd p = {fd, POLLOUT, 0};
    int64_t left = deadline - now_ms();
    int rc = left > 0 ? poll(&p, 1, (int)left) : 0;
    int soerr = 0;
    socklen_t sl = sizeof(soerr);
    if (rc <= 0) {
      snprintf(err, errlen, "timed out");
      close(fd);
      return -1;
    }
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
    if (soerr) {
      snprintf(err, errlen, "%s", strerror(soerr));
      close(fd);
      return -1;
    }
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  if (family != AF_UNIX) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  return fd;
}

int target_connect(const fsp_target *t, int64_t deadline, char *err,
                   size_t errlen) {
  if (t->is_unix) {
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    strcpy(sun.sun_path, t->path);
    return connect_addr((struct sockaddr *)&sun, sizeof(sun), AF_UNIX, deadline,
                        err, errlen);
  }
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
  int rc = getaddrinfo(t->host, t->port, &hints, &res);
  if (rc) {
    snprintf(err, errlen, "%s: %s", t->host, gai_strerror(rc));
    return -1;
  }
  int fd = -1;
  for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next)
    fd = connect_addr(a->ai_addr, a->ai_addrlen, a->ai_family, deadline, err,
                      errlen);
  freeaddrinfo(res);
  return fd;
}

int unix_path_claim(const char *path, char *err, size_t errlen) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    if (errno == ENOENT)
      return 0;
    snprintf(err, errlen, "'%s': %s", path, strerror(errno));
    return -1;
  }
  if (!S_ISSOCK(st.st_mode)) {
    snprintf(err, errlen, "'%s' exists and is not a socket; not removing it",
             path);
    return -1;
  }
  /* A socket file refuses connections once its server is gone. */
  fsp_target t = {.is_unix = 1};
  snprintf(t.path, sizeof(t.path), "%s", path);
  char cerr[128];
  int fd = target_connect(&t, now_ms() + 500, cerr, sizeof(cerr));
  if (fd >= 0) {
    close(fd);
    snprintf(err, errlen,
             "a server is already listening on '%s'; not removing it", path);
    return -1;
  }
  if (unlink(path) != 0 && errno != ENOENT) {
    snprintf(err, errlen, "cannot remove the stale socket '%s': %s", path,
             strerror(errno));
    return -1;
  }
  return 0;
}

int unix_path_wait_released(const char *path, int64_t deadline) {
  fsp_target t = {.is_unix = 1};
  snprintf(t.path, sizeof(t.path), "%s", path);
  for (;;) {
    char cerr[128];
    int fd = target_connect(&t, deadline, cerr, sizeof(cerr));
    if (fd < 0)
      return 0;
    close(fd);
    if (now_ms() >= deadline)
      return -1;
    sleep_ms(20);
  }
}

/* The group spawn_start made last and spawn_stop has not stopped: what a
 * TERM or INT to the runner stops before the runner goes (a spawned
 * proxy or backend would otherwise outlive it). */
static volatile sig_atomic_t spawned_group;

static void stop_group_and_die(int sig) {
  if (spawned_group > 0)
    kill(-(pid_t)spawned_group, SIGTERM);
  signal(sig, SIG_DFL);
  raise(sig);
}

pid_t spawn_start(const char *cmd) {
  static int handlers;
  if (!handlers++) {
    signal(SIGTERM, stop_group_and_die);
    signal(SIGINT, stop_group_and_die);
  }
  char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL};
  /* What the backend prints is not part of the report on stdout. Not
   * die_with_parent: a restart may run on a worker thread, which ends before
   * the run does; the handlers above stop the group instead. */
  pid_t pid = child_spawn(argv, &(child_opts){.fd = {-1, 2, -1}});
  if (pid > 0)
    spawned_group = pid;
  return pid;
}

int spawn_alive(pid_t pid) { return child_alive(pid); }

int spawn_wait_ready(const fsp_target *t, pid_t pid, int64_t deadline,
                     char *err, size_t errlen) {
  for (;;) {
    if (!spawn_alive(pid)) {
      snprintf(err, errlen, "the process exited before accepting");
      return -1;
    }
    int fd = target_connect(t, now_ms() + 200, err, errlen);
    if (fd >= 0) {
      close(fd);
      return 0;
    }
    if (now_ms() >= deadline) {
      snprintf(err, errlen, "the backend did not accept within the deadline");
      return -1;
    }
    sleep_ms(20);
  }
}

void spawn_stop(pid_t pid) {
  if (pid <= 0)
    return;
  if (spawned_group == pid)
    spawned_group = 0;
  child_stop(pid, 2000);
}
