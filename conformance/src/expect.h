/* Conditions of expect/allow lines, judged on the records a connection has
 * received. Each is true, false, or still pending (more input could decide
 * it); the runner reads until it is decided or the case deadline passes. */
#ifndef FCS_EXPECT_H
#define FCS_EXPECT_H

#include <stdint.h>

#include "buf.h"
#include "case.h"
#include "conn.h"

typedef enum fcs_tri { TRI_PENDING = 0, TRI_TRUE, TRI_FALSE } fcs_tri;

typedef struct fcs_eval {
  const fcs_conn *c;
  size_t mark;        /* first record received after the latest write */
  int64_t step_start; /* when the expect line began */
  int64_t now;
  int echo; /* the target prints params and stdin: content is checked */
  /* Per record index, 1 when an earlier response/end/echo check consumed
   * that END_REQUEST (NULL: none), so "response 1" twice means two
   * responses. */
  const fcs_buf *used;
  size_t *end_index; /* set to the END_REQUEST a true check used */
} fcs_eval;

/* Decides c; on TRI_FALSE appends why (what was observed) to why, and on
 * TRI_TRUE may append a note (e.g. content not checkable). */
fcs_tri cond_eval(const fcs_cond *c, const fcs_eval *x, fcs_buf *why);

/* One line per group of records from index from on: what the backend
 * sent, then EOF / flood / garbage state. */
void conn_summary(const fcs_conn *c, size_t from, fcs_buf *out);

/* 1 when every id in ids has its END_REQUEST on this connection. */
int conn_all_ended(const fcs_conn *c, const uint16_t *ids, size_t nids);

#endif
