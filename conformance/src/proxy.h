/* Proxy mode (docs/proxies.md): fcgispec plays both ends around a reverse
 * proxy. It writes raw HTTP to the proxy (http_client.h) and is the
 * FastCGI application the proxy forwards to (recorder.h); a proxy case's
 * conditions compare what the client sent with what the backend got. */
#ifndef FSP_PROXY_H
#define FSP_PROXY_H

#include "backend.h"
#include "case.h"
#include "recorder.h"
#include "run.h"
#include "target.h"

typedef struct proxy_env {
  fsp_target proxy;    /* where the proxy takes HTTP */
  char host[300];      /* {host}: HOST:PORT as a client names it */
  char port[16];       /* {port} */
  const char *docroot; /* {docroot}: the proxy's document root, or "" */
  fsp_recorder *rec;
  unsigned cases;     /* cases run so far: markers are unique in a run */
  long rss_limit_kib; /* a spawned proxy holding more fails the case */
} proxy_env;

/* Runs one proxy case (c->proxy) against be->proxy and decides its
 * verdict, then checks the proxy still accepts connections. Cases run one
 * at a time: every request the backend gets while a case runs is that
 * case's. */
void proxy_run_case(const fsp_case *c, fsp_backend *be, fsp_result *res);

/* The HTTP bytes a proxy case sends, with placeholders expanded for the
 * given environment (markers numbered as in a run's first case). */
int proxy_case_bytes(const fsp_case *c, const proxy_env *env, bytebuf *out,
                     char *err, size_t errlen);
/* The FastCGI bytes the recording backend's script answers c's first
 * scripted request with, for request id (nothing when c has no reply
 * lines): the fuzz seeds of upstream proxies' reply parsers. */
int proxy_case_reply(const fsp_case *c, const proxy_env *env, uint16_t id,
                     bytebuf *out, char *err, size_t errlen);

#endif
