/* Where the backend listens (tcp:HOST:PORT or unix:PATH), connecting with a
 * deadline, and starting / stopping a backend process. */
#ifndef FSP_TARGET_H
#define FSP_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct fsp_target {
  int is_unix;
  char host[256];
  char port[16];
  char path[108];
} fsp_target;

/* 0 on success; err names what is wrong with the address. */
int target_parse(const char *spec, fsp_target *t, char *err, size_t errlen);
void target_format(const fsp_target *t, char *out, size_t outlen);

/* Connected, blocking-mode socket with TCP_NODELAY, or -1 with err saying
 * why ("Connection refused", "timed out", ...); callers name the target. */
int target_connect(const fsp_target *t, int64_t deadline, char *err,
                   size_t errlen);

/* Before spawning a backend on a Unix socket path: 0 when the path is free
 * (absent, or a stale socket left by a dead server, which is removed);
 * -1 with err when something else is there (a file, a directory, a socket
 * a live server accepts on), which is never removed. */
int unix_path_claim(const char *path, char *err, size_t errlen);

/* Until deadline, waits for a Unix socket path to stop accepting
 * connections (the processes of a group just stopped may still be going
 * away on a loaded machine). 0 once it refuses or is gone, -1 if a server
 * still accepts at the deadline. */
int unix_path_wait_released(const char *path, int64_t deadline);

/* Starting and stopping go through child.h. */

/* Runs cmd with /bin/sh in its own process group, its stdout joined to
 * stderr; its pid, or -1. A TERM or INT to the runner stops that group
 * (unless spawn_stop did already) before the runner ends by it. */
pid_t spawn_start(const char *cmd);
/* Waits until the target accepts a connection; 0 when it does, -1 when the
 * process exited or the deadline passed (err says which). */
int spawn_wait_ready(const fsp_target *t, pid_t pid, int64_t deadline,
                     char *err, size_t errlen);
/* 1 while the process runs. */
int spawn_alive(pid_t pid);
/* SIGTERM to the process group, SIGKILL after 2 s, then reaps it. */
void spawn_stop(pid_t pid);

#endif
