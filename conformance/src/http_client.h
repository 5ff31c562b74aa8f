/* The HTTP side of proxy mode: a client that writes raw HTTP/1.1 bytes,
 * exactly as a case gives them (no library that would normalise them), and
 * reads the proxy's responses with a bounded parser. One http_conn is one
 * TCP connection to the proxy; responses on it are parsed in order
 * (interim 1xx responses are kept apart from the final ones). */
#ifndef FCS_HTTP_CLIENT_H
#define FCS_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "target.h"

/* Bytes of a response head and of a body kept; beyond them the response
 * is marked (head: malformed; body: counted, not kept). */
#define HTTP_HEAD_MAX (64u << 10)
#define HTTP_BODY_KEEP (1u << 20)
#define HTTP_MAX_RESPONSES 64

typedef enum http_framing {
  HTTP_FRAME_NONE = 0, /* no body: 1xx, 204, 304, or a HEAD response */
  HTTP_FRAME_LENGTH,   /* Content-Length */
  HTTP_FRAME_CHUNKED,  /* Transfer-Encoding: chunked */
  HTTP_FRAME_CLOSE     /* read until the connection closes */
} http_framing;

typedef struct http_response {
  int status;   /* 100..999 */
  fcs_buf head; /* status line and header lines, as received */
  fcs_buf body; /* de-chunked, first HTTP_BODY_KEEP bytes */
  uint64_t body_total;
  http_framing framing;
  int complete; /* the whole body arrived */
  int64_t t;    /* ms (clock.h) when its status line arrived */
} http_response;

typedef struct http_conn {
  int fd;           /* -1 when closed */
  int eof;          /* the proxy closed (or reset) the connection */
  int write_failed; /* a write failed: the proxy is gone */
  /* Why parsing stopped on bytes that are not HTTP ("bad status line at
   * byte 17"); empty while the bytes make sense. */
  char error[128];
  fcs_buf raw; /* every byte received, up to HTTP_HEAD_MAX + BODY_KEEP */
  uint64_t raw_total;
  http_response interim[HTTP_MAX_RESPONSES]; /* 1xx, in order */
  size_t ninterim;
  http_response resp[HTTP_MAX_RESPONSES]; /* final responses, in order */
  size_t nresp;
  /* Requests whose response has no body whatever its headers say (HEAD);
   * set by http_send from the method of each request line it writes. */
  unsigned head_mask;
  size_t sent_requests;
  /* parser state (private) */
  size_t parse_off;
  int in_body;
  uint64_t body_left;
  int chunk_state;
} http_conn;

/* Connects to the proxy (blocking connect with a deadline, then
 * non-blocking). 0, or -1 with err. */
int http_connect(http_conn *c, const fcs_target *t, int64_t deadline, char *err,
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
/* Closes the socket (abruptly: a client that goes away), keeps what was
 * parsed. */
void http_close(http_conn *c);
/* Frees the buffers; the connection must be closed. */
void http_conn_free(http_conn *c);

/* Parses bytes already received (the reader behind http_pump; exposed for
 * unit tests and the fuzz target): appends to raw and parses on. */
void http_ingest(http_conn *c, const uint8_t *p, size_t len);
void http_ingest_eof(http_conn *c);

#endif
