/* Conditions of expect/allow lines, judged on what a connection received:
 * the replies and broken rules the codec's assembler reported (replies.h)
 * and, for record-layout questions, the raw record log (backend_conn.h). Each
 * is true, false, or still pending (more input could decide it); the runner
 * reads until it is decided or the case deadline passes. */
#ifndef FSP_EXPECT_H
#define FSP_EXPECT_H

#include <stdint.h>

#include "backend_conn.h"
#include "bytebuf.h"
#include "case.h"
#include "content.h"
#include "sent.h"

typedef enum fsp_tri { TRI_PENDING = 0, TRI_TRUE, TRI_FALSE } fsp_tri;

typedef struct fsp_eval {
  const fsp_conn *c;
  const fsp_sent *sent; /* what the runner sent on c (NULL: not known) */
  uint64_t mark;        /* first record received after the latest write */
  int64_t step_start;   /* when the expect line began */
  int64_t now;
  /* How the app reveals what it received (NULL: content is not checked). */
  const fsp_content *content;
  /* Per reply index, non-zero when an earlier response/end/echo check
   * consumed that reply (NULL: none), so "response 1" twice means two
   * responses. */
  const bytebuf *used;
  size_t *reply_index; /* set to the reply a true check used */
  /* Set to 1 when a true check could not look at what it is about (the
   * app reveals nothing, or there was nothing to check): the case is then
   * unsupported rather than passed. */
  int *unchecked;
} fsp_eval;

/* Decides k; on TRI_FALSE appends why (what was observed) to why, and on
 * TRI_TRUE may append a note (e.g. content not checkable). */
fsp_tri cond_eval(const fsp_cond *k, const fsp_eval *x, bytebuf *why);

#endif
