#define _POSIX_C_SOURCE 200809L
#include "web_server_addrs.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int is_space(char c) { return c == ' ' || c == '\t'; }

int web_server_addrs_parse(web_server_addrs *w, const char *value, char *err,
                           size_t errlen) {
  memset(w, 0, sizeof *w);
  if (!value)
    return 0;
  w->active = 1;
  size_t entries = 1;
  for (const char *p = value; *p; p++)
    entries += *p == ',';
  w->addrs = calloc(entries, sizeof *w->addrs);
  if (!w->addrs) {
    snprintf(err, errlen, "FCGI_WEB_SERVER_ADDRS: out of memory");
    return -1;
  }
  for (const char *p = value;;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    while (len && is_space(*p)) {
      p++;
      len--;
    }
    while (len && is_space(p[len - 1]))
      len--;
    char entry[INET_ADDRSTRLEN];
    struct in_addr a;
    int ok = len > 0 && len < sizeof entry;
    if (ok) {
      memcpy(entry, p, len);
      entry[len] = '\0';
      ok = inet_pton(AF_INET, entry, &a) == 1;
    }
    if (!ok) {
      snprintf(err, errlen,
               "FCGI_WEB_SERVER_ADDRS: '%.*s' is not a dotted-quad IPv4 "
               "address",
               (int)(len < 64 ? len : 64), p);
      web_server_addrs_free(w);
      return -1;
    }
    w->addrs[w->count++] = a.s_addr;
    if (!end)
      return 0;
    p = end + 1;
  }
}

int web_server_addrs_permit(const web_server_addrs *w, int fd, char *who,
                            size_t wholen) {
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  memset(&ss, 0, sizeof ss);
  snprintf(who, wholen, "a peer that is not TCP/IP");
  if (!w->active)
    return 1;
  if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0)
    return 0;
  uint32_t addr;
  if (ss.ss_family == AF_INET) {
    addr = ((struct sockaddr_in *)&ss)->sin_addr.s_addr;
  } else if (ss.ss_family == AF_INET6) {
    const struct in6_addr *a6 = &((struct sockaddr_in6 *)&ss)->sin6_addr;
    if (!IN6_IS_ADDR_V4MAPPED(a6)) {
      inet_ntop(AF_INET6, a6, who, (socklen_t)wholen);
      return 0;
    }
    memcpy(&addr, a6->s6_addr + 12, 4);
  } else {
    return 0;
  }
  struct in_addr a = {addr};
  inet_ntop(AF_INET, &a, who, (socklen_t)wholen);
  for (size_t i = 0; i < w->count; i++)
    if (w->addrs[i] == addr)
      return 1;
  return 0;
}

void web_server_addrs_free(web_server_addrs *w) {
  free(w->addrs);
  memset(w, 0, sizeof *w);
}
