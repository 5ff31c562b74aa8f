#define _GNU_SOURCE /* prctl, kill, nanosleep with -std=c11 */

#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POLL_MS 20
#define STOP_GRACE_MS 5000

static interop_server *running; /* what the exit handler stops */

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static void stop_at_exit(void) {
  if (running)
    server_stop(running);
}

static void describe_exit(const interop_server *s, int status) {
  if (WIFEXITED(status))
    fprintf(stderr, "%s (pid %d) exited with status %d\n", s->name, (int)s->pid,
            WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    fprintf(stderr, "%s (pid %d) was killed by signal %d\n", s->name,
            (int)s->pid, WTERMSIG(status));
}

/* In the child: dies with the parent, writes to the log, runs argv. */
static void exec_child(char *const argv[], const char *log_path, pid_t parent) {
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
    _exit(127);
  int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
    _exit(127);
  close(fd);
  execv(argv[0], argv);
  fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
  _exit(127);
}

int server_start(interop_server *s, const char *name, char *const argv[],
                 const char *log_path) {
  static int registered;
  memset(s, 0, sizeof(*s));
  s->name = name;
  if (strlen(log_path) >= sizeof(s->log_path)) {
    fprintf(stderr, "log path too long: %s\n", log_path);
    return -1;
  }
  strcpy(s->log_path, log_path);
  if (!registered && atexit(stop_at_exit) == 0)
    registered = 1;
  pid_t parent = getpid(), pid = fork();
  if (pid < 0) {
    fprintf(stderr, "cannot start %s: fork: %s\n", name, strerror(errno));
    return -1;
  }
  if (pid == 0)
    exec_child(argv, log_path, parent);
  s->pid = pid;
  running = s;
  return 0;
}

int server_running(interop_server *s) {
  int status;
  if (s->pid <= 0)
    return 0;
  if (waitpid(s->pid, &status, WNOHANG) != s->pid)
    return 1;
  describe_exit(s, status);
  s->pid = 0;
  running = NULL;
  return 0;
}

static int try_connect(const char *path) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
    return fd;
  close(fd);
  return -1;
}

int server_connect(interop_server *s, const char *path, int timeout_ms) {
  if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
    fprintf(stderr, "socket path too long for AF_UNIX: %s\n", path);
    return -1;
  }
  for (int waited = 0;; waited += POLL_MS) {
    int fd = try_connect(path), err = errno;
    if (fd >= 0)
      return fd;
    if (!server_running(s)) {
      fprintf(stderr, "%s stopped before accepting connections on %s\n",
              s->name, path);
      return -1;
    }
    if (waited >= timeout_ms) {
      fprintf(stderr,
              "%s (pid %d) did not accept connections on %s within "
              "%d ms (last error: %s)\n",
              s->name, (int)s->pid, path, timeout_ms, strerror(err));
      return -1;
    }
    sleep_ms(POLL_MS);
  }
}

void server_stop(interop_server *s) {
  int status;
  if (s->pid <= 0)
    return;
  kill(s->pid, SIGTERM);
  for (int waited = 0; waited < STOP_GRACE_MS; waited += POLL_MS) {
    if (waitpid(s->pid, &status, WNOHANG) == s->pid)
      goto reaped;
    sleep_ms(POLL_MS);
  }
  fprintf(stderr, "%s (pid %d) ignored SIGTERM for %d ms; killing it\n",
          s->name, (int)s->pid, STOP_GRACE_MS);
  kill(s->pid, SIGKILL);
  waitpid(s->pid, &status, 0);
reaped:
  s->pid = 0;
  if (running == s)
    running = NULL;
}

void server_show_log(const interop_server *s) {
  FILE *f = fopen(s->log_path, "r");
  char line[512];
  fprintf(stderr, "---- log of %s (%s)\n", s->name, s->log_path);
  while (f && fgets(line, sizeof(line), f))
    fputs(line, stderr);
  fprintf(stderr, "---- end of log\n");
  if (f)
    fclose(f);
}
