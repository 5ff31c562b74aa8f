/* multiplex: requests on one connection, interleaved or one after the
 * other, must give the same per-request streams.
 *
 * The input drives a data provider that builds 2 to 4 requests with
 * distinct ids (drawn from a set where some share their low byte: 1, 257,
 * 513, ...), each with a role, flags, name-value pairs, STDIN and, for the
 * Filter role, DATA, cut into records of a drawn size. The same records
 * are then laid out grouped (request after request) and interleaved (the
 * next record taken from a request the input picks; each request's own
 * order kept). The application-side assembler (strict) must report, for
 * both layouts, exactly the role, flags, PARAMS bytes, pair count, STDIN
 * and DATA each request was built with, and let each request be ended once
 * its input is complete. A stream is cut into at most MAX_STREAM_RECORDS
 * records with content (the drawn size is raised where it would give
 * more): the assembler's cost grows with the number of records, and a few
 * per stream are enough to interleave the requests every way. */
#include <stdlib.h>
#include <string.h>

#include "../support/oracle.h"
#include "../support/provider.h"
#include "../support/target.h"
#include "../support/trace.h"

#define MAX_REQUESTS 4
#define MAX_PAIRS 4
#define MAX_STREAM_RECORDS 4
/* Bounds of one request's records: BEGIN_REQUEST, then PARAMS, STDIN and
 * DATA, each in at most MAX_STREAM_RECORDS records and an empty one. */
#define MAX_PARAMS (MAX_PAIRS * (8 + 31 + 63))
#define MAX_RECORDS (1 + 3 * (MAX_STREAM_RECORDS + 1))
#define MAX_WIRE                                                               \
  (MAX_RECORDS * FCS_HEADER_LEN + FCS_BODY_LEN + MAX_PARAMS + 200 + 100)

static const uint16_t ids[] = {1, 2, 3, 257, 258, 513, 0x8001, 65535};

typedef struct request {
  uint16_t id, role;
  uint8_t flags;
  uint8_t params[MAX_PARAMS];
  size_t params_len, npairs;
  const uint8_t *stdin_bytes, *data_bytes;
  size_t stdin_len, data_len;
  uint8_t wire[MAX_WIRE]; /* this request's records, back to back */
  size_t wire_len;
  size_t record_ends[MAX_RECORDS]; /* end offset in wire of each record */
  size_t nrecords;
} request;

/* What the assembler reported for one request. */
typedef struct seen {
  int begun, params_done, stdin_done, data_done;
  uint16_t role;
  uint8_t flags;
  size_t npairs;
  uint8_t *params, *stdin_bytes, *data_bytes;
  size_t params_len, stdin_len, data_len;
} seen;

/* Encodes one record at the end of the request's wire. */
static void add_record(request *r, uint8_t type, const uint8_t *data,
                       size_t len) {
  size_t need;
  fcs_err e =
      fcs_encode_record(r->wire + r->wire_len, sizeof r->wire - r->wire_len,
                        type, r->id, data, len, NULL, &need);
  FZ_CHECK(e == FCS_E_OK && r->nrecords < MAX_RECORDS,
           "building request %u: record %zu: %s", r->id, r->nrecords,
           fcs_err_name(e));
  r->wire_len += need;
  r->record_ends[r->nrecords++] = r->wire_len;
}

static void add_stream(request *r, uint8_t type, const uint8_t *data,
                       size_t len, size_t piece) {
  size_t least = (len + MAX_STREAM_RECORDS - 1) / MAX_STREAM_RECORDS;
  if (piece < least)
    piece = least;
  for (size_t at = 0; at < len; at += piece)
    add_record(r, type, data + at, len - at < piece ? len - at : piece);
  add_record(r, type, NULL, 0);
}

static void build(fz_provider *p, request *r, uint16_t id) {
  r->id = id;
  r->params_len = r->wire_len = r->nrecords = 0;
  r->stdin_bytes = r->data_bytes = NULL;
  r->stdin_len = r->data_len = 0;
  r->role = (uint16_t)fz_range(p, FCS_RESPONDER, FCS_FILTER);
  r->flags = fz_u8(p) & FCS_KEEP_CONN;
  r->npairs = fz_range(p, 0, MAX_PAIRS);
  for (size_t i = 0; i < r->npairs; i++) {
    size_t nlen, vlen, w;
    const uint8_t *name = fz_bytes(p, fz_range(p, 0, 31), &nlen);
    const uint8_t *value = fz_bytes(p, fz_range(p, 0, 63), &vlen);
    fcs_nv_encode(r->params + r->params_len, sizeof r->params - r->params_len,
                  name, (uint32_t)nlen, value, (uint32_t)vlen, 0, &w);
    r->params_len += w;
  }
  r->stdin_bytes = fz_bytes(p, fz_range(p, 0, 200), &r->stdin_len);
  if (r->role == FCS_FILTER)
    r->data_bytes = fz_bytes(p, fz_range(p, 0, 100), &r->data_len);
  size_t piece = fz_range(p, 1, 64), need;
  fcs_encode_begin_request(r->wire, sizeof r->wire, id, r->role, r->flags,
                           NULL, &need);
  r->wire_len = need;
  r->record_ends[r->nrecords++] = need;
  add_stream(r, FCS_PARAMS, r->params, r->params_len, piece);
  add_stream(r, FCS_STDIN, r->stdin_bytes, r->stdin_len, piece);
  if (r->role == FCS_FILTER)
    add_stream(r, FCS_DATA, r->data_bytes, r->data_len, piece);
}

static uint8_t *copy(const uint8_t *p, size_t n) {
  uint8_t *c = malloc(n + 1);
  memcpy(c, p, n);
  return c;
}

static void assemble(const uint8_t *wire, size_t len, const request *reqs,
                     size_t n, seen *out, const char *layout) {
  fcs_limits limits = {4096, MAX_PAIRS, MAX_REQUESTS, 4096};
  size_t memlen;
  void *mem = fz_asm_memory(&limits, &memlen);
  fcs_assembler a;
  fcs_asm_event ev;
  fcs_assembler_init(&a, FCS_SIDE_APP, FCS_STRICT, &limits, mem, memlen);
  memset(out, 0, n * sizeof(seen));
  size_t pos = 0;
  do {
    pos += fcs_assembler_feed(&a, wire + pos, len - pos, &ev);
    FZ_CHECK(ev.type != FCS_AE_ERROR && ev.type != FCS_AE_REFUSED &&
                 ev.type != FCS_AE_IGNORED,
             "%s layout: assembler event %d (%s) for request %u at %llu",
             layout, ev.type,
             fcs_err_name(ev.type == FCS_AE_ERROR ? ev.error.code : ev.reason),
             ev.request_id, (unsigned long long)ev.offset);
    size_t k = 0;
    while (k < n && reqs[k].id != ev.request_id)
      k++;
    if (ev.type == FCS_AE_NONE || k == n)
      continue;
    seen *s = &out[k];
    switch (ev.type) {
    case FCS_AE_BEGIN:
      s->begun = 1;
      s->role = ev.role;
      s->flags = ev.flags;
      break;
    case FCS_AE_PARAMS:
      s->params_done = 1;
      s->params = copy(ev.data, ev.len);
      s->params_len = ev.len;
      s->npairs = ev.npairs;
      break;
    case FCS_AE_STREAM_END:
      if (ev.record_type == FCS_STDIN) {
        s->stdin_done = 1;
        s->stdin_bytes = copy(ev.data, ev.len);
        s->stdin_len = ev.len;
      } else {
        s->data_done = 1;
        s->data_bytes = copy(ev.data, ev.len);
        s->data_len = ev.len;
      }
      /* The request has all its input: end it, as an application would
       * once it has answered, so its slot can be reused. */
      if (ev.record_type == (reqs[k].role == FCS_FILTER ? FCS_DATA : FCS_STDIN))
        FZ_CHECK(fcs_assembler_end(&a, ev.request_id) == FCS_E_OK &&
                     fcs_assembler_end(&a, ev.request_id) == FCS_E_NOT_ACTIVE,
                 "%s layout: ending request %u (twice) went wrong", layout,
                 ev.request_id);
      break;
    default:
      break;
    }
  } while (pos < len || ev.type != FCS_AE_NONE);
  FZ_CHECK(fcs_assembler_finish(&a, &ev) == FCS_E_OK,
           "%s layout ends inside a record", layout);
}

static void expect_built(const request *r, const seen *s, const char *layout) {
  FZ_CHECK(s->begun && s->role == r->role && s->flags == r->flags,
           "%s layout: request %u began %d with role %u flags %u, built with "
           "role %u flags %u",
           layout, r->id, s->begun, s->role, s->flags, r->role, r->flags);
  FZ_CHECK(s->params_done && s->params_len == r->params_len &&
               fz_same(s->params, r->params, r->params_len) &&
               s->npairs == r->npairs,
           "%s layout: request %u PARAMS came back as %zu bytes, %zu pairs; "
           "built %zu bytes, %zu pairs",
           layout, r->id, s->params_len, s->npairs, r->params_len, r->npairs);
  FZ_CHECK(s->stdin_done && s->stdin_len == r->stdin_len &&
               fz_same(s->stdin_bytes, r->stdin_bytes, r->stdin_len),
           "%s layout: request %u STDIN came back as %zu bytes, built %zu",
           layout, r->id, s->stdin_len, r->stdin_len);
  if (r->role == FCS_FILTER)
    FZ_CHECK(s->data_done && s->data_len == r->data_len &&
                 fz_same(s->data_bytes, r->data_bytes, r->data_len),
             "%s layout: request %u DATA came back as %zu bytes, built %zu",
             layout, r->id, s->data_len, r->data_len);
}

static void seen_free(seen *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(s[i].params);
    free(s[i].stdin_bytes);
    free(s[i].data_bytes);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_provider p;
  fz_provider_init(&p, data, size);
  static request reqs[MAX_REQUESTS]; /* large: kept between runs */
  size_t n = 0, total = 0, want = fz_range(&p, 2, MAX_REQUESTS);
  uint8_t used[sizeof ids / sizeof ids[0]] = {0};
  while (n < want) {
    size_t pick = fz_u8(&p) % (sizeof ids / sizeof ids[0]);
    while (used[pick]) /* distinct ids: take the next free one */
      pick = (pick + 1) % (sizeof ids / sizeof ids[0]);
    used[pick] = 1;
    build(&p, &reqs[n], ids[pick]);
    total += reqs[n++].wire_len;
  }
  uint8_t *grouped = malloc(total), *mixed = malloc(total);
  size_t at = 0, next[MAX_REQUESTS] = {0}, done[MAX_REQUESTS] = {0};
  for (size_t i = 0; i < n; i++) {
    memcpy(grouped + at, reqs[i].wire, reqs[i].wire_len);
    at += reqs[i].wire_len;
  }
  /* Interleave: the input names the request whose next record comes. */
  at = 0;
  for (size_t left = n; left > 0;) {
    size_t k = fz_u8(&p) % n;
    while (next[k] == reqs[k].nrecords)
      k = (k + 1) % n;
    size_t from = next[k] ? reqs[k].record_ends[next[k] - 1] : 0;
    size_t to = reqs[k].record_ends[next[k]++];
    memcpy(mixed + at, reqs[k].wire + from, to - from);
    at += to - from;
    if (next[k] == reqs[k].nrecords && !done[k]++)
      left--;
  }
  seen by_group[MAX_REQUESTS], by_mix[MAX_REQUESTS];
  assemble(grouped, total, reqs, n, by_group, "grouped");
  assemble(mixed, total, reqs, n, by_mix, "interleaved");
  for (size_t i = 0; i < n; i++) {
    expect_built(&reqs[i], &by_group[i], "grouped");
    expect_built(&reqs[i], &by_mix[i], "interleaved");
  }
  seen_free(by_group, n);
  seen_free(by_mix, n);
  free(grouped);
  free(mixed);
  return 0;
}
