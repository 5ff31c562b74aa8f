/* What the shims give drive_mux.c: the socket under the connection, the
 * scheduler's run loop, the log sink and the process-wide setup. Each
 * shim_*.c says what part of HAProxy it replaces and why that is
 * faithful. */
#ifndef HAP_SHIM_H
#define HAP_SHIM_H

#include <stddef.h>
#include <stdint.h>

#include <haproxy/connection-t.h>
#include <haproxy/fcgi-app-t.h>
#include <haproxy/stconn-t.h>

/* shim_xprt.c: the TCP socket to the application. */
extern const struct xprt_ops shim_xprt;
void shim_socket_open(struct connection *conn, const uint8_t *data);
void shim_socket_arrive(size_t n); /* n more bytes of data have arrived */
void shim_socket_close(void);      /* the application closed */
size_t shim_socket_read(void);     /* bytes the mux has read so far */
int shim_socket_alive(void);       /* conn_free has not been called */
void shim_socket_end(void);        /* conn_free was called */

/* shim_sched.c: runs queued tasklets until none is left, at most budget
 * of them; returns -1 when the budget ran out. */
int shim_run_tasklets(unsigned budget);

/* shim_process.c: process-wide setup (pools, trash, globals) for one
 * tune.bufsize, and where app_log's messages go. */
void shim_process_setup(unsigned bufsize);
typedef void (*shim_log_fn)(void *ctx, const char *msg);
void shim_log_sink(shim_log_fn fn, void *ctx);

/* shim_layers.c: the fcgi-app get_px_fcgi_app finds, and the stream
 * layer's callbacks sc_attach_mux installs. */
void shim_layers_set_app(struct fcgi_app *app);
void shim_layers_set_stream(const struct sc_app_ops *ops,
                            struct task *(*io_cb)(struct task *, void *,
                                                  unsigned int));

#endif
