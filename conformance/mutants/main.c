/* fcgi-mutant --listen ADDR --break RULE: a FastCGI backend that breaks
 * exactly one rule (rules.h lists them; "none" breaks nothing). Prints
 * "listening on ADDR" when ready; one thread per connection. --help and
 * --version print and exit. */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rules.h"
#include "serve.h"
#include "target.h"

typedef struct job {
  int fd;
  mutant_rule rule;
} job;

static void *run(void *arg) {
  job j = *(job *)arg;
  free(arg);
  serve_connection(j.fd, j.rule);
  return NULL;
}

/* The socket file this process made, removed when it is stopped. */
static char socket_path[sizeof(((fsp_target *)0)->path)];

static void on_stop(int sig) {
  (void)sig;
  if (socket_path[0])
    unlink(socket_path);
  _exit(0);
}

static int listen_on(const fsp_target *t, char *err, size_t errlen) {
  int fd = -1;
  if (t->is_unix) {
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    strcpy(sun.sun_path, t->path);
    if (unix_path_claim(t->path, err, errlen))
      return -1;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
      close(fd);
      return -1;
    }
    if (fd >= 0)
      strcpy(socket_path, t->path);
  } else {
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE},
                    *res;
    if (getaddrinfo(t->host, t->port, &hints, &res))
      return -1;
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd >= 0 && bind(fd, res->ai_addr, res->ai_addrlen) < 0) {
      close(fd);
      fd = -1;
    }
    freeaddrinfo(res);
  }
  if (fd >= 0 && listen(fd, 64) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static void usage(FILE *out) {
  fprintf(out, "usage: fcgi-mutant --listen tcp:HOST:PORT|unix:PATH "
               "--break RULE\n       fcgi-mutant --help | --version\nrules:");
  for (int r = 0; r < M_COUNT; r++)
    fprintf(out, " %s", rule_name((mutant_rule)r));
  fputc('\n', out);
}

/* One line naming what is wrong; exit code 2. */
static int usage_error(const char *what, const char *arg) {
  fprintf(stderr, "fcgi-mutant: %s%s%s (see --help)\n", what, arg ? ": " : "",
          arg ? arg : "");
  return 2;
}

int main(int argc, char **argv) {
  const char *listen_addr = NULL, *rule_arg = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help")) {
      usage(stdout);
      return 0;
    }
    if (!strcmp(argv[i], "--version")) {
      printf("fcgi-mutant %s\n", FCS_VERSION);
      return 0;
    }
    int has_value = i + 1 < argc;
    if (!strcmp(argv[i], "--listen") && has_value)
      listen_addr = argv[++i];
    else if (!strcmp(argv[i], "--break") && has_value)
      rule_arg = argv[++i];
    else
      return usage_error("unknown option or missing value", argv[i]);
  }
  if (!listen_addr || !rule_arg)
    return usage_error("--listen ADDR and --break RULE are both needed", NULL);
  mutant_rule rule = rule_parse(rule_arg);
  if (rule == M_COUNT)
    return usage_error("unknown rule (--help lists them)", rule_arg);
  fsp_target t;
  char err[256];
  if (target_parse(listen_addr, &t, err, sizeof(err)))
    return usage_error("--listen", err);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGTERM, on_stop);
  signal(SIGINT, on_stop);
  err[0] = 0;
  int lfd = listen_on(&t, err, sizeof(err));
  if (lfd < 0) {
    fprintf(stderr, "fcgi-mutant: cannot listen on %s: %s\n", listen_addr,
            err[0] ? err : strerror(errno));
    return 1;
  }
  printf("listening on %s\n", listen_addr);
  fflush(stdout);
  for (;;) {
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
      continue;
    job *j = malloc(sizeof(*j));
    pthread_t th;
    if (!j) {
      close(fd);
      continue;
    }
    *j = (job){fd, rule};
    if (pthread_create(&th, NULL, run, j) != 0) {
      free(j);
      close(fd);
      continue;
    }
    pthread_detach(th);
  }
}
