#include "evlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  int idle; /* events in a row that consumed nothing */
  int stopped;
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

static void contract_broken(run *r, const char *what) {
  line(r, "CONTRACT BROKEN: %s\n", what);
  r->stopped = 1;
}

/* Counts events in a row that consume nothing, against the bound the
 * decoder or the assembler promises. */
static void progress(run *r, size_t used, int bound) {
  r->idle = used ? 0 : r->idle + 1;
  if (r->idle > bound)
    contract_broken(r, "more events in a row consumed nothing than promised");
}

static int inside(const uint8_t *p, size_t n, const uint8_t *base, size_t len) {
  uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;
  return a >= b && a + n <= b + len;
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

static void log_decoder_event(run *r, const fcs_event *ev);

/* A RECORD event, logged as the pieces it stands for. */
static void log_whole_record(run *r, const fcs_event *ev) {
  fcs_event piece = *ev;
  piece.type = FCS_EV_HEADER;
  log_decoder_event(r, &piece);
  if (ev->len) {
    piece.type = FCS_EV_CONTENT;
    piece.offset = ev->offset + FCS_HEADER_LEN;
    log_decoder_event(r, &piece);
  }
  piece.type = FCS_EV_RECORD_END;
  piece.offset = ev->offset;
  log_decoder_event(r, &piece);
  if (ev->ends_stream) {
    piece.type = FCS_EV_STREAM_END;
    log_decoder_event(r, &piece);
  }
}

static void log_decoder_event(run *r, const fcs_event *ev) {
  if (ev->type == FCS_EV_RECORD) {
    log_whole_record(r, ev);
    return;
  }
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

static int same_error(const fcs_error *a, const fcs_error *b) {
  return a->code == b->code && a->offset == b->offset &&
         a->record == b->record && a->request_id == b->request_id &&
         a->type == b->type;
}

static void feed_decoder(run *r, fcs_decoder *d, const uint8_t *piece,
                         size_t plen) {
  size_t off = 0;
  while (!r->stopped) {
    fcs_event ev;
    size_t n = fcs_decoder_feed(d, piece + off, plen - off, &ev);
    if (n > plen - off) {
      contract_broken(r, "feed claimed more bytes than it was given");
      return;
    }
    off += n;
    if (ev.type == FCS_EV_NONE) {
      if (off != plen)
        contract_broken(r, "NONE before the input was used up");
      return;
    }
    progress(r, n, FCS_DECODER_MAX_IDLE_EVENTS);
    if ((ev.type == FCS_EV_CONTENT || ev.type == FCS_EV_RECORD) &&
        !inside(ev.data, ev.len, piece, plen)) {
      contract_broken(r, "content slice outside the input");
      return;
    }
    log_decoder_event(r, &ev);
    if (ev.type == FCS_EV_ERROR) {
      fcs_event again;
      if (fcs_decoder_feed(d, piece + off, plen - off, &again) != 0 ||
          again.type != FCS_EV_ERROR || !same_error(&again.error, &ev.error))
        contract_broken(r, "error not repeated without consuming");
      r->stopped = 1;
    }
  }
}

/* fcs_decoder_feed_many with room for 3 events a call: besides the
 * decoder's own rules, it must stop early only when the input is used up
 * or after an error. */
static void feed_decoder_many(run *r, fcs_decoder *d, const uint8_t *piece,
                              size_t plen) {
  size_t off = 0;
  while (!r->stopped) {
    fcs_event evs[3];
    size_t count,
        n = fcs_decoder_feed_many(d, piece + off, plen - off, evs, 3, &count);
    if (n > plen - off || count > 3) {
      contract_broken(r, "feed_many claimed more than it was given");
      return;
    }
    off += n;
    for (size_t i = 0; i < count && !r->stopped; i++) {
      const fcs_event *ev = &evs[i];
      if ((ev->type == FCS_EV_CONTENT || ev->type == FCS_EV_RECORD) &&
          !inside(ev->data, ev->len, piece, plen)) {
        contract_broken(r, "content slice outside the input");
        return;
      }
      if (ev->type == FCS_EV_NONE ||
          (ev->type == FCS_EV_ERROR && i + 1 < count))
        contract_broken(r, "feed_many stored NONE or went on after an error");
      log_decoder_event(r, ev);
      r->stopped = ev->type == FCS_EV_ERROR;
    }
    if (!r->stopped && count < 3) {
      if (off != plen)
        contract_broken(r, "feed_many stopped before the input was used up");
      return;
    }
  }
}

/* Feeds the pieces in their own heap copies; calls step for each. */
typedef void (*step_fn)(run *r, void *ctx, const uint8_t *piece, size_t plen);

static void feed_pieces(run *r, void *ctx, step_fn step, const uint8_t *in,
                        size_t len, const size_t *cuts, size_t ncuts) {
  size_t start = 0;
  for (size_t i = 0; i <= ncuts && !r->stopped; i++) {
    size_t end = i < ncuts ? cuts[i] : len;
    if (end <= start)
      continue;
    uint8_t *copy = malloc(end - start);
    if (!copy)
      abort();
    memcpy(copy, in + start, end - start);
    step(r, ctx, copy, end - start);
    free(copy);
    start = end;
  }
}

typedef struct styled_decoder {
  fcs_decoder d;
  decoder_style style;
} styled_decoder;

static void decoder_step(run *r, void *ctx, const uint8_t *piece, size_t plen) {
  styled_decoder *s = ctx;
  if (s->style == DEC_FEED_MANY)
    feed_decoder_many(r, &s->d, piece, plen);
  else
    feed_decoder(r, &s->d, piece, plen);
}

static void run_init(run *r) { memset(r, 0, sizeof *r); }

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
  run r;
  run_init(&r);
  styled_decoder s;
  fcs_decoder_init(&s.d, mode);
  fcs_decoder_whole_records(&s.d, style != DEC_PIECEWISE);
  s.style = style;
  feed_pieces(&r, &s, decoder_step, in, len, cuts, ncuts);
  if (!r.stopped) {
    fcs_event ev;
    fcs_err e = fcs_decoder_finish(&s.d, &ev);
    line(&r, "FINISH %s", fcs_err_name(e));
    if (e != FCS_E_OK) {
      bytebuf_str(&r.log, " ");
      log_error(&r.log, &ev.error);
    }
    bytebuf_str(&r.log, "\n");
  }
  return run_done(&r);
}

static void log_asm_event(run *r, const fcs_asm_event *ev) {
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

/* The rule an IGNORED, REFUSED or VIOLATION event reports broken is its
 * reason, in its own record. */
static int names_its_record(const fcs_asm_event *ev) {
  const fcs_error *e = &ev->error;
  return e->code == ev->reason && e->record == ev->record &&
         e->request_id == ev->request_id && e->type == ev->record_type &&
         e->offset >= ev->offset;
}

static void assembler_step(run *r, void *ctx, const uint8_t *piece,
                           size_t plen) {
  fcs_assembler *a = ctx;
  size_t off = 0;
  while (!r->stopped) {
    fcs_asm_event ev;
    size_t n = fcs_assembler_feed(a, piece + off, plen - off, &ev);
    if (n > plen - off) {
      contract_broken(r, "feed claimed more bytes than it was given");
      return;
    }
    off += n;
    if (ev.type == FCS_AE_NONE) {
      if (off != plen)
        contract_broken(r, "NONE before the input was used up");
      return;
    }
    progress(r, n, FCS_ASSEMBLER_MAX_IDLE_EVENTS);
    if (ev.type == FCS_AE_STREAM_DATA &&
        !inside(ev.data, ev.len, piece, plen)) {
      contract_broken(r, "stream slice outside the input");
      return;
    }
    if (ev.type != FCS_AE_ERROR && ev.error.code != FCS_E_OK &&
        !names_its_record(&ev)) {
      contract_broken(r, "a broken rule that is not the event's own");
      return;
    }
    log_asm_event(r, &ev);
    if (ev.type == FCS_AE_ERROR) {
      fcs_asm_event again;
      if (fcs_assembler_feed(a, piece + off, plen - off, &again) != 0 ||
          again.type != FCS_AE_ERROR || !same_error(&again.error, &ev.error))
        contract_broken(r, "error not repeated without consuming");
      r->stopped = 1;
    }
  }
}

char *assembler_log(const asm_setup *s, const uint8_t *in, size_t len,
                    const size_t *cuts, size_t ncuts) {
  run r;
  run_init(&r);
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
  feed_pieces(&r, &a, assembler_step, in, len, cuts, ncuts);
  if (!r.stopped) {
    fcs_asm_event ev;
    fcs_err e = fcs_assembler_finish(&a, &ev);
    line(&r, "FINISH %s", fcs_err_name(e));
    if (e != FCS_E_OK) {
      bytebuf_str(&r.log, " ");
      log_error(&r.log, &ev.error);
    }
    bytebuf_str(&r.log, "\n");
  }
  free(mem);
  return run_done(&r);
}
