/* One connection to the backend, as a case sees it: writes in chosen chunk
 * sizes, and every byte read goes two ways: through a lenient decoder into
 * a log of received records (for traces, summaries and record-layout
 * questions), and through the codec's client-side assembler into the
 * replies and broken rules it reports (replies.h). Memory is bounded: past
 * RX_BUDGET bytes of content or RX_MAX_RECORDS records the connection is
 * marked flooded and stops keeping what arrives. */
#ifndef FSP_BACKEND_CONN_H
#define FSP_BACKEND_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"
#include "fcs/fcs.h"
#include "replies.h"
#include "target.h"
#include "wire_trace.h"

/* Overridable so a fuzz build can reach the bounds with small inputs. */
#ifndef RX_BUDGET
#define RX_BUDGET (8u << 20)
#endif
#ifndef RX_MAX_RECORDS
#define RX_MAX_RECORDS 100000u
#endif

typedef struct fsp_rx {
  fcs_header h;
  size_t off;    /* content in the arena */
  uint32_t kept; /* content bytes kept (< content_length when flooded) */
  int complete;  /* content and padding fully received */
  int64_t t;
} fsp_rx;

typedef struct fsp_conn {
  int fd;
  int eof;        /* read returned 0 or the connection was reset */
  int write_fail; /* a write failed (peer gone) */
  int flooded;
  int garbage; /* the decoder stopped on bytes it cannot frame */
  fcs_error garbage_err;
  fcs_decoder dec;
  fsp_rx *recs;
  size_t nrecs;
  uint64_t headers; /* records begun, kept in recs or not */
  bytebuf arena;
  uint64_t rx_bytes;
  uint8_t first[48]; /* the first bytes received, for a diagnosis */
  size_t nfirst;
  int64_t last_rx; /* time of the last byte received */
  fsp_trace *trace;
  fsp_replies replies;
} fsp_conn;

int conn_open(fsp_conn *c, const fsp_target *t, fsp_trace *trace,
              int64_t deadline, char *err, size_t errlen);
void conn_close(fsp_conn *c);
/* A connection with no socket yet (fd -1): what conn_open starts from. */
void conn_init(fsp_conn *c, fsp_trace *trace);

/* The receive path: bytes read from the backend go to the trace and
 * through the decoder into the record log. conn_ingest_end records EOF
 * (reset: the connection was reset). */
void conn_ingest(fsp_conn *c, const uint8_t *p, size_t len);
void conn_ingest_end(fsp_conn *c, int reset);

/* Writes data in chunk-byte writes (0: one write), reading whatever the
 * backend sends meanwhile. 0 when written, -1 when the peer is gone or the
 * deadline passed. */
int conn_write(fsp_conn *c, const uint8_t *data, size_t len, size_t chunk,
               int64_t deadline);
/* Reads until some bytes arrive, EOF, or until (absolute ms). Returns 1
 * when something changed, 0 on timeout. */
int conn_pump(fsp_conn *c, int64_t until);
void conn_shutdown_write(fsp_conn *c);

/* 1 when the first bytes received are text, as an HTTP, SSH or mail
 * server would send, not a FastCGI record header (whose version byte is
 * 1, and whose id and length bytes are mostly below 0x20); what came is
 * quoted into why. */
int conn_speaks_text(const fsp_conn *c, char *why, size_t whylen);

/* 1 when nothing more can arrive (EOF or unframeable bytes). */
int conn_done(const fsp_conn *c);
const uint8_t *rx_content(const fsp_conn *c, const fsp_rx *r);

#endif
