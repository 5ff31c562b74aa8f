/* Stands in for the layers around the mux: the stream connector
 * (src/stconn.c), the connection and server functions the mux calls when
 * it ends (src/connection.c, src/server.c), error snapshots
 * (src/proxy.c) and the fcgi-app lookup of the backend's filter
 * (src/fcgi-app.c).
 *
 * Faithful because: sc_attach_mux does what stconn.c does for a stream's
 * backend connector (gives the connector its I/O tasklet and the stream's
 * app_ops, points the endpoint at the mux stream and the connection, marks
 * it a mux endpoint that is no longer detached); the tasklet and app_ops
 * are the harness's stream layer (drive_mux.c), which calls the mux the way
 * sc_conn_io_cb and process_stream do. sedesc_free and conn_free release
 * what the harness allocated for them, and sockaddr_alloc/sockaddr_free
 * hold an address in its own allocation as connection.c does (from a
 * pool). srv_add_to_idle_list refuses the
 * connection as server.c does when there is no server object (the harness
 * has none), so the mux closes it, and conn_delete_from_tree is then never
 * needed (the connection is never in an idle tree). proxy_capture_error
 * reads the faulty message as the real one does (into an error snapshot
 * for "show errors", which the mux cannot observe) and drops it.
 * get_px_fcgi_app returns the one fcgi-app of the backend, as the real
 * lookup through the backend's fcgi filter configuration does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <haproxy/connection.h>
#include <haproxy/fcgi-app.h>
#include <haproxy/proxy.h>
#include <haproxy/server.h>
#include <haproxy/stconn.h>
#include <haproxy/task.h>

#include "shim.h"

static struct fcgi_app *the_app;
static const struct sc_app_ops *stream_ops;
static struct task *(*stream_io_cb)(struct task *, void *, unsigned int);

void shim_layers_set_app(struct fcgi_app *app) { the_app = app; }

void shim_layers_set_stream(const struct sc_app_ops *ops,
                            struct task *(*io_cb)(struct task *, void *,
                                                  unsigned int)) {
  stream_ops = ops;
  stream_io_cb = io_cb;
}

struct fcgi_app *get_px_fcgi_app(struct proxy *px) {
  (void)px;
  return the_app;
}

int sc_attach_mux(struct stconn *sc, void *sd, void *ctx) {
  struct connection *conn = ctx;
  struct sedesc *sedesc = sc->sedesc;

  if (!sc->wait_event.tasklet) {
    sc->wait_event.tasklet = tasklet_new();
    if (!sc->wait_event.tasklet)
      return -1;
    sc->wait_event.tasklet->process = stream_io_cb;
    sc->wait_event.tasklet->context = sc;
    sc->wait_event.events = 0;
  }
  sc->app_ops = stream_ops;
  sedesc->se = sd;
  sedesc->conn = ctx;
  se_fl_set(sedesc, SE_FL_T_MUX);
  se_fl_clr(sedesc, SE_FL_DETACHED);
  if (!conn->ctx)
    conn->ctx = sc;
  return 0;
}

void sedesc_free(struct sedesc *sedesc) { free(sedesc); }

/* Only the session's connection list (private connections) uses it. */
struct pool_head *pool_head_sess_srv_list;

struct sockaddr_storage *sockaddr_alloc(struct sockaddr_storage **sap,
                                        const struct sockaddr_storage *orig,
                                        socklen_t len) {
  struct sockaddr_storage *sa = malloc(sizeof(*sa));
  if (sa && len)
    memcpy(sa, orig, len);
  return *sap = sa;
}

void sockaddr_free(struct sockaddr_storage **sap) {
  free(*sap);
  *sap = NULL;
}

void conn_free(struct connection *conn) {
  shim_socket_end();
  free(conn);
}

int srv_add_to_idle_list(struct server *srv, struct connection *conn,
                         int is_safe) {
  (void)conn;
  (void)is_safe;
  if (srv) {
    fprintf(stderr, "haproxy shim: the harness has no server objects\n");
    abort();
  }
  return 0;
}

void conn_delete_from_tree(struct eb64_node *node) {
  (void)node;
  fprintf(stderr, "haproxy shim: no connection is in an idle tree\n");
  abort();
}

int conn_ctrl_drain(struct connection *conn) {
  (void)conn;
  fprintf(stderr, "haproxy shim: the connection has no control layer\n");
  abort();
}

void proxy_capture_error(
    struct proxy *proxy, int is_back, struct proxy *other_end,
    enum obj_type *target, const struct session *sess, const struct buffer *buf,
    long buf_ofs, unsigned int buf_out, unsigned int err_pos,
    const union error_snapshot_ctx *ctx,
    void (*show)(struct buffer *, const struct error_snapshot *)) {
  static char snapshot[BUFSIZE];
  size_t len = b_data(buf) - buf_out;
  (void)proxy, (void)is_back, (void)other_end, (void)target, (void)sess;
  (void)buf_ofs, (void)err_pos, (void)ctx, (void)show;
  if (len > sizeof(snapshot))
    len = sizeof(snapshot);
  b_getblk(buf, snapshot, len, buf_out);
}
