/* FCGI_WEB_SERVER_ADDRS (spec 3.2): when the variable is set, only peers
 * whose IPv4 address it lists may connect; any other connection, including
 * one that does not use TCP/IP, is closed at once. */
#ifndef FCGI_RESPONDER_WEB_SERVER_ADDRS_H
#define FCGI_RESPONDER_WEB_SERVER_ADDRS_H

#include <stddef.h>
#include <stdint.h>

typedef struct web_server_addrs {
  int active;      /* the variable is set */
  uint32_t *addrs; /* network byte order */
  size_t count;
} web_server_addrs;

/* Reads the comma-separated dotted quads of value (NULL: not set).
 * 0 on success; -1 with the bad entry named in err. */
int web_server_addrs_parse(web_server_addrs *w, const char *value, char *err,
                           size_t errlen);

/* 1 when the peer of the connected socket fd may be served. who gets the
 * peer's address for a log line. */
int web_server_addrs_permit(const web_server_addrs *w, int fd, char *who,
                            size_t wholen);

void web_server_addrs_free(web_server_addrs *w);

#endif
