#include "evlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedkit.h"
#include "names.h"

/* Content slices of one record, written as one line once complete: one
 * record's content may arrive as several slices depending on the cuts. */
typedef struct merged {
  int open;
  char key[160]; /* the line without record, offset and data */
  uint64_t record, offset, next_offset;
  bytebuf data;
} merged;

typedef struct run {
  bytebuf log;
  merged m;
  /* The pieces: cuts[next..ncuts) are still ahead. */
  const size_t *cuts;
  size_t ncuts, next, len;
} run;

#define HEX_LIMIT 48

void evlog_data(bytebuf *log, const uint8_t *p, size_t n) {
  if (n <= HEX_LIMIT) {
    bytebuf_str(log, "[");
    for (size_t i = 0; i < n; i++)
      bytebuf_fmt(log, "%s%02x", i ? " " : "", p[i]);
    bytebuf_str(log, "]");
    return;
  }
  uint32_t h = 2166136261u; /* FNV-1a */
  for (size_t i = 0; i < n; i++)
    h = (h ^ p[i]) * 16777619u;
  bytebuf_fmt(log, "[%zu bytes fnv %08x]", n, h);
}

static void flush(run *r) {
  if (!r->m.open)
    return;
  bytebuf_fmt(&r->log, "r%ju @%ju %s ", (uintmax_t)r->m.record,
              (uintmax_t)r->m.offset, r->m.key);
  evlog_data(&r->log, r->m.data.p, r->m.data.len);
  bytebuf_str(&r->log, "\n");
  r->m.open = 0;
  r->m.data.len = 0;
}

static void add_slice(run *r, const char *key, uint64_t record, uint64_t offset,
                      const uint8_t *data, size_t len) {
  merged *m = &r->m;
  if (!(m->open && m->record == record && m->next_offset == offset &&
        strcmp(m->key, key) == 0)) {
    flush(r);
    m->open = 1;
    m->record = record;
    m->offset = offset;
    snprintf(m->key, sizeof m->key, "%s", key);
  }
  bytebuf_add(&m->data, data, len);
  m->next_offset = offset + len;
}

static void line(run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void line(run *r, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  flush(r);
  bytebuf_str(&r->log, buf);
}

static void contract_broken(void *ctx, const char *file, int at,
                            const char *check, const char *what) {
  run *r = ctx;
  line(r, "CONTRACT BROKEN: ");
  bytebuf_fmt(&r->log, "%s (%s at %s:%d)\n", what, check, file, at);
}

static void log_header(bytebuf *t, const fcs_header *h) {
  bytebuf_fmt(t, "v%u t%u id%u c%u p%u res%u", h->version, h->type,
              h->request_id, h->content_length, h->padding_length, h->reserved);
}

static void log_error(bytebuf *t, const fcs_error *e) {
  bytebuf_fmt(t, "%s @%ju r%ju id%u t%u", fcs_err_name(e->code),
              (uintmax_t)e->offset, (uintmax_t)e->record, e->request_id,
              e->type);
}

static void log_body(bytebuf *t, const fcs_event *ev) {
  switch (ev->header.type) {
  case FCS_BEGIN_REQUEST:
    bytebuf_fmt(t, " role%u flags%u rsv", ev->body.begin.role,
                ev->body.begin.flags);
    evlog_data(t, ev->body.begin.reserved, 5);
    break;
  case FCS_END_REQUEST:
    bytebuf_fmt(t, " app%u proto%u rsv", ev->body.end.app_status,
                ev->body.end.protocol_status);
    evlog_data(t, ev->body.end.reserved, 3);
    break;
  case FCS_UNKNOWN_TYPE:
    bytebuf_fmt(t, " type%u rsv", ev->body.unknown_type.type);
    evlog_data(t, ev->body.unknown_type.reserved, 7);
    break;
  default:
    break;
  }
}

/* A normalised decoder event (the kit expands RECORD events). */
static void log_decoder_event(void *ctx, const fcs_event *ev) {
  run *r = ctx;
  if (ev->type == FCS_EV_CONTENT) {
    add_slice(r, "CONTENT", ev->record, ev->offset, ev->data, ev->len);
    return;
  }
  line(r, "r%ju @%ju %s ", (uintmax_t)ev->record, (uintmax_t)ev->offset,
       decoder_event_name(ev->type));
  log_header(&r->log, &ev->header);
  if (ev->type == FCS_EV_RECORD_END)
    log_body(&r->log, ev);
  if (ev->type == FCS_EV_ERROR) {
    bytebuf_str(&r->log, " ");
    log_error(&r->log, &ev->error);
  }
  bytebuf_str(&r->log, "\n");
}

static void log_finish(run *r, const fcs_error *err) {
  line(r, "FINISH %s", fcs_err_name(err->code));
  if (err->code != FCS_E_OK) {
    bytebuf_str(&r->log, " ");
    log_error(&r->log, err);
  }
  bytebuf_str(&r->log, "\n");
}

static void log_decoder_finish(void *ctx, const fcs_event *ev) {
  log_finish(ctx, &ev->error);
}

static void log_asm_finish(void *ctx, const fcs_asm_event *ev) {
  log_finish(ctx, &ev->error);
}

/* The next piece ends at the next cut past where it starts, or at the end
 * of the input. */
static size_t next_piece(void *ctx, size_t left) {
  run *r = ctx;
  size_t start = r->len - left;
  while (r->next < r->ncuts && r->cuts[r->next] <= start)
    r->next++;
  return r->next < r->ncuts ? r->cuts[r->next] - start : left;
}

static void log_asm_event(void *ctx, const fcs_asm_event *ev) {
  run *r = ctx;
  char key[160];
  snprintf(key, sizeof key, "%s id%u t%u role%u fl%u", asm_event_name(ev->type),
           ev->request_id, ev->record_type, ev->role, ev->flags);
  if (ev->type == FCS_AE_STREAM_DATA) {
    add_slice(r, key, ev->record, ev->offset, ev->data, ev->len);
    return;
  }
  line(r, "r%ju @%ju %s", (uintmax_t)ev->record, (uintmax_t)ev->offset, key);
  bytebuf *t = &r->log;
  switch (ev->type) {
  case FCS_AE_GET_VALUES:
  case FCS_AE_GET_VALUES_RESULT:
  case FCS_AE_PARAMS:
    bytebuf_fmt(t, " pairs%u ", ev->npairs);
    evlog_data(t, ev->data, ev->len);
    break;
  case FCS_AE_STREAM_END:
    bytebuf_str(t, " ");
    evlog_data(t, ev->data, ev->len);
    break;
  case FCS_AE_END_REQUEST:
    bytebuf_fmt(t, " app%u proto%u", ev->end.app_status,
                ev->end.protocol_status);
    break;
  case FCS_AE_UNKNOWN_TYPE:
    bytebuf_fmt(t, " type%u", ev->unknown_type.type);
    break;
  case FCS_AE_IGNORED:
  case FCS_AE_REFUSED:
  case FCS_AE_VIOLATION:
    bytebuf_fmt(t, " reason %s", fcs_err_name(ev->reason));
    if (ev->error.code != FCS_E_OK)
      bytebuf_fmt(t, " broken @%ju", (uintmax_t)ev->error.offset);
    break;
  case FCS_AE_ERROR:
    bytebuf_str(t, " ");
    log_error(t, &ev->error);
    break;
  default:
    break;
  }
  bytebuf_str(t, "\n");
}

/* Every piece from its own heap copy, feed_many with room for 3 events a
 * call. */
static void run_init(run *r, fk_kit *k, size_t len, const size_t *cuts,
                     size_t ncuts) {
  memset(r, 0, sizeof *r);
  r->cuts = cuts;
  r->ncuts = ncuts;
  r->len = len;
  *k = (fk_kit){.ctx = r,
                .next_piece = next_piece,
                .copy_pieces = 1,
                .batch = 3,
                .dec_event = log_decoder_event,
                .asm_event = log_asm_event,
                .dec_finished = log_decoder_finish,
                .asm_finished = log_asm_finish,
                .broken = contract_broken};
}

static char *run_done(run *r) {
  flush(r);
  bytebuf_free(&r->m.data);
  bytebuf_byte(&r->log, 0);
  return (char *)r->log.p;
}

char *decoder_log(fcs_mode mode, const uint8_t *in, size_t len,
                  const size_t *cuts, size_t ncuts) {
  return decoder_log_styled(mode, DEC_PIECEWISE, in, len, cuts, ncuts);
}

char *decoder_log_styled(fcs_mode mode, decoder_style style, const uint8_t *in,
                         size_t len, const size_t *cuts, size_t ncuts) {
  static const fk_way ways[] = {[DEC_PIECEWISE] = FK_FEED,
                                [DEC_WHOLE_RECORDS] = FK_WHOLE_RECORDS,
                                [DEC_FEED_MANY] = FK_MANY_WHOLE};
  run r;
  fk_kit k;
  run_init(&r, &k, len, cuts, ncuts);
  fk_decode(&k, mode, ways[style], in, len);
  return run_done(&r);
}

char *assembler_log(const asm_setup *s, const uint8_t *in, size_t len,
                    const size_t *cuts, size_t ncuts) {
  run r;
  fk_kit k;
  run_init(&r, &k, len, cuts, ncuts);
  size_t memlen = fcs_assembler_memory_size(s->limits);
  void *mem = malloc(memlen);
  fcs_assembler a;
  if (!mem ||
      fcs_assembler_init(&a, s->side, s->mode, s->limits, mem, memlen) !=
          FCS_E_OK ||
      (s->observe && fcs_assembler_observe(&a, 1) != FCS_E_OK))
    abort();
  for (size_t i = 0; i < s->nbegin; i++)
    if (fcs_assembler_begin(&a, s->begin_ids[i], FCS_RESPONDER, 0) != FCS_E_OK)
      abort();
  fk_assemble(&k, &a, in, len);
  free(mem);
  return run_done(&r);
}
