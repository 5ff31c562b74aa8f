/* What one running proxy case knows, shared by the runner (proxy_run.c),
 * its conditions (proxy_cond.c) and its trace (proxy_show.c). */
#ifndef FSP_PROXY_CASE_H
#define FSP_PROXY_CASE_H

#include <stdint.h>

#include "expect.h"
#include "http_client.h"
#include "proxy.h"

#define PX_CLIENTS 8
#define PX_REQUESTS 64

/* One HTTP request the case sent (numbered from 1 in step order). */
typedef struct px_req {
  char marker[48]; /* fcgispec=c<case>r<K>: rides in the query string */
  int client;      /* index in clients */
  unsigned gen;    /* the client's connection when it was sent */
  size_t ordinal;  /* its place among requests sent on that connection */
  fsp_step *reply; /* the reply lines that answer it, expanded, or NULL */
  size_t nreply;
} px_req;

typedef struct px_client {
  http_conn h;
  http_conn *past;  /* its earlier connections, closed: past[g] was gen g */
  int used;         /* connected at least once */
  int closed_by_us; /* close step, or reconnect */
  unsigned gen;     /* reconnects so far */
  size_t sent;      /* marked requests on this connection */
  bytebuf log;      /* bytes written on this connection, for the repro */
} px_client;

typedef struct px_case {
  const fsp_case *c;
  const fsp_config *cfg;
  proxy_env *env;
  unsigned seq; /* this case's number in the run */
  px_req reqs[PX_REQUESTS];
  size_t nreqs;
  px_client cl[PX_CLIENTS];
  int cur;
  bytebuf pending;
  int pending_req; /* request number the pending bytes carry, or 0 */
  size_t chunk;
  size_t req_from, conn_from; /* the recorder's counts when the case began */
  uint64_t events;            /* the recorder's event count last seen */
  int64_t t0, last_change;    /* ms: case start, last byte either way */
  int64_t step_start;         /* ms: when the running check began */
  char unplayable[200];       /* a reply line too long once expanded, or "" */
} px_case;

/* The backend request that carries request k's marker (NULL: none yet). */
const rec_request *px_find(const px_case *pc, const rec_state *rs, size_t k);
/* The connection request k was sent on (closed by now, maybe). */
const http_conn *px_conn(const px_case *pc, size_t k);
/* Request k's final response, or NULL. */
const http_response *px_response(const px_case *pc, size_t k);
/* 1 when request k's response is complete or can no longer come. */
int px_req_done(const px_case *pc, size_t k);
/* A backend connection this case used: opened while it ran, or carrying
 * one of its requests. */
int px_case_conn(const px_case *pc, const rec_state *rs, size_t conn);
/* 1 when every request is done and nothing moved for --settle ms. */
int px_settled(const px_case *pc);

/* Expands {marker} (request k's), {marker:N}, {host}, {port}, {docroot}. */
void px_expand(const px_case *pc, size_t k, const bytebuf *in, bytebuf *out);

/* Decides one proxy condition; on TRI_FALSE appends why. */
fsp_tri px_cond_eval(const px_case *pc, const rec_state *rs, const fsp_cond *k,
                     bytebuf *why);

/* The response-side conditions (proxy_resp.c): body, body-has,
 * body-lacks, header, no-header, header-count, own-reply. */
fsp_tri px_cond_response(const px_case *pc, const rec_state *rs,
                         const fsp_cond *k, bytebuf *why);

/* Appends the case's trace: per client the bytes sent and the response
 * heads, per backend request its params, body and records, and a repro
 * line per client. */
void px_trace(const px_case *pc, const rec_state *rs, bytebuf *out);
/* Appends a JSON array: per request of the case its response and what
 * the backend received, then the backend requests carrying none of the
 * case's markers (proxy_json.c, docs/proxies.md). */
void px_requests_json(const px_case *pc, const rec_state *rs, bytebuf *out);
/* Appends "NAME=value" of request k's params called name, escaped. */
void px_show_param(const rec_request *q, const bytebuf *name, bytebuf *out);

#endif
