/* The HTTP/1.x request head reader of fcs-http-origin: what it needs to
 * answer and to keep the connection, nothing more. */
#ifndef FCS_HTTP_ORIGIN_HTTP_H
#define FCS_HTTP_ORIGIN_HTTP_H

#include <stddef.h>
#include <stdint.h>

enum http_parse { HTTP_INCOMPLETE = 0, HTTP_OK, HTTP_BAD };

typedef struct http_request {
  size_t head_len;       /* bytes of the head, blank line included */
  uint64_t body_len;     /* Content-Length, to read and discard */
  uint8_t keep_alive;    /* the connection may serve another request */
  uint8_t http10;        /* HTTP/1.0: say keep-alive when keeping it */
  uint8_t head;          /* HEAD: no body in the reply */
  uint16_t status;       /* 200, or the error to answer (then close) */
} http_request;

/* Reads the head at the start of buf. HTTP_INCOMPLETE: no blank line yet;
 * HTTP_BAD: no usable request line (answer 400 and close); HTTP_OK: *rq
 * says what to answer (status 501 for Transfer-Encoding, 405 for a method
 * other than GET and HEAD). */
enum http_parse http_parse(const uint8_t *buf, size_t len, http_request *rq);

#endif
