/* runner: a hostile backend's bytes through the conformance runner's
 * receive path (conformance/src/backend_conn.c, expect.c, wire_trace.c),
 * in-process.
 *
 * Input: 2 bytes (big-endian) pick the case whose conditions are judged:
 * the value modulo (catalog size + 1), where the catalog size means every
 * case; 1 flag byte (bit 0: unused, bit 1: EOF after the bytes,
 * bit 2: the connection is reset instead); 1 byte for where the latest
 * write fell (record index modulo records + 1); 1 byte for the time the
 * check has been waiting (times 50 ms); 1 byte schedule length, the
 * schedule (fuzz/support/chunker.h: the sizes of successive reads); the
 * rest is what the backend sent. Oracles:
 *  - the record log stays within RX_BUDGET content bytes and
 *    RX_MAX_RECORDS records (this build sets them small, so inputs reach
 *    them), and its content lies in the arena record after record;
 *  - the log matches an independent decode of the same bytes
 *    (fuzz/support/rxlog.h): the same headers in the same order, the same
 *    content (a prefix of it once flooded), records complete exactly when
 *    their padding arrived, flood exactly when a bound was passed, garbage
 *    with the same error and offset;
 *  - every condition of the chosen cases gives the same verdict and reason
 *    twice, a false verdict always says why, only a true one may say it
 *    could not look, and the summary repeats (the catalog is compiled in:
 *    fuzz/embed_cases.cmake);
 *  - the wire trace keeps the received bytes as read, and its rendering
 *    lists one received record per header (up to its limit, then how many
 *    more) and the error when the bytes did not frame. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/case_texts.h"
#include "../support/oracle.h"
#include "../support/chunker.h"
#include "../support/provider.h"
#include "../support/rxlog.h"
#include "../support/target.h"
#include "backend_conn.h"
#include "catalog.h"
#include "conn_summary.h"
#include "expect.h"
#include "wire_trace.h"

/* The catalog fcgispec loads from seeds/cases, parsed from the copies
 * compiled into this binary. */
static const fsp_catalog *catalog(void) {
  static fsp_catalog cat;
  static int loaded;
  if (!loaded) {
    char err[512];
    cat.v = calloc(fz_case_text_count, sizeof(fsp_case));
    FZ_CHECK(cat.v != NULL, "no memory for %zu cases", fz_case_text_count);
    for (; cat.n < fz_case_text_count; cat.n++) {
      const fz_case_text *t = &fz_case_texts[cat.n];
      FILE *f = fmemopen((void *)t->text, t->len, "r");
      FZ_CHECK(f != NULL, "fmemopen of %s (%zu bytes) failed", t->name, t->len);
      int rc = case_parse_stream(f, t->name, &cat.v[cat.n], err, sizeof(err));
      fclose(f);
      FZ_CHECK(rc == 0, "cannot parse a compiled-in case file: %s", err);
    }
    FZ_CHECK(catalog_sort(&cat, err, sizeof(err)) == 0,
             "cannot order the case catalog: %s", err);
    loaded = 1;
  }
  return &cat;
}

typedef struct knobs {
  uint32_t pick;
  int eof, reset;
  uint8_t mark, waited;
} knobs;

static void check_bounds(const fsp_conn *c) {
  FZ_CHECK(c->nrecs <= RX_MAX_RECORDS, "%zu records kept, bound %u", c->nrecs,
           RX_MAX_RECORDS);
  FZ_CHECK(c->arena.len <= RX_BUDGET, "%zu content bytes kept, bound %u",
           c->arena.len, RX_BUDGET);
  size_t at = 0;
  for (size_t i = 0; i < c->nrecs; i++) {
    const fsp_rx *r = &c->recs[i];
    FZ_CHECK(r->off == at && r->kept <= r->h.content_length,
             "record %zu: %u of %u content bytes at arena offset %zu, the "
             "previous record ended at %zu",
             i, r->kept, r->h.content_length, r->off, at);
    at += r->kept;
  }
  FZ_CHECK(at == c->arena.len, "records hold %zu content bytes, arena %zu", at,
           c->arena.len);
}

static void check_log(const fsp_conn *c, const fz_rxlog *m, const uint8_t *in,
                      size_t len) {
  FZ_CHECK(c->rx_bytes == len, "runner counted %llu bytes of %zu",
           (unsigned long long)c->rx_bytes, len);
  int flood = m->n > RX_MAX_RECORDS || m->content > RX_BUDGET;
  FZ_CHECK(c->flooded == flood,
           "flooded %d after %zu records and %llu content bytes (bounds %u, "
           "%u)",
           c->flooded, m->n, (unsigned long long)m->content, RX_MAX_RECORDS,
           RX_BUDGET);
  size_t want = m->n < RX_MAX_RECORDS ? m->n : RX_MAX_RECORDS;
  FZ_CHECK(c->nrecs == want, "runner logged %zu records, the decode has %zu",
           c->nrecs, m->n);
  for (size_t i = 0; i < c->nrecs; i++) {
    const fsp_rx *r = &c->recs[i];
    const fz_rx_record *e = &m->v[i];
    FZ_CHECK(fz_same(&r->h, &e->h, sizeof(r->h)),
             "record %zu: runner logged type %u id %u length %u+%u, the "
             "decode has type %u id %u length %u+%u",
             i, r->h.type, r->h.request_id, r->h.content_length,
             r->h.padding_length, e->h.type, e->h.request_id,
             e->h.content_length, e->h.padding_length);
    FZ_CHECK(r->kept <= e->have && (c->flooded || r->kept == e->have) &&
                 (!r->kept || fz_same(rx_content(c, r), in + e->off, r->kept)),
             "record %zu: runner kept %u content bytes, the input has %u at "
             "byte %zu (or they differ)",
             i, r->kept, e->have, e->off);
    /* Once flooded a record's end is no longer noted. */
    FZ_CHECK(r->complete ? e->complete : c->flooded || !e->complete,
             "record %zu: runner says complete=%d, the decode %d", i,
             r->complete, e->complete);
  }
  FZ_CHECK(c->garbage == m->garbage, "runner garbage=%d, the decode %d",
           c->garbage, m->garbage);
  FZ_CHECK(!c->garbage || (c->garbage_err.code == m->error.code &&
                           c->garbage_err.offset == m->error.offset),
           "runner stopped on %s at byte %llu, the decode on %s at %llu",
           fcs_err_name(c->garbage_err.code),
           (unsigned long long)c->garbage_err.offset,
           fcs_err_name(m->error.code), (unsigned long long)m->error.offset);
}

/* Every condition of the case, as run.c judges them: an alternative that
 * holds consumes its END_REQUEST, so a later check looks further on. */
static void judge_case(const fsp_case *k, const fsp_conn *c, const knobs *kn,
                       bytebuf *out) {
  bytebuf used = {0};
  for (size_t s = 0; s < k->nsteps; s++) {
    const fsp_step *st = &k->steps[s];
    for (size_t a = 0; a < st->nalts; a++) {
      size_t reply_index = SIZE_MAX;
      int unchecked = 0;
      fsp_eval x = {.c = c,
                    .mark = kn->mark % (c->headers + 1),
                    .step_start = 0,
                    .now = kn->waited * 50L,
                    .used = &used,
                    .reply_index = &reply_index,
                    .unchecked = &unchecked};
      bytebuf why = {0};
      fsp_tri t = cond_eval(&st->alts[a], &x, &why);
      FZ_CHECK(t != TRI_FALSE || why.len,
               "case %s line %d, alternative %zu: false without a reason",
               k->id, st->line, a);
      FZ_CHECK(reply_index == SIZE_MAX || reply_index < c->replies.n,
               "case %s line %d: the check used reply %zu of %zu", k->id,
               st->line, reply_index, c->replies.n);
      FZ_CHECK(!unchecked || t == TRI_TRUE,
               "case %s line %d: a check that was not true says it could "
               "not look",
               k->id, st->line);
      bytebuf_fmt(out, "%zu.%zu=%d%d:", s, a, (int)t, unchecked);
      bytebuf_add(out, why.p, why.len);
      bytebuf_byte(out, '\n');
      bytebuf_free(&why);
      if (t == TRI_TRUE && reply_index != SIZE_MAX)
        bytebuf_flag_set(&used, reply_index);
    }
  }
  bytebuf_fmt(out, "all ended %d\n", replies_all_ended(&c->replies));
  bytebuf_free(&used);
}

static void judge(const fsp_conn *c, const knobs *kn, bytebuf *out) {
  const fsp_catalog *cat = catalog();
  size_t pick = kn->pick % (cat->n + 1);
  for (size_t i = 0; i < cat->n; i++)
    if (pick == cat->n || pick == i)
      judge_case(&cat->v[i], c, kn, out);
  conn_summary(c, 0, out);
  conn_summary(c, kn->mark % (c->nrecs + 1), out);
}

static size_t count_lines(const bytebuf *b, const char *prefix) {
  size_t n = 0, plen = strlen(prefix);
  for (size_t at = 0; at < b->len;) {
    const uint8_t *nl = memchr(b->p + at, '\n', b->len - at);
    size_t end = nl ? (size_t)(nl - b->p) : b->len;
    if (end - at >= plen && fz_same(b->p + at, prefix, plen))
      n++;
    at = end + 1;
  }
  return n;
}

static void check_trace(const fsp_trace *t, const fz_rxlog *m,
                        const uint8_t *in, size_t len) {
  size_t total = 0, kept = 0;
  for (size_t i = 0; i < t->n; i++) {
    const fsp_trace_entry *e = &t->v[i];
    if (e->dir != TR_RECV)
      continue;
    FZ_CHECK(fz_same(t->data.p + e->off, in + total, e->kept),
             "trace entry %zu: its bytes are not input bytes %zu..%zu", i,
             total, total + e->kept);
    total += e->len;
    kept += e->kept;
  }
  FZ_CHECK(total == len, "the trace received %zu bytes of %zu", total, len);
  bytebuf out = {0};
  trace_render(t, &out, 8);
  if (kept == len) {
    size_t shown = count_lines(&out, "    << v");
    size_t want = m->n < TRACE_RECORDS_SHOWN ? m->n : TRACE_RECORDS_SHOWN;
    FZ_CHECK(shown == want, "the trace lists %zu received records of %zu",
             shown, m->n);
    size_t left_out = m->n > want ? m->n - want : 0;
    char more[64];
    snprintf(more, sizeof(more), "    ... %zu more records\n", left_out);
    FZ_CHECK((left_out > 0) == fz_contains(out.p, out.len, more, strlen(more)),
             "the trace does not say it left out %zu of %zu records", left_out,
             m->n);
    FZ_CHECK(count_lines(&out, "    !! ") == (size_t)m->garbage,
             "the trace %s the framing error",
             m->garbage ? "does not show" : "shows");
  }
  bytebuf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_provider p;
  fz_provider_init(&p, data, size);
  knobs kn = {0};
  kn.pick = fz_u16(&p);
  uint8_t flags = fz_u8(&p);
  kn.eof = (flags >> 1) & 1;
  kn.reset = (flags >> 2) & 1;
  kn.mark = fz_u8(&p);
  kn.waited = fz_u8(&p);
  size_t nsteps;
  const uint8_t *steps = fz_bytes(&p, fz_u8(&p), &nsteps);
  size_t len;
  const uint8_t *in = fz_bytes(&p, fz_left(&p), &len);

  fsp_trace tr;
  fsp_conn c;
  trace_init(&tr);
  conn_init(&c, &tr);
  fz_chunker ch;
  fz_chunker_steps(&ch, steps, nsteps);
  for (size_t at = 0; at < len;) {
    size_t n = fz_chunk_next(&ch, len - at);
    conn_ingest(&c, in + at, n);
    check_bounds(&c);
    at += n;
  }
  if (kn.eof)
    conn_ingest_end(&c, kn.reset);

  fz_rxlog m;
  fz_rxlog_decode(in, len, &m);
  check_log(&c, &m, in, len);

  bytebuf first = {0}, second = {0};
  judge(&c, &kn, &first);
  judge(&c, &kn, &second);
  FZ_CHECK(first.len == second.len && fz_same(first.p, second.p, first.len),
           "judging the same log twice gave different verdicts:\n%.*s\n--\n"
           "%.*s",
           (int)first.len, (const char *)first.p, (int)second.len,
           (const char *)second.p);
  bytebuf_free(&first);
  bytebuf_free(&second);

  check_trace(&tr, &m, in, len);
  fz_rxlog_free(&m);
  conn_close(&c);
  trace_free(&tr);
  return 0;
}
