/* The characters of an HTTP field name (RFC 9110 section 5.6.2, tchar),
 * for the CGI headers fcgi-curl reads and the -H headers it sends. */
#ifndef FCURL_HTTP_TOKEN_H
#define FCURL_HTTP_TOKEN_H

#include <stdint.h>
#include <string.h>

static inline int http_token_char(uint8_t c) {
  return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
         (c && strchr("!#$%&'*+-.^_`|~", c));
}

#endif
