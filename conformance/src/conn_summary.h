/* What a connection received, in one line for a verdict or a note. */
#ifndef FSP_CONN_SUMMARY_H
#define FSP_CONN_SUMMARY_H

#include <stddef.h>

#include "backend_conn.h"
#include "bytebuf.h"

/* One item per group of records from index from on: what the backend
 * sent, then EOF / flood / garbage state. */
void conn_summary(const fsp_conn *c, size_t from, bytebuf *out);

#endif
