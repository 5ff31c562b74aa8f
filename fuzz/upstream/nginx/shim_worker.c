/* Stands in for nginx's main() (src/core/nginx.c) and for the loop of its
 * single-process worker (ngx_single_process_cycle,
 * ngx_process_events_and_timers); every other unit is nginx's own,
 * compiled unmodified, and runs as in a worker: the configuration parser,
 * the real epoll event module, accept, connect, recv, readv and writev on
 * real sockets, the HTTP core, the upstream layer and the FastCGI module.
 *
 * Why each difference from main() and the loop is faithful:
 *  - Start-up makes the calls main() makes, in its order, but reads the
 *    configuration from an in-memory file (memfd) and does not fork, write
 *    a pid file, install signal handlers or change the environment; nginx
 *    ignores SIGPIPE (its signal table), and so does this process. None of
 *    these is visible to the code that reads a FastCGI reply.
 *  - The listening socket is an abstract Unix socket the shim makes and
 *    hands over the way nginx inherits listening sockets on a binary
 *    upgrade (the old cycle's list, matched by address): nothing is bound
 *    on the machine's network or file system. The new entry's link back
 *    to the old one is cleared, as a worker process does
 *    (ngx_worker_process_init); the single-process cycle does not, and
 *    would follow it into the freed start-up cycle (nginx fixed that in
 *    1.23.3). Clients reach the socket with connect(); nginx's own accept
 *    handler takes them.
 *  - The upstream is a Unix socket in the configuration; its parsed
 *    address is turned into an abstract one (the configuration syntax has
 *    no way to name those) that the harness listens on, so nginx's own
 *    connect code reaches the harness, which plays the FastCGI application.
 *  - The loop is nginx's, minus the wait: epoll_wait gets a timeout of 0,
 *    and nginx's clock (ngx_current_msec) moves only when nginx has
 *    nothing left to do, straight to its next timer. An application that
 *    stops sending thus meets fastcgi_read_timeout at once, as it would
 *    after 60 seconds, and runs stay deterministic: the cached wall time
 *    (Date headers) never changes. */
#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_http.h>

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/un.h>

#include "nginx_shim.h"

/* An exchange that keeps nginx busy longer than this is stuck in a loop. */
#define MAX_PASSES 100000

const char *const ngxs_locations[] = {"/buffered", "/unbuffered", "/keep",
                                      "/keep-unbuffered"};
const size_t ngxs_nlocations = 4;

/* %s: the error log level (FCS_NGINX_ERROR_LOG, default emerg). Running
 * as root, "user root" keeps nginx from giving its temporary paths to
 * nobody; they are never written (no request bodies, no temporary files
 * for replies). The listen address is never bound (see above). A URI
 * outside the four locations (an application's X-Accel-Redirect, honoured
 * by default) maps to a root that does not exist: 404. One location also
 * turns a STDERR record naming "fcgispec-catch" into a 502
 * (fastcgi_catch_stderr). */
static const char config_format[] =
    "daemon off;\n"
    "master_process off;\n"
    "user root;\n"
    "error_log stderr %s;\n"
    "events { worker_connections 32; }\n"
    "http {\n"
    "  access_log off;\n"
    "  client_body_temp_path /tmp;\n"
    "  fastcgi_temp_path /tmp;\n"
    "  fastcgi_max_temp_file_size 0;\n"
    "  root /nonexistent;\n"
    "  upstream app { server unix:fcgispec-app; }\n"
    "  server {\n"
    "    listen 127.0.0.1:80;\n"
    "    location = /buffered { fastcgi_pass app; }\n"
    "    location = /unbuffered { fastcgi_pass app; fastcgi_buffering off; }\n"
    "    location = /keep {\n"
    "      fastcgi_pass app; fastcgi_keep_conn on;\n"
    "      fastcgi_catch_stderr \"fcgispec-catch\";\n"
    "    }\n"
    "    location = /keep-unbuffered {\n"
    "      fastcgi_pass app; fastcgi_keep_conn on; fastcgi_buffering off;\n"
    "    }\n"
    "  }\n"
    "}\n";

static ngx_cycle_t *cycle;
static ngx_log_t start_log;
static ngx_open_file_t start_log_file;
static ngx_cycle_t init_cycle;
static int epoll_fd = -1, app_fd = -1;
static struct sockaddr_un client_addr;
static socklen_t client_addrlen;
static ngx_msec_t start_msec;

/* main() hands nginx its argv and environment; setproctitle support moves
 * the environment strings that follow argv[0] into memory of its own.
 * These are contiguous, so the copy stays reachable from env_fake. */
static char argv_text[] = "nginx\0FCGISPEC=nginx";
static char *argv_fake[] = {argv_text, NULL};
static char *env_fake[] = {argv_text + sizeof("nginx"), NULL};

static void die(const char *what) {
  fprintf(stderr, "nginx harness: %s\n", what);
  abort();
}

static void set_str(ngx_str_t *s, const char *text) {
  s->len = strlen(text);
  s->data = (u_char *)text;
}

/* An abstract Unix address unique to this process (the kernel scopes them
 * to the network namespace), its name from the second byte on. */
static socklen_t abstract_name(struct sockaddr_un *sa, const char *role) {
  memset(sa, 0, sizeof *sa);
  sa->sun_family = AF_UNIX;
  snprintf(sa->sun_path + 1, sizeof sa->sun_path - 1, "fcgispec-nginx-%d-%s",
           (int)getpid(), role);
  return (socklen_t)sizeof *sa;
}

static int listen_on(const struct sockaddr *sa, socklen_t len) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind(fd, sa, len) || listen(fd, NGX_LISTEN_BACKLOG))
    die("cannot listen on an abstract Unix socket");
  return fd;
}

/* The configuration as a file only this process sees; its descriptor. */
static int config_file(ngx_str_t *name) {
  const char *level = getenv("FCS_NGINX_ERROR_LOG");
  char text[sizeof config_format + 16];
  int n = snprintf(text, sizeof text, config_format, level ? level : "emerg");
  int fd = memfd_create("nginx.conf", MFD_CLOEXEC);
  if (n < 0 || (size_t)n >= sizeof text || fd < 0 ||
      write(fd, text, (size_t)n) != n)
    die("cannot write the configuration to a memfd");
  static char path[32];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  set_str(name, path);
  return fd;
}

/* The inherited listening socket, under the address the configuration's
 * listen directive names. */
static void inherit_listener(void) {
  static struct sockaddr_in addr;
  addr.sin_family = AF_INET;
  addr.sin_port = htons(80);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  client_addrlen = abstract_name(&client_addr, "client");
  if (ngx_array_init(&init_cycle.listening, init_cycle.pool, 1,
                     sizeof(ngx_listening_t)) != NGX_OK)
    die("out of memory");
  ngx_listening_t *ls = ngx_array_push(&init_cycle.listening);
  ngx_memzero(ls, sizeof *ls);
  ls->fd = listen_on((struct sockaddr *)&client_addr, client_addrlen);
  ls->sockaddr = (struct sockaddr *)&addr;
  ls->socklen = sizeof addr;
  set_str(&ls->addr_text, "127.0.0.1:80");
  ls->type = SOCK_STREAM;
  ls->backlog = NGX_LISTEN_BACKLOG;
  ls->rcvbuf = -1;
  ls->sndbuf = -1;
  ls->inherited = 1;
}

/* Points upstream "app" at an abstract address and listens there. */
static void redirect_upstream(void) {
  ngx_http_upstream_main_conf_t *umcf =
      ngx_http_cycle_get_module_main_conf(cycle, ngx_http_upstream_module);
  ngx_http_upstream_srv_conf_t **us = umcf->upstreams.elts;
  for (ngx_uint_t i = 0; i < umcf->upstreams.nelts; i++) {
    if (us[i]->host.len != 3 || ngx_strncmp(us[i]->host.data, "app", 3))
      continue;
    ngx_http_upstream_server_t *server = us[i]->servers->elts;
    ngx_addr_t *addr = &server[0].addrs[0];
    if (addr->sockaddr->sa_family != AF_UNIX ||
        addr->socklen != sizeof(struct sockaddr_un))
      die("upstream app is not a Unix socket");
    abstract_name((struct sockaddr_un *)addr->sockaddr, "app");
    app_fd = listen_on(addr->sockaddr, addr->socklen);
    return;
  }
  die("the configuration has no upstream app");
}

/* The event module's epoll descriptor: it is readable while events are
 * due, which is how the loop knows nginx has nothing left to do. */
static void find_epoll_fd(void) {
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  char path[64], link[64];
  while (d && (e = readdir(d))) {
    snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (n > 0 && (link[n] = 0, !strcmp(link, "anon_inode:[eventpoll]")))
      epoll_fd = atoi(e->d_name);
  }
  if (d)
    closedir(d);
  if (epoll_fd < 0)
    die("nginx's epoll descriptor not found");
}

void ngxs_start(void) {
  if (cycle)
    return;
  /* main(), in its order. */
  if (ngx_strerror_init() != NGX_OK)
    die("ngx_strerror_init failed");
  ngx_time_init();
  ngx_pid = ngx_getpid();
  ngx_parent = ngx_getppid();
  start_log_file.fd = ngx_stderr;
  start_log.file = &start_log_file;
  start_log.log_level = NGX_LOG_EMERG;
  ngx_memzero(&init_cycle, sizeof init_cycle);
  init_cycle.log = &start_log;
  ngx_cycle = &init_cycle;
  init_cycle.pool = ngx_create_pool(1024, &start_log);
  if (!init_cycle.pool)
    die("out of memory");
  ngx_argc = 1;
  ngx_argv = ngx_os_argv = argv_fake;
  set_str(&init_cycle.prefix, "/");
  set_str(&init_cycle.conf_prefix, "/");
  set_str(&init_cycle.error_log, "stderr");
  set_str(&init_cycle.conf_param, "");
  int conf_fd = config_file(&init_cycle.conf_file);
  char **env = environ;
  environ = env_fake;
  ngx_int_t rc = ngx_os_init(&start_log);
  environ = env;
  if (rc != NGX_OK || ngx_crc32_table_init() != NGX_OK)
    die("ngx_os_init failed");
  ngx_slab_sizes_init();
  inherit_listener();
  if (ngx_preinit_modules() != NGX_OK)
    die("ngx_preinit_modules failed");
  cycle = ngx_init_cycle(&init_cycle);
  if (!cycle)
    die("ngx_init_cycle failed (the reason is above)");
  close(conf_fd);
  ngx_cycle = cycle;
  signal(SIGPIPE, SIG_IGN);
  /* ngx_worker_process_init() */
  ngx_listening_t *ls = cycle->listening.elts;
  for (ngx_uint_t i = 0; i < cycle->listening.nelts; i++)
    ls[i].previous = NULL;
  redirect_upstream();
  /* ngx_single_process_cycle() */
  for (ngx_uint_t i = 0; cycle->modules[i]; i++)
    if (cycle->modules[i]->init_process &&
        cycle->modules[i]->init_process(cycle) == NGX_ERROR)
      die("a module's init_process failed");
  find_epoll_fd();
  start_msec = ngx_current_msec;
}

int ngxs_connect_client(void) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect(fd, (struct sockaddr *)&client_addr, client_addrlen)) {
    close(fd);
    return -1;
  }
  return fd;
}

int ngxs_app_listener(void) { return app_fd; }

static int events_due(void) {
  struct pollfd p = {epoll_fd, POLLIN, 0};
  return !ngx_queue_empty(&ngx_posted_next_events) ||
         !ngx_queue_empty(&ngx_posted_accept_events) ||
         !ngx_queue_empty(&ngx_posted_events) || ngx_event_find_timer() == 0 ||
         poll(&p, 1, 0) > 0;
}

/* ngx_process_events_and_timers(), with a timer of 0 and without the time
 * update. */
static void one_pass(void) {
  if (!ngx_queue_empty(&ngx_posted_next_events))
    ngx_event_move_posted_next(cycle);
  (void)ngx_process_events(cycle, 0, 0);
  ngx_event_process_posted(cycle, &ngx_posted_accept_events);
  ngx_event_expire_timers();
  ngx_event_process_posted(cycle, &ngx_posted_events);
}

int ngxs_settle(void) {
  for (int passes = 0; passes < MAX_PASSES; passes++) {
    if (!events_due())
      return passes;
    one_pass();
  }
  return -1;
}

int ngxs_wait(void) {
  ngx_msec_t next = ngx_event_find_timer();
  if (next == NGX_TIMER_INFINITE)
    return 0;
  ngx_current_msec += next;
  ngxs_settle();
  return 1;
}

int ngxs_readv_stall(void) {
  /* Upstream connections: the ones not accepted from a listener. */
  for (ngx_uint_t i = 0; i < cycle->connection_n; i++) {
    ngx_connection_t *c = &cycle->connections[i];
    if (c->fd != (ngx_socket_t)-1 && !c->listening && c->read->ready &&
        c->read->available == 0 && !c->read->pending_eof && !c->read->timer_set)
      return 1;
  }
  return 0;
}

const char *ngxs_leftover(void) {
  ngx_current_msec = start_msec;
  if (cycle->free_connection_n + cycle->listening.nelts != cycle->connection_n)
    return "a connection";
  if (ngx_event_timer_rbtree.root != ngx_event_timer_rbtree.sentinel)
    return "a timer";
  if (!ngx_queue_empty(&ngx_posted_events) ||
      !ngx_queue_empty(&ngx_posted_next_events))
    return "a posted event";
  return NULL;
}
