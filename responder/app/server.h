/* The single-threaded poll() loop of fcgi-responder: accepts connections
 * on a listening socket and runs one fcs_responder per connection. */
#ifndef FCGI_RESPONDER_SERVER_H
#define FCGI_RESPONDER_SERVER_H

#include <stdint.h>

#include "fcs_responder.h"
#include "web_server_addrs.h"

/* Serves until stop_fd becomes readable (the signal handler writes to it).
 * listen_fd and every connection are non-blocking. Connections from peers
 * that allowed does not permit are closed unserved. A connection that
 * sends nothing for idle_ms (0: no limit) while no reply to it is waiting
 * to be sent is closed. Protocol errors, idle closes and connection
 * failures are logged to stderr, one line each. Returns 0, or -1 if the
 * loop itself failed (poll error). */
int server_run(int listen_fd, int stop_fd, const fcs_responder_config *cfg,
               uint32_t idle_ms, const web_server_addrs *allowed);

#endif
