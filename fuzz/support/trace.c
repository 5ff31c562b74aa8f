#include "trace.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "hash.h"

static void *grow(void *items, size_t *cap, size_t need, size_t size) {
  if (need <= *cap)
    return items;
  size_t n = *cap ? *cap * 2 : 64;
  while (n < need)
    n *= 2;
  void *p = realloc(items, n * size);
  FZ_CHECK(p != NULL, "out of memory growing a trace to %zu items", n);
  *cap = n;
  return p;
}

/* The feed kit runs the codec and checks the feeding contract; these
 * sinks turn its events into items. Pieces are fed straight from the
 * input: a heap copy of each (copy_pieces) cost the chunking target about
 * 15% more time per input. */
typedef struct sink {
  void *trace; /* fz_dec_trace or fz_asm_trace */
  fz_chunker *chunks;
  const fcs_limits *limits; /* the assembler's, in force */
} sink;

static size_t next_piece(void *ctx, size_t left) {
  return fz_chunk_next(((sink *)ctx)->chunks, left);
}

static void contract_broken(void *ctx, const char *file, int line,
                            const char *check, const char *what) {
  (void)ctx;
  fz_fail(file, line, check, "%s", what);
}

/* ---- decoder ---- */

static void fixed_body(const fcs_event *ev, uint8_t out[FCS_BODY_LEN]) {
  memset(out, 0, FCS_BODY_LEN);
  switch (ev->header.type) {
  case FCS_BEGIN_REQUEST:
    fcs_begin_body_encode(&ev->body.begin, out);
    break;
  case FCS_END_REQUEST:
    fcs_end_body_encode(&ev->body.end, out);
    break;
  case FCS_UNKNOWN_TYPE:
    fcs_unknown_type_body_encode(&ev->body.unknown_type, out);
    break;
  default:
    break;
  }
}

static void dec_push(fz_dec_trace *t, const fcs_event *ev) {
  fz_dec_item *last = t->n ? &t->items[t->n - 1] : NULL;
  if (ev->type == FCS_EV_CONTENT && last && last->type == FCS_EV_CONTENT &&
      last->record == ev->record) {
    last->len += ev->len; /* contiguous: the kit checked the offsets */
    return;
  }
  t->items = grow(t->items, &t->cap, t->n + 1, sizeof(*t->items));
  fz_dec_item *it = &t->items[t->n++];
  memset(it, 0, sizeof(*it));
  it->type = ev->type;
  it->header = ev->header;
  it->record = ev->record;
  it->offset = ev->offset;
  if (ev->type == FCS_EV_CONTENT) {
    it->len = ev->len;
  } else if (ev->type == FCS_EV_RECORD_END) {
    fixed_body(ev, it->body);
  } else if (ev->type == FCS_EV_ERROR) {
    it->error = ev->error;
    memset(&it->header, 0, sizeof(it->header));
  }
}

/* A normalised event from the kit, whose names must be the codec's. */
static void dec_event(void *ctx, const fcs_event *ev) {
  if (ev->type == FCS_EV_HEADER)
    FZ_CHECK(fz_streq(fcs_type_name(ev->header.type), "UNKNOWN") !=
                 (fcs_type_is_known(ev->header.type) != 0),
             "type %u is %s but named %s", ev->header.type,
             fcs_type_is_known(ev->header.type) ? "known" : "unknown",
             fcs_type_name(ev->header.type));
  if (ev->type == FCS_EV_ERROR)
    FZ_CHECK(!fz_streq(fcs_err_name(ev->error.code), "UNKNOWN_ERROR") &&
                 *fcs_err_message(ev->error.code),
             "error code %d has no name or message", ev->error.code);
  dec_push(((sink *)ctx)->trace, ev);
}

static void dec_finished(void *ctx, const fcs_event *ev) {
  if (ev->type == FCS_EV_ERROR)
    dec_push(((sink *)ctx)->trace, ev);
}

void fz_dec_trace_run(fz_dec_trace *t, const uint8_t *in, size_t len,
                      fcs_mode mode, fk_way way, fz_chunker *chunks) {
  sink s = {t, chunks, NULL};
  const fk_kit k = {.ctx = &s,
                    .next_piece = next_piece,
                    .batch = FK_MAX_BATCH,
                    .dec_event = dec_event,
                    .dec_finished = dec_finished,
                    .broken = contract_broken};
  t->n = 0;
  fk_decode(&k, mode, way, in, len);
}

static void dec_describe(char *buf, size_t cap, const fz_dec_item *it) {
  snprintf(buf, cap,
           "ev %d rec %" PRIu64 " off %" PRIu64 " hdr {v%u t%u id%u c%u p%u "
           "r%u} len %" PRIu64
           " body %02x%02x%02x%02x%02x%02x%02x%02x err %s@%" PRIu64,
           it->type, it->record, it->offset, it->header.version,
           it->header.type, it->header.request_id, it->header.content_length,
           it->header.padding_length, it->header.reserved, it->len, it->body[0],
           it->body[1], it->body[2], it->body[3], it->body[4], it->body[5],
           it->body[6], it->body[7], fcs_err_name(it->error.code),
           it->error.offset);
}

/* 8 bytes as one word (memcpy: no alignment or aliasing assumed). */
static uint64_t word8(const void *p) {
  uint64_t w;
  memcpy(&w, p, sizeof w);
  return w;
}

static int dec_equal(const fz_dec_item *a, const fz_dec_item *b) {
  _Static_assert(sizeof(fcs_header) == 8 && FCS_BODY_LEN == 8,
                 "a header and a fixed body are 8 bytes");
  return a->type == b->type && word8(&a->header) == word8(&b->header) &&
         a->record == b->record && a->offset == b->offset && a->len == b->len &&
         word8(a->body) == word8(b->body) && a->error.code == b->error.code &&
         a->error.offset == b->error.offset &&
         a->error.record == b->error.record;
}

void fz_dec_trace_expect_equal(const fz_dec_trace *a, const fz_dec_trace *b,
                               const char *what) {
  size_t n = a->n < b->n ? a->n : b->n;
  char da[256], db[256];
  for (size_t i = 0; i < n; i++) {
    if (dec_equal(&a->items[i], &b->items[i]))
      continue;
    dec_describe(da, sizeof da, &a->items[i]);
    dec_describe(db, sizeof db, &b->items[i]);
    fz_fail(__FILE__, __LINE__, "decoder traces equal",
            "%s: decoder event %zu differs:\n  %s\n  %s", what, i, da, db);
  }
  FZ_CHECK(a->n == b->n, "%s: %zu decoder events against %zu", what, a->n,
           b->n);
}

/* ---- assembler ---- */

void *fz_asm_memory(const fcs_limits *limits, size_t *len) {
  static void *mem;
  static size_t cap;
  *len = fcs_assembler_memory_size(limits);
  if (*len > cap) {
    free(mem);
    mem = malloc(*len);
    FZ_CHECK(mem != NULL, "out of memory for a %zu-byte assembler", *len);
    cap = *len;
  }
  return mem;
}

/* 1 when PARAMS parses cleanly (fcs_nv_next) into exactly the pairs the
 * assembler recorded while the stream arrived. */
static int pairs_match(const fcs_asm_event *ev) {
  size_t pos = 0;
  fcs_nv_pair pair;
  fcs_nv_result r;
  uint32_t n = 0;
  while ((r = fcs_nv_next(ev->data, ev->len, &pos, &pair)) == FCS_NV_OK) {
    const fcs_nv_pair *got = &ev->pairs[n];
    if (n == ev->npairs || got->name != pair.name ||
        got->name_len != pair.name_len || got->value != pair.value ||
        got->value_len != pair.value_len)
      return 0;
    n++;
  }
  return r == FCS_NV_END && n == ev->npairs;
}

static void asm_check(const fcs_asm_event *ev, const fcs_limits *lim) {
  switch (ev->type) {
  case FCS_AE_BEGIN:
  case FCS_AE_REFUSED:
    FZ_CHECK(fz_streq(fcs_role_name(ev->role), "UNKNOWN") !=
                 (ev->role >= FCS_RESPONDER && ev->role <= FCS_FILTER),
             "role %u is named %s", ev->role, fcs_role_name(ev->role));
    break;
  case FCS_AE_END_REQUEST:
    FZ_CHECK(fz_streq(fcs_protocol_status_name(ev->end.protocol_status),
                      "UNKNOWN") !=
                 (ev->end.protocol_status <= FCS_UNKNOWN_ROLE),
             "protocol status %u is named %s", ev->end.protocol_status,
             fcs_protocol_status_name(ev->end.protocol_status));
    break;
  case FCS_AE_PARAMS:
    FZ_CHECK(ev->len <= lim->max_params_bytes && ev->npairs <= lim->max_pairs,
             "PARAMS of %zu bytes, %u pairs, beyond the limits", ev->len,
             ev->npairs);
    FZ_CHECK(pairs_match(ev),
             "PARAMS for request %u says %u pairs; its %zu bytes do not "
             "parse as those pairs",
             ev->request_id, ev->npairs, ev->len);
    break;
  case FCS_AE_STREAM_END:
    FZ_CHECK(ev->len <= lim->max_stream_bytes,
             "stream of request %u kept %zu bytes, limit %u", ev->request_id,
             ev->len, lim->max_stream_bytes);
    break;
  default:
    break;
  }
}

/* Appends a slot for an item, or returns NULL after adding len to the
 * STREAM_DATA item it continues (slices of the input: offsets are checked
 * where they are collected). */
static fz_asm_item *asm_slot(fz_asm_trace *t, fcs_asm_event_type type,
                             uint16_t id, uint8_t record_type, uint64_t len) {
  fz_asm_item *last = t->n ? &t->items[t->n - 1] : NULL;
  if (type == FCS_AE_STREAM_DATA && last && last->type == FCS_AE_STREAM_DATA &&
      last->request_id == id && last->record_type == record_type) {
    last->len += len;
    return NULL;
  }
  t->items = grow(t->items, &t->cap, t->n + 1, sizeof(*t->items));
  return &t->items[t->n++];
}

static void asm_push(fz_asm_trace *t, const fcs_asm_event *ev) {
  fz_asm_item *it =
      asm_slot(t, ev->type, ev->request_id, ev->record_type, ev->len);
  if (!it)
    return;
  memset(it, 0, sizeof(*it));
  it->type = ev->type;
  it->request_id = ev->request_id;
  it->record_type = ev->record_type;
  it->role = ev->role;
  it->flags = ev->flags;
  it->record = ev->record;
  it->offset = ev->offset;
  it->len = ev->len;
  /* Data kept by the assembler (params, stream ends, management records)
   * is compared by hash; STREAM_DATA slices by offset and length. */
  if (ev->type != FCS_AE_STREAM_DATA)
    it->hash = fz_hash(FZ_HASH_INIT, ev->data, ev->len);
  it->npairs = ev->npairs;
  if (ev->type == FCS_AE_END_REQUEST)
    it->end = ev->end;
  if (ev->type == FCS_AE_UNKNOWN_TYPE)
    it->unknown_type = ev->unknown_type.type;
  it->reason = ev->reason;
  it->error = ev->error;
}

/* The broken rule an event other than ERROR reports, if any. */
static int is_rule(const fz_asm_item *it) {
  return it->type != FCS_AE_ERROR && it->error.code != FCS_E_OK;
}

static void asm_event(void *ctx, const fcs_asm_event *ev) {
  sink *s = ctx;
  asm_check(ev, s->limits);
  asm_push(s->trace, ev);
}

static void asm_finished(void *ctx, const fcs_asm_event *ev) {
  if (ev->type == FCS_AE_ERROR)
    asm_push(((sink *)ctx)->trace, ev);
}

void fz_asm_trace_run(fz_asm_trace *t, const uint8_t *in, size_t len,
                      fcs_side side, fz_asm_mode mode, const fcs_limits *limits,
                      fz_chunker *chunks) {
  fcs_assembler a;
  size_t memlen;
  void *mem = fz_asm_memory(limits, &memlen);
  fcs_err e = fcs_assembler_init(
      &a, side, mode == FZ_ASM_STRICT ? FCS_STRICT : FCS_LENIENT, limits, mem,
      memlen);
  FZ_CHECK(e == FCS_E_OK, "assembler init: %s", fcs_err_name(e));
  e = fcs_assembler_observe(&a, mode == FZ_ASM_OBSERVE);
  FZ_CHECK((e == FCS_E_OK) == (mode != FZ_ASM_STRICT),
           "fcs_assembler_observe on a %s assembler: %s",
           mode == FZ_ASM_STRICT ? "strict" : "lenient", fcs_err_name(e));
  for (uint16_t id = 1; side == FCS_SIDE_CLIENT && id <= 3; id++)
    FZ_CHECK(fcs_assembler_begin(&a, id, FCS_RESPONDER, 0) == FCS_E_OK &&
                 fcs_assembler_begin(&a, id, FCS_RESPONDER, 0) ==
                     FCS_E_DUPLICATE_BEGIN,
             "client side: beginning request %u (twice) went wrong", id);
  sink s = {t, chunks, &a.limits};
  const fk_kit k = {.ctx = &s,
                    .next_piece = next_piece,
                    .asm_event = asm_event,
                    .asm_finished = asm_finished,
                    .broken = contract_broken};
  t->n = 0;
  fk_assemble(&k, &a, in, len);
}

static void asm_describe(char *buf, size_t cap, const fz_asm_item *it) {
  snprintf(
      buf, cap,
      "ev %d id %u type %u role %u flags %u rec %" PRIu64 " off %" PRIu64
      " len %" PRIu64 " hash %016" PRIx64 " pairs %u reason %s err %s@%" PRIu64,
      it->type, it->request_id, it->record_type, it->role, it->flags,
      it->record, it->offset, it->len, it->hash, it->npairs,
      fcs_err_name(it->reason), fcs_err_name(it->error.code), it->error.offset);
}

static int asm_equal(const fz_asm_item *a, const fz_asm_item *b) {
  return a->type == b->type && a->request_id == b->request_id &&
         a->record_type == b->record_type && a->role == b->role &&
         a->flags == b->flags && a->record == b->record &&
         a->offset == b->offset && a->len == b->len && a->hash == b->hash &&
         a->npairs == b->npairs && a->end.app_status == b->end.app_status &&
         a->end.protocol_status == b->end.protocol_status &&
         a->unknown_type == b->unknown_type && a->reason == b->reason &&
         a->error.code == b->error.code && a->error.offset == b->error.offset;
}

void fz_asm_trace_expect_equal(const fz_asm_trace *a, const fz_asm_trace *b,
                               const char *what) {
  size_t n = a->n < b->n ? a->n : b->n;
  char da[256], db[256];
  for (size_t i = 0; i < n; i++) {
    if (asm_equal(&a->items[i], &b->items[i]))
      continue;
    asm_describe(da, sizeof da, &a->items[i]);
    asm_describe(db, sizeof db, &b->items[i]);
    fz_fail(__FILE__, __LINE__, "assembler traces equal",
            "%s: assembler event %zu differs:\n  %s\n  %s", what, i, da, db);
  }
  FZ_CHECK(a->n == b->n, "%s: %zu assembler events against %zu", what, a->n,
           b->n);
}

static int same_rule(const fz_asm_item *a, const fz_asm_item *b) {
  return a->error.code == b->error.code && a->error.offset == b->error.offset &&
         a->error.record == b->error.record;
}

static void describe_two(const char *what, size_t i, const fz_asm_item *a,
                         const fz_asm_item *b) {
  char da[256], db[256];
  asm_describe(da, sizeof da, a);
  asm_describe(db, sizeof db, b);
  fz_fail(__FILE__, __LINE__, "observe mode against the codec modes",
          "%s, event %zu:\n  %s\n  %s", what, i, da, db);
}

/* Strict mode stops on DUPLICATE_BEGIN at the header; lenient and observe
 * mode answer with REFUSED once the body is read, so an input ending
 * inside that record ends observe mode's trace with TRUNCATED there. */
static int refused_when_cut(const fz_asm_item *stop, const fz_asm_item *end) {
  return stop->error.code == FCS_E_DUPLICATE_BEGIN &&
         end->type == FCS_AE_ERROR && end->error.code == FCS_E_TRUNCATED &&
         end->error.record == stop->error.record;
}

static void expect_strict(const fz_asm_trace *s, const fz_asm_trace *o) {
  size_t k = 0;
  while (k < o->n && !is_rule(&o->items[k]))
    k++;
  if (k == o->n && !(s->n == o->n && s->n > 0 &&
                     refused_when_cut(&s->items[k - 1], &o->items[k - 1]))) {
    fz_asm_trace_expect_equal(s, o,
                              "strict against observe mode (no rule "
                              "broken)");
    return;
  }
  if (k == o->n)
    k--; /* the cut DUPLICATE_BEGIN */
  for (size_t i = 0; i < k && i < s->n; i++)
    if (!asm_equal(&s->items[i], &o->items[i]))
      describe_two("strict against observe mode before the first broken rule",
                   i, &s->items[i], &o->items[i]);
  FZ_CHECK(s->n == k + 1,
           "strict mode gave %zu events; observe mode reports the first "
           "broken rule (%s) as event %zu",
           s->n, fcs_err_name(o->items[k].error.code), k);
  const fz_asm_item *stop = &s->items[k];
  if (stop->type != FCS_AE_ERROR ||
      !(same_rule(stop, &o->items[k]) || refused_when_cut(stop, &o->items[k])))
    describe_two("strict mode does not stop on observe mode's first broken "
                 "rule",
                 k, stop, &o->items[k]);
}

static void expect_lenient(const fz_asm_trace *l, const fz_asm_trace *o) {
  static fz_asm_trace kept; /* observe mode without VIOLATIONs */
  kept.n = 0;
  const fz_asm_item *stop = NULL;
  for (size_t i = 0; i < o->n && !stop; i++) {
    const fz_asm_item *it = &o->items[i];
    if (it->type == FCS_AE_VIOLATION) {
      if (it->reason == FCS_E_NV_TRUNCATED) /* lenient mode stops there */
        stop = it;
      continue;
    }
    fz_asm_item *slot =
        asm_slot(&kept, it->type, it->request_id, it->record_type, it->len);
    if (slot)
      *slot = *it;
  }
  size_t n = kept.n < l->n ? kept.n : l->n;
  for (size_t i = 0; i < n; i++)
    if (!asm_equal(&l->items[i], &kept.items[i]))
      describe_two("lenient against observe mode without its VIOLATIONs", i,
                   &l->items[i], &kept.items[i]);
  FZ_CHECK(l->n == kept.n + (stop != NULL),
           "lenient mode gave %zu events, observe mode %zu besides its "
           "VIOLATIONs%s",
           l->n, kept.n,
           stop ? " and a PARAMS stream ended inside a pair" : "");
  if (stop &&
      (l->items[n].type != FCS_AE_ERROR || !same_rule(&l->items[n], stop)))
    describe_two("lenient mode does not stop where the PARAMS stream ends "
                 "inside a pair",
                 n, &l->items[n], stop);
}

void fz_asm_trace_expect_observed(const fz_asm_trace *strict,
                                  const fz_asm_trace *lenient,
                                  const fz_asm_trace *observe) {
  if (strict)
    expect_strict(strict, observe);
  if (lenient)
    expect_lenient(lenient, observe);
}
