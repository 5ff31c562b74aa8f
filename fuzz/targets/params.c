/* params: name-value pairs (spec section 3.4), decoded three ways and
 * encoded back.
 *
 * Input: byte 0 bits 0-5 give the number n of schedule bytes that follow
 * (schedule byte b cuts a piece of b + 1 bytes, cycling); the rest is the
 * content of one PARAMS stream. Oracles:
 *  - the one-shot parser (fcs_nv_next) and the incremental parser fed the
 *    schedule's pieces find the same pairs, and agree on whether the stream
 *    ends between pairs;
 *  - the stream cut into PARAMS records at the same places (pairs and
 *    lengths straddling records) gives the assembler's PARAMS event with
 *    the same bytes and pair count, or the error the parsers predict;
 *  - the pairs encoded again (shortest and long length forms) have the
 *    size section 3.4 gives, parse back to the same pairs, and in the
 *    shortest form reproduce the input when the input used it.
 * A stream the schedule would cut into more than MAX_PIECES pieces has
 * every piece scaled up by the same factor (fz_chunker_budget): the
 * assembler's cost grows with the number of records. */
#include <stdlib.h>
#include <string.h>

#include "../support/oracle.h"
#include "../support/chunker.h"
#include "../support/hash.h"
#include "../support/target.h"
#include "../support/trace.h"

#define MAX_PIECES 64

typedef struct pair_list {
  fcs_nv_pair *pairs;
  size_t n;
  int clean; /* the stream ends between pairs */
} pair_list;

static void one_shot(const uint8_t *in, size_t len, pair_list *out) {
  out->pairs = malloc((len / 2 + 1) * sizeof(fcs_nv_pair));
  out->n = 0;
  size_t pos = 0;
  fcs_nv_result r;
  while ((r = fcs_nv_next(in, len, &pos, &out->pairs[out->n])) == FCS_NV_OK)
    out->n++;
  out->clean = r == FCS_NV_END;
}

/* What the incremental parser saw of the pair it was in when input ran
 * out: whether its lengths were complete, and their sum. */
typedef struct tail {
  int lengths_known;
  uint64_t lengths;
} tail;

static void incremental(const uint8_t *in, size_t len, fz_chunker *pieces,
                        const pair_list *want, tail *t) {
  fcs_nv_parser p;
  fcs_nv_piece piece;
  fcs_nv_parser_init(&p);
  size_t pos = 0, k = 0;
  uint64_t name_hash = FZ_HASH_INIT, value_hash = FZ_HASH_INIT;
  uint64_t name_seen = 0, value_seen = 0;
  t->lengths_known = 0;
  while (pos < len) {
    size_t n = fz_chunk_next(pieces, len - pos);
    const uint8_t *at = in + pos;
    size_t left = n;
    do {
      size_t used = fcs_nv_parser_feed(&p, at, left, &piece);
      FZ_CHECK(used <= left, "parser consumed %zu of %zu bytes", used, left);
      at += used;
      left -= used;
      switch (piece.kind) {
      case FCS_NV_PIECE_LENGTHS:
        t->lengths_known = 1;
        t->lengths = (uint64_t)piece.name_len + piece.value_len;
        name_hash = value_hash = FZ_HASH_INIT;
        name_seen = value_seen = 0;
        break;
      case FCS_NV_PIECE_NAME:
        name_hash = fz_hash(name_hash, piece.data, piece.len);
        name_seen += piece.len;
        break;
      case FCS_NV_PIECE_VALUE:
        value_hash = fz_hash(value_hash, piece.data, piece.len);
        value_seen += piece.len;
        break;
      case FCS_NV_PIECE_PAIR_END: {
        FZ_CHECK(k < want->n,
                 "incremental parser found pair %zu, one-shot "
                 "parser only %zu",
                 k, want->n);
        const fcs_nv_pair *w = &want->pairs[k++];
        FZ_CHECK(
            piece.name_len == w->name_len && piece.value_len == w->value_len &&
                name_seen == w->name_len && value_seen == w->value_len &&
                name_hash == fz_hash(FZ_HASH_INIT, w->name, w->name_len) &&
                value_hash == fz_hash(FZ_HASH_INIT, w->value, w->value_len),
            "pair %zu: incremental parser saw %u/%u bytes, one-shot "
            "parser %u/%u (or their bytes differ)",
            k - 1, piece.name_len, piece.value_len, w->name_len, w->value_len);
        t->lengths_known = 0;
        break;
      }
      default:
        break;
      }
    } while (piece.kind != FCS_NV_PIECE_NONE);
    FZ_CHECK(left == 0, "parser stopped with %zu bytes of a piece left", left);
    pos += n;
  }
  FZ_CHECK(k == want->n, "incremental parser found %zu pairs, one-shot %zu", k,
           want->n);
  FZ_CHECK(fcs_nv_parser_at_boundary(&p) == want->clean,
           "incremental parser %s between pairs, one-shot parser %s",
           fcs_nv_parser_at_boundary(&p) ? "ends" : "does not end",
           want->clean ? "ends cleanly" : "is truncated");
}

/* BEGIN_REQUEST(1), the content as PARAMS records cut like pieces (and
 * at most 65535 bytes each), the empty PARAMS record. */
static uint8_t *as_records(const uint8_t *in, size_t len, fz_chunker *pieces,
                           size_t *out_len) {
  size_t cap = 2 * FCS_HEADER_LEN + FCS_BODY_LEN + len * (1 + FCS_HEADER_LEN),
         used = 0, need;
  uint8_t *out = malloc(cap);
  fcs_encode_begin_request(out, cap, 1, FCS_RESPONDER, 0, NULL, &need);
  used += need;
  for (size_t pos = 0; pos < len;) {
    size_t n = fz_chunk_next(pieces, len - pos);
    if (n > FCS_MAX_CONTENT)
      n = FCS_MAX_CONTENT;
    fcs_err e = fcs_encode_record(out + used, cap - used, FCS_PARAMS, 1,
                                  in + pos, n, NULL, &need);
    FZ_CHECK(e == FCS_E_OK, "encoding a PARAMS record of %zu bytes: %s", n,
             fcs_err_name(e));
    used += need;
    pos += n;
  }
  fcs_encode_stream(out + used, cap - used, FCS_PARAMS, 1, NULL, 0, 1, NULL,
                    &need);
  *out_len = used + need;
  return out;
}

static void assembled(const uint8_t *in, size_t len, fz_chunker *pieces,
                      const pair_list *want, const tail *t) {
  fcs_limits limits = {(uint32_t)len + 1, (uint32_t)want->n + 1, 1, 0};
  size_t memlen, wire_len;
  void *mem = fz_asm_memory(&limits, &memlen);
  uint8_t *wire = as_records(in, len, pieces, &wire_len);
  fcs_assembler a;
  fcs_asm_event ev;
  fcs_assembler_init(&a, FCS_SIDE_APP, FCS_STRICT, &limits, mem, memlen);
  size_t pos = 0;
  int done = 0;
  do {
    pos += fcs_assembler_feed(&a, wire + pos, wire_len - pos, &ev);
    if (ev.type == FCS_AE_PARAMS) {
      FZ_CHECK(want->clean && ev.len == len && fz_same(ev.data, in, len) &&
                   ev.npairs == want->n,
               "assembler gave PARAMS of %zu bytes, %u pairs; parsers say "
               "%zu pairs, %s",
               ev.len, ev.npairs, want->n, want->clean ? "clean" : "truncated");
      done = 1;
    } else if (ev.type == FCS_AE_ERROR) {
      fcs_err expect = t->lengths_known && t->lengths > limits.max_params_bytes
                           ? FCS_E_LIMIT_PARAMS_BYTES
                           : FCS_E_NV_TRUNCATED;
      FZ_CHECK(!want->clean && ev.error.code == expect,
               "assembler stopped with %s; parsers say %s, expected %s",
               fcs_err_name(ev.error.code), want->clean ? "clean" : "truncated",
               fcs_err_name(expect));
      done = 1;
    }
  } while (!done && ev.type != FCS_AE_NONE);
  FZ_CHECK(done, "assembler gave neither PARAMS nor an error");
  free(wire);
}

static size_t length_size(uint32_t n) { return n < 128 ? 1 : 4; }

static void reencoded(const uint8_t *in, size_t len, const pair_list *want) {
  for (int force_long = 0; force_long < 2; force_long++) {
    size_t expect = 0, need;
    for (size_t i = 0; i < want->n; i++) {
      const fcs_nv_pair *p = &want->pairs[i];
      expect +=
          force_long ? 8 : length_size(p->name_len) + length_size(p->value_len);
      expect += (size_t)p->name_len + p->value_len;
    }
    fcs_encode_pairs(NULL, 0, want->pairs, want->n, force_long, &need);
    FZ_CHECK(need == expect,
             "encoding %zu pairs (%s lengths) needs %zu bytes, section 3.4 "
             "gives %zu",
             want->n, force_long ? "long" : "shortest", need, expect);
    uint8_t *out = malloc(need + 1);
    fcs_err e =
        fcs_encode_pairs(out, need, want->pairs, want->n, force_long, &need);
    FZ_CHECK(e == FCS_E_OK, "encoding pairs: %s", fcs_err_name(e));
    pair_list back;
    one_shot(out, need, &back);
    FZ_CHECK(back.clean && back.n == want->n,
             "re-encoded pairs parse as %zu pairs (%s), not %zu", back.n,
             back.clean ? "clean" : "truncated", want->n);
    for (size_t i = 0; i < back.n; i++) {
      const fcs_nv_pair *a = &back.pairs[i], *b = &want->pairs[i];
      FZ_CHECK(a->name_len == b->name_len && a->value_len == b->value_len &&
                   fz_same(a->name, b->name, a->name_len) &&
                   fz_same(a->value, b->value, a->value_len),
               "re-encoded pair %zu differs", i);
    }
    if (!force_long && need == len)
      FZ_CHECK(fz_same(out, in, len),
               "input in shortest form differs from its re-encoding");
    free(back.pairs);
    free(out);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  size_t nsteps = data[0] & 0x3f;
  if (size < 1 + nsteps)
    return 0;
  const uint8_t *steps = data + 1, *in = data + 1 + nsteps;
  size_t len = size - 1 - nsteps;
  fz_chunker pieces;
  pair_list want;
  tail t;
  one_shot(in, len, &want);
  fz_chunker_steps(&pieces, steps, nsteps);
  fz_chunker_budget(&pieces, len, MAX_PIECES);
  fz_chunker same = pieces;
  incremental(in, len, &pieces, &want, &t);
  assembled(in, len, &same, &want, &t);
  if (want.clean)
    reencoded(in, len, &want);
  free(want.pairs);
  return 0;
}
