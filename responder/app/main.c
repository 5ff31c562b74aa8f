/* fcgi-responder: the reference FastCGI application of fcgispec. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listener.h"
#include "options.h"
#include "server.h"
#include "stop_signal.h"
#include "web_server_addrs.h"

/* A launcher may start us with fds 0-2 closed (spec 2.2 closes stdout and
 * stderr); later sockets must not land on them and receive log lines. */
static void fill_std_fds(void) {
  for (int fd = 0; fd <= 2; fd++)
    if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0)
      return;
}

int main(int argc, char **argv) {
  fill_std_fds();
  options opt;
  switch (options_parse(argc, argv, &opt, stdout, stderr)) {
  case OPTIONS_DONE:
    return 0;
  case OPTIONS_BAD:
    return 2;
  case OPTIONS_RUN:
    break;
  }
  char err[256];
  /* One connection's memory up front: limits too large for this machine
   * fail here, not at the first accept. */
  fcs_responder *probe = fcs_responder_new(&opt.cfg);
  if (!probe) {
    fprintf(stderr,
            "fcgi-responder: cannot allocate the %zu bytes one connection "
            "needs with these limits\n",
            fcs_responder_memory_size(&opt.cfg));
    return 1;
  }
  fcs_responder_free(probe);
  web_server_addrs allowed;
  if (web_server_addrs_parse(&allowed, getenv("FCGI_WEB_SERVER_ADDRS"), err,
                             sizeof err) != 0) {
    fprintf(stderr, "fcgi-responder: %s\n", err);
    return 2;
  }
  listener l;
  int rc = opt.listen ? listener_open(&l, opt.listen, err, sizeof err)
                      : listener_inherit_fd0(&l, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "fcgi-responder: %s\n", err);
    web_server_addrs_free(&allowed);
    return opt.listen ? 1 : 2;
  }
  int stop_fd = stop_signal_install();
  if (stop_fd < 0) {
    fprintf(stderr, "fcgi-responder: cannot set up signal handling: %s\n",
            strerror(errno));
    listener_close(&l);
    web_server_addrs_free(&allowed);
    return 1;
  }
  printf("listening on %s\n", l.name);
  fflush(stdout);
  rc = server_run(l.fd, stop_fd, &opt.cfg, opt.idle_timeout_ms, &allowed);
  if (stop_signal_caught())
    fprintf(stderr, "fcgi-responder: stopping on %s\n",
            stop_signal_caught() == SIGTERM ? "SIGTERM" : "SIGINT");
  listener_close(&l);
  web_server_addrs_free(&allowed);
  return rc == 0 ? 0 : 1;
}
