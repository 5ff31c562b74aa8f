/* The HTTP side of proxy mode: a client that writes raw HTTP/1.1 bytes,
 * exactly as a case gives them (no library that would normalise them), and
 * reads the proxy's responses with a bounded parser. One http_conn is one
 * TCP connection to the proxy; responses on it are parsed in order
 * (interim 1xx responses are kept apart from the final ones). */
#ifndef FSP_HTTP_CLIENT_H
#define FSP_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"
#include "target.h"

/* Bytes of a response head and of a body kept; beyond them the response
 * is marked (head: malformed; body: counted, not kept). The fuzz build
 * sets them small so that inputs reach them. */
#ifndef HTTP_HEAD_MAX
#define HTTP_HEAD_MAX (64u << 10)
#endif
#ifndef HTTP_BODY_KEEP
#define HTTP_BODY_KEEP (1u << 20)
#endif
#ifndef HTTP_MAX_RESPONSES
#define HTTP_MAX_RESPONSES 64
#endif

typedef enum http_framing {
  HTTP_FRAME_NONE = 0, /* no body: 1xx, 204, 304, or a HEAD response */
  HTTP_FRAME_LENGTH,   /* Content-Length */
  HTTP_FRAME_CHUNKED,  /* Transfer-Encoding: chunked */
  HTTP_FRAME_CLOSE     /* read until the connection closes */
} http_framing;

typedef struct http_response {
  int status;   /* 100..999 */
  bytebuf head; /* status line, header lines and the blank line, as
                   received (so far, while the head is incomplete) */
  bytebuf body; /* de-chunked, first HTTP_BODY_KEEP bytes */
  uint64_t body_total;
  http_framing framing;
  int complete; /* the whole response arrived (a close-delimited body:
                   at EOF) */
  int64_t t;    /* ms (clock.h) when its status line arrived */
} http_response;

/* Where requests start in the bytes http_send writes, followed across
 * calls (private to http_client.c): at the first byte that is not a line
 * end; the head ends at an empty line; then a body is passed over by its
 * Content-Length, or up to the next empty line when the head has a
 * Transfer-Encoding (the end of a chunked body: chunk data holding an
 * empty line ends it early). Bytes that frame otherwise are counted as
 * they fall: this serves to find HEAD requests, not to judge requests. */
typedef struct http_req_scan {
  int state;        /* before a request, in its head or body (RQ_*) */
  int first_line;   /* the request line is being read */
  int chunked;      /* the head has a Transfer-Encoding */
  uint64_t length;  /* the head's Content-Length */
  uint64_t left;    /* body bytes still to pass */
  size_t line;      /* bytes of the current line, CRs aside */
  uint8_t text[40]; /* its first bytes */
} http_req_scan;

typedef struct http_conn {
  int fd;           /* -1 when closed */
  int eof;          /* the proxy closed (or reset) the connection */
  int write_failed; /* a write failed: the proxy is gone */
  /* Why parsing stopped on bytes that are not HTTP ("bad status line at
   * byte 17", the byte counted from the connection's first); empty while
   * the bytes make sense. Bytes after it are still counted and kept in
   * raw, but not parsed. */
  char error[128];
  bytebuf raw; /* every byte received, up to HTTP_HEAD_MAX + BODY_KEEP */
  uint64_t raw_total;
  http_response interim[HTTP_MAX_RESPONSES]; /* 1xx, in order */
  size_t ninterim;
  http_response resp[HTTP_MAX_RESPONSES]; /* final responses, in order */
  size_t nresp;
  /* Requests whose response has no body whatever its headers say (HEAD):
   * bit n for the n-th request (from 0, the first 32 requests), set by
   * http_send from the method of each request line it writes, which it
   * counts in sent_requests (http_req_scan says how it finds them). */
  unsigned head_mask;
  size_t sent_requests;
  http_req_scan scan;
  /* parser state (private to http_parse.c) */
  uint64_t parse_off; /* connection offset of the next byte to parse */
  int state;          /* what that byte is (P_* in http_parse.c); < 0: parsing
                         ended (an error, or a 101 switched protocols) */
  int cr;             /* a line's CR came; only its LF may follow */
  int cur_interim;    /* the response being read is interim[ninterim-1] */
  uint64_t left;      /* body or chunk bytes still due; chunk size read */
  size_t section;     /* bytes so far of "HTTP/1.x NNN", of a chunk-size
                         line or of the trailers */
  uint8_t start[12];  /* "HTTP/1.x NNN" before the status is known */
} http_conn;

/* An empty connection: no socket, nothing received. A parser for
 * http_ingest as it is (what unit tests and the fuzz target use). */
void http_conn_init(http_conn *c);
/* Initialises c and connects to the proxy (connect with a deadline, then
 * non-blocking). 0, or -1 with err (c then has no socket). */
int http_connect(http_conn *c, const fsp_target *t, int64_t deadline, char *err,
                 size_t errlen);
/* Writes len bytes in chunk-byte writes (0: one write), reading whatever
 * arrives meanwhile. 0 when written, -1 when the proxy is gone or the
 * deadline (absolute ms) passed. */
int http_send(http_conn *c, const uint8_t *p, size_t len, size_t chunk,
              int64_t deadline);
/* Reads until some bytes arrive, EOF, or until (absolute ms); parses what
 * arrived. 1 when something changed, 0 on timeout. */
int http_pump(http_conn *c, int64_t until);
/* Reads until n final responses are complete, EOF, or until. 1 when they
 * are, 0 otherwise. */
int http_wait_responses(http_conn *c, size_t n, int64_t until);
/* Half-closes our side (no more request bytes). */
void http_shutdown(http_conn *c);
/* Closes the socket at once, whatever is still due either way (a client
 * that goes away); keeps what was parsed. */
void http_close(http_conn *c);
/* Frees the buffers; the connection must be closed. */
void http_conn_free(http_conn *c);

/* Parses bytes already received (the reader behind http_pump; exposed for
 * unit tests and the fuzz target): appends to raw and parses on. */
void http_ingest(http_conn *c, const uint8_t *p, size_t len);
/* The proxy closed: a close-delimited body is complete, anything else cut
 * short stays incomplete (a status line cut short is an error). */
void http_ingest_eof(http_conn *c);

/* The first header field of r named name (any case): its value without
 * the blanks around it. 1 when found, else 0. */
int http_header(const http_response *r, const char *name, const uint8_t **value,
                size_t *len);
/* How many header fields of r are named name (any case). */
size_t http_header_count(const http_response *r, const char *name);

#endif
