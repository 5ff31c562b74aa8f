/* One generated request before it becomes records: its BEGIN body, its
 * params (nginx's set) and its streams, with the request-level mutations
 * of gen.h applied (CONTENT_LENGTH, duplicates, odd bytes, roles, ids). */
#ifndef FSP_DIFF_GEN_REQ_H
#define FSP_DIFF_GEN_REQ_H

#include <stdint.h>

#include "bytebuf.h"
#include "fcs/proto.h"
#include "rng.h"

typedef struct gen_pair {
  bytebuf name, value;
  int lng; /* both lengths in the four-byte form */
} gen_pair;

typedef struct gen_req {
  uint16_t id;
  fcs_begin_body begin;
  bytebuf pairs; /* gen_pair items, in the order they are sent */
  bytebuf body;  /* STDIN */
  bytebuf data;  /* DATA, sent when has_data (the Filter role) */
  int has_data;
} gen_req;

/* The three baselines of gen.h, and anything else. */
enum { REQ_PLAIN, REQ_BODY, REQ_KEEP, REQ_ANY };

/* A request of that kind with the mutations in muts (bits of
 * gen_mutation) that act on one request. */
void gen_req_make(rng *r, int kind, uint64_t muts, uint16_t id, gen_req *q);
void gen_req_free(gen_req *q);

size_t gen_req_npairs(const gen_req *q);
gen_pair *gen_req_pair(const gen_req *q, size_t i);

#endif
