/* What a backend answered on one connection, request by request, as the
 * codec's client-side assembler in observe mode reads it: the replies
 * (STDOUT and STDERR bytes, how the streams ended, the END_REQUEST body),
 * the management replies, and every FastCGI rule the bytes broke, with the
 * codec's reason. The reply rules live in the assembler; this file only
 * collects what it reports, so conditions (expect.c) ask questions of
 * requests and reasons instead of walking raw records. */
#ifndef FSP_REPLIES_H
#define FSP_REPLIES_H

#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"
#include "fcs/fcs.h"

/* One reply: what came for a request id from its BEGIN_REQUEST (as the
 * runner sent it) up to its END_REQUEST. */
typedef struct fsp_reply {
  uint16_t id;
  size_t nth;            /* it answers the nth BEGIN sent for id (0-based) */
  uint64_t first_record; /* record index of its first record */
  uint64_t end_record;   /* record index of its END_REQUEST */
  int ended;             /* the END_REQUEST arrived */
  fcs_end_body end;      /* its body */
  int out_ended;         /* STDOUT ended by an empty record */
  int err_used;          /* STDERR carried data */
  int err_ended;         /* STDERR ended by an empty record */
  bytebuf out, err;      /* bytes kept (bounded by the connection budget) */
  uint64_t out_total;    /* STDOUT bytes received, kept or not */
  uint64_t err_total;
} fsp_reply;

/* A rule broken by a received record (the assembler's VIOLATION and
 * IGNORED reasons, and records of a type no application sends). */
typedef struct fsp_breach {
  fcs_err reason;
  int ignored; /* the record was ignored, as the spec says */
  uint16_t id;
  uint8_t type;
  uint64_t record;
  uint64_t offset;
} fsp_breach;

/* A GET_VALUES_RESULT or UNKNOWN_TYPE reply. */
typedef struct fsp_mgmt {
  uint8_t type;
  uint16_t id;
  uint64_t record;
  bytebuf pairs;                 /* GET_VALUES_RESULT content */
  fcs_unknown_type_body unknown; /* UNKNOWN_TYPE body */
} fsp_mgmt;

/* A BEGIN_REQUEST the runner sent. */
typedef struct fsp_declared {
  uint16_t id, role;
  uint8_t flags;
} fsp_declared;

typedef struct fsp_replies {
  fcs_assembler a;
  void *mem;
  fsp_reply *v; /* in the order their first record (or END) arrived */
  size_t n;
  fsp_breach *breach;
  size_t nbreach;
  uint64_t breaches_dropped; /* past the bound: counted, not kept */
  fsp_mgmt *mgmt;
  size_t nmgmt;
  fsp_declared *begun;
  size_t nbegun;
  uint64_t kept;   /* reply bytes kept, across replies */
  uint64_t budget; /* bound on kept */
  int failed;      /* the bytes stopped framing */
  fcs_error error;
} fsp_replies;

void replies_init(fsp_replies *r, uint64_t budget);
void replies_free(fsp_replies *r);

/* The runner sent BEGIN_REQUEST for id: replies for id from now on answer
 * this request. */
void replies_begin(fsp_replies *r, uint16_t id, uint16_t role, uint8_t flags);

/* Bytes received from the backend, in order. */
void replies_feed(fsp_replies *r, const uint8_t *p, size_t len);

/* The first ended reply for id that no check consumed yet (used[i] != 0:
 * reply i was consumed; used may be NULL or shorter than n), or NULL. */
const fsp_reply *replies_next_end(const fsp_replies *r, uint16_t id,
                                  const bytebuf *used, size_t *idx);
/* The latest ended reply for id, or NULL. */
const fsp_reply *replies_last_end(const fsp_replies *r, uint16_t id,
                                  size_t *idx);

/* 1 when every request the runner began has its END_REQUEST. */
int replies_all_ended(const fsp_replies *r);

#endif
