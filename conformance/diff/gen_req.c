#include "gen_req.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define HAS(m) ((muts >> GM_##m) & 1)
#define PICK(r, list) list[rng_below(r, sizeof(list) / sizeof(list[0]))]

size_t gen_req_npairs(const gen_req *q) {
  return q->pairs.len / sizeof(gen_pair);
}

gen_pair *gen_req_pair(const gen_req *q, size_t i) {
  return (gen_pair *)(void *)q->pairs.p + i;
}

/* A new pair at position at (appended when at is past the end). */
static gen_pair *insert(gen_req *q, size_t at, const void *name, size_t nl,
                        const void *value, size_t vl) {
  gen_pair p = {0};
  bytebuf_add(&p.name, name, nl);
  bytebuf_add(&p.value, value, vl);
  size_t n = gen_req_npairs(q);
  if (at > n)
    at = n;
  bytebuf_add(&q->pairs, &p, sizeof(p)); /* grows by one */
  gen_pair *v = gen_req_pair(q, 0);
  memmove(v + at + 1, v + at, (n - at) * sizeof(p));
  v[at] = p;
  return &v[at];
}

static void add(gen_req *q, const char *name, const char *value) {
  insert(q, (size_t)-1, name, strlen(name), value, strlen(value));
}

/* Somewhere after SCRIPT_FILENAME, which stays first. */
static size_t spot(rng *r, const gen_req *q) {
  return 1 + rng_below(r, gen_req_npairs(q));
}

static gen_pair *find(const gen_req *q, const char *name) {
  for (size_t i = 0; i < gen_req_npairs(q); i++) {
    gen_pair *p = gen_req_pair(q, i);
    if (p->name.len == strlen(name) && !memcmp(p->name.p, name, p->name.len))
      return p;
  }
  return NULL;
}

static void set(gen_pair *p, const char *value) {
  p->value.len = 0;
  bytebuf_str(&p->value, value);
}

static void fill_text(rng *r, bytebuf *b, size_t n) {
  static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789=&+%-_.\n";
  for (size_t i = 0; i < n; i++)
    bytebuf_byte(b, (uint8_t)chars[rng_below(r, sizeof(chars) - 1)]);
}

static void path(rng *r, char *out, size_t cap) {
  static const char *words[] = {"index.php", "api",    "v1",   "users", "img",
                                "search",    "static", "cart", "a b",   "x"};
  size_t n = 0, segs = 1 + rng_below(r, 3);
  for (size_t i = 0; i < segs && n < cap; i++)
    n += (size_t)snprintf(out + n, cap - n, "/%s", PICK(r, words));
}

/* nginx's fastcgi_params, SCRIPT_FILENAME first, then a few headers. */
static void nginx_params(rng *r, gen_req *q, const char *method) {
  static const char *queries[] = {"", "a=1", "q=fcgi&page=2", "x=%41%42",
                                  "empty=&flag"};
  static const char *types[] = {"application/x-www-form-urlencoded",
                                "text/plain", "application/octet-stream"};
  static const char *protocols[] = {"HTTP/1.1", "HTTP/1.1", "HTTP/1.0",
                                    "HTTP/2.0"};
  static const char *hosts[] = {"localhost", "example.com", "127.0.0.1"};
  static const char *ports[] = {"80", "8080", "443"};
  uint8_t placeholder[GEN_PLACEHOLDER_LEN];
  gen_placeholder(placeholder);
  insert(q, 0, "SCRIPT_FILENAME", 15, placeholder, sizeof(placeholder));
  char uri[128], full[256], num[32];
  path(r, uri, sizeof(uri));
  const char *query = PICK(r, queries), *host = PICK(r, hosts);
  snprintf(full, sizeof(full), "%s%s%s", uri, *query ? "?" : "", query);
  add(q, "QUERY_STRING", query);
  add(q, "REQUEST_METHOD", method);
  add(q, "CONTENT_TYPE", q->body.len ? PICK(r, types) : "");
  snprintf(num, sizeof(num), "%zu", q->body.len);
  add(q, "CONTENT_LENGTH", q->body.len ? num : "");
  add(q, "SCRIPT_NAME", uri);
  add(q, "REQUEST_URI", full);
  add(q, "DOCUMENT_URI", uri);
  add(q, "DOCUMENT_ROOT", "/var/www/html");
  add(q, "SERVER_PROTOCOL", PICK(r, protocols));
  add(q, "REQUEST_SCHEME", "http");
  add(q, "GATEWAY_INTERFACE", "CGI/1.1");
  add(q, "SERVER_SOFTWARE", "nginx/1.22.1");
  snprintf(num, sizeof(num), "10.%u.%u.%u", (unsigned)rng_below(r, 256),
           (unsigned)rng_below(r, 256), 1 + (unsigned)rng_below(r, 254));
  add(q, "REMOTE_ADDR", rng_one_in(r, 2) ? "127.0.0.1" : num);
  snprintf(num, sizeof(num), "%u", 1024 + (unsigned)rng_below(r, 64512));
  add(q, "REMOTE_PORT", num);
  add(q, "SERVER_ADDR", "127.0.0.1");
  add(q, "SERVER_PORT", PICK(r, ports));
  add(q, "SERVER_NAME", host);
  add(q, "REDIRECT_STATUS", "200");
  add(q, "HTTP_HOST", host);
  add(q, "HTTP_USER_AGENT", "fcgi-diff/1");
  add(q, "HTTP_ACCEPT", "*/*");
  if (rng_one_in(r, 2))
    add(q, "HTTP_ACCEPT_ENCODING", "gzip, deflate");
  if (rng_one_in(r, 3))
    add(q, "HTTP_COOKIE", "session=abc123; theme=dark");
  if (rng_one_in(r, 4))
    add(q, "HTTP_X_FORWARDED_FOR", "192.0.2.7");
}

/* A value for CONTENT_LENGTH that disagrees with the n bytes of STDIN. */
static void bad_length(rng *r, uint64_t muts, size_t n, char *out, size_t cap) {
  static const char *text[] = {"ten", "12abc", "0x10", "1e3", "+"};
  static const char *pads[] = {" %zu", "%zu ", "\t%zu", " %zu "};
  if (HAS(CLEN_MORE))
    snprintf(out, cap, "%zu", n + 1 + (size_t)rng_below(r, 100));
  else if (HAS(CLEN_FEWER))
    snprintf(out, cap, "%zu", (size_t)rng_below(r, n)); /* n >= 2 */
  else if (HAS(CLEN_TEXT))
    snprintf(out, cap, "%s", PICK(r, text));
  else if (HAS(CLEN_NEGATIVE))
    snprintf(out, cap, "-%zu", rng_one_in(r, 2) ? n : 1);
  else if (HAS(CLEN_ZEROS))
    snprintf(out, cap, "%0*zu", 3 + (int)rng_below(r, 5), n);
  else
    snprintf(out, cap, PICK(r, pads), n);
}

static int clen_mutated(uint64_t muts) {
  return (muts >> GM_CLEN_MORE) &
         ((1u << (GM_CLEN_SPACES - GM_CLEN_MORE + 1)) - 1);
}

/* Odd bytes, each in a param of its own (or in a name, now and then). */
static void odd_bytes(rng *r, uint64_t muts, gen_req *q) {
  static const uint8_t high[] = {0xc3, 0xa9, 0xff, 0xfe, 0x80};
  if (HAS(NUL_BYTE)) {
    if (rng_one_in(r, 4))
      insert(q, spot(r, q), "HTTP_X\0NUL", 10, "1", 1);
    else
      insert(q, spot(r, q), "HTTP_X_NUL", 10, "a\0b", 3);
  }
  if (HAS(CRLF)) {
    if (rng_one_in(r, 4))
      insert(q, spot(r, q), "HTTP_X\r\nY", 9, "1", 1);
    else
      insert(q, spot(r, q), "HTTP_X_CRLF", 11, "a\r\nX-Injected: 1", 16);
  }
  if (HAS(HIGH_BYTES)) {
    size_t n = 1 + (size_t)rng_below(r, sizeof(high));
    if (rng_one_in(r, 4))
      insert(q, spot(r, q), "HTTP_X_\xc3\xa9", 9, "1", 1);
    else
      insert(q, spot(r, q), "HTTP_X_HIGH", 11, high, n);
  }
  if (HAS(EMPTY_NAME))
    insert(q, spot(r, q), "", 0, "nameless", 8);
  if (HAS(EMPTY_VALUE))
    insert(q, spot(r, q), "HTTP_X_EMPTY", 12, "", 0);
  if (HAS(LONG_VALUE)) {
    static const size_t sizes[] = {127, 128, 255, 256, 4096, 65535, 65536};
    size_t n =
        rng_one_in(r, 4) ? 1000 + (size_t)rng_below(r, 99000) : PICK(r, sizes);
    gen_pair *p = insert(q, spot(r, q), "HTTP_X_LONG", 11, NULL, 0);
    fill_text(r, &p->value, n);
  }
}

/* A second pair with the name of a random param other than
 * SCRIPT_FILENAME, after it, with the same or another value. */
static void duplicate(rng *r, gen_req *q, int same) {
  size_t i = 1 + (size_t)rng_below(r, gen_req_npairs(q) - 1);
  size_t at = i + 1 + (size_t)rng_below(r, gen_req_npairs(q) - i);
  gen_pair *p = gen_req_pair(q, i);
  bytebuf name = {0}, value = {0};
  bytebuf_add(&name, p->name.p, p->name.len);
  if (same)
    bytebuf_add(&value, p->value.p, p->value.len);
  else
    bytebuf_fmt(&value, "dup-%u", (unsigned)rng_below(r, 1000));
  insert(q, at, name.p, name.len, value.p, value.len);
  bytebuf_free(&name);
  bytebuf_free(&value);
}

static uint16_t role_of(rng *r, uint64_t muts) {
  static const uint16_t odd[] = {0, 4, 5, 255, 256, 65535};
  if (HAS(ROLE_AUTHORIZER))
    return FCS_AUTHORIZER;
  if (HAS(ROLE_FILTER))
    return FCS_FILTER;
  if (HAS(UNKNOWN_ROLE))
    return PICK(r, odd);
  return FCS_RESPONDER;
}

static size_t body_size(rng *r, int kind, uint64_t muts) {
  size_t n = 0;
  if (kind == REQ_BODY)
    n = 16 + (size_t)rng_below(r, 200);
  else if (kind == REQ_ANY && rng_one_in(r, 2))
    n = (size_t)rng_below(r, 2049);
  /* An Authorizer gets no body (spec 6.3), unless one of these mutations
   * needs two bytes at least to act on. */
  if (HAS(ROLE_AUTHORIZER))
    n = 0;
  if ((HAS(EMPTY_MID_STDIN) || HAS(CLEN_FEWER)) && n < 2)
    n = 2 + (size_t)rng_below(r, 300);
  return n;
}

void gen_req_make(rng *r, int kind, uint64_t muts, uint16_t id, gen_req *q) {
  /* No HEAD: its response has no body, so no echo page to compare. */
  static const char *bodyless[] = {"GET", "GET", "GET", "DELETE", "OPTIONS"};
  static const char *bodied[] = {"POST", "POST", "PUT", "PATCH"};
  memset(q, 0, sizeof(*q));
  q->id = HAS(ZERO_ID) ? 0 : id;
  q->begin.role = role_of(r, muts);
  q->begin.flags = kind == REQ_KEEP || (kind == REQ_ANY && rng_one_in(r, 4))
                       ? FCS_KEEP_CONN
                       : 0;
  if (HAS(FLAGS_UNKNOWN))
    q->begin.flags |= (uint8_t)((1 + rng_below(r, 127)) << 1);
  if (HAS(RESERVED_BODY))
    for (size_t i = 0, n = 1 + rng_below(r, 5); i < n; i++)
      q->begin.reserved[rng_below(r, 5)] = (uint8_t)(1 + rng_below(r, 255));
  fill_text(r, &q->body, body_size(r, kind, muts));
  nginx_params(r, q, q->body.len ? PICK(r, bodied) : PICK(r, bodyless));
  if (q->begin.role == FCS_FILTER) {
    q->has_data = 1;
    fill_text(r, &q->data, (size_t)rng_below(r, 300));
    char num[32];
    snprintf(num, sizeof(num), "%zu", q->data.len);
    add(q, "FCGI_DATA_LENGTH", num);
  }
  if (clen_mutated(muts)) {
    char v[32];
    bad_length(r, muts, q->body.len, v, sizeof(v));
    set(find(q, "CONTENT_LENGTH"), v);
  }
  if (HAS(DUP_SAME))
    duplicate(r, q, 1);
  if (HAS(DUP_DIFF))
    duplicate(r, q, 0);
  odd_bytes(r, muts, q);
  if (HAS(LONG_LENGTH)) {
    /* The four-byte forms on one pair at least, and on a third of the
     * others. */
    size_t n = gen_req_npairs(q), first = rng_below(r, n);
    for (size_t i = 0; i < n; i++) {
      gen_pair *p = gen_req_pair(q, i);
      p->lng = i == first || rng_one_in(r, 3);
    }
  }
}

void gen_req_free(gen_req *q) {
  for (size_t i = 0; i < gen_req_npairs(q); i++) {
    bytebuf_free(&gen_req_pair(q, i)->name);
    bytebuf_free(&gen_req_pair(q, i)->value);
  }
  bytebuf_free(&q->pairs);
  bytebuf_free(&q->body);
  bytebuf_free(&q->data);
}
