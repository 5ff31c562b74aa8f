#include "fcs/decoder.h"

#include <stddef.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define NOINLINE __attribute__((noinline))
#else
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#define NOINLINE
#endif

enum {
  D_HEADER = 0, /* gathering the 8 header bytes */
  D_CONTENT,
  D_PADDING,
  D_RECORD_END, /* report RECORD_END */
  D_STREAM_END, /* report STREAM_END */
  D_ERROR
};

void fcs_decoder_init(fcs_decoder *d, fcs_mode mode) {
  memset(d, 0, sizeof(*d));
  d->mode = mode;
}

static int has_fixed_body(uint8_t type) {
  return type == FCS_BEGIN_REQUEST || type == FCS_END_REQUEST ||
         type == FCS_UNKNOWN_TYPE;
}

/* The bulk of the traffic: a version-1 stream record on a request id passes
 * every rule of check_header in both modes. */
static inline int is_plain_stream_record(fcs_header h) {
  return h.version == FCS_VERSION_1 && h.type >= FCS_PARAMS &&
         h.type <= FCS_DATA && h.request_id != FCS_NULL_REQUEST_ID;
}

/* Returns the error and, through *at, the index inside the header of the
 * byte that makes it invalid. h comes by value so the decoder can keep it in
 * registers. */
static fcs_err check_header(fcs_header h, fcs_mode mode, int *at) {
  *at = 0;
  if (is_plain_stream_record(h))
    return FCS_E_OK;
  if (h.version != FCS_VERSION_1 &&
      (h.version == 0 || !(mode & FCS_RELAX_VERSION)))
    return FCS_E_BAD_VERSION;
  *at = 2; /* requestIdB1 */
  if (!(mode & FCS_RELAX_MGMT_ID) && fcs_type_is_management(h.type) &&
      h.request_id != FCS_NULL_REQUEST_ID)
    return FCS_E_MGMT_NONZERO_ID;
  if (!(mode & FCS_RELAX_NULL_ID) && fcs_type_is_known(h.type) &&
      !fcs_type_is_management(h.type) && h.request_id == FCS_NULL_REQUEST_ID)
    return FCS_E_APP_RECORD_NULL_ID;
  *at = 4; /* contentLengthB1 */
  if (has_fixed_body(h.type)) {
    if (h.content_length < FCS_BODY_LEN)
      return FCS_E_BODY_TOO_SHORT;
    if (!(mode & FCS_RELAX_BODY_LENGTH) && h.content_length != FCS_BODY_LEN)
      return FCS_E_BODY_LENGTH;
  }
  if (!(mode & FCS_RELAX_ABORT_CONTENT) && h.type == FCS_ABORT_REQUEST &&
      h.content_length != 0)
    return FCS_E_ABORT_HAS_CONTENT;
  return FCS_E_OK;
}

fcs_err fcs_header_check(const fcs_header *h, fcs_mode mode) {
  int at;
  return check_header(*h, mode, &at);
}

fcs_err fcs_header_check_at(const fcs_header *h, fcs_mode mode, unsigned *at) {
  int i;
  fcs_err e = check_header(*h, mode, &i);
  *at = (unsigned)i;
  return e;
}

static void fail(fcs_decoder *d, fcs_err code, uint64_t offset) {
  d->state = D_ERROR;
  d->error.code = code;
  d->error.offset = offset;
  d->error.record = d->record;
  d->error.request_id = d->header.request_id;
  d->error.type = d->header.type;
}

static void report_error(const fcs_decoder *d, fcs_event *ev) {
  ev->type = FCS_EV_ERROR;
  ev->error = d->error;
  ev->offset = d->error.offset;
  ev->record = d->error.record;
  ev->header = d->header; /* the offending header, not the one before it */
}

/* fcs_header_decode, but returning a value the compiler keeps in
 * registers: copying a header right after fcs_header_decode stored it field
 * by field waits for those stores (no store-to-load forwarding), which cost
 * about 15% on streams of small records (bench/, workload a). */
static fcs_header read_header(const uint8_t in[FCS_HEADER_LEN]) {
  fcs_header h = {in[0],
                  in[1],
                  (uint16_t)((in[2] << 8) | in[3]),
                  (uint16_t)((in[4] << 8) | in[5]),
                  in[6],
                  in[7]};
  return h;
}

void fcs_decoder_whole_records(fcs_decoder *d, int on) {
  d->whole_records = on;
}

static void decode_body(uint8_t type, const uint8_t *body, fcs_event *ev) {
  switch (type) {
  case FCS_BEGIN_REQUEST:
    fcs_begin_body_decode(body, &ev->body.begin);
    break;
  case FCS_END_REQUEST:
    fcs_end_body_decode(body, &ev->body.end);
    break;
  case FCS_UNKNOWN_TYPE:
    fcs_unknown_type_body_decode(body, &ev->body.unknown_type);
    break;
  default:
    break;
  }
}

/* The empty record that ends a stream. */
static int ends_stream(fcs_header h) {
  return h.content_length == 0 && h.type >= FCS_PARAMS && h.type <= FCS_DATA;
}

/* The fields a RECORD event defines. Only these are written: clearing the
 * whole event costs as much as decoding a small record. */
static inline void put_record(fcs_event *ev, fcs_header h, const uint8_t *p,
                              uint64_t record, uint64_t offset) {
  ev->type = FCS_EV_RECORD;
  ev->header = h;
  ev->record = record;
  ev->offset = offset;
  ev->data = p + FCS_HEADER_LEN;
  ev->len = h.content_length;
  ev->ends_stream = (uint8_t)ends_stream(h);
}

/* A record that is not a plain stream record: checked, and reported with
 * its body. Kept out of line so the loop below needs few registers. */
static int put_other_record(fcs_event *ev, fcs_header h, const uint8_t *p,
                            uint64_t record, uint64_t offset, fcs_mode mode) {
  int at;
  if (check_header(h, mode, &at) != FCS_E_OK)
    return 0;
  put_record(ev, h, p, record, offset);
  decode_body(h.type, ev->data, ev);
  return 1;
}

/* Reports whole records from the start of in as RECORD events, up to max
 * of them, while each lies wholly in the input and passes check_header.
 * Returns the bytes they take; *count gets how many. A record that does not
 * fit or is invalid is left to the piecewise path. */
static size_t whole_records(fcs_decoder *d, const uint8_t *in, size_t len,
                            fcs_event *evs, size_t max, size_t *count) {
  *count = 0;
  if (len < FCS_HEADER_LEN) /* also keeps NULL + 0 out of the way */
    return 0;
  /* Pointers and locals rather than indexes into d: the loop then runs in
   * registers. */
  const uint8_t *p = in, *end = in + len;
  fcs_event *ev = evs, *last = evs + max;
  uint64_t record = d->record, offset = d->offset;
  while (ev < last && end - p >= FCS_HEADER_LEN) {
    fcs_header h = read_header(p);
    size_t total = (size_t)FCS_HEADER_LEN + h.content_length + h.padding_length;
    if (total > (size_t)(end - p))
      break;
    if (is_plain_stream_record(h))
      put_record(ev, h, p, record, offset);
    else if (!put_other_record(ev, h, p, record, offset, d->mode))
      break;
    ev++;
    record++;
    offset += total;
    p += total;
  }
  *count = (size_t)(ev - evs);
  if (ev > evs) {
    d->header = ev[-1].header;
    d->record_offset = ev[-1].offset;
    d->record = record;
    d->offset = offset;
  }
  return (size_t)(p - in);
}

static void after_content(fcs_decoder *d) {
  d->state = d->padding_left ? D_PADDING : D_RECORD_END;
}

/* A valid header (already in d->header): what remains of its record. Both
 * paths of fcs_decoder_feed use it. */
static inline void start_record(fcs_decoder *d, fcs_header h) {
  d->content_left = h.content_length;
  d->padding_left = h.padding_length;
  if (d->content_left)
    d->state = D_CONTENT;
  else
    after_content(d);
}

/* Every state and every chunking: the partial header, the fixed bodies,
 * padding, errors and whole-records mode. fcs_decoder_feed below handles
 * the common cases itself and hands the rest to this function. */
static NOINLINE size_t feed_general(fcs_decoder *d, const uint8_t *in,
                                    size_t len, fcs_event *ev) {
  static const fcs_event no_event;
  size_t used = 0;
  if (d->whole_records && d->state == D_HEADER && d->have == 0) {
    size_t count, n = whole_records(d, in, len, ev, 1, &count);
    if (count)
      return n;
  }
  *ev = no_event;
  /* Neither changes before this call returns (a new header is reported
   * right away), so they are copied once. */
  ev->header = d->header;
  ev->record = d->record;
  for (;;) {
    ev->offset = d->record_offset;
    switch (d->state) {
    case D_ERROR:
      report_error(d, ev);
      return used;
    case D_HEADER: {
      if (used == len) {
        ev->type = FCS_EV_NONE;
        return used;
      }
      if (d->have == 0)
        d->record_offset = d->offset;
      fcs_header h;
      if (d->have == 0 && len - used >= FCS_HEADER_LEN) {
        /* Fast path: the whole header is in the input. */
        h = read_header(in + used);
        used += FCS_HEADER_LEN;
        d->offset += FCS_HEADER_LEN;
      } else {
        size_t take = FCS_HEADER_LEN - d->have;
        if (take > len - used)
          take = len - used;
        memcpy(d->hdrbuf + d->have, in + used, take);
        d->have = (uint8_t)(d->have + take);
        used += take;
        d->offset += take;
        if (d->have < FCS_HEADER_LEN)
          break;
        d->have = 0;
        h = read_header(d->hdrbuf);
      }
      d->header = h;
      int at;
      fcs_err e = check_header(h, d->mode, &at);
      if (e != FCS_E_OK) {
        fail(d, e, d->record_offset + (uint64_t)at);
        report_error(d, ev);
        return used;
      }
      start_record(d, h);
      ev->type = FCS_EV_HEADER;
      ev->header = h;
      ev->offset = d->record_offset;
      return used;
    }
    case D_CONTENT: {
      if (used == len) {
        ev->type = FCS_EV_NONE;
        return used;
      }
      size_t take = d->content_left;
      if (take > len - used)
        take = len - used;
      size_t done = d->header.content_length - d->content_left;
      if (done < FCS_BODY_LEN && has_fixed_body(d->header.type)) {
        size_t keep = FCS_BODY_LEN - done < take ? FCS_BODY_LEN - done : take;
        memcpy(d->bodybuf + done, in + used, keep);
      }
      ev->type = FCS_EV_CONTENT;
      ev->data = in + used;
      ev->len = take;
      ev->offset = d->offset;
      d->content_left -= (uint32_t)take;
      d->offset += take;
      if (!d->content_left)
        after_content(d);
      return used + take;
    }
    case D_PADDING: {
      size_t take = d->padding_left;
      if (take > len - used)
        take = len - used;
      d->padding_left -= (uint32_t)take;
      d->offset += take;
      used += take;
      if (d->padding_left) {
        ev->type = FCS_EV_NONE;
        return used;
      }
      d->state = D_RECORD_END;
      break;
    }
    case D_RECORD_END:
      ev->type = FCS_EV_RECORD_END;
      decode_body(d->header.type, d->bodybuf, ev);
      if (ends_stream(d->header)) {
        d->state = D_STREAM_END;
      } else {
        d->state = D_HEADER;
        d->record++;
      }
      return used;
    case D_STREAM_END:
      ev->type = FCS_EV_STREAM_END;
      d->state = D_HEADER;
      d->record++;
      return used;
    }
  }
}

/* The fast path of fcs_decoder_feed below handles a header as one 64-bit
 * word laid out as fcs_header is in memory, so it is loaded, checked and
 * stored without being taken apart into fields. That needs a little-endian
 * target; elsewhere every call takes feed_general. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) &&             \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FAST_FEED 1

static inline uint64_t load_word(const void *p) {
  uint64_t w;
  memcpy(&w, p, sizeof(w));
  return w;
}

static inline void store_word(void *p, uint64_t w) { memcpy(p, &w, sizeof(w)); }

/* fcs_header as a word: version in bits 0-7, type 8-15, request_id 16-31,
 * content_length 32-47, padding_length 48-55, reserved 56-63. */
#define W_TYPE(w) ((uint8_t)((w) >> 8))
#define W_CONTENT(w) ((uint16_t)((w) >> 32))
#define W_PADDING(w) ((uint8_t)((w) >> 48))

/* read_header as a word: the wire has the two 16-bit fields big-endian,
 * so bytes 2-3 and 4-5 swap. */
_Static_assert(sizeof(fcs_header) == 8 &&
                   offsetof(fcs_header, request_id) == 2 &&
                   offsetof(fcs_header, content_length) == 4 &&
                   offsetof(fcs_header, padding_length) == 6,
               "fcs_header is not laid out as the header word");

static inline uint64_t read_header_word(const uint8_t in[FCS_HEADER_LEN]) {
  uint64_t x = load_word(in);
  const uint64_t low = 0x000000ff00ff0000u; /* bytes 2 and 4 */
  return (x & 0xffff00000000ffffu) | ((x & low) << 8) | ((x >> 8) & low);
}

/* is_plain_stream_record */
static inline int plain_stream_word(uint64_t w) {
  return (uint8_t)w == FCS_VERSION_1 &&
         (uint8_t)(W_TYPE(w) - FCS_PARAMS) <= FCS_DATA - FCS_PARAMS &&
         (w & 0xffff0000u) != 0;
}

/* has_fixed_body */
static inline int fixed_body_word(uint64_t w) {
  const uint32_t fixed =
      1u << FCS_BEGIN_REQUEST | 1u << FCS_END_REQUEST | 1u << FCS_UNKNOWN_TYPE;
  uint8_t t = W_TYPE(w);
  return t < 32 && (fixed >> t & 1u);
}

/* ends_stream */
static inline int ends_stream_word(uint64_t w) {
  return W_CONTENT(w) == 0 &&
         (uint8_t)(W_TYPE(w) - FCS_PARAMS) <= FCS_DATA - FCS_PARAMS;
}

/* Fills the whole event exactly as clearing it (the static zero event of
 * feed_general) and then setting these fields does: every other field and
 * every padding byte zero, each byte stored once. The header is one 8-byte
 * store, so a caller reading it back whole gets it forwarded from that
 * store. Measured no faster: six 16-byte SSE2 stores instead of these
 * nine, and writing only the fields the event type defines. */
static inline void put_event(fcs_event *ev, fcs_event_type type, uint64_t h,
                             uint64_t record, uint64_t offset,
                             const uint8_t *data, size_t len) {
  ev->type = type;
  store_word(&ev->header, h);
  memset((uint8_t *)&ev->header + sizeof(ev->header), 0,
         offsetof(fcs_event, record) - offsetof(fcs_event, header) -
             sizeof(ev->header));
  ev->record = record;
  ev->offset = offset;
  ev->data = data;
  ev->len = len;
  memset(&ev->ends_stream, 0, sizeof(*ev) - offsetof(fcs_event, ends_stream));
}

/* RECORD_END of a record without a fixed body (nothing to decode). */
static inline void end_record(fcs_decoder *d, uint64_t h, fcs_event *ev) {
  uint64_t record = d->record;
  put_event(ev, FCS_EV_RECORD_END, h, record, d->record_offset, NULL, 0);
  if (UNLIKELY(ends_stream_word(h))) {
    d->state = D_STREAM_END;
  } else {
    d->state = D_HEADER;
    d->record = record + 1;
  }
}
#endif

/* Piecewise feeding makes a call per event (three per record), so what
 * each call costs besides its event counts: in one function the common
 * cases paid for the stack frame, the registers and the clear that the
 * rare ones need (bench/, workload a). They are handled here with neither:
 * a plain stream record's header wholly in the input, its content, its
 * padding when all of it is in the input, its RECORD_END and STREAM_END
 * (a record without a fixed body). Everything else, and whole-records
 * mode, goes to feed_general, whose events are the same in every case. */
size_t fcs_decoder_feed(fcs_decoder *d, const uint8_t *in, size_t len,
                        fcs_event *ev) {
#ifdef FAST_FEED
  switch (d->state) {
  case D_HEADER:
    if (LIKELY(len >= FCS_HEADER_LEN && d->have == 0 && !d->whole_records)) {
      uint64_t h = read_header_word(in);
      if (LIKELY(plain_stream_word(h))) {
        uint64_t at = d->offset;
        d->record_offset = at;
        d->offset = at + FCS_HEADER_LEN;
        store_word(&d->header, h);
        fcs_header fields;
        memcpy(&fields, &h, sizeof(fields));
        start_record(d, fields);
        put_event(ev, FCS_EV_HEADER, h, d->record, at, NULL, 0);
        return FCS_HEADER_LEN;
      }
    }
    break;
  case D_CONTENT: {
    uint64_t h = load_word(&d->header);
    if (LIKELY(len != 0 && !fixed_body_word(h))) {
      uint32_t left = d->content_left;
      size_t take = left < len ? left : len;
      uint64_t at = d->offset;
      left -= (uint32_t)take;
      d->content_left = left;
      d->offset = at + take;
      if (!left)
        d->state = d->padding_left ? D_PADDING : D_RECORD_END;
      put_event(ev, FCS_EV_CONTENT, h, d->record, at, in, take);
      return take;
    }
    break;
  }
  case D_PADDING: {
    /* all the padding in the input: consumed, and RECORD_END reported */
    uint64_t h = load_word(&d->header);
    uint32_t pad = d->padding_left;
    if (LIKELY(len >= pad && !fixed_body_word(h))) {
      d->padding_left = 0;
      d->offset += pad;
      end_record(d, h, ev);
      return pad;
    }
    break;
  }
  case D_RECORD_END: {
    uint64_t h = load_word(&d->header);
    if (LIKELY(!fixed_body_word(h))) {
      end_record(d, h, ev);
      return 0;
    }
    break;
  }
  case D_STREAM_END: {
    uint64_t record = d->record;
    put_event(ev, FCS_EV_STREAM_END, load_word(&d->header), record,
              d->record_offset, NULL, 0);
    d->state = D_HEADER;
    d->record = record + 1;
    return 0;
  }
  default:
    break;
  }
#endif
  return feed_general(d, in, len, ev);
}

size_t fcs_decoder_feed_many(fcs_decoder *d, const uint8_t *in, size_t len,
                             fcs_event *evs, size_t max, size_t *count) {
  size_t used = 0, n = 0;
  while (n < max) {
    if (d->whole_records && d->state == D_HEADER && d->have == 0) {
      size_t got;
      used += whole_records(d, used ? in + used : in, len - used, evs + n,
                            max - n, &got);
      n += got;
      if (n == max)
        break;
    }
    size_t took =
        fcs_decoder_feed(d, used ? in + used : in, len - used, &evs[n]);
    used += took;
    if (evs[n].type == FCS_EV_NONE)
      break;
    if (evs[n++].type == FCS_EV_ERROR)
      break;
  }
  *count = n;
  return used;
}

fcs_err fcs_decoder_finish(fcs_decoder *d, fcs_event *ev) {
  memset(ev, 0, sizeof(*ev));
  if (d->state == D_ERROR) {
    report_error(d, ev);
    return d->error.code;
  }
  int missing = (d->state == D_HEADER && d->have > 0) ||
                d->state == D_CONTENT || d->state == D_PADDING;
  if (!missing)
    return FCS_E_OK;
  if (d->state == D_HEADER) { /* report what the partial header says */
    memset(d->hdrbuf + d->have, 0, FCS_HEADER_LEN - d->have);
    fcs_header_decode(d->hdrbuf, &d->header);
  }
  fail(d, FCS_E_TRUNCATED, d->offset);
  report_error(d, ev);
  return FCS_E_TRUNCATED;
}
