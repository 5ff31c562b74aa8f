#include "fcs/decoder.h"

#include <string.h>

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
  int strict = mode == FCS_STRICT;
  *at = 0;
  if (is_plain_stream_record(h))
    return FCS_E_OK;
  if (h.version != FCS_VERSION_1 && (strict || h.version == 0))
    return FCS_E_BAD_VERSION;
  *at = 2; /* requestIdB1 */
  if (strict && fcs_type_is_management(h.type) &&
      h.request_id != FCS_NULL_REQUEST_ID)
    return FCS_E_MGMT_NONZERO_ID;
  if (strict && fcs_type_is_known(h.type) && !fcs_type_is_management(h.type) &&
      h.request_id == FCS_NULL_REQUEST_ID)
    return FCS_E_APP_RECORD_NULL_ID;
  *at = 4; /* contentLengthB1 */
  if (has_fixed_body(h.type)) {
    if (h.content_length < FCS_BODY_LEN)
      return FCS_E_BODY_TOO_SHORT;
    if (strict && h.content_length != FCS_BODY_LEN)
      return FCS_E_BODY_LENGTH;
  }
  if (strict && h.type == FCS_ABORT_REQUEST && h.content_length != 0)
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

size_t fcs_decoder_feed(fcs_decoder *d, const uint8_t *in, size_t len,
                        fcs_event *ev) {
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
      d->content_left = h.content_length;
      d->padding_left = h.padding_length;
      if (d->content_left)
        d->state = D_CONTENT;
      else
        after_content(d);
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
