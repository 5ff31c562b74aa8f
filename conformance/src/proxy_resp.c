/* The response-side conditions of proxy cases (docs/proxies.md,
 * "Replies"): what the client got for request K, compared with what the
 * recording backend answered. Each is pending until request K's response
 * is complete or can no longer come. */
#include <stdio.h>
#include <string.h>

#include "proxy_case.h"

#define SHOW 120 /* bytes of a value or body shown in a reason */

static void show(bytebuf *why, const uint8_t *p, size_t n) {
  bytebuf_byte(why, '"');
  bytebuf_escape(why, p, n, SHOW);
  bytebuf_byte(why, '"');
}

/* Request k's complete response in *r, or why there is none. */
static fsp_tri complete_response(const px_case *pc, size_t k,
                                 const http_response **r, bytebuf *why) {
  *r = px_response(pc, k);
  if (*r && (*r)->complete)
    return TRI_TRUE;
  if (!px_req_done(pc, k))
    return TRI_PENDING;
  bytebuf_fmt(why, "request %zu got no complete response", k);
  return TRI_FALSE;
}

/* The condition's name argument as a C string (names hold no NUL). */
static void name_of(const fsp_cond *k, char *out, size_t len) {
  snprintf(out, len, "%.*s", (int)k->items[0].len, (const char *)k->items[0].p);
}

static fsp_tri about_body(const px_case *pc, const http_response *r,
                          const fsp_cond *k, bytebuf *why) {
  bytebuf want = {0};
  px_expand(pc, k->id, &k->items[0], &want);
  int whole = r->body_total == r->body.len;
  int found = want.len && bytebuf_contains(&r->body, want.p, want.len);
  /* A body longer than the client keeps may hold ITEM past what it kept:
   * body-lacks cannot pass on it. */
  int ok = k->kind == C_BODY
               ? whole && want.len == r->body.len &&
                     (!want.len || !memcmp(want.p, r->body.p, want.len))
           : k->kind == C_BODY_HAS ? found
                                   : !found && whole;
  if (!ok) {
    bytebuf_fmt(why, "request %lu: body of %llu bytes ", k->id,
                (unsigned long long)r->body_total);
    show(why, r->body.p, r->body.len);
    bytebuf_str(why, k->kind != C_BODY_LACKS ? ", wanted "
                     : found                 ? " holds "
                                             : ", kept in part, may hold ");
    show(why, want.p, want.len);
  }
  bytebuf_free(&want);
  return ok ? TRI_TRUE : TRI_FALSE;
}

static fsp_tri about_header(const px_case *pc, const http_response *r,
                            const fsp_cond *k, bytebuf *why) {
  char name[256];
  name_of(k, name, sizeof name);
  size_t n = http_header_count(r, name);
  const uint8_t *v = NULL;
  size_t vlen = 0;
  http_header(r, name, &v, &vlen);
  switch (k->kind) {
  case C_NO_HEADER:
    if (!n)
      return TRI_TRUE;
    bytebuf_fmt(why, "request %lu: the response has %s: ", k->id, name);
    show(why, v, vlen);
    return TRI_FALSE;
  case C_HEADER_COUNT:
    if (n == k->num)
      return TRI_TRUE;
    bytebuf_fmt(why, "request %lu: %zu %s header%s, wanted %lu", k->id, n, name,
                n == 1 ? "" : "s", k->num);
    return TRI_FALSE;
  default: { /* C_HEADER */
    bytebuf want = {0};
    px_expand(pc, k->id, &k->items[1], &want);
    int ok = n && vlen == want.len && (!vlen || !memcmp(v, want.p, vlen));
    if (!ok) {
      bytebuf_fmt(why, "request %lu: ", k->id);
      if (n) {
        bytebuf_fmt(why, "%s: ", name);
        show(why, v, vlen);
      } else {
        bytebuf_fmt(why, "no %s header", name);
      }
      bytebuf_str(why, ", wanted ");
      show(why, want.p, want.len);
    }
    bytebuf_free(&want);
    return ok ? TRI_TRUE : TRI_FALSE;
  }
  }
}

/* Response k is the recorder's own reply to request k's backend request
 * (recorder.h): not another request's, and nothing left over from one. */
static fsp_tri own_reply(const px_case *pc, const rec_state *rs,
                         const http_response *r, const fsp_cond *k,
                         bytebuf *why) {
  const rec_request *q = px_find(pc, rs, k->id);
  if (!q) {
    bytebuf_fmt(why,
                "request %lu did not reach the backend; the client got "
                "HTTP %d",
                k->id, r->status);
    return TRI_FALSE;
  }
  size_t n = (size_t)(q - rs->reqs);
  char tag[32], body[64];
  snprintf(tag, sizeof tag, "%zu", n);
  snprintf(body, sizeof body, "recorded request %zu\n", n);
  const uint8_t *v = NULL;
  size_t vlen = 0;
  int tagged = http_header(r, REC_REPLY_HEADER, &v, &vlen) &&
               vlen == strlen(tag) && !memcmp(v, tag, vlen);
  int same_body = r->body_total == strlen(body) &&
                  r->body.len == strlen(body) &&
                  !memcmp(r->body.p, body, strlen(body));
  if (r->status == 200 && tagged && same_body)
    return TRI_TRUE;
  bytebuf_fmt(why, "request %lu: the client got HTTP %d", k->id, r->status);
  if (v) {
    bytebuf_str(why, " with " REC_REPLY_HEADER ": ");
    show(why, v, vlen);
  }
  bytebuf_fmt(why, " and body ");
  show(why, r->body.p, r->body.len);
  bytebuf_fmt(why, ", not the reply to its backend request %zu", n);
  return TRI_FALSE;
}

fsp_tri px_cond_response(const px_case *pc, const rec_state *rs,
                         const fsp_cond *k, bytebuf *why) {
  const http_response *r;
  fsp_tri t = complete_response(pc, k->id, &r, why);
  if (t != TRI_TRUE)
    return t;
  switch (k->kind) {
  case C_BODY:
  case C_BODY_HAS:
  case C_BODY_LACKS:
    return about_body(pc, r, k, why);
  case C_OWN_REPLY:
    return own_reply(pc, rs, r, k, why);
  default:
    return about_header(pc, r, k, why);
  }
}
