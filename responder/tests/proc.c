#define _POSIX_C_SOURCE 200809L
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS 10000

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
  nanosleep(&ts, NULL);
}

/* The child's side: fds in place, then exec. Never returns. A test that
 * dies before proc_stop (a ctest timeout kills it) takes its processes
 * with it: they get SIGTERM when it goes. */
static void exec_child(char *const argv[], int out_fd, int err_fd,
                       int stdin_fd) {
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
    _exit(126);
  if (stdin_fd >= 0 && dup2(stdin_fd, 0) < 0)
    _exit(126);
  if (dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
    _exit(126);
  execv(argv[0], argv);
  _exit(127);
}

/* Reads one line from fd within timeout_ms; 0 on success. */
static int read_line(int fd, char *line, size_t cap, int timeout_ms) {
  size_t len = 0;
  while (len + 1 < cap) {
    struct pollfd pfd = {fd, POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms) <= 0)
      return -1;
    ssize_t n = read(fd, line + len, 1);
    if (n <= 0)
      return -1;
    if (line[len] == '\n') {
      line[len] = '\0';
      return 0;
    }
    len++;
  }
  return -1;
}

int proc_start(proc *p, char *const argv[], const char *log_path,
               int stdin_fd) {
  memset(p, 0, sizeof *p);
  p->pid = -1;
  snprintf(p->log_path, sizeof p->log_path, "%s", log_path);
  int out[2];
  int err_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (err_fd < 0 || pipe(out) != 0) {
    fprintf(stderr, "proc: cannot set up %s: %s\n", argv[0], strerror(errno));
    return -1;
  }
  p->pid = fork();
  if (p->pid == 0) {
    close(out[0]);
    exec_child(argv, out[1], err_fd, stdin_fd);
  }
  close(out[1]);
  close(err_fd);
  if (p->pid < 0) {
    close(out[0]);
    return -1;
  }
  char line[300];
  int rc = read_line(out[0], line, sizeof line, START_TIMEOUT_MS);
  close(out[0]);
  static const char prefix[] = "listening on ";
  if (rc != 0 || strncmp(line, prefix, sizeof prefix - 1) != 0) {
    fprintf(stderr, "proc: %s did not report listening; its stderr:\n%s\n",
            argv[0], proc_slurp(log_path));
    proc_stop(p);
    return -1;
  }
  snprintf(p->address, sizeof p->address, "%s", line + sizeof prefix - 1);
  return 0;
}

static int wait_exit(pid_t pid, int timeout_ms, int *status) {
  for (int waited = 0; waited <= timeout_ms; waited += 10) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid)
      return 0;
    if (r < 0)
      return -1;
    sleep_ms(10);
  }
  return -1;
}

int proc_stop(proc *p) {
  if (p->pid <= 0)
    return -1;
  int status = 0, rc = -1;
  kill(p->pid, SIGTERM);
  if (wait_exit(p->pid, STOP_TIMEOUT_MS, &status) == 0) {
    if (WIFEXITED(status))
      rc = WEXITSTATUS(status);
  } else {
    kill(p->pid, SIGKILL);
    waitpid(p->pid, &status, 0);
  }
  p->pid = -1;
  return rc;
}

int proc_run(char *const argv[], const char *out_path) {
  int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int null_fd = open("/dev/null", O_RDONLY);
  if (fd < 0 || null_fd < 0)
    return -1;
  pid_t pid = fork();
  if (pid == 0)
    exec_child(argv, fd, fd, null_fd);
  close(fd);
  close(null_fd);
  int status;
  if (pid < 0 || wait_exit(pid, STOP_TIMEOUT_MS, &status) != 0) {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const char *proc_slurp(const char *path) {
  static char buf[65536];
  buf[0] = '\0';
  FILE *f = fopen(path, "r");
  if (!f)
    return buf;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}
