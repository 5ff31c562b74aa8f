/* One connection to the application under test, seen as a FastCGI client.
 *
 * Every byte received is kept (the transcript) and fed, as it arrives, to a
 * lenient client-side assembler, which decides when a reply is complete and
 * collects its streams. The strict verdict on the same bytes is strict.h's
 * job; this file only moves bytes and gathers what the lenient decode saw. */
#ifndef FCS_INTEROP_CONN_H
#define FCS_INTEROP_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "fcs/assembler.h"

/* What came back for one request. */
typedef struct interop_reply {
  uint16_t id;
  fcs_end_body end;
  interop_buf out, err;       /* STDOUT and STDERR content */
  int out_closed, err_closed; /* the empty record ending the stream seen */
} interop_reply;

/* What came back for a management query. */
typedef struct interop_mgmt {
  uint8_t type;      /* FCS_GET_VALUES_RESULT or FCS_UNKNOWN_TYPE */
  interop_buf pairs; /* GET_VALUES_RESULT content */
} interop_mgmt;

/* Bytes [start, end) of the transcript: one exchange. */
typedef struct interop_span {
  size_t start, end;
} interop_span;

typedef struct interop_conn {
  int fd;
  int timeout_ms;         /* per wait for the application */
  interop_buf transcript; /* every byte received */
  size_t fed;             /* bytes the lenient assembler consumed */
  int eof;
  fcs_assembler lenient;
  void *lenient_mem;
} interop_conn;

/* Takes over a connected descriptor. Returns 0 or -1 (message printed). */
int conn_open(interop_conn *c, int fd, int timeout_ms);
void conn_close(interop_conn *c);

int conn_send(interop_conn *c, const interop_buf *b);

/* A request with this id is about to be sent. */
int conn_begin(interop_conn *c, uint16_t id, uint8_t flags);

/* Reads until END_REQUEST for r->id; r gets the reply, *span the bytes
 * from the end of the previous exchange through that END_REQUEST. */
int conn_await_reply(interop_conn *c, interop_reply *r, interop_span *span);

/* Reads until a GET_VALUES_RESULT or UNKNOWN_TYPE record. */
int conn_await_mgmt(interop_conn *c, interop_mgmt *m, interop_span *span);

/* 0 when nothing arrives for ms milliseconds; -1 (message printed) when
 * bytes or EOF do. Bytes stay in the transcript for the next await. */
int conn_expect_silence(interop_conn *c, int ms);

/* After the last reply: expects the application to close the connection
 * and send nothing more. */
int conn_await_eof(interop_conn *c);

void reply_free(interop_reply *r);
void mgmt_free(interop_mgmt *m);

#endif
