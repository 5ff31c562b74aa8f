/* Workload d with libfcgi: FCGX_Accept_r on an already connected socket,
 * FCGX_GetParam, FCGX_GetStr, FCGX_Finish_r. */
#include <stdio.h>
#include <string.h>

#include <fcgiapp.h>

#include "peer.h"

uint64_t peer_run_libfcgi(void *arg) {
  peer_job *job = arg;
  double cpu = peer_thread_cpu_s();
  const peer_input *in = job->in;
  peer_counts *c = &job->counts;
  if (FCGX_Init() != 0)
    peer_die("libfcgi", "FCGX_Init failed");
  int sv[2];
  peer_feeder f;
  peer_connect(sv, &f, in);
  memset(c, 0, sizeof(*c));
  /* No listening socket: FCGX_Accept_r accepts only while ipcFd < 0, and
   * keeps ipcFd open between requests when BEGIN_REQUEST has keep-conn
   * (FCGX_Finish_r closes it otherwise). FCGX_Accept_r starts with
   * FCGX_Finish_r, which would close the handed-in socket before the first
   * request unless keepConnection is already set. */
  FCGX_Request req;
  FCGX_InitRequest(&req, -1, 0);
  req.ipcFd = sv[0];
  req.keepConnection = 1;
  for (uint32_t i = 0; i < in->in.requests; i++) {
    if (FCGX_Accept_r(&req) != 0)
      peer_die("libfcgi", "FCGX_Accept_r failed");
    c->requests++;
    for (int l = 0; l < PEER_LOOKUPS; l++) {
      const char *v = FCGX_GetParam(peer_lookups[l], req.envp);
      if (v) {
        c->found++;
        c->found_bytes += strlen(v);
      }
    }
    int n, have = 0;
    while ((n = FCGX_GetStr((char *)job->body + have, (int)in->body_len - have,
                            req.in)) > 0)
      have += n;
    /* the body must end here: a byte more is an error */
    char extra;
    if (have != (int)in->body_len || FCGX_GetStr(&extra, 1, req.in) != 0 ||
        FCGX_GetError(req.in) != 0)
      peer_die("libfcgi", "the body is not what the input holds");
    c->body_bytes += (uint64_t)have;
    /* writes the empty STDOUT and END_REQUEST, keeps the connection */
    FCGX_Finish_r(&req);
    if (req.ipcFd != sv[0])
      peer_die("libfcgi", "the connection was closed");
  }
  c->reply_bytes = peer_disconnect(sv, &f);
  peer_note_cpu(job, cpu);
  return c->requests;
}
