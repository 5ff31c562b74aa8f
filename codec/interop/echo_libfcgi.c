/* Echo application on Debian's libfcgi (fcgiapp.h): answers every request
 * with its params and body in the format of echo_format.h. Listens on the
 * Unix socket path (or host:port) given as its only argument and runs until
 * it gets SIGTERM. */
#include <fcgiapp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "echo_format.h"

/* The whole request body; NULL when out of memory. */
static char *read_body(FCGX_Stream *in, size_t *len) {
  size_t cap = 4096;
  char *body = malloc(cap);
  *len = 0;
  while (body) {
    int n = FCGX_GetStr(body + *len, (int)(cap - *len), in);
    if (n <= 0)
      break;
    *len += (size_t)n;
    if (*len == cap) {
      char *bigger = realloc(body, cap * 2);
      if (!bigger)
        free(body);
      body = bigger;
      cap *= 2;
    }
  }
  return body;
}

static void echo(FCGX_Request *req) {
  size_t len;
  char *body = read_body(req->in, &len);
  int nparams = 0;
  while (req->envp[nparams])
    nparams++;
  FCGX_PutS("Content-Type: application/octet-stream\r\n\r\n", req->out);
  FCGX_FPrintF(req->out, ECHO_PARAMS_TAG "%d\n", nparams);
  for (int i = 0; i < nparams; i++) {
    FCGX_PutS(req->envp[i], req->out);
    FCGX_PutS("\n", req->out);
  }
  if (!body) {
    FCGX_PutS("echo: out of memory reading the body\n", req->err);
    FCGX_SetExitStatus(1, req->out);
    return;
  }
  /* FCGX_FPrintF has its own format parser, which does not know %zu. */
  char line[64];
  snprintf(line, sizeof(line), ECHO_STDIN_TAG "%zu\n", len);
  FCGX_PutS(line, req->out);
  FCGX_PutStr(body, (int)len, req->out);
  snprintf(line, sizeof(line), "echo: %d params, %zu body bytes\n", nparams,
           len);
  FCGX_PutS(line, req->err);
  free(body);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s SOCKET-PATH|HOST:PORT\n", argv[0]);
    return 2;
  }
  if (FCGX_Init() != 0) {
    fprintf(stderr, "echo: FCGX_Init failed\n");
    return 1;
  }
  int sock = FCGX_OpenSocket(argv[1], 16);
  if (sock < 0) {
    fprintf(stderr, "echo: cannot listen on %s\n", argv[1]);
    return 1;
  }
  FCGX_Request req;
  FCGX_InitRequest(&req, sock, 0);
  while (FCGX_Accept_r(&req) >= 0) {
    echo(&req);
    FCGX_Finish_r(&req);
  }
  /* libfcgi turns SIGTERM into a failing accept: the normal way out. */
  fprintf(stderr, "echo: FCGX_Accept_r returned an error, exiting\n");
  return 0;
}
