/* fcgi-curl: sends one FastCGI request to a backend and prints the reply,
 * the way curl does for HTTP. docs/client.md describes it. */
#include <signal.h>

#include "clock.h"
#include "exchange.h"
#include "options.h"
#include "output.h"

int main(int argc, char **argv) {
  int64_t t0 = now_us();
  signal(SIGPIPE, SIG_IGN);
  opts o;
  int rc = opts_parse(argc, argv, &o);
  if (rc >= 0) {
    opts_free(&o);
    return rc;
  }
  verbose v;
  verbose_init(&v, o.verbose, t0);
  outcome r = {0};
  output out;
  rc = output_open(&out, &o, &r, &v);
  if (rc < 0) {
    exchange_run(&o, &out, t0);
    rc = output_close(&out);
  }
  outcome_free(&r);
  opts_free(&o);
  return rc;
}
