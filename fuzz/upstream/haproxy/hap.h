/* What harness.c sees of HAProxy, in plain C.
 * - hap_run (drive_mux.c): one FastCGI backend connection, built the way
 *   HAProxy builds it, with the application's bytes played into it; what
 *   the mux made of them comes back as a hap_outcome.
 * - hap_*_decode_param (decode_param.c): fcgi.c's name-value decoders. */
#ifndef HAP_H
#define HAP_H

#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"

typedef struct hap_setup {
  const uint8_t *in; /* what the FastCGI application sends */
  size_t len;
  const size_t *pieces; /* how it arrives: sizes summing to len */
  size_t npieces;
  unsigned bufsize; /* tune.bufsize */
  int get_values;   /* fcgi-app "option get-values" */
  int keep_conn;    /* fcgi-app "option keep-conn" */
  int mpxs_conns;   /* fcgi-app "option mpxs-conns" */
  int head_request; /* the request is HEAD instead of GET */
  int http10;       /* the request is HTTP/1.0 instead of HTTP/1.1 */
} hap_setup;

typedef struct hap_outcome {
  unsigned stream_id;           /* the id the mux gave the request (0: none) */
  bytebuf stdout_raw;           /* bytes the demux moved into the stream's rx
                                     buffer, in order: its view of the STDOUT stream */
  bytebuf body;                 /* the DATA blocks of the HTX response */
  bytebuf stderr_text;          /* app_log messages, each without the '\n' the
                                     mux adds, one after the other */
  unsigned stderr_logs;         /* how many */
  unsigned stderr_unterminated; /* of them without that '\n' */
  int status;                   /* status of the HTX start line (0: none) */
  int headers_done;             /* the HTX response reached end of headers */
  int eom;                      /* the HTX response was marked complete */
  int chunked;                  /* the response body was chunked */
  int has_clen;                 /* it had a Content-Length */
  uint64_t clen;
  size_t raw_at_eom;          /* stdout_raw.len when eom was first seen */
  uint64_t id_from;           /* input offset from which the demux dispatches
                                 records to the stream (it had no id before) */
  int resumed_skip;           /* the stream got its id while the demux was
                                 skipping a record of that id */
  int end_seen;               /* the stream got end of stream (empty STDOUT or
                                 END_REQUEST) */
  int stream_error;           /* the mux put the stream in error */
  int htx_error;              /* it marked the HTX response failed */
  int conn_closed;            /* the connection went to state CLOSED */
  int demux_blocked;          /* the demux waited on the stream's buffer */
  int all_read;               /* the mux read every byte the application sent */
  int livelock;               /* tasklets kept waking each other up */
  int parked_on_whole_record; /* then, the demux was at an END_REQUEST or
                                 GET_VALUES_RESULT, which it reads whole */
  int trash_swapped;          /* the process's trash buffer is no longer its own
                                 (it would spoil every later input's logs) */
} hap_outcome;

/* Runs one connection; *out must be zeroed. */
void hap_run(const hap_setup *s, hap_outcome *out);
void hap_outcome_free(hap_outcome *out);
/* Gives the process fresh trash buffers (after the mux swapped them). */
void hap_renew_trash(void);

/* A pair as fcgi.c's decoders give it: bytes consumed (0: "missing data"),
 * and where name and value start, counted from the content's first byte. */
typedef struct hap_param {
  size_t consumed;
  size_t name_at, name_len, value_at, value_len;
} hap_param;

/* fcgi_aligned_decode_param as fcgi_conn_handle_values_result calls it: the
 * record's content at area[0..len), area holding avail >= len bytes (the
 * rest of the demux buffer), decoding the pair at offset off. */
void hap_aligned_decode_param(const uint8_t *area, size_t avail, size_t len,
                              size_t off, hap_param *p);

/* fcgi_decode_param on a ring buffer of size bytes whose content (len
 * bytes) starts at head and may wrap. */
void hap_decode_param(const uint8_t *ring, size_t size, size_t head, size_t len,
                      size_t off, hap_param *p);

#endif
