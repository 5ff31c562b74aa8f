/* Replaces: the kernel's connect() to the FastCGI application's listening
 * unix socket, and the application's accept().
 *
 * mod_fastcgi reaches the application through gw_backend.c: a
 * non-blocking AF_UNIX stream socket from fdevent_socket_nb_cloexec(), then
 * connect() to the configured path (gw_establish_connection). For a unix
 * socket whose application has room in its backlog, the kernel completes
 * that connect at once and returns 0. This connect() does the same for
 * the one path the harness configures (LTS_APP_SOCKET): it makes a
 * connected socketpair, puts one end under lighttpd's descriptor number
 * (dup2, with the socket's O_NONBLOCK and close-on-exec flags kept) and
 * keeps the other as the application's accepted connection. What lighttpd
 * can observe afterwards — a connected AF_UNIX stream socket, its reads,
 * writes, FIONREAD, EOF and epoll readiness — is the kernel's own. Every
 * other connect() goes to the system call unchanged. */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "shim_connect.h"

static int accepted = -1;

int lts_app_accept(void) {
  int fd = accepted;
  accepted = -1;
  return fd;
}

static int is_app_socket(const struct sockaddr *addr, socklen_t len) {
  const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
  size_t path = offsetof(struct sockaddr_un, sun_path);
  size_t n = strlen(LTS_APP_SOCKET);
  return addr && addr->sa_family == AF_UNIX && len >= path + n &&
         memcmp(un->sun_path, LTS_APP_SOCKET, n) == 0 &&
         (len == path + n || un->sun_path[n] == '\0');
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
  if (!is_app_socket(addr, len) || accepted >= 0)
    return (int)syscall(SYS_connect, fd, addr, len);
  int status = fcntl(fd, F_GETFL);
  int fdflags = fcntl(fd, F_GETFD);
  int sv[2];
  if (status < 0 || fdflags < 0 ||
      socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return -1;
  if (dup2(sv[0], fd) < 0) {
    int err = errno;
    close(sv[0]);
    close(sv[1]);
    errno = err;
    return -1;
  }
  close(sv[0]);
  fcntl(fd, F_SETFL, status);
  fcntl(fd, F_SETFD, fdflags);
  fcntl(sv[1], F_SETFL, O_NONBLOCK);
  accepted = sv[1];
  return 0;
}
