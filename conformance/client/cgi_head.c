#include "cgi_head.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http_token.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static void invalid(cgi_head *h, const char *why) {
  h->state = CGI_HEAD_INVALID;
  h->status = 502;
  snprintf(h->why, sizeof(h->why), "%s", why);
}

static int is_ows(uint8_t c) { return c == ' ' || c == '\t'; }

/* RFC 9110 section 15: a status code is three digits, 100..599. */
static int parse_status(const uint8_t *v, size_t len) {
  if (len < 3 || (len > 3 && v[3] != ' '))
    return -1;
  int code = 0;
  for (int i = 0; i < 3; i++) {
    if (v[i] < '0' || v[i] > '9')
      return -1;
    code = code * 10 + (v[i] - '0');
  }
  return code >= 100 && code <= 599 ? code : -1;
}

/* RFC 3875 section 6.2.3: a Location holding an absolute URI (a scheme
 * and a colon) without a Status is a client redirect, answered 302. */
static int is_absolute_uri(const uint8_t *v, size_t len) {
  size_t i = 0;
  while (i < len && (((v[i] | 0x20) >= 'a' && (v[i] | 0x20) <= 'z') ||
                     (i > 0 && ((v[i] >= '0' && v[i] <= '9') || v[i] == '+' ||
                                v[i] == '-' || v[i] == '.'))))
    i++;
  return i > 0 && i < len && v[i] == ':';
}

static int named(const cgi_head *h, const cgi_field *f, const char *name) {
  return f->name_len == strlen(name) &&
         strncasecmp((const char *)h->block.p + f->name, name, f->name_len) ==
             0;
}

/* The empty line arrived: the status the block gives. */
static void done(cgi_head *h) {
  int status = 0, redirect = 0;
  for (size_t i = 0; i < cgi_head_count(h); i++) {
    const cgi_field *f = cgi_head_field(h, i);
    const uint8_t *v = h->block.p + f->value;
    if (named(h, f, "Status")) {
      if ((status = parse_status(v, f->value_len)) < 0) {
        invalid(h, "its Status does not start with a code 100..599");
        return;
      }
    } else if (named(h, f, "Location")) {
      redirect = is_absolute_uri(v, f->value_len);
    }
  }
  h->state = CGI_HEAD_DONE;
  h->status = status ? status : redirect ? 302 : 200;
}

/* One header line, [start, end) of the block without its line end. */
static void header_line(cgi_head *h, size_t start, size_t end) {
  const uint8_t *p = h->block.p;
  size_t colon = start;
  while (colon < end && http_token_char(p[colon]))
    colon++;
  if (colon == start || colon == end || p[colon] != ':') {
    invalid(h, "a line of its header block is not 'Name: value'");
    return;
  }
  size_t v = colon + 1, e = end;
  while (v < e && is_ows(p[v]))
    v++;
  while (e > v && is_ows(p[e - 1]))
    e--;
  cgi_field f = {start, colon - start, v, e - v};
  bytebuf_add(&h->fields, &f, sizeof(f));
}

/* A line ended at the block's last byte: a header, or the empty line. */
static void line_ended(cgi_head *h) {
  size_t start = h->line, end = h->block.len - 1;
  if (end > start && h->block.p[end - 1] == '\r')
    end--;
  h->line = h->block.len;
  if (end == start)
    done(h);
  else
    header_line(h, start, end);
}

size_t cgi_head_feed(cgi_head *h, const uint8_t *p, size_t n) {
  size_t used = 0;
  h->state = CGI_HEAD_READING;
  while (used < n && h->state == CGI_HEAD_READING) {
    const uint8_t *nl = memchr(p + used, '\n', n - used);
    size_t take = nl ? (size_t)(nl - (p + used)) + 1 : n - used;
    bytebuf_add(&h->block, p + used, take);
    used += take;
    if (h->block.len > CGI_HEAD_MAX)
      invalid(h, "its header block has no end in the first " STR(
                     CGI_HEAD_MAX) " bytes");
    else if (nl)
      line_ended(h);
  }
  return used;
}

void cgi_head_finish(cgi_head *h, int completed) {
  if (h->state == CGI_HEAD_READING)
    invalid(h, "STDOUT ended inside its header block");
  else if (h->state == CGI_HEAD_NONE && completed)
    invalid(h, "STDOUT was empty");
}

size_t cgi_head_count(const cgi_head *h) {
  return h->fields.len / sizeof(cgi_field);
}

const cgi_field *cgi_head_field(const cgi_head *h, size_t i) {
  return (const cgi_field *)h->fields.p + i;
}

void cgi_head_free(cgi_head *h) {
  bytebuf_free(&h->block);
  bytebuf_free(&h->fields);
}
