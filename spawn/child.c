#include "child.h"

#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
  nanosleep(&ts, NULL);
}

pid_t child_fork(const child_opts *o) {
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    if (o->die_with_parent && prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
      _exit(126);
    for (int i = 0; i < 3; i++)
      if (o->fd[i] >= 0 && o->fd[i] != i && dup2(o->fd[i], i) < 0)
        _exit(126);
  } else if (pid > 0) {
    /* Here too, so that a stop right after the fork reaches the group. */
    setpgid(pid, pid);
  }
  return pid;
}

pid_t child_spawn(char *const argv[], const child_opts *o) {
  pid_t pid = child_fork(o);
  if (pid == 0) {
    execv(argv[0], argv);
    _exit(127);
  }
  return pid;
}

int child_alive(pid_t pid) {
  int status;
  return waitpid(pid, &status, WNOHANG) == 0;
}

/* Until deadline, waits for pid to end; then kills the group. */
static int reap(pid_t pid, int64_t deadline) {
  int status = 0, rc = -1;
  pid_t r;
  while ((r = waitpid(pid, &status, WNOHANG)) == 0 && now_ms() < deadline)
    sleep_ms(10);
  if (r == 0) {
    kill(-pid, SIGKILL);
    waitpid(pid, &status, 0);
  } else if (r == pid && WIFEXITED(status)) {
    rc = WEXITSTATUS(status);
  }
  kill(-pid, SIGKILL); /* leftovers of the group, if any */
  return rc;
}

int child_stop(pid_t pid, int grace_ms) {
  if (pid <= 0)
    return -1;
  kill(-pid, SIGTERM);
  return reap(pid, now_ms() + grace_ms);
}

int child_wait(pid_t pid, int ms) {
  return pid <= 0 ? -1 : reap(pid, now_ms() + ms);
}
