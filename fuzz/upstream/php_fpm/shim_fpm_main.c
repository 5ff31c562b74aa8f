/* Stands in for php-fpm's worker (sapi/fpm/fpm/fpm_main.c, the request
 * loop at the end of main(), and the SAPI's reading of the body) around
 * PHP's FastCGI layer, main/fastcgi.c, which this file compiles: it is
 * #included here, unmodified, because the connection's descriptor lives in
 * struct _fcgi_request, private to that file, and the harness needs it
 * while fcgi_accept_request is still running (the on_read hook) to see how
 * far php has read.
 *
 * What php-fpm does around fastcgi.c that fastcgi.c can observe, and what
 * this does:
 * - fcgi_init once; fcgi_init_request on the listening socket, with
 *   fastcgi.c's own default for the accept and close hooks (php-fpm's
 *   update its scoreboard, which fastcgi.c never reads) and an on_read hook
 *   that reports to the harness (php-fpm's updates the scoreboard too);
 * - while fcgi_accept_request gives a request: the environment through
 *   fcgi_loadenv (as php-fpm's $_SERVER is built), CONTENT_LENGTH through
 *   fcgi_getenv and atol (init_request_info; php-fpm takes it when
 *   SCRIPT_FILENAME is set, this always does), then the body through
 *   fcgi_read, in blocks of SAPI_POST_BLOCK_SIZE until a block comes back
 *   short, each block asking for no more than what is left of
 *   CONTENT_LENGTH (sapi_deactivate_module and sapi_cgi_read_post; a
 *   negative CONTENT_LENGTH leaves no bound, as the size_t arithmetic
 *   there does);
 * - the script: the reply head and the body it read, through fcgi_write to
 *   STDOUT (a PHP script echoing php://input does the same);
 * - fcgi_finish_request(request, 0), as the SAPI's deactivate does.
 * php-fpm blocks in accept on its listening socket; the harness's is
 * non-blocking, so fcgi_accept_request returns -1 once the connection it
 * was given is closed, which is where this loop ends. */
#include "main/fastcgi.c"

#include "SAPI.h"
#include "fpm_worker.h"

static const fpm_worker_hooks *hooks;
static fcgi_request *serving;

static void on_read(void) { hooks->reading(hooks->arg, serving->fd); }

static void load_env_var(const char *var, unsigned int var_len, char *val,
                         unsigned int val_len, void *arg) {
  (void)arg;
  hooks->param(hooks->arg, var, var_len, val, val_len);
}

/* Up to count bytes of the body, no more than what CONTENT_LENGTH leaves
 * after the done bytes already read. */
static size_t read_post(fcgi_request *req, char *buf, size_t count,
                        zend_long content_length, size_t done) {
  size_t left = (size_t)(content_length - (zend_long)done);
  if (count > left)
    count = left;
  size_t got = 0;
  while (got < count) {
    int n = fcgi_read(req, buf + got, (int)(count - got));
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  return got;
}

static void serve_request(fcgi_request *req) {
  static char block[SAPI_POST_BLOCK_SIZE];
  fcgi_loadenv(req, load_env_var, NULL);
  char *text = FCGI_GETENV(req, "CONTENT_LENGTH");
  zend_long content_length = text ? atol(text) : 0;
  hooks->body_wanted(hooks->arg, (long)content_length);
  fcgi_write(req, FCGI_STDOUT, FPM_WORKER_HEAD, sizeof FPM_WORKER_HEAD - 1);
  size_t done = 0, got;
  do {
    got = read_post(req, block, sizeof block, content_length, done);
    done += got;
    if (got) {
      hooks->body(hooks->arg, block, got);
      fcgi_write(req, FCGI_STDOUT, block, (int)got);
    }
  } while (got == sizeof block);
  fcgi_finish_request(req, 0);
  hooks->finished(hooks->arg);
}

void fpm_worker_serve(int listen_fd, const fpm_worker_hooks *h) {
  static int initialised;
  if (!initialised) {
    fcgi_init();
    initialised = 1;
  }
  hooks = h;
  serving = fcgi_init_request(listen_fd, NULL, on_read, NULL);
  while (fcgi_accept_request(serving) >= 0) {
    hooks->accepted(hooks->arg, serving->fd);
    serve_request(serving);
  }
  fcgi_destroy_request(serving);
  serving = NULL;
}
