/* Replaces h2o's HTTP/1 connection (lib/http1.c) and the client behind it.
 *
 * Faithful because fastcgi.c sees the connection only through what this
 * shim gives it the same way http1.c does:
 * - the request: http1.c initialises it with h2o_init_request, points its
 *   output at the connection's final output stream, fills in method, path,
 *   authority, scheme and version from the request head, adds each header
 *   but Host (which becomes the authority) with h2o_add_header, and calls
 *   h2o_process_request. This shim does the same for "GET PATH HTTP/1.1" with
 *   "Host: default", "User-Agent: fcgispec" and "Accept: * / *" (no
 *   spaces) as curl sends it, and no body; h2o routes it to the FastCGI
 *   handler through its own host and path lookup.
 * - the addresses: fastcgi.c asks the connection's get_sockname and
 *   get_peername callbacks for SERVER_ADDR and REMOTE_ADDR; these give
 *   fixed loopback addresses, as an accepted TCP connection would.
 * - the pace of the response: http1.c's final output stream writes what it
 *   is handed to the client socket and, once the write has completed, calls
 *   h2o_proceed_response from the event loop to ask for more (until the
 *   FINAL or ERROR send). This shim drops the bytes instead of writing them
 *   (the harness looks at them earlier, as the FastCGI handler hands them
 *   on) and marks a proceed as due; the harness delivers it between event
 *   loop runs, so the FastCGI handler sees the same calls in the same
 *   order, with the timing taken from the input.
 * The status line and header block http1.c would write are not FastCGI
 * code and are not built. */
#include "shim_client.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static socklen_t fill_address(struct sockaddr *sa, uint16_t port) {
  struct sockaddr_in *sin = (struct sockaddr_in *)sa;
  memset(sin, 0, sizeof(*sin));
  sin->sin_family = AF_INET;
  sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sin->sin_port = htons(port);
  return sizeof(*sin);
}

static socklen_t get_sockname(h2o_conn_t *conn, struct sockaddr *sa) {
  (void)conn;
  return fill_address(sa, 80);
}

static socklen_t get_peername(h2o_conn_t *conn, struct sockaddr *sa) {
  (void)conn;
  return fill_address(sa, 50000);
}

static void final_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs,
                       size_t n, h2o_send_state_t state) {
  client *c = H2O_STRUCT_FROM_MEMBER(client, final_ostream, self);
  (void)req;
  (void)bufs;
  (void)n;
  if (h2o_send_state_is_in_progress(state)) {
    c->proceed_due = 1;
  } else {
    c->complete = 1;
    c->end_state = state;
  }
}

client *client_open(h2o_context_t *ctx, const char *path) {
  static const h2o_conn_callbacks_t callbacks = {.get_sockname = get_sockname,
                                                 .get_peername = get_peername};
  client *c = calloc(1, sizeof(*c));
  if (!c)
    abort();
  c->super.ctx = ctx;
  c->super.hosts = ctx->globalconf->hosts;
  c->super.callbacks = &callbacks;
  h2o_init_request(&c->req, &c->super, NULL);
  c->req._ostr_top = &c->final_ostream;
  c->final_ostream.do_send = final_send;
  c->req.input.method = h2o_iovec_init(H2O_STRLIT("GET"));
  c->req.input.path = h2o_iovec_init(path, strlen(path));
  c->req.input.authority = h2o_iovec_init(H2O_STRLIT("default"));
  c->req.input.scheme = &H2O_URL_SCHEME_HTTP;
  c->req.version = 0x101;
  c->req.http1_is_persistent = 1;
  h2o_add_header(&c->req.pool, &c->req.headers, H2O_TOKEN_USER_AGENT,
                 "User-Agent", H2O_STRLIT("fcgispec"));
  h2o_add_header(&c->req.pool, &c->req.headers, H2O_TOKEN_ACCEPT, "Accept",
                 H2O_STRLIT("*/*"));
  return c;
}

void client_send_request(client *c) { h2o_process_request(&c->req); }

void client_proceed(client *c) {
  if (!c->proceed_due || c->complete)
    return;
  c->proceed_due = 0;
  h2o_proceed_response(&c->req);
}

void client_close(client *c) {
  h2o_dispose_request(&c->req);
  free(c);
}
