/* The web-server side of a test: builds request bytes with the codec's
 * encoder and reads the responder's replies with the client-side
 * assembler, keeping per request id what came back. */
#ifndef RESPONDER_TESTS_CLIENT_H
#define RESPONDER_TESTS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"
#include "fcs/fcs.h"

#define CLIENT_MAX_IDS 32

typedef struct client_req {
  uint16_t id;
  int begun;
  bytebuf out, err;   /* STDOUT and STDERR content */
  int out_ended;      /* empty STDOUT records seen */
  int err_ended;      /* empty STDERR records seen */
  int end_count;      /* END_REQUEST records */
  fcs_end_body end;   /* the last one */
  uint64_t end_index; /* position of END_REQUEST among all records */
} client_req;

typedef struct client {
  bytebuf send;     /* request bytes not sent yet */
  bytebuf raw;      /* every reply byte, as received */
  fcs_assembler as; /* strict, client side */
  void *mem;
  client_req req[CLIENT_MAX_IDS];
  bytebuf gv;          /* content of the last GET_VALUES_RESULT */
  int gv_count;        /* GET_VALUES_RESULT records */
  uint8_t unknown[16]; /* types named by UNKNOWN_TYPE replies */
  int unknown_count;
  uint64_t records; /* complete reply records seen */
  size_t scanned;   /* raw bytes those records span */
  int misaligned;   /* reply records whose length is not a multiple of 8 */
  int failed;       /* the replies broke the protocol */
  fcs_error error;
} client;

void client_init(client *c);
void client_free(client *c);

/* Request builders: append to c->send. */
void client_begin(client *c, uint16_t id, uint16_t role, uint8_t flags);
/* Appends the encoding of pairs ("NAME=VALUE" strings, split at the first
 * '=', NULL-terminated) to content. */
void client_pairs(bytebuf *content, const char *const *pairs);
/* pairs: "NAME=VALUE" strings (split at the first '='), NULL-terminated;
 * then the empty PARAMS record when terminate. */
void client_params(client *c, uint16_t id, const char *const *pairs,
                   int terminate);
/* A stream's data in records of at most max_content bytes (0: 65535), then
 * its empty record when terminate. */
void client_stream(client *c, uint8_t type, uint16_t id, const void *data,
                   size_t len, uint32_t max_content, int terminate);
void client_abort(client *c, uint16_t id);
void client_get_values(client *c, const char *const *names);
void client_record(client *c, uint8_t type, uint16_t id, const void *content,
                   size_t len);

/* Feeds reply bytes to the assembler. */
void client_receive(client *c, const uint8_t *data, size_t len);

/* The request's replies (zeroed until something arrives for id). */
client_req *client_req_of(client *c, uint16_t id);

/* A whole RESPONDER exchange with KEEP_CONN as given: BEGIN, params, empty
 * PARAMS, body as STDIN, empty STDIN. */
void client_simple_request(client *c, uint16_t id, uint8_t flags,
                           const char *const *pairs, const char *body);

#endif
