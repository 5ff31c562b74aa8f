/* The poll() loop of fcs-http-origin: HTTP/1.1 keep-alive connections,
 * each request answered with the same fixed body. */
#ifndef FCS_HTTP_ORIGIN_SERVER_H
#define FCS_HTTP_ORIGIN_SERVER_H

#include <stdint.h>

typedef struct origin_config {
  uint32_t max_conns;  /* connections served at once; more wait in the
                          listen backlog */
  uint32_t body_bytes; /* the body of every 200 reply */
} origin_config;

/* Serves listen_fd (non-blocking) until stop_fd becomes readable: 0, or -1
 * when poll fails or memory runs out (one line on stderr). */
int origin_run(int listen_fd, int stop_fd, const origin_config *cfg);

#endif
