/* The in-process nginx that fuzz/upstream/nginx/harness.c talks to over
 * sockets (shim_worker.c): one nginx cycle built from a configuration of
 * its own, run one event-loop pass at a time on a clock that moves only
 * when nginx is idle. */
#ifndef FCS_NGINX_SHIM_H
#define FCS_NGINX_SHIM_H

#include <stddef.h>

/* The locations of the configuration, one per way nginx can read a
 * FastCGI reply: buffered or not, with fastcgi_keep_conn or not. */
extern const char *const ngxs_locations[];
extern const size_t ngxs_nlocations;

/* Builds the cycle on the first call (a failure is fatal: it says why on
 * stderr and aborts). */
void ngxs_start(void);
/* A new client connection to nginx's listening socket: the harness's end,
 * non-blocking; -1 when socket() or connect() fail. */
int ngxs_connect_client(void);
/* The listening socket nginx's upstream connections arrive at: the
 * harness plays the FastCGI application on it. */
int ngxs_app_listener(void);
/* Lets nginx handle every event that is due now, as its worker loop would,
 * until none is left; how many loop passes had something to do, or -1
 * when events are still due after 100000 (nginx loops). */
int ngxs_settle(void);
/* nginx is idle: moves its clock to the next timer and lets nginx handle
 * what expires. 0 when nginx has no timer (nothing will ever happen). */
int ngxs_wait(void);
/* nginx is idle and holds a connection whose read event says ready with
 * nothing available, no EOF pending and no timer: the mark of nginx
 * ticket #2367 (ngx_readv_chain returns NGX_AGAIN without clearing ready
 * once FIONREAD has counted the socket empty, so the event pipe drops the
 * read timeout; fixed in 1.23.1, not in Debian's 1.22.1). Such a
 * connection waits for the peer's next bytes, forever. */
int ngxs_readv_stall(void);
/* After an exchange: NULL when nginx holds no connection, timer or posted
 * event any more, else what it still holds. Puts the clock back where it
 * was, so that every exchange starts from the same time. */
const char *ngxs_leftover(void);

#endif
