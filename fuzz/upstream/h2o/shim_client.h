/* The HTTP client side of the h2o harness (shim_client.c): one request
 * made the way h2o's HTTP/1 connection makes it, and the pace at which
 * the connection takes the response. */
#ifndef H2O_SHIM_CLIENT_H
#define H2O_SHIM_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "h2o.h"

typedef struct client {
  h2o_conn_t super;
  h2o_ostream_t final_ostream;
  h2o_req_t req;
  int proceed_due; /* a send finished writing; h2o may send more */
  int complete;    /* the response ended (the FINAL or ERROR send) */
  h2o_send_state_t end_state;
} client;

/* A connection on ctx with a GET request for path (a static string) ready
 * to be processed. */
client *client_open(h2o_context_t *ctx, const char *path);
/* Hands the request to h2o (h2o_process_request), as the connection does
 * once it has read the request's head. */
void client_send_request(client *c);
/* Tells h2o that the last send has been written out, if one is due. */
void client_proceed(client *c);
/* Disposes of the request and the connection. */
void client_close(client *c);

#endif
