/* Multi-record byte streams written out by hand from the spec (sections
 * 3.3, 3.4, 4.1, 5). Each comment in vectors.c gives the offset of every
 * record, which the tests check events against. */
#ifndef FCS_TESTS_VECTORS_H
#define FCS_TESTS_VECTORS_H

#include <stddef.h>
#include <stdint.h>

typedef struct vector {
  const char *name;
  const uint8_t *bytes;
  size_t len;
} vector;

/* Web server to application: one responder request, id 1, KEEP_CONN, with
 * padded records, a name-value pair split across two PARAMS records, STDIN
 * "hello" and a padded STDIN terminator. 112 bytes. */
extern const vector vec_responder;
/* Web server to application: request 1 (responder) and request 2 (filter,
 * with DATA) interleaved, and an ABORT for request 1. 140 bytes. */
extern const vector vec_multiplexed;
/* Web server to application: the standard GET_VALUES query, then a
 * request. 112 bytes. */
extern const vector vec_get_values_request;
/* Application to web server: replies to requests 1 and 2 interleaved
 * (STDOUT, STDERR, terminators, END_REQUESTs), then a GET_VALUES_RESULT.
 * 129 bytes. */
extern const vector vec_client_replies;

#endif
