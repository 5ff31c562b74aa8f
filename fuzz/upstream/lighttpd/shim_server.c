/* Replaces: lighttpd's server.c start-up and main loop, the connection
 * state machine of connections.c (for the one request each input makes),
 * response.c's request preparation, and plugin.c's dispatch.
 *
 * Everything the FastCGI reply path runs is lighttpd's own, compiled from
 * its source: mod_fastcgi is configured through its own set_defaults
 * (gw_set_defaults_backend, from a config context built with lighttpd's
 * array and data_config types as its config parser would build it), the
 * request is parsed by request.c from a fixed request head, mod_fastcgi
 * takes it in its handle_uri_clean hook, gw_backend.c connects (see
 * shim_connect.c), builds and writes the request, and reads the reply
 * when fdevent_impl.c's epoll loop reports the backend socket readable.
 * What this file does in place of the rest of the server, and why that is
 * what the server does for this request:
 *
 * - start-up (lts_begin, once): what server.c does before its loop for a
 *   config of "fastcgi.server" alone: SIGPIPE ignored, the error log (fd
 *   -1, lighttpd's own tests' way of silencing it; FCS_LIGHTTPD_LOG=1
 *   sends it to stderr), fdevent_init with the default event handler
 *   (epoll), network_write_init, the 1xx callback for HTTP/1.1, mod_fastcgi
 *   loaded as plugin 1 (plugin.c's numbering) with its set_defaults run,
 *   and the request defaults configfile.c sets when nothing overrides them.
 * - the main loop (run): fdevent_poll with no wait, then the job list, as
 *   server_main_loop does, until neither has anything left.
 * - the connection state machine (step): for a request in
 *   CON_STATE_HANDLE_REQUEST, connections.c calls http_response_handler,
 *   which calls the handler module's handle_subrequest and waits while it
 *   says HANDLER_WAIT_FOR_EVENT and the response is not finished (the
 *   response body is not streamed by default); anything else ends the
 *   handler's part, and the response would be written. Writing to the
 *   client is not done: the body stays in r->write_queue, where the oracle
 *   reads it.
 * - response.c's http_response_prepare: for this request (no conditions,
 *   no other modules) it comes down to plugins_call_handle_uri_clean, i.e.
 *   mod_fastcgi's hook, which takes the request since check-local is
 *   disabled, then the physical path (document root + URI path), which
 *   the FastCGI params carry.
 * - plugin.c's dispatchers: with mod_fastcgi the only plugin, calling a
 *   hook on every plugin is calling mod_fastcgi's (handle_request_reset);
 *   request_env has no hook in mod_fastcgi, so it does nothing.
 * - the 1xx callback (connection_send_1xx writes the interim response to
 *   the client and says whether that worked): counts the interim responses
 *   and reports success.
 * - the client connection: the fields http_cgi_headers reads (a server
 *   socket on 127.0.0.1:80, the client's address), set as
 *   connection_accepted sets them. */
#include "first.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "base.h"
#include "buffer.h"
#include "burl.h"
#include "chunk.h"
#include "configfile.h"
#include "fdevent.h"
#include "fdlog.h"
#include "http_header.h"
#include "log.h"
#include "network_write.h"
#include "plugin.h"
#include "plugins.h"
#include "reqpool.h"
#include "request.h"
#include "response.h"
#include "sock_addr.h"

#include "server.h"
#include "shim_connect.h"

int mod_fastcgi_plugin_init(plugin *p);

/* Bounds the event loop: lighttpd must settle on every input. */
#define MAX_LOOP_ROUNDS 100000

static const char request_head[] =
    "GET /index.php HTTP/1.1\r\nHost: localhost\r\n\r\n";

static server *srv;
static plugin fastcgi;
static plugin *plugin_list[1];
static server_socket srv_socket;
static request_config config_defaults;

static struct {
  connection *con;
  int app_fd;
  int started, forwarded, interim, finished;
  uint8_t *body;
} cur;

__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt,
                                                                ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("lighttpd harness: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  abort();
}

handler_t plugins_call_handle_request_reset(request_st *r) {
  return fastcgi.handle_request_reset(r, fastcgi.data);
}

static handler_t request_env(request_st *r) {
  (void)r;
  return HANDLER_GO_ON;
}

static int send_1xx(request_st *r, connection *con) {
  (void)r;
  (void)con;
  cur.interim++;
  return 1;
}

static data_array *kv_array(const char *key) {
  data_array *da = array_data_array_init();
  buffer_copy_string(&da->key, key);
  return da;
}

/* fastcgi.server = ( ".php" => ( "app" => ( "socket" => LTS_APP_SOCKET,
 *                                           "check-local" => "disable" )))
 * in the global context, as configparser.y would store it. */
static void configure(void) {
  data_array *app = kv_array("app");
  array_set_key_value(&app->value, CONST_STR_LEN("socket"),
                      CONST_STR_LEN(LTS_APP_SOCKET));
  array_set_key_value(&app->value, CONST_STR_LEN("check-local"),
                      CONST_STR_LEN("disable"));
  data_array *ext = kv_array(".php");
  array_insert_unique(&ext->value, (data_unset *)app);
  data_array *servers = kv_array("fastcgi.server");
  array_insert_unique(&servers->value, (data_unset *)ext);
  data_config *global = data_config_init();
  buffer_copy_string(&global->key, "global");
  global->context_ndx = 0;
  array_insert_unique(global->value, (data_unset *)servers);
  srv->config_context = array_init(1);
  array_insert_unique(srv->config_context, (data_unset *)global);
  srv->srvconf.config_touched = array_init(8);
}

static void load_fastcgi(void) {
  mod_fastcgi_plugin_init(&fastcgi);
  fastcgi.data = fastcgi.init();
  ((plugin_data_base *)fastcgi.data)->self = &fastcgi;
  ((plugin_data_base *)fastcgi.data)->id = 1;
  plugin_list[0] = &fastcgi;
  srv->plugins.ptr = plugin_list;
  srv->plugins.used = 1;
  if (fastcgi.set_defaults(srv, fastcgi.data) != HANDLER_GO_ON)
    die("mod_fastcgi rejected the fastcgi.server config");
}

static void request_defaults(void) {
  config_defaults.errh = srv->errh;
  config_defaults.max_keep_alive_requests = 1000;
  config_defaults.max_keep_alive_idle = 5;
  config_defaults.max_read_idle = 60;
  config_defaults.max_write_idle = 360;
  config_defaults.follow_symlink = 1;
  config_defaults.allow_http11 = 1;
  config_defaults.range_requests = 1;
  config_defaults.force_lowercase_filenames = 2;
  /* server.http-parseopts defaults: header-strict and host-strict */
  config_defaults.http_parseopts = HTTP_PARSEOPT_HEADER_STRICT |
                                   HTTP_PARSEOPT_HOST_STRICT |
                                   HTTP_PARSEOPT_HOST_NORMALIZE;
  config_defaults.max_request_field_size = 8192;
  config_defaults.mimetypes = &srv->srvconf.empty_array;
  static const buffer document_root = {CONST_STR_LEN("/var/www/html") + 1, 0};
  config_defaults.document_root = &document_root;
  request_config_set_defaults(&config_defaults);
}

static void start_server(void) {
  signal(SIGPIPE, SIG_IGN);
  srv = ck_calloc(1, sizeof(*srv));
  srv->errh = fdlog_init(NULL, -1, FDLOG_FD);
  if (!getenv("FCS_LIGHTTPD_LOG"))
    srv->errh->fd = -1;
  srv->tmp_buf = buffer_init();
  srv->request_env = request_env;
  srv->ev = fdevent_init(NULL, &srv->max_fds, &srv->cur_fds, srv->errh);
  if (!srv->ev || network_write_init(srv) != 0)
    die("cannot set up the event handler or the network writer");
  http_response_send_1xx_cb_set(send_1xx, HTTP_VERSION_1_1);
  log_con_jqueue = (connection *)(uintptr_t)&log_con_jqueue; /* sentinel */
  configure();
  load_fastcgi();
  request_defaults();
  sock_addr_inet_pton(&srv_socket.addr, "127.0.0.1", AF_INET, 80);
  srv_socket.srv_token = buffer_init();
  buffer_copy_string(srv_socket.srv_token, "127.0.0.1:80");
  srv_socket.srv_token_colon = 9;
  srv_socket.srv = srv;
}

static void step(connection *con) {
  request_st *r = &con->request;
  const plugin *p = r->handler_module;
  if (cur.finished)
    return;
  if (!p) {
    cur.finished = 1; /* lighttpd answers the client itself */
    return;
  }
  int was_started = r->resp_body_started;
  handler_t rc = p->handle_subrequest(r, p->data);
  if (!was_started && r->resp_body_started) {
    cur.started = 1;
    cur.forwarded = r->handler_module != NULL;
  }
  if (rc == HANDLER_WAIT_FOR_EVENT && !r->resp_body_finished &&
      (!r->resp_body_started ||
       !(r->conf.stream_response_body &
         (FDEVENT_STREAM_RESPONSE | FDEVENT_STREAM_RESPONSE_BUFMIN))))
    return;
  cur.finished = 1;
}

static int run_jobs(void) {
  connection *const sentinel = (connection *)(uintptr_t)&log_con_jqueue;
  connection *jobs = log_con_jqueue;
  log_con_jqueue = sentinel;
  int ran = 0;
  for (connection *con = jobs, *next; con != sentinel; con = next) {
    next = con->jqnext;
    con->jqnext = NULL;
    step(con);
    ran = 1;
  }
  return ran;
}

static void run(void) {
  for (int round = 0;; round++) {
    if (round == MAX_LOOP_ROUNDS)
      die("the event loop has not settled after %d rounds", round);
    int events = fdevent_poll(srv->ev, 0);
    if (!run_jobs() && events <= 0)
      return;
  }
}

/* The application reads the request lighttpd wrote. */
static void drain_request(void) {
  char buf[4096];
  while (read(cur.app_fd, buf, sizeof buf) > 0)
    ;
}

void lts_begin(void) {
  if (!srv)
    start_server();
  memset(&cur, 0, sizeof cur);
  connection *con = ck_calloc(1, sizeof(*con));
  request_st *r = &con->request;
  con->srv = srv;
  con->fd = -1;
  con->srv_socket = &srv_socket;
  con->proto_default_port = 80;
  con->is_writable = 1;
  sock_addr_inet_pton(&con->dst_addr, "127.0.0.1", AF_INET, 40000);
  buffer_copy_string(&con->dst_addr_buf, "127.0.0.1");
  request_init_data(r, con, srv);
  con->write_queue = &r->write_queue;
  con->read_queue = &r->read_queue;
  cur.con = con;

  char head[sizeof request_head];
  memcpy(head, request_head, sizeof head);
  unsigned short hoff[8192] = {1, 0, 0};
  r->rqst_header_len = http_header_parse_hoff(head, sizeof head - 1, hoff);
  http_request_headers_process(r, head, hoff, con->proto_default_port);
  if (r->http_status != 0)
    die("lighttpd rejected the request head with status %d", r->http_status);
  r->state = CON_STATE_HANDLE_REQUEST;
  fastcgi.handle_uri_clean(r, fastcgi.data);
  if (r->handler_module != &fastcgi)
    die("mod_fastcgi did not take %s", request_head);
  buffer_copy_buffer(&r->physical.doc_root, r->conf.document_root);
  buffer_copy_buffer(&r->physical.rel_path, &r->uri.path);
  buffer_copy_buffer(&r->physical.basedir, &r->physical.doc_root);
  buffer_copy_path_len2(&r->physical.path, BUF_PTR_LEN(&r->physical.doc_root),
                        BUF_PTR_LEN(&r->physical.rel_path));
  step(con);
  cur.app_fd = lts_app_accept();
  if (cur.app_fd < 0 || cur.finished)
    die("mod_fastcgi did not connect to the application");
  drain_request();
}

int lts_send(const uint8_t *bytes, size_t len) {
  while (len > 0 && !cur.finished) {
    ssize_t n = write(cur.app_fd, bytes, len);
    if (n < 0)
      n = 0; /* the socket buffer is full: let lighttpd read first */
    bytes += n;
    len -= (size_t)n;
    run();
    if (n == 0 && len > 0 && !cur.finished)
      die("lighttpd reads nothing while %zu bytes wait", len);
  }
  return !cur.finished;
}

void lts_close(void) {
  close(cur.app_fd);
  cur.app_fd = -1;
  run();
}

void lts_result(lts_reply *reply) {
  request_st *r = &cur.con->request;
  size_t len = (size_t)chunkqueue_length(&r->write_queue);
  free(cur.body);
  cur.body = malloc(len + 1);
  size_t at = 0;
  for (const chunk *c = r->write_queue.first; c; c = c->next) {
    if (c->type != MEM_CHUNK)
      die("the response body went to a file");
    size_t n = buffer_clen(c->mem) - (size_t)c->offset;
    memcpy(cur.body + at, c->mem->ptr + c->offset, n);
    at += n;
  }
  reply->started = cur.started;
  reply->forwarded = cur.forwarded;
  reply->interim = cur.interim;
  reply->chunked = r->resp_decode_chunked;
  reply->finished = cur.finished;
  reply->status = r->http_status;
  reply->body = cur.body;
  reply->body_len = at;
}

size_t lts_header_count(void) { return cur.con->request.resp_headers.used; }

void lts_header(size_t i, const char **key, size_t *klen, const char **value,
                size_t *vlen) {
  const data_string *ds =
      (const data_string *)cur.con->request.resp_headers.data[i];
  *key = ds->key.ptr;
  *klen = buffer_clen(&ds->key);
  *value = ds->value.ptr;
  *vlen = buffer_clen(&ds->value);
}

int lts_content_length(const char **value, size_t *vlen) {
  const buffer *b =
      http_header_response_get(&cur.con->request, HTTP_HEADER_CONTENT_LENGTH,
                               CONST_STR_LEN("Content-Length"));
  if (!b)
    return 0;
  *value = b->ptr;
  *vlen = buffer_clen(b);
  return 1;
}

/* As connection_reset does when the connection ends, then the main loop's
 * next round, which closes the backend socket gw_backend.c scheduled for
 * closing. */
void lts_end(void) {
  connection *con = cur.con;
  if (cur.app_fd >= 0)
    close(cur.app_fd);
  request_reset(&con->request);
  fdevent_poll(srv->ev, 0);
  request_free_data(&con->request);
  free(con->dst_addr_buf.ptr);
  free(con);
  free(cur.body);
  memset(&cur, 0, sizeof cur);
}
