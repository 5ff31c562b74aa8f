#define _POSIX_C_SOURCE 200809L
#include "listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define BACKLOG 128

static int set_nonblocking(int fd) {
  int fl = fcntl(fd, F_GETFL);
  return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* The bound address in the form --listen takes. */
static void describe(int fd, char *name, size_t len) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  socklen_t sl = sizeof ss;
  char host[INET6_ADDRSTRLEN] = "?";
  snprintf(name, len, "fd:%d", fd);
  if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
    return;
  if (ss.ss_family == AF_INET) {
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    snprintf(name, len, "tcp:%s:%u", host, (unsigned)ntohs(in->sin_port));
  } else if (ss.ss_family == AF_INET6) {
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    snprintf(name, len, "tcp:[%s]:%u", host, (unsigned)ntohs(in6->sin6_port));
  } else if (ss.ss_family == AF_UNIX) {
    struct sockaddr_un *un = (struct sockaddr_un *)&ss;
    snprintf(name, len, "unix:%s", un->sun_path);
  }
}

static int open_tcp(listener *l, const char *spec, char *err, size_t errlen) {
  /* HOST:PORT, HOST possibly an IPv6 literal in brackets. */
  char host[LISTENER_NAME_MAX];
  const char *colon = strrchr(spec, ':');
  if (!colon || colon == spec || strlen(spec) >= sizeof host) {
    snprintf(err, errlen, "tcp address '%s' is not HOST:PORT", spec);
    return -1;
  }
  size_t hlen = (size_t)(colon - spec);
  memcpy(host, spec, hlen);
  host[hlen] = '\0';
  if (host[0] == '[' && hlen >= 2 && host[hlen - 1] == ']') {
    memmove(host, host + 1, hlen - 2);
    host[hlen - 2] = '\0';
  }
  const char *port = colon + 1;
  char *end;
  long p = strtol(port, &end, 10);
  if (!*port || *end || p < 0 || p > 65535 || *port < '0' || *port > '9') {
    snprintf(err, errlen, "tcp port '%s' is not a number in 0..65535", port);
    return -1;
  }
  struct addrinfo hints = {0}, *res;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  int rc = getaddrinfo(host, port, &hints, &res);
  if (rc != 0) {
    snprintf(err, errlen, "cannot resolve '%s': %s", host, gai_strerror(rc));
    return -1;
  }
  int fd = socket(res->ai_family, SOCK_STREAM, 0), one = 1;
  if (fd < 0 ||
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(fd, res->ai_addr, res->ai_addrlen) != 0 ||
      listen(fd, BACKLOG) != 0 || set_nonblocking(fd) != 0) {
    snprintf(err, errlen, "cannot listen on tcp:%s: %s", spec, strerror(errno));
    if (fd >= 0)
      close(fd);
    freeaddrinfo(res);
    return -1;
  }
  freeaddrinfo(res);
  l->fd = fd;
  return 0;
}

/* A socket file left by a process that is gone refuses connections; one
 * that accepts them belongs to a live server. */
static int remove_stale_socket(const char *path, const struct sockaddr_un *sa,
                               char *err, size_t errlen) {
  struct stat st;
  if (lstat(path, &st) != 0)
    return errno == ENOENT ? 0 : -1;
  if (!S_ISSOCK(st.st_mode)) {
    snprintf(err, errlen, "'%s' exists and is not a socket", path);
    return -1;
  }
  int probe = socket(AF_UNIX, SOCK_STREAM, 0);
  if (probe < 0)
    return -1;
  int live = connect(probe, (const struct sockaddr *)sa, sizeof *sa) == 0;
  close(probe);
  if (live) {
    snprintf(err, errlen, "'%s' is in use by a running server", path);
    return -1;
  }
  return unlink(path);
}

static int open_unix(listener *l, const char *path, char *err, size_t errlen) {
  struct sockaddr_un sa = {0};
  sa.sun_family = AF_UNIX;
  if (!*path || strlen(path) >= sizeof sa.sun_path ||
      strlen(path) >= sizeof l->unix_path) {
    snprintf(err, errlen, "unix socket path must be 1..%zu bytes",
             sizeof sa.sun_path - 1);
    return -1;
  }
  strcpy(sa.sun_path, path);
  err[0] = '\0';
  if (remove_stale_socket(path, &sa, err, errlen) != 0) {
    if (!err[0])
      snprintf(err, errlen, "cannot replace '%s': %s", path, strerror(errno));
    return -1;
  }
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    snprintf(err, errlen, "cannot bind unix:%s: %s", path, strerror(errno));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  struct stat st;
  if (stat(path, &st) == 0) {
    strcpy(l->unix_path, path);
    l->unix_dev = st.st_dev;
    l->unix_ino = st.st_ino;
  }
  if (listen(fd, BACKLOG) != 0 || set_nonblocking(fd) != 0) {
    snprintf(err, errlen, "cannot listen on unix:%s: %s", path,
             strerror(errno));
    l->fd = fd;
    listener_close(l);
    return -1;
  }
  l->fd = fd;
  return 0;
}

int listener_open(listener *l, const char *address, char *err, size_t errlen) {
  memset(l, 0, sizeof *l);
  l->fd = -1;
  int rc;
  if (strncmp(address, "tcp:", 4) == 0)
    rc = open_tcp(l, address + 4, err, errlen);
  else if (strncmp(address, "unix:", 5) == 0)
    rc = open_unix(l, address + 5, err, errlen);
  else {
    snprintf(err, errlen,
             "address '%s' must start with tcp: (tcp:HOST:PORT) or unix: "
             "(unix:PATH)",
             address);
    rc = -1;
  }
  if (rc == 0)
    describe(l->fd, l->name, sizeof l->name);
  return rc;
}

int listener_inherit_fd0(listener *l, char *err, size_t errlen) {
  memset(l, 0, sizeof *l);
  l->fd = -1;
  struct stat st;
  int accepting = 0;
  socklen_t len = sizeof accepting;
  if (fstat(0, &st) != 0 || !S_ISSOCK(st.st_mode) ||
      getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) != 0 ||
      !accepting) {
    snprintf(err, errlen,
             "no --listen given and fd 0 is not a listening socket "
             "(see --help)");
    return -1;
  }
  if (set_nonblocking(0) != 0) {
    snprintf(err, errlen, "cannot make fd 0 non-blocking: %s", strerror(errno));
    return -1;
  }
  l->fd = 0;
  describe(0, l->name, sizeof l->name);
  return 0;
}

void listener_close(listener *l) {
  /* Unlinked before closing: once the socket is closed, a new server may
   * take the path over, and its file must stay. */
  struct stat st;
  if (l->unix_path[0] && lstat(l->unix_path, &st) == 0 &&
      st.st_dev == l->unix_dev && st.st_ino == l->unix_ino)
    unlink(l->unix_path);
  l->unix_path[0] = '\0';
  if (l->fd >= 0)
    close(l->fd);
  l->fd = -1;
}
