/* Starting and stopping fcgi-responder processes for the tests, on
 * child.h: every process started here is stopped by its pid, and gets
 * SIGTERM when the test that started it dies. */
#ifndef RESPONDER_TESTS_PROC_H
#define RESPONDER_TESTS_PROC_H

#include <sys/types.h>

typedef struct proc {
  pid_t pid;
  char address[320];  /* from its "listening on ADDRESS" line */
  char log_path[512]; /* its stderr */
} proc;

/* Runs argv (argv[0] is the binary) with stdout on a pipe and stderr in
 * log_path; stdin_fd, if not -1, becomes its fd 0. Waits up to 10 s for
 * the listening line. 0 on success; on failure the process is stopped and
 * the reason printed. */
int proc_start(proc *p, char *const argv[], const char *log_path, int stdin_fd);

/* Sends SIGTERM to its process group and waits up to 10 s (then SIGKILL).
 * Returns the exit status, or -1 if it did not exit by itself or died from
 * a signal. */
int proc_stop(proc *p);

/* Runs argv to completion (killed after 10 s) with stdout and stderr in
 * out_path; returns the exit status or -1. */
int proc_run(char *const argv[], const char *out_path);

/* The whole of a (small) file as a NUL-terminated string; "" when it
 * cannot be read. The result stays valid until the next call. */
const char *proc_slurp(const char *path);

#endif
