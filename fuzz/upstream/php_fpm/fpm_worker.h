/* What the harness sees of the php-fpm worker in shim_fpm_main.c: plain C,
 * so that harness.c needs none of PHP's headers. */
#ifndef FPM_WORKER_H
#define FPM_WORKER_H

#include <stddef.h>

/* What the stand-in script writes to STDOUT before the body it read. */
#define FPM_WORKER_HEAD "Content-type: text/html; charset=UTF-8\r\n\r\n"

typedef struct fpm_worker_hooks {
  void *arg;
  /* fcgi_accept_request is about to call fcgi_read_request on the
   * connection fd (fastcgi.c's on_read hook). */
  void (*reading)(void *arg, int fd);
  /* fcgi_accept_request returned a request read from fd. */
  void (*accepted)(void *arg, int fd);
  /* One entry of the request's environment, as fcgi_loadenv lists it. */
  void (*param)(void *arg, const char *name, unsigned name_len,
                const char *value, unsigned value_len);
  /* The body is read up to content_length bytes (a negative one reads
   * to the end of the body), the value php-fpm takes from CONTENT_LENGTH. */
  void (*body_wanted)(void *arg, long content_length);
  /* One piece of body, as fcgi_read gave it. */
  void (*body)(void *arg, const char *bytes, size_t len);
  /* fcgi_finish_request has written the reply and ended the request. */
  void (*finished)(void *arg);
} fpm_worker_hooks;

/* One php-fpm worker: accepts from listen_fd and serves each request until
 * fcgi_accept_request gives up (on a non-blocking listening socket: once
 * the connections waiting there are done). */
void fpm_worker_serve(int listen_fd, const fpm_worker_hooks *hooks);

#endif
