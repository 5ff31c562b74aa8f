/* The lighttpd side of the harness: one HTTP request that lighttpd hands
 * to mod_fastcgi, with the harness playing the FastCGI application on the
 * other end of the backend socket. shim_server.c implements it on
 * lighttpd's own units; this header keeps their types out of harness.c. */
#ifndef LTS_SERVER_H
#define LTS_SERVER_H

#include <stddef.h>
#include <stdint.h>

/* What lighttpd made of the application's reply. */
typedef struct lts_reply {
  int started;         /* it took a header block as the final one */
  int forwarded;       /* ... and kept the request with mod_fastcgi (0: it
                          dropped the reply for an error response of its own) */
  int interim;         /* 1xx responses it passed to the client connection */
  int chunked;         /* it decodes the body (Transfer-Encoding: chunked) */
  int finished;        /* the request has left the gateway */
  int status;          /* its HTTP status for the client */
  const uint8_t *body; /* the client's response body so far (its write
                          queue), valid until lts_end */
  size_t body_len;
} lts_reply;

/* Starts a request (setting the server up on the first call): lighttpd
 * connects to the application, which reads the request it sends. */
void lts_begin(void);
/* The application writes bytes; lighttpd's event loop runs until it has
 * nothing more to do. Returns 0 once lighttpd no longer reads the reply
 * (nothing was written then), 1 otherwise. */
int lts_send(const uint8_t *bytes, size_t len);
/* The application closes its connection; the loop runs to the end. */
void lts_close(void);
void lts_result(lts_reply *reply);
/* Response headers lighttpd keeps for the client, as it stores them. */
size_t lts_header_count(void);
void lts_header(size_t i, const char **key, size_t *klen, const char **value,
                size_t *vlen);
/* The Content-Length lighttpd keeps (its own lookup of the field); 0 when
 * there is none. */
int lts_content_length(const char **value, size_t *vlen);
/* Ends the request as the connection does and frees it. */
void lts_end(void);

#endif
