#define _POSIX_C_SOURCE 200809L
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"

#define START_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS 10000

/* A test that dies before proc_stop (a ctest timeout kills it) takes its
 * processes with it: they get SIGTERM when it goes. */
static pid_t spawn(char *const argv[], int in_fd, int out_fd, int err_fd) {
  return child_spawn(argv, &(child_opts){{in_fd, out_fd, err_fd}, 1});
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
  /* The child holds no read end: once the line is read, its stdout breaks. */
  if (err_fd < 0 || pipe(out) != 0 || fcntl(out[0], F_SETFD, FD_CLOEXEC)) {
    fprintf(stderr, "proc: cannot set up %s: %s\n", argv[0], strerror(errno));
    return -1;
  }
  p->pid = spawn(argv, stdin_fd, out[1], err_fd);
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

int proc_stop(proc *p) {
  if (p->pid <= 0)
    return -1;
  int rc = child_stop(p->pid, STOP_TIMEOUT_MS);
  p->pid = -1;
  return rc;
}

int proc_run(char *const argv[], const char *out_path) {
  int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int null_fd = open("/dev/null", O_RDONLY);
  pid_t pid = fd < 0 || null_fd < 0 ? -1 : spawn(argv, null_fd, fd, fd);
  if (fd >= 0)
    close(fd);
  if (null_fd >= 0)
    close(null_fd);
  return child_wait(pid, STOP_TIMEOUT_MS);
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
