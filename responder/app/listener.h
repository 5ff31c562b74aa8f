/* The listening socket: bound from an address (tcp:HOST:PORT, unix:PATH)
 * or inherited on fd 0 from a launcher (FCGI_LISTENSOCK_FILENO). */
#ifndef FCGI_RESPONDER_LISTENER_H
#define FCGI_RESPONDER_LISTENER_H

#include <stddef.h>
#include <sys/types.h>

#define LISTENER_NAME_MAX 160

typedef struct listener {
  int fd;
  char name[LISTENER_NAME_MAX];      /* tcp:127.0.0.1:9000, unix:/run/x.sock */
  char unix_path[LISTENER_NAME_MAX]; /* to remove at close, or "" */
  dev_t unix_dev; /* identity of the socket file this process made */
  ino_t unix_ino;
} listener;

/* 0 on success; otherwise -1 and a one-line reason in err. Both leave the
 * socket non-blocking. */
int listener_open(listener *l, const char *address, char *err, size_t errlen);
int listener_inherit_fd0(listener *l, char *err, size_t errlen);

/* Removes the Unix socket file this process made, unless another server
 * has replaced it since, then closes the socket. */
void listener_close(listener *l);

#endif
