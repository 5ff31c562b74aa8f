/* http_response: a proxy's bytes through the response parser of proxy
 * mode's HTTP client (conformance/src/http_parse.c), in-process.
 *
 * Input: 1 byte of HEAD requests (bit n: the n-th final response answers
 * a HEAD request), 1 flag byte (bit 0: the connection ends after the
 * bytes), 2 bytes (big-endian) for where the bytes are cut in two (modulo
 * their length + 1); the rest is what the proxy sent. Oracles:
 *  - fed whole, cut in two at that point, and fed one byte at a time, the
 *    parser finds the same responses (interim and final: status, head,
 *    framing, completion, body bytes and count) and the same error;
 *  - nothing exceeds its bound (this build sets them small, so inputs
 *    reach them): raw keeps the first HTTP_HEAD_MAX + HTTP_BODY_KEEP bytes
 *    as received and counts all, heads stay within HTTP_HEAD_MAX, bodies
 *    keep the first HTTP_BODY_KEEP bytes of what they count, at most
 *    HTTP_MAX_RESPONSES of each kind;
 *  - what is found agrees with itself: each head starts with the status
 *    line of its status, interim statuses are 1xx and final ones are not,
 *    only the latest response may be incomplete, a response without a body
 *    counts none, a complete Content-Length body has the announced length,
 *    a close-delimited body completes only at EOF, and an error names a
 *    byte of the connection ("... at byte N", N at most its length). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/oracle.h"
#include "../support/target.h"
#include "http_client.h"

typedef struct knobs {
  unsigned head_mask;
  int eof;
  size_t cut;
} knobs;

/* Feeds data in pieces: whole (piece 0), cut at one place, or in pieces
 * of `piece` bytes. */
static void run(http_conn *c, const knobs *k, const uint8_t *data, size_t len,
                size_t cut, size_t piece) {
  http_conn_init(c);
  c->head_mask = k->head_mask;
  if (piece) {
    for (size_t i = 0; i < len; i += piece)
      http_ingest(c, data + i, len - i < piece ? len - i : piece);
  } else {
    http_ingest(c, data, cut);
    http_ingest(c, data + cut, len - cut);
  }
  if (k->eof)
    http_ingest_eof(c);
}

static void same_response(const http_response *a, const http_response *b,
                          const char *kind, size_t i, const char *how) {
  FZ_CHECK(a->status == b->status && a->framing == b->framing &&
               a->complete == b->complete && a->body_total == b->body_total,
           "%s response %zu: whole: status %d framing %d complete %d body "
           "%" PRIu64 "; %s: %d %d %d %" PRIu64,
           kind, i, a->status, a->framing, a->complete, a->body_total, how,
           b->status, b->framing, b->complete, b->body_total);
  FZ_CHECK(a->head.len == b->head.len &&
               (!a->head.len || !memcmp(a->head.p, b->head.p, a->head.len)),
           "%s response %zu: whole and %s give different heads (%zu, %zu "
           "bytes)",
           kind, i, how, a->head.len, b->head.len);
  FZ_CHECK(a->body.len == b->body.len &&
               (!a->body.len || !memcmp(a->body.p, b->body.p, a->body.len)),
           "%s response %zu: whole and %s keep different bodies (%zu, %zu "
           "bytes)",
           kind, i, how, a->body.len, b->body.len);
}

static void same_parse(const http_conn *a, const http_conn *b,
                       const char *how) {
  FZ_CHECK(!strcmp(a->error, b->error), "whole: error '%s'; %s: '%s'", a->error,
           how, b->error);
  FZ_CHECK(a->nresp == b->nresp && a->ninterim == b->ninterim,
           "whole: %zu responses, %zu interim; %s: %zu, %zu", a->nresp,
           a->ninterim, how, b->nresp, b->ninterim);
  for (size_t i = 0; i < a->ninterim; i++)
    same_response(&a->interim[i], &b->interim[i], "interim", i, how);
  for (size_t i = 0; i < a->nresp; i++)
    same_response(&a->resp[i], &b->resp[i], "final", i, how);
}

static void check_raw(const http_conn *c, const uint8_t *data, size_t len) {
  size_t bound = (size_t)HTTP_HEAD_MAX + HTTP_BODY_KEEP;
  size_t want = len < bound ? len : bound;
  FZ_CHECK(c->raw_total == len && c->raw.len == want &&
               (!want || !memcmp(c->raw.p, data, want)),
           "raw keeps %zu bytes and counts %" PRIu64 " of %zu received "
           "(bound %zu), or not the first ones",
           c->raw.len, c->raw_total, len, bound);
  FZ_CHECK(c->nresp <= HTTP_MAX_RESPONSES && c->ninterim <= HTTP_MAX_RESPONSES,
           "%zu responses and %zu interim kept, bound %d", c->nresp,
           c->ninterim, HTTP_MAX_RESPONSES);
}

/* The Content-Length a response announces (the parser accepted it). */
static uint64_t content_length(const http_response *r) {
  const uint8_t *v;
  size_t n;
  FZ_CHECK(http_header(r, "content-length", &v, &n),
           "a Content-Length body without a Content-Length header");
  uint64_t x = 0;
  for (size_t i = 0; i < n && v[i] >= '0' && v[i] <= '9'; i++)
    x = x * 10 + (uint64_t)(v[i] - '0');
  return x;
}

static void check_response(const http_conn *c, const http_response *r,
                           int interim) {
  char line[16];
  snprintf(line, sizeof line, "HTTP/1.x %03d", r->status);
  FZ_CHECK(r->head.len >= 12 && !memcmp(r->head.p, line, 7) &&
               !memcmp(r->head.p + 8, line + 8, 4),
           "a response of status %d whose head does not start with it",
           r->status);
  FZ_CHECK(r->head.len <= HTTP_HEAD_MAX, "a head of %zu bytes, bound %u",
           r->head.len, HTTP_HEAD_MAX);
  FZ_CHECK((r->status < 200) == interim, "status %d filed as %s", r->status,
           interim ? "interim" : "final");
  uint64_t keep =
      r->body_total < HTTP_BODY_KEEP ? r->body_total : HTTP_BODY_KEEP;
  FZ_CHECK(r->body.len == keep,
           "a body keeps %zu of %" PRIu64 " bytes, bound %u", r->body.len,
           r->body_total, HTTP_BODY_KEEP);
  if (r->framing == HTTP_FRAME_NONE)
    FZ_CHECK(!r->body_total, "status %d has no body, yet %" PRIu64 " bytes",
             r->status, r->body_total);
  if (r->framing == HTTP_FRAME_LENGTH && r->complete)
    FZ_CHECK(r->body_total == content_length(r),
             "a complete body of %" PRIu64 " bytes, announced %" PRIu64,
             r->body_total, content_length(r));
  if (r->framing == HTTP_FRAME_CLOSE)
    FZ_CHECK(r->complete == c->eof,
             "a close-delimited body: complete %d, EOF %d", r->complete,
             c->eof);
}

static void check_error(const http_conn *c, size_t len) {
  if (!c->error[0])
    return;
  const char *at = strstr(c->error, " at byte ");
  char *end;
  unsigned long long n = at ? strtoull(at + 9, &end, 10) : 0;
  FZ_CHECK(at && end != at + 9 && !*end && n <= len,
           "error '%s' does not name a byte of the %zu received", c->error,
           len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4)
    return 0;
  knobs k = {data[0], data[1] & 1, (size_t)(data[2] << 8 | data[3])};
  data += 4;
  size -= 4;
  k.cut %= size + 1;
  static http_conn whole, cut, bytes;
  run(&whole, &k, data, size, size, 0);
  run(&cut, &k, data, size, k.cut, 0);
  run(&bytes, &k, data, size, 0, 1);
  char how[48];
  snprintf(how, sizeof how, "cut at byte %zu", k.cut);
  same_parse(&whole, &cut, how);
  same_parse(&whole, &bytes, "fed one byte at a time");
  http_conn *all[] = {&whole, &cut, &bytes};
  for (int i = 0; i < 3; i++)
    check_raw(all[i], data, size);
  /* Responses arrive one after the other: only the latest can be cut. */
  size_t incomplete = 0;
  for (size_t i = 0; i < whole.ninterim; i++) {
    check_response(&whole, &whole.interim[i], 1);
    incomplete += !whole.interim[i].complete;
  }
  for (size_t i = 0; i < whole.nresp; i++) {
    check_response(&whole, &whole.resp[i], 0);
    incomplete += !whole.resp[i].complete;
  }
  FZ_CHECK(incomplete <= 1, "%zu responses incomplete at once", incomplete);
  check_error(&whole, size);
  for (int i = 0; i < 3; i++)
    http_conn_free(all[i]);
  return 0;
}
