/* The FastCGI application under test as a child process: started with its
 * output in a log file, reached over a Unix socket, and stopped by its pid
 * on every path (explicitly, at exit, and by the kernel if this process
 * dies first). */
#ifndef FCS_INTEROP_SERVER_H
#define FCS_INTEROP_SERVER_H

#include <sys/types.h>

typedef struct interop_server {
  const char *name; /* for messages: "libfcgi echo", "php-fpm" */
  pid_t pid;        /* 0 when not running */
  char log_path[256];
} interop_server;

/* Starts argv[0] with stdout and stderr appended to log_path. Returns 0, or
 * -1 after printing why. At most one server runs at a time. */
int server_start(interop_server *s, const char *name, char *const argv[],
                 const char *log_path);

/* Connects to the Unix socket at path, retrying until it accepts or
 * timeout_ms pass. Fails early, saying so, when the server exits. Returns
 * the connected descriptor, or -1 after printing why. */
int server_connect(interop_server *s, const char *path, int timeout_ms);

/* 1 while the process has not exited. */
int server_running(interop_server *s);

/* SIGTERM, up to 5 s for it to exit, then SIGKILL; always reaps it. */
void server_stop(interop_server *s);

/* Prints the server's log to stderr. */
void server_show_log(const interop_server *s);

#endif
