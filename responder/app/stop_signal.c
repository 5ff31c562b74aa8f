#define _POSIX_C_SOURCE 200809L
#include "stop_signal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int stop_pipe[2] = {-1, -1};
static volatile sig_atomic_t caught;

static void on_stop_signal(int sig) {
  int saved = errno;
  caught = sig;
  char b = 0;
  /* Non-blocking: a full pipe already holds the wake-up. */
  if (write(stop_pipe[1], &b, 1) < 0) {
  }
  errno = saved;
}

static int set_flags(int fd) {
  int fl = fcntl(fd, F_GETFL);
  return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 ||
                 fcntl(fd, F_SETFD, FD_CLOEXEC) != 0
             ? -1
             : 0;
}

int stop_signal_install(void) {
  if (pipe(stop_pipe) != 0 || set_flags(stop_pipe[0]) != 0 ||
      set_flags(stop_pipe[1]) != 0)
    return -1;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
    return -1;
  sa.sa_handler = SIG_IGN;
  return sigaction(SIGPIPE, &sa, NULL) != 0 ? -1 : stop_pipe[0];
}

int stop_signal_caught(void) { return caught; }
