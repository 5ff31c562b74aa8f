/* A stand-in backend for the management id (test_view.c): it answers a
 * BEGIN_REQUEST on id 0 and keeps the connection open. */
#ifndef FSP_DIFF_ID0_BACKEND_H
#define FSP_DIFF_ID0_BACKEND_H

#include <sys/types.h>

/* Forks a process (child_fork, so it ends with the test) listening on the
 * Unix socket path: a BEGIN_REQUEST on id 0 gets an UNKNOWN_TYPE naming it
 * (as_end 0, the spec's answer) or an END_REQUEST on id 0 (as_end 1, as
 * Go's net/http/fcgi answers); other records on id 0 are read and left
 * unanswered; a GET_VALUES or any record on another id closes the
 * connection. Returns the pid, or -1. */
pid_t id0_backend_start(const char *path, int as_end);

/* Stops it (child_stop) and removes the socket. */
void id0_backend_stop(pid_t pid, const char *path);

#endif
