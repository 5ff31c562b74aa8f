/* Stopping a poll() server on SIGTERM or SIGINT: the handler writes to a
 * pipe whose read end the loop polls. Shared by fcgi-responder and the
 * benchmark's HTTP origin (bench/http_origin). */
#ifndef FCGI_RESPONDER_STOP_SIGNAL_H
#define FCGI_RESPONDER_STOP_SIGNAL_H

/* Installs the handlers for SIGTERM and SIGINT and ignores SIGPIPE (a
 * peer gone is seen on its socket). The pipe's read end, non-blocking,
 * readable once a stop signal arrived; -1 with errno on failure. */
int stop_signal_install(void);

/* The stop signal that arrived, or 0. */
int stop_signal_caught(void);

#endif
