/* fcgi-mutant --listen ADDR --break RULE: a FastCGI backend that breaks
 * exactly one rule (rules.h lists them; "none" breaks nothing). Prints
 * "listening on ADDR" when ready; one thread per connection. --help and
 * --version print and exit. */
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

static int listen_on(const fcs_target *t) {
  int fd = -1;
  if (t->is_unix) {
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    strcpy(sun.sun_path, t->path);
    unlink(t->path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
      close(fd);
      return -1;
    }
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

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--help") == 0) {
    usage(stdout);
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "--version") == 0) {
    puts("fcgi-mutant " FCS_VERSION);
    return 0;
  }
  const char *listen_addr = NULL, *rule_arg = NULL;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--listen") == 0)
      listen_addr = argv[i + 1];
    else if (strcmp(argv[i], "--break") == 0)
      rule_arg = argv[i + 1];
  }
  if (!listen_addr || !rule_arg || argc != 5) {
    usage(stderr);
    return 2;
  }
  mutant_rule rule = rule_parse(rule_arg);
  if (rule == M_COUNT) {
    fprintf(stderr, "fcgi-mutant: unknown rule '%s'\n", rule_arg);
    usage(stderr);
    return 2;
  }
  fcs_target t;
  char err[256];
  if (target_parse(listen_addr, &t, err, sizeof(err))) {
    fprintf(stderr, "fcgi-mutant: --listen: %s\n", err);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  int lfd = listen_on(&t);
  if (lfd < 0) {
    perror("fcgi-mutant: listen");
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
