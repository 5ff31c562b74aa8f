#include "feedkit.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a feed loop does next. */
enum { GOING, STOPPED /* after an ERROR event */, BROKEN };

typedef struct run {
  const fk_kit *k;
  const uint8_t *piece; /* the piece being fed (maybe a copy) */
  size_t piece_len;
  uint64_t at; /* input offset of piece[0] */
  int idle;    /* events in a row that consumed nothing */
  /* Where the decoder's event sequence stands. */
  enum { BETWEEN, IN_RECORD, BEFORE_STREAM_END } phase;
  fcs_header header;
  uint64_t content_seen;
  uint64_t next_record, next_offset;
} run;

static void broken(run *r, const char *file, int line, const char *check,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void broken(run *r, const char *file, int line, const char *check,
                   const char *fmt, ...) {
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  r->k->broken(r->k->ctx, file, line, check, what);
}

/* Reports a broken contract and leaves the calling function with BROKEN
 * (the message is only formatted then). */
#define EXPECT(r, cond, ...)                                                   \
  do {                                                                         \
    if (!(cond)) {                                                             \
      broken(r, __FILE__, __LINE__, #cond, __VA_ARGS__);                       \
      return BROKEN;                                                           \
    }                                                                          \
  } while (0)

/* Input offset of p, a pointer into the piece. */
static uint64_t offset_of(const run *r, const uint8_t *p) {
  return r->at + ((uintptr_t)p - (uintptr_t)r->piece);
}

/* Whether [p, p + n) lies in [from, from + used), compared as addresses:
 * p may point anywhere. */
static int within(const uint8_t *p, size_t n, const uint8_t *from,
                  size_t used) {
  uintptr_t a = (uintptr_t)p, b = (uintptr_t)from;
  return a >= b && a + n <= b + used;
}

static int same_error(const fcs_error *a, const fcs_error *b) {
  return a->code == b->code && a->offset == b->offset &&
         a->record == b->record && a->request_id == b->request_id &&
         a->type == b->type;
}

/* Feeds one piece; GOING once it is used up. */
typedef int (*feed_fn)(run *r, void *codec, const uint8_t *p, size_t n);

static int feed_pieces(run *r, void *codec, feed_fn feed, const uint8_t *in,
                       size_t len) {
  const fk_kit *k = r->k;
  for (size_t pos = 0; pos < len;) {
    size_t n = k->next_piece ? k->next_piece(k->ctx, len - pos) : len - pos;
    if (n == 0 || n > len - pos)
      abort(); /* the caller's schedule is wrong, not the codec */
    uint8_t *copy = NULL;
    const uint8_t *p = in + pos;
    if (k->copy_pieces) {
      copy = malloc(n);
      if (!copy)
        abort();
      memcpy(copy, p, n);
      p = copy;
    }
    r->piece = p;
    r->piece_len = n;
    r->at = pos;
    int s = feed(r, codec, p, n);
    free(copy);
    if (s != GOING)
      return s;
    pos += n;
  }
  return GOING;
}

/* The end of the input: finish must say OK with no event, or TRUNCATED
 * at the input's end. */
static int finished(run *r, fcs_err e, int is_error, const fcs_error *err,
                    size_t len) {
  EXPECT(r,
         e == FCS_E_OK ? !is_error
                       : e == FCS_E_TRUNCATED && is_error && err->code == e &&
                             err->offset == len,
         "finish reported %s at offset %" PRIu64 " for a %zu-byte input",
         fcs_err_name(e), err->offset, len);
  return GOING;
}

/* ---- decoder ---- */

/* Checks a normalised event's place in the sequence and hands it on. */
static int dec_emit(run *r, const fcs_event *ev) {
  switch (ev->type) {
  case FCS_EV_HEADER:
    EXPECT(r, r->phase == BETWEEN, "HEADER inside record %" PRIu64, ev->record);
    EXPECT(r, ev->record == r->next_record && ev->offset == r->next_offset,
           "HEADER of record %" PRIu64 " at offset %" PRIu64
           ", expected record %" PRIu64 " at %" PRIu64,
           ev->record, ev->offset, r->next_record, r->next_offset);
    r->phase = IN_RECORD;
    r->header = ev->header;
    r->content_seen = 0;
    break;
  case FCS_EV_CONTENT:
    EXPECT(r, r->phase == IN_RECORD && ev->len > 0,
           "CONTENT of %zu bytes outside a record's content (record %" PRIu64
           ")",
           ev->len, ev->record);
    r->content_seen += ev->len;
    EXPECT(r, r->content_seen <= r->header.content_length,
           "record %" PRIu64 ": %" PRIu64 " content bytes, header says %u",
           ev->record, r->content_seen, r->header.content_length);
    break;
  case FCS_EV_RECORD_END:
    EXPECT(r, r->phase == IN_RECORD, "RECORD_END outside a record");
    EXPECT(r, r->content_seen == r->header.content_length,
           "record %" PRIu64 " ended after %" PRIu64
           " content bytes, header says %u",
           ev->record, r->content_seen, r->header.content_length);
    r->next_offset += FCS_HEADER_LEN + (uint64_t)r->header.content_length +
                      r->header.padding_length;
    if (fcs_type_is_stream(r->header.type) && r->header.content_length == 0) {
      r->phase = BEFORE_STREAM_END;
    } else {
      r->phase = BETWEEN;
      r->next_record++;
    }
    break;
  case FCS_EV_STREAM_END:
    EXPECT(r, r->phase == BEFORE_STREAM_END,
           "STREAM_END not right after an empty stream record (record "
           "%" PRIu64 ")",
           ev->record);
    r->phase = BETWEEN;
    r->next_record++;
    break;
  default:
    break;
  }
  r->k->dec_event(r->k->ctx, ev);
  return GOING;
}

/* A RECORD event, as the events it stands for. */
static int dec_whole_record(run *r, const fcs_event *ev) {
  EXPECT(r, ev->len == ev->header.content_length,
         "RECORD with %zu content bytes, header says %u", ev->len,
         ev->header.content_length);
  fcs_event part = *ev;
  part.type = FCS_EV_HEADER;
  if (dec_emit(r, &part) != GOING)
    return BROKEN;
  if (ev->len) {
    part.type = FCS_EV_CONTENT;
    part.offset = ev->offset + FCS_HEADER_LEN;
    if (dec_emit(r, &part) != GOING)
      return BROKEN;
  }
  part.type = FCS_EV_RECORD_END;
  part.offset = ev->offset;
  if (dec_emit(r, &part) != GOING)
    return BROKEN;
  EXPECT(r, ev->ends_stream == (r->phase == BEFORE_STREAM_END),
         "RECORD %s a stream, the spec says it does%s",
         ev->ends_stream ? "ends" : "does not end",
         r->phase == BEFORE_STREAM_END ? "" : " not");
  if (!ev->ends_stream)
    return GOING;
  part.type = FCS_EV_STREAM_END;
  return dec_emit(r, &part);
}

/* The decoder stopped on an error: at a byte consumed, the header's own
 * error (unless TRUNCATED), and given again without consuming. */
static int dec_error(run *r, fcs_decoder *d, const fcs_event *ev,
                     uint64_t consumed, const uint8_t *rest, size_t left) {
  const fcs_error *e = &ev->error;
  EXPECT(r, e->offset < consumed,
         "error %s at offset %" PRIu64 ", after the %" PRIu64 " bytes consumed",
         fcs_err_name(e->code), e->offset, consumed);
  fcs_header h = d->header;
  EXPECT(r,
         e->code == FCS_E_TRUNCATED || fcs_header_check(&h, d->mode) == e->code,
         "decoder stopped on %s, fcs_header_check says %s for that header",
         fcs_err_name(e->code), fcs_err_name(fcs_header_check(&h, d->mode)));
  r->k->dec_event(r->k->ctx, ev);
  fcs_event again;
  size_t used = fcs_decoder_feed(d, rest, left, &again);
  EXPECT(
      r, used == 0 && again.type == FCS_EV_ERROR && same_error(&again.error, e),
      "feeding after %s consumed %zu bytes and gave event %d (%s)",
      fcs_err_name(e->code), used, again.type, fcs_err_name(again.error.code));
  fcs_err fin = fcs_decoder_finish(d, &again);
  EXPECT(r, fin == e->code && same_error(&again.error, e),
         "finish after %s says %s", fcs_err_name(e->code), fcs_err_name(fin));
  return STOPPED;
}

/* One event from a call that consumed [from, from + used) of the piece. */
static int dec_event(run *r, fcs_decoder *d, const fcs_event *ev,
                     const uint8_t *from, size_t used) {
  if (ev->type == FCS_EV_CONTENT || ev->type == FCS_EV_RECORD) {
    uint64_t at =
        ev->type == FCS_EV_RECORD ? ev->offset + FCS_HEADER_LEN : ev->offset;
    EXPECT(r,
           within(ev->data, ev->len, from, used) &&
               offset_of(r, ev->data) == at,
           "content slice [%" PRIu64 ", +%zu) is not in the consumed part "
           "[%" PRIu64 ", +%zu) where it claims to be",
           at, ev->len, offset_of(r, from), used);
  }
  if (ev->type == FCS_EV_ERROR) {
    const uint8_t *rest = from + used;
    return dec_error(r, d, ev, offset_of(r, rest), rest,
                     r->piece_len - (size_t)(rest - r->piece));
  }
  if (ev->type == FCS_EV_RECORD)
    return dec_whole_record(r, ev);
  return dec_emit(r, ev);
}

/* One event per call. */
static int dec_feed(run *r, void *codec, const uint8_t *p, size_t left) {
  fcs_decoder *d = codec;
  for (;;) {
    fcs_event ev;
    size_t used = fcs_decoder_feed(d, p, left, &ev);
    EXPECT(r, used <= left,
           "decoder consumed %zu bytes of a %zu-byte piece at offset %" PRIu64,
           used, left, offset_of(r, p));
    if (ev.type == FCS_EV_NONE) {
      EXPECT(r, used == left, "decoder stopped with %zu bytes left at %" PRIu64,
             left - used, offset_of(r, p) + used);
      return GOING;
    }
    r->idle = used ? 0 : r->idle + 1;
    EXPECT(r, r->idle <= FCS_DECODER_MAX_IDLE_EVENTS,
           "decoder gave %d events in a row that consumed nothing, at "
           "offset %" PRIu64,
           r->idle, offset_of(r, p));
    int s = dec_event(r, d, &ev, p, used);
    if (s != GOING)
      return s;
    p += used;
    left -= used;
  }
}

/* A batch of events per call. */
static int dec_feed_many(run *r, void *codec, const uint8_t *p, size_t left) {
  fcs_decoder *d = codec;
  size_t room = r->k->batch;
  for (;;) {
    fcs_event evs[FK_MAX_BATCH];
    size_t count;
    size_t used = fcs_decoder_feed_many(d, p, left, evs, room, &count);
    EXPECT(r, used <= left && count <= room,
           "feed_many consumed %zu of %zu bytes, gave %zu events", used, left,
           count);
    for (size_t i = 0; i < count; i++) {
      EXPECT(r,
             evs[i].type != FCS_EV_NONE &&
                 (evs[i].type != FCS_EV_ERROR || i + 1 == count),
             "feed_many stored %s as event %zu of %zu",
             evs[i].type == FCS_EV_NONE ? "NONE" : "an ERROR", i, count);
      int s = dec_event(r, d, &evs[i], p, used);
      if (s != GOING)
        return s;
    }
    p += used;
    left -= used;
    if (count < room) {
      EXPECT(r, left == 0, "feed_many stopped with %zu bytes left at %" PRIu64,
             left, offset_of(r, p));
      return GOING;
    }
  }
}

int fk_decode(const fk_kit *k, fcs_mode mode, fk_way way, const uint8_t *in,
              size_t len) {
  run r = {.k = k, .phase = BETWEEN};
  fcs_decoder d;
  fcs_decoder_init(&d, mode);
  fcs_decoder_whole_records(&d,
                            way == FK_WHOLE_RECORDS || way == FK_MANY_WHOLE);
  int many = way == FK_FEED_MANY || way == FK_MANY_WHOLE;
  if (many && (k->batch < 1 || k->batch > FK_MAX_BATCH))
    abort(); /* the caller's mistake, not the codec's */
  int s = feed_pieces(&r, &d, many ? dec_feed_many : dec_feed, in, len);
  if (s == GOING) {
    fcs_event ev;
    fcs_err e = fcs_decoder_finish(&d, &ev);
    s = finished(&r, e, ev.type == FCS_EV_ERROR, &ev.error, len);
    if (s == GOING)
      k->dec_finished(k->ctx, &ev);
  }
  return s != BROKEN;
}

/* ---- assembler ---- */

/* The rule an event other than ERROR reports broken (every VIOLATION
 * reports one) is its reason, in its own record, at a byte consumed. */
static int asm_rule(run *r, const fcs_asm_event *ev, uint64_t consumed) {
  const fcs_error *e = &ev->error;
  EXPECT(r, ev->type != FCS_AE_VIOLATION || e->code != FCS_E_OK,
         "VIOLATION of %s without the rule", fcs_err_name(ev->reason));
  if (e->code == FCS_E_OK)
    return GOING;
  EXPECT(r,
         e->code == ev->reason && e->record == ev->record &&
             e->request_id == ev->request_id && e->type == ev->record_type &&
             e->offset >= ev->offset && e->offset < consumed,
         "event %d reports %s at byte %" PRIu64 " of record %" PRIu64
         " (id %u, type %u); it stands for record %" PRIu64 " at %" PRIu64
         " (id %u, type %u, reason %s), %" PRIu64 " bytes consumed",
         ev->type, fcs_err_name(e->code), e->offset, e->record, e->request_id,
         e->type, ev->record, ev->offset, ev->request_id, ev->record_type,
         fcs_err_name(ev->reason), consumed);
  return GOING;
}

/* The assembler stopped on an error: at a byte consumed, and given again
 * without consuming. */
static int asm_error(run *r, fcs_assembler *a, const fcs_asm_event *ev,
                     uint64_t consumed, const uint8_t *rest, size_t left) {
  const fcs_error *e = &ev->error;
  EXPECT(r, e->offset < consumed,
         "error %s at offset %" PRIu64 ", after the %" PRIu64 " bytes consumed",
         fcs_err_name(e->code), e->offset, consumed);
  r->k->asm_event(r->k->ctx, ev);
  fcs_asm_event again;
  size_t used = fcs_assembler_feed(a, rest, left, &again);
  EXPECT(
      r, used == 0 && again.type == FCS_AE_ERROR && same_error(&again.error, e),
      "assembler: feeding after %s consumed %zu bytes and gave event %d "
      "(%s)",
      fcs_err_name(e->code), used, again.type, fcs_err_name(again.error.code));
  fcs_err fin = fcs_assembler_finish(a, &again);
  EXPECT(r, fin == e->code && same_error(&again.error, e),
         "assembler: finish after %s says %s", fcs_err_name(e->code),
         fcs_err_name(fin));
  return STOPPED;
}

static int asm_feed(run *r, void *codec, const uint8_t *p, size_t left) {
  fcs_assembler *a = codec;
  for (;;) {
    fcs_asm_event ev;
    size_t used = fcs_assembler_feed(a, p, left, &ev);
    EXPECT(r, used <= left,
           "assembler consumed %zu bytes of a %zu-byte piece at %" PRIu64, used,
           left, offset_of(r, p));
    if (ev.type == FCS_AE_NONE) {
      EXPECT(r, used == left,
             "assembler stopped with %zu bytes left at %" PRIu64, left - used,
             offset_of(r, p) + used);
      return GOING;
    }
    r->idle = used ? 0 : r->idle + 1;
    EXPECT(r, r->idle <= FCS_ASSEMBLER_MAX_IDLE_EVENTS,
           "assembler gave %d events in a row that consumed nothing, at "
           "offset %" PRIu64,
           r->idle, offset_of(r, p));
    if (ev.type == FCS_AE_STREAM_DATA)
      EXPECT(r,
             within(ev.data, ev.len, p, used) &&
                 offset_of(r, ev.data) == ev.offset && ev.len > 0,
             "STREAM_DATA slice [%" PRIu64 ", +%zu) is not the consumed "
             "part [%" PRIu64 ", +%zu) it claims",
             ev.offset, ev.len, offset_of(r, p), used);
    p += used;
    left -= used;
    uint64_t consumed = offset_of(r, p);
    if (ev.type == FCS_AE_ERROR)
      return asm_error(r, a, &ev, consumed, p, left);
    if (asm_rule(r, &ev, consumed) != GOING)
      return BROKEN;
    r->k->asm_event(r->k->ctx, &ev);
  }
}

int fk_assemble(const fk_kit *k, fcs_assembler *a, const uint8_t *in,
                size_t len) {
  run r = {.k = k, .phase = BETWEEN};
  int s = feed_pieces(&r, a, asm_feed, in, len);
  if (s == GOING) {
    fcs_asm_event ev;
    fcs_err e = fcs_assembler_finish(a, &ev);
    s = finished(&r, e, ev.type == FCS_AE_ERROR, &ev.error, len);
    if (s == GOING)
      k->asm_finished(k->ctx, &ev);
  }
  return s != BROKEN;
}
