/* What the runner sent on one connection, read back the way a conforming
 * application would read it: the codec's application-side assembler in
 * observe mode over the exact bytes written. Each request's params, STDIN
 * and DATA are what the backend's application should have seen; a request
 * whose records broke a rule on purpose has no such definite view, and is
 * marked with the reason. */
#ifndef FSP_SENT_H
#define FSP_SENT_H

#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"
#include "fcs/fcs.h"

typedef struct fsp_sent_req {
  uint16_t id, role;
  uint8_t flags;
  bytebuf params; /* the PARAMS stream, once complete (params_done) */
  uint32_t npairs;
  bytebuf in, data; /* STDIN and DATA bytes */
  int params_done, in_done, data_done, aborted;
  /* FCS_E_OK, or the rule the request's own records broke (for example
   * STREAM_AFTER_END): what the app sees is then not defined. */
  fcs_err unclean;
} fsp_sent_req;

typedef struct fsp_sent {
  fcs_assembler a;
  void *mem;
  fsp_sent_req *v; /* in the order of their BEGIN_REQUEST */
  size_t n;
  int failed; /* the bytes sent stopped framing (on purpose) */
  fcs_error error;
} fsp_sent;

void sent_init(fsp_sent *s);
void sent_free(fsp_sent *s);

/* Bytes about to be written. For each BEGIN_REQUEST in them, begun (if
 * not NULL) is called with the id, role and flags; for one on id 0 (a
 * management record of an unknown type) with id 0, role 0 and flags 0. */
void sent_feed(fsp_sent *s, const uint8_t *p, size_t len,
               void (*begun)(void *ctx, uint16_t id, uint16_t role,
                             uint8_t flags),
               void *ctx);

/* The backend ended request id (its END_REQUEST arrived): the id is
 * inactive again, and may be begun anew. */
void sent_ended(fsp_sent *s, uint16_t id);

/* The k-th request (0-based, in BEGIN order) sent with this id, or NULL. */
const fsp_sent_req *sent_find(const fsp_sent *s, uint16_t id, size_t k);

#endif
