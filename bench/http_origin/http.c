#include "http.h"

#include <string.h>
#include <strings.h>

static const uint8_t *find_blank_line(const uint8_t *buf, size_t len) {
  for (size_t i = 0; i + 3 < len; i++)
    if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' &&
        buf[i + 3] == '\n')
      return buf + i + 4;
  return NULL;
}

/* 1 when the comma-separated value holds token (any case). */
static int has_token(const uint8_t *v, size_t n, const char *token) {
  size_t tl = strlen(token), i = 0;
  while (i < n) {
    while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
      i++;
    size_t start = i;
    while (i < n && v[i] != ',')
      i++;
    size_t end = i;
    while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
      end--;
    if (end - start == tl && strncasecmp((const char *)v + start, token, tl) == 0)
      return 1;
  }
  return 0;
}

static int parse_length(const uint8_t *v, size_t n, uint64_t *out) {
  uint64_t x = 0;
  size_t i = 0;
  while (i < n && (v[i] == ' ' || v[i] == '\t'))
    i++;
  size_t digits = 0;
  for (; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++) {
    if (x > (UINT64_MAX - 9) / 10)
      return 0;
    x = x * 10 + (uint64_t)(v[i] - '0');
  }
  while (i < n && (v[i] == ' ' || v[i] == '\t'))
    i++;
  if (!digits || i != n)
    return 0;
  *out = x;
  return 1;
}

enum http_parse http_parse(const uint8_t *buf, size_t len, http_request *rq) {
  const uint8_t *end = find_blank_line(buf, len);
  if (!end)
    return HTTP_INCOMPLETE;
  memset(rq, 0, sizeof *rq);
  rq->head_len = (size_t)(end - buf);
  const uint8_t *line_end = memchr(buf, '\r', rq->head_len);
  const uint8_t *sp1 = memchr(buf, ' ', (size_t)(line_end - buf));
  if (!sp1)
    return HTTP_BAD;
  const uint8_t *sp2 = memchr(sp1 + 1, ' ', (size_t)(line_end - sp1 - 1));
  if (!sp2 || line_end - sp2 != 9 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
      (sp2[8] != '0' && sp2[8] != '1'))
    return HTTP_BAD;
  rq->http10 = sp2[8] == '0';
  rq->keep_alive = !rq->http10;
  size_t mlen = (size_t)(sp1 - buf);
  rq->head = mlen == 4 && memcmp(buf, "HEAD", 4) == 0;
  int get = mlen == 3 && memcmp(buf, "GET", 3) == 0;
  rq->status = get || rq->head ? 200 : 405;
  /* Header lines: NAME ":" VALUE CRLF, up to the blank line. */
  const uint8_t *p = line_end + 2;
  while (p < end - 2) {
    const uint8_t *eol = memchr(p, '\r', (size_t)(end - p));
    const uint8_t *colon = memchr(p, ':', (size_t)(eol - p));
    if (!colon)
      return HTTP_BAD;
    size_t nlen = (size_t)(colon - p);
    const uint8_t *v = colon + 1;
    size_t vlen = (size_t)(eol - v);
    if (nlen == 10 && strncasecmp((const char *)p, "Connection", 10) == 0) {
      if (has_token(v, vlen, "close"))
        rq->keep_alive = 0;
      else if (rq->http10 && has_token(v, vlen, "keep-alive"))
        rq->keep_alive = 1;
    } else if (nlen == 14 &&
               strncasecmp((const char *)p, "Content-Length", 14) == 0) {
      if (!parse_length(v, vlen, &rq->body_len))
        return HTTP_BAD;
    } else if (nlen == 17 &&
               strncasecmp((const char *)p, "Transfer-Encoding", 17) == 0) {
      rq->status = 501;
    }
    p = eol + 2;
  }
  if (rq->status != 200)
    rq->keep_alive = 0;
  return HTTP_OK;
}
