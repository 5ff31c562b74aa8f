#include "gen.h"

#include <stdlib.h>
#include <string.h>

#include "gen_req.h"
#include "produce.h"
#include "rng.h"

static const char *const names[] = {
#define GEN_MUT_NAME(id, name) name,
    GEN_MUTATIONS(GEN_MUT_NAME)
#undef GEN_MUT_NAME
};

const char *gen_mutation_name(gen_mutation m) {
  return m < GM_COUNT ? names[m] : "?";
}

void gen_placeholder(uint8_t out[GEN_PLACEHOLDER_LEN]) {
  size_t n = strlen(GEN_PLACEHOLDER_PREFIX);
  memcpy(out, GEN_PLACEHOLDER_PREFIX, n);
  memset(out + n, '@', GEN_PLACEHOLDER_LEN - n);
}

#define HAS(m) ((g->muts >> GM_##m) & 1)

/* One record to be written; content lives in the generator's arena. */
typedef struct grec {
  uint8_t type;
  uint16_t id;
  fsp_rec_opts o;
  size_t off, len;
  fcs_begin_body begin; /* BEGIN_REQUEST */
} grec;

typedef struct gen {
  rng r;
  uint64_t muts;
  bytebuf arena;
} gen;

static const fsp_rec_opts plain = {-1, -1, -1, -1, -1, -1, -1};

static size_t nrecs(const bytebuf *list) { return list->len / sizeof(grec); }
static grec *rec_at(const bytebuf *list, size_t i) {
  return (grec *)(void *)list->p + i;
}

/* Adds a record at position at (appended when at is past the end). */
static void put(bytebuf *list, size_t at, uint8_t type, uint16_t id, size_t off,
                size_t len) {
  grec g = {type, id, plain, off, len, {0}};
  size_t n = nrecs(list);
  if (at > n)
    at = n;
  bytebuf_add(list, &g, sizeof(g));
  grec *v = rec_at(list, 0);
  memmove(v + at + 1, v + at, (n - at) * sizeof(g));
  v[at] = g;
}

static void append(bytebuf *list, uint8_t type, uint16_t id, size_t off,
                   size_t len) {
  put(list, (size_t)-1, type, id, off, len);
}

static int has_cut(const size_t *cuts, size_t n, size_t at) {
  for (size_t i = 0; i < n; i++)
    if (cuts[i] == at)
      return 1;
  return 0;
}

static int by_size(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return (x > y) - (x < y);
}

/* Where a stream's len content bytes are cut into records: every record
 * within 65535 bytes, never inside [keep_from, keep_to) (the placeholder),
 * plus the extra cuts given. Returns the count, cuts sorted in out. */
static size_t cut_points(size_t len, size_t keep_from, size_t keep_to,
                         const size_t *extra, size_t nextra, size_t *out,
                         size_t cap) {
  size_t n = 0;
  for (size_t at = 0; len - at > FCS_MAX_CONTENT && n < cap;) {
    size_t c = at + FCS_MAX_CONTENT;
    if (keep_from < c && c < keep_to)
      c = keep_from;
    out[n++] = at = c;
  }
  for (size_t i = 0; i < nextra && n < cap; i++) {
    size_t c = extra[i];
    if (c > 0 && c < len && !(keep_from < c && c < keep_to) &&
        !has_cut(out, n, c))
      out[n++] = c;
  }
  qsort(out, n, sizeof(size_t), by_size);
  return n;
}

/* Content at arena offset base, len bytes, as records of type cut at
 * cuts; with empty_mid, an empty record at one of the cuts (there must be
 * one). Then the stream's empty terminator. */
static void stream_records(gen *g, bytebuf *list, uint8_t type, uint16_t id,
                           size_t base, size_t len, const size_t *cuts,
                           size_t ncuts, int empty_mid) {
  size_t empty_at = empty_mid ? rng_below(&g->r, ncuts) : (size_t)-1;
  for (size_t i = 0, at = 0; i <= ncuts; i++) {
    size_t end = i < ncuts ? cuts[i] : len;
    if (end > at)
      append(list, type, id, base + at, end - at);
    if (i == empty_at)
      append(list, type, id, 0, 0);
    at = end;
  }
  append(list, type, id, 0, 0);
}

#define MAX_CUTS 64

/* Random cuts into len bytes (at least one when len > 1). */
static size_t random_cuts(gen *g, size_t len, size_t *out, size_t max) {
  if (len < 2)
    return 0;
  size_t n = 1 + (size_t)rng_below(&g->r, max);
  for (size_t i = 0; i < n; i++)
    out[i] = 1 + (size_t)rng_below(&g->r, len - 1);
  return n;
}

/* The PARAMS stream: pairs encoded back to back, cut into records. Split
 * cuts favour the bytes of a pair's lengths, so a pair's length bytes
 * straddle two records. */
static void params_records(gen *g, bytebuf *list, const gen_req *q,
                           int mutate) {
  size_t base = g->arena.len, from = 0, to = 0, starts[512], nstarts = 0;
  uint8_t placeholder[GEN_PLACEHOLDER_LEN];
  gen_placeholder(placeholder);
  for (size_t i = 0; i < gen_req_npairs(q); i++) {
    const gen_pair *p = gen_req_pair(q, i);
    if (nstarts < 512)
      starts[nstarts++] = g->arena.len - base;
    produce_pair(&g->arena, p->name.p, p->name.len, p->value.p, p->value.len,
                 p->lng);
    if (p->value.len == GEN_PLACEHOLDER_LEN &&
        !memcmp(p->value.p, placeholder, GEN_PLACEHOLDER_LEN)) {
      to = g->arena.len - base;
      from = to - GEN_PLACEHOLDER_LEN;
    }
  }
  size_t len = g->arena.len - base, extra[MAX_CUTS] = {0}, nextra = 0;
  int split = mutate && HAS(SPLIT_PARAMS),
      empty = mutate && HAS(EMPTY_MID_PARAMS);
  if (split) {
    nextra = random_cuts(g, len, extra, 8);
    for (size_t k = 0, n = rng_below(&g->r, 4); k < n; k++)
      extra[nextra++] =
          starts[rng_below(&g->r, nstarts)] + 1 + (size_t)rng_below(&g->r, 4);
  }
  size_t cuts[MAX_CUTS * 2],
      ncuts = cut_points(len, from, to, extra, nextra, cuts, MAX_CUTS * 2);
  if (empty && !ncuts) {
    /* The empty record needs two halves around it: cut before or after
     * the placeholder, whichever leaves bytes on both sides. */
    extra[0] = from > 0 ? from : to;
    ncuts = cut_points(len, from, to, extra, 1, cuts, MAX_CUTS * 2);
  }
  stream_records(g, list, FCS_PARAMS, q->id, base, len, cuts, ncuts,
                 empty && ncuts);
}

static void body_records(gen *g, bytebuf *list, uint8_t type, uint16_t id,
                         const bytebuf *body, int split, int empty_mid) {
  size_t base = g->arena.len, extra[MAX_CUTS] = {0}, nextra = 0,
         cuts[MAX_CUTS * 2];
  bytebuf_add(&g->arena, body->p, body->len);
  if (split || empty_mid)
    nextra = random_cuts(g, body->len, extra, split ? 8 : 1);
  size_t ncuts = cut_points(body->len, 0, 0, extra, nextra, cuts, MAX_CUTS * 2);
  stream_records(g, list, type, id, base, body->len, cuts, ncuts,
                 empty_mid && ncuts);
}

/* A request's records in order; mutate: the first request, which carries
 * the stream-level mutations. */
static void request_records(gen *g, bytebuf *list, const gen_req *q,
                            int mutate) {
  append(list, FCS_BEGIN_REQUEST, q->id, 0, FCS_BODY_LEN);
  rec_at(list, nrecs(list) - 1)->begin = q->begin;
  params_records(g, list, q, mutate);
  body_records(g, list, FCS_STDIN, q->id, &q->body, mutate && HAS(SPLIT_STDIN),
               mutate && HAS(EMPTY_MID_STDIN));
  if (q->has_data)
    body_records(g, list, FCS_DATA, q->id, &q->data, 0, 0);
}

/* Two lists merged in a random order that keeps each one's order. */
static void interleave(gen *g, bytebuf *a, const bytebuf *b) {
  bytebuf out = {0};
  size_t i = 0, j = 0, na = nrecs(a), nb = nrecs(b);
  while (i < na || j < nb) {
    int from_a = j == nb || (i < na && rng_one_in(&g->r, 2));
    bytebuf_add(&out, from_a ? rec_at(a, i++) : rec_at(b, j++), sizeof(grec));
  }
  bytebuf_free(a);
  *a = out;
}

static size_t anywhere(gen *g, const bytebuf *list) {
  return rng_below(&g->r, nrecs(list) + 1);
}

/* Records that belong to no request of the stream, or to no app. */
static void foreign(gen *g, bytebuf *list, uint16_t id) {
  size_t off = g->arena.len;
  if (HAS(UNKNOWN_TYPE)) {
    uint8_t type = rng_one_in(&g->r, 4)
                       ? 0
                       : (uint8_t)(FCS_MAXTYPE + 1 + rng_below(&g->r, 244));
    size_t n = rng_below(&g->r, 17);
    for (size_t i = 0; i < n; i++)
      bytebuf_byte(&g->arena, (uint8_t)rng_next(&g->r));
    put(list, anywhere(g, list), type, rng_one_in(&g->r, 2) ? id : 0, off, n);
  }
  if (HAS(GET_VALUES)) {
    off = g->arena.len;
    static const char *vars[] = {FCS_MAX_CONNS, FCS_MAX_REQS, FCS_MPXS_CONNS};
    for (size_t i = 0; i < 3; i++)
      if (rng_below(&g->r, 3))
        produce_pair(&g->arena, (const uint8_t *)vars[i], strlen(vars[i]), NULL,
                     0, 0);
    put(list, anywhere(g, list), FCS_GET_VALUES, rng_one_in(&g->r, 4) ? id : 0,
        off, g->arena.len - off);
  }
  if (HAS(WRONG_DIRECTION)) {
    static const uint8_t types[] = {FCS_STDOUT, FCS_STDERR, FCS_END_REQUEST,
                                    FCS_GET_VALUES_RESULT, FCS_UNKNOWN_TYPE};
    uint8_t type = types[rng_below(&g->r, sizeof(types))];
    off = g->arena.len;
    if (type == FCS_END_REQUEST) {
      fcs_end_body end = {.app_status = 0};
      uint8_t b[FCS_BODY_LEN];
      fcs_end_body_encode(&end, b);
      bytebuf_add(&g->arena, b, sizeof(b));
    } else if (type == FCS_UNKNOWN_TYPE) {
      fcs_unknown_type_body u = {.type = 42};
      uint8_t b[FCS_BODY_LEN];
      fcs_unknown_type_body_encode(&u, b);
      bytebuf_add(&g->arena, b, sizeof(b));
    } else if (type != FCS_GET_VALUES_RESULT) {
      bytebuf_str(&g->arena, "Status: 200 OK\r\n\r\nfrom the client");
    }
    put(list, anywhere(g, list), type, fcs_type_is_management(type) ? 0 : id,
        off, g->arena.len - off);
  }
  if (HAS(OTHER_ID)) {
    off = g->arena.len;
    uint8_t type = rng_one_in(&g->r, 2) ? FCS_PARAMS : FCS_STDIN;
    if (type == FCS_PARAMS)
      produce_pair(&g->arena, (const uint8_t *)"HTTP_X_OTHER", 12,
                   (const uint8_t *)"other", 5, 0);
    else
      bytebuf_str(&g->arena, "body of a request never begun");
    put(list, anywhere(g, list), type,
        (uint16_t)(id + 7 + rng_below(&g->r, 100)), off, g->arena.len - off);
  }
}

/* ABORT_REQUEST for id anywhere after its BEGIN. */
static void abort_request(gen *g, bytebuf *list, uint16_t id) {
  size_t begin = 0;
  while (begin < nrecs(list) &&
         (rec_at(list, begin)->type != FCS_BEGIN_REQUEST ||
          rec_at(list, begin)->id != id))
    begin++;
  size_t at = begin + 1 + rng_below(&g->r, nrecs(list) - begin);
  put(list, at, FCS_ABORT_REQUEST, id, 0, 0);
}

/* Header bytes: padding, reserved bytes, version. */
static void headers(gen *g, bytebuf *list, gen_stream *s) {
  size_t n = nrecs(list);
  if (HAS(PADDING)) {
    size_t forced = rng_below(&g->r, n);
    for (size_t i = 0; i < n; i++)
      if (i == forced || rng_one_in(&g->r, 2)) {
        rec_at(list, i)->o.pad = 1 + (long)rng_below(&g->r, 255);
        rec_at(list, i)->o.padbyte = (long)rng_below(&g->r, 256);
      }
  }
  if (HAS(RESERVED_HEADER))
    for (size_t k = 0, m = 1 + rng_below(&g->r, 3); k < m; k++)
      rec_at(list, rng_below(&g->r, n))->o.reserved =
          1 + (long)rng_below(&g->r, 255);
  long version = HAS(VERSION_0) ? 0 : HAS(VERSION_2) ? 2 : 255;
  if (HAS(VERSION_0) || HAS(VERSION_2) || HAS(VERSION_255))
    rec_at(list, rng_below(&g->r, n))->o.version = version;
  s->framing_broken = HAS(VERSION_0);
}

static void write_out(const gen *g, const bytebuf *list, gen_stream *s) {
  for (size_t i = 0; i < nrecs(list); i++) {
    const grec *rc = rec_at(list, i);
    if (rc->type == FCS_BEGIN_REQUEST)
      produce_begin(&s->bytes, &rc->o, rc->id, &rc->begin);
    else
      produce_record(&s->bytes, &rc->o, rc->type, rc->id,
                     g->arena.p ? g->arena.p + rc->off : NULL, rc->len);
    fcs_header h = {
        .version = (uint8_t)(rc->o.version < 0 ? FCS_VERSION_1 : rc->o.version),
        .type = rc->type,
        .request_id = rc->id,
        .content_length = (uint16_t)rc->len,
        .padding_length = (uint8_t)(rc->o.pad < 0 ? 0 : rc->o.pad),
        .reserved = (uint8_t)(rc->o.reserved < 0 ? 0 : rc->o.reserved)};
    bytebuf_add(&s->headers, &h, sizeof(h));
  }
}

/* Mutations that exclude each other: one CONTENT_LENGTH, one version,
 * one role. */
static int group(gen_mutation m) {
  if (m >= GM_CLEN_MORE && m <= GM_CLEN_SPACES)
    return 1;
  if (m >= GM_VERSION_0 && m <= GM_VERSION_255)
    return 2;
  if (m >= GM_ROLE_AUTHORIZER && m <= GM_UNKNOWN_ROLE)
    return 3;
  return 0;
}

/* One in eight streams past the baselines is unmutated; the others get
 * one to three mutations. */
static uint64_t pick(rng *r, uint64_t index) {
  if (index < 3 || rng_one_in(r, 8))
    return 0;
  uint64_t m = 0;
  for (size_t k = 1 + rng_below(r, 3); k;) {
    gen_mutation x = (gen_mutation)rng_below(r, GM_COUNT);
    int taken = (m >> x) & 1;
    for (int y = 0; y < GM_COUNT && group(x); y++)
      taken |= ((m >> y) & 1) && group((gen_mutation)y) == group(x);
    if (!taken)
      m |= 1ull << x, k--;
  }
  return m;
}

void gen_make(uint64_t seed, uint64_t index, gen_stream *s) {
  memset(s, 0, sizeof(*s));
  gen g = {rng_for(seed, index), 0, {0}};
  g.muts = pick(&g.r, index);
  s->mutations = g.muts;
  int kind = index < 3 ? (int)index : REQ_ANY;
  uint16_t id =
      rng_one_in(&g.r, 8) ? (uint16_t)(1 + rng_below(&g.r, 65535)) : 1;
  if (index < 3)
    id = 1;
  gen_req q;
  gen_req_make(&g.r, kind, g.muts, id, &q);
  bytebuf list = {0};
  if ((g.muts >> GM_INTERLEAVE) & 1) {
    /* A second, plain request on the same connection: both keep it. */
    q.begin.flags |= FCS_KEEP_CONN;
    gen_req q2;
    uint16_t id2 = (uint16_t)(q.id + 1);
    gen_req_make(&g.r, REQ_ANY, 0, id2 ? id2 : 1, &q2);
    q2.begin.flags |= FCS_KEEP_CONN;
    bytebuf other = {0};
    request_records(&g, &list, &q, 1);
    request_records(&g, &other, &q2, 0);
    interleave(&g, &list, &other);
    bytebuf_free(&other);
    gen_req_free(&q2);
  } else {
    request_records(&g, &list, &q, 1);
  }
  foreign(&g, &list, q.id);
  if ((g.muts >> GM_ABORT) & 1)
    abort_request(&g, &list, q.id);
  headers(&g, &list, s);
  write_out(&g, &list, s);
  bytebuf_free(&list);
  bytebuf_free(&g.arena);
  gen_req_free(&q);
}

void gen_stream_free(gen_stream *s) {
  bytebuf_free(&s->bytes);
  bytebuf_free(&s->headers);
}
