/* roundtrip: encode then decode, two ways.
 *
 * 1. Structured: the input drives a data provider that builds a message
 *    (BEGIN/ABORT/END_REQUEST, UNKNOWN_TYPE, raw streams, PARAMS and
 *    GET_VALUES carrying name-value pairs) with fuzzed record options
 *    (padding mode, length and fill byte, largest content per record). Each
 *    item is encoded and decoded in strict mode and must come back equal:
 *    types, ids, bodies, content, pairs, and padding as the options say
 *    (worked out here, not by asking the encoder).
 * 2. Canonical form: when the raw input decodes in strict mode,
 *    canon(b) = the same records re-encoded without padding must decode to
 *    the same records, and canon(canon(b)) == canon(b). */
#include <stdlib.h>
#include <string.h>

#include "../support/oracle.h"
#include "../support/provider.h"
#include "../support/target.h"

#define MAX_ITEMS 12
#define MAX_PAIRS 6

enum item_kind { I_BEGIN, I_ABORT, I_END, I_UNKNOWN, I_STREAM, I_PAIRS };

typedef struct item {
  enum item_kind kind;
  uint8_t type;
  uint16_t id;
  uint16_t role;
  uint8_t flags, protocol_status, unknown;
  uint32_t app_status;
  const uint8_t *data; /* I_STREAM */
  size_t len;
  int terminate;
  fcs_nv_pair pairs[MAX_PAIRS]; /* I_PAIRS */
  size_t npairs;
  int force_long;
  fcs_record_opts opts;
} item;

static uint8_t expected_padding(const fcs_padding *p, size_t clen) {
  switch (p->mode) {
  case FCS_PAD_ALIGN8:
    return (uint8_t)((8 - clen % 8) % 8);
  case FCS_PAD_FIXED:
    return p->length;
  default:
    return 0;
  }
}

static void draw_opts(fz_provider *p, fcs_record_opts *o) {
  memset(o, 0, sizeof(*o));
  o->padding.mode = (fcs_pad_mode)(fz_u8(p) % 3);
  o->padding.length = fz_u8(p);
  o->padding.fill = fz_u8(p);
  o->max_content = fz_range(p, 0, 300); /* 0: the 65535 default */
}

static void draw_item(fz_provider *p, item *it) {
  static const uint8_t stream_types[] = {FCS_PARAMS, FCS_STDIN, FCS_STDOUT,
                                         FCS_STDERR, FCS_DATA};
  memset(it, 0, sizeof(*it));
  it->kind = (enum item_kind)(fz_u8(p) % 6);
  it->id = (uint16_t)fz_range(p, 1, 0xffff);
  draw_opts(p, &it->opts);
  switch (it->kind) {
  case I_BEGIN:
    it->type = FCS_BEGIN_REQUEST;
    it->role = fz_u16(p);
    it->flags = fz_u8(p);
    break;
  case I_ABORT:
    it->type = FCS_ABORT_REQUEST;
    break;
  case I_END:
    it->type = FCS_END_REQUEST;
    it->app_status = fz_u32(p);
    it->protocol_status = fz_u8(p);
    break;
  case I_UNKNOWN:
    it->type = FCS_UNKNOWN_TYPE;
    it->id = 0;
    it->unknown = fz_u8(p);
    break;
  case I_STREAM:
    it->type = stream_types[fz_u8(p) % 5];
    it->terminate = fz_u8(p) & 1;
    it->data = fz_bytes(p, fz_range(p, 0, 600), &it->len);
    break;
  case I_PAIRS:
    it->type = fz_u8(p) & 1 ? FCS_GET_VALUES : FCS_PARAMS;
    if (it->type == FCS_GET_VALUES)
      it->id = 0;
    it->force_long = fz_u8(p) & 1;
    it->npairs = fz_range(p, 0, MAX_PAIRS);
    for (size_t i = 0; i < it->npairs; i++) {
      size_t got;
      fcs_nv_pair *pair = &it->pairs[i];
      pair->name = fz_bytes(p, fz_range(p, 0, 200), &got);
      pair->name_len = (uint32_t)got;
      pair->value = fz_bytes(p, fz_range(p, 0, 300), &got);
      pair->value_len = (uint32_t)got;
    }
    break;
  }
}

/* Encodes an item into a fresh buffer (GET_VALUES pairs always fit one
 * record: at most MAX_PAIRS * 508 bytes). */
static uint8_t *encode_item(const item *it, size_t *len) {
  uint8_t *out = NULL;
  size_t cap = 0, need = 0;
  uint8_t *pairs = NULL;
  size_t plen = 0;
  fcs_err e = FCS_E_OK;
  if (it->kind == I_PAIRS) {
    fcs_encode_pairs(NULL, 0, it->pairs, it->npairs, it->force_long, &plen);
    pairs = malloc(plen + 1);
    e = fcs_encode_pairs(pairs, plen, it->pairs, it->npairs, it->force_long,
                         &plen);
    FZ_CHECK(e == FCS_E_OK, "encoding %zu pairs: %s", it->npairs,
             fcs_err_name(e));
  }
  for (int pass = 0; pass < 2; pass++) {
    switch (it->kind) {
    case I_BEGIN:
      e = fcs_encode_begin_request(out, cap, it->id, it->role, it->flags,
                                   &it->opts, &need);
      break;
    case I_ABORT:
      e = fcs_encode_abort_request(out, cap, it->id, &it->opts, &need);
      break;
    case I_END:
      e = fcs_encode_end_request(out, cap, it->id, it->app_status,
                                 it->protocol_status, &it->opts, &need);
      break;
    case I_UNKNOWN:
      e = fcs_encode_unknown_type(out, cap, it->unknown, &it->opts, &need);
      break;
    case I_STREAM:
      e = fcs_encode_stream(out, cap, it->type, it->id, it->data, it->len,
                            it->terminate, &it->opts, &need);
      break;
    case I_PAIRS:
      if (it->type == FCS_GET_VALUES)
        e = fcs_encode_record(out, cap, it->type, 0, pairs, plen, &it->opts,
                              &need);
      else
        e = fcs_encode_stream(out, cap, it->type, it->id, pairs, plen, 1,
                              &it->opts, &need);
      break;
    }
    if (pass == 0) {
      FZ_CHECK(e == FCS_E_BUFFER_TOO_SMALL || (e == FCS_E_OK && need == 0),
               "sizing item of type %u: %s", it->type, fcs_err_name(e));
      cap = need;
      out = malloc(cap + 1);
    }
  }
  FZ_CHECK(e == FCS_E_OK, "encoding item of type %u: %s", it->type,
           fcs_err_name(e));
  free(pairs);
  *len = need;
  return out;
}

static void expect_pairs(const item *it, const uint8_t *content, size_t len) {
  size_t pos = 0, i = 0;
  fcs_nv_pair got;
  fcs_nv_result r;
  while ((r = fcs_nv_next(content, len, &pos, &got)) == FCS_NV_OK) {
    FZ_CHECK(i < it->npairs, "decoded more pairs than the %zu encoded",
             it->npairs);
    const fcs_nv_pair *want = &it->pairs[i++];
    FZ_CHECK(got.name_len == want->name_len &&
                 got.value_len == want->value_len &&
                 !memcmp(got.name, want->name, got.name_len) &&
                 !memcmp(got.value, want->value, got.value_len),
             "pair %zu came back as %u/%u bytes, encoded %u/%u", i - 1,
             got.name_len, got.value_len, want->name_len, want->value_len);
  }
  FZ_CHECK(r == FCS_NV_END && i == it->npairs,
           "pairs: %zu of %zu came back, stream %s", i, it->npairs,
           r == FCS_NV_END ? "ended cleanly" : "truncated");
}

/* Decodes one item's bytes and checks them against the item. */
/* A record header of the item, its padding as the options say, and each
 * stream record within the content bound. */
static void check_header(const item *it, const uint8_t *buf,
                         const fcs_event *ev, size_t max) {
  const fcs_header *h = &ev->header;
  FZ_CHECK(h->version == FCS_VERSION_1 && h->type == it->type &&
               h->request_id == it->id && h->reserved == 0,
           "record header v%u t%u id%u r%u, expected t%u id%u", h->version,
           h->type, h->request_id, h->reserved, it->type, it->id);
  FZ_CHECK(h->padding_length ==
               expected_padding(&it->opts.padding, h->content_length),
           "record of %u content bytes has %u padding bytes, options "
           "(mode %d, length %u) say %u",
           h->content_length, h->padding_length, it->opts.padding.mode,
           it->opts.padding.length,
           expected_padding(&it->opts.padding, h->content_length));
  for (size_t i = 0; i < h->padding_length; i++)
    FZ_CHECK(buf[ev->offset + FCS_HEADER_LEN + h->content_length + i] ==
                 it->opts.padding.fill,
             "padding byte %zu is not the fill byte", i);
  if (fcs_type_is_stream(it->type))
    FZ_CHECK(h->content_length <= max,
             "stream record of %u bytes, largest allowed %zu",
             h->content_length, max);
}

/* A fixed body comes back as it was given. */
static void check_body(const item *it, const fcs_event *ev) {
  if (it->kind == I_BEGIN)
    FZ_CHECK(ev->body.begin.role == it->role &&
                 ev->body.begin.flags == it->flags,
             "BEGIN_REQUEST body came back role %u flags %u",
             ev->body.begin.role, ev->body.begin.flags);
  if (it->kind == I_END)
    FZ_CHECK(ev->body.end.app_status == it->app_status &&
                 ev->body.end.protocol_status == it->protocol_status,
             "END_REQUEST body came back %u/%u", ev->body.end.app_status,
             ev->body.end.protocol_status);
  if (it->kind == I_UNKNOWN)
    FZ_CHECK(ev->body.unknown_type.type == it->unknown,
             "UNKNOWN_TYPE body came back %u", ev->body.unknown_type.type);
}

/* What the item's records carried, all told: a stream's bytes in as many
 * records as the bound needs, pairs as given, else one record. */
static void check_whole(const item *it, const uint8_t *content, size_t clen,
                        size_t records, size_t last_clen, size_t max) {
  if (it->kind == I_STREAM) {
    FZ_CHECK(clen == it->len && !memcmp(content, it->data, clen),
             "stream of %zu bytes came back as %zu bytes", it->len, clen);
    size_t want = (it->len + max - 1) / max + (it->terminate ? 1 : 0);
    FZ_CHECK(records == want, "stream of %zu bytes in %zu records, want %zu",
             it->len, records, want);
    FZ_CHECK(!it->terminate || last_clen == 0,
             "terminated stream does not end with an empty record");
  } else if (it->kind == I_PAIRS) {
    expect_pairs(it, content, clen);
  } else {
    FZ_CHECK(records == 1, "item of type %u took %zu records", it->type,
             records);
  }
}

static void check_item(const item *it, const uint8_t *buf, size_t len) {
  fcs_decoder d;
  fcs_event ev;
  fcs_decoder_init(&d, FCS_STRICT);
  uint8_t *content = malloc(len + 1);
  size_t clen = 0, pos = 0, records = 0, last_clen = 0;
  size_t max = it->opts.max_content ? it->opts.max_content : FCS_MAX_CONTENT;
  do {
    pos += fcs_decoder_feed(&d, buf + pos, len - pos, &ev);
    switch (ev.type) {
    case FCS_EV_ERROR:
      FZ_CHECK(0, "encoded item of type %u does not decode: %s at %llu",
               it->type, fcs_err_name(ev.error.code),
               (unsigned long long)ev.error.offset);
      break;
    case FCS_EV_HEADER:
      records++;
      last_clen = ev.header.content_length;
      check_header(it, buf, &ev, max);
      break;
    case FCS_EV_CONTENT:
      memcpy(content + clen, ev.data, ev.len);
      clen += ev.len;
      break;
    case FCS_EV_RECORD_END:
      check_body(it, &ev);
      break;
    default:
      break;
    }
  } while (pos < len || ev.type != FCS_EV_NONE);
  FZ_CHECK(fcs_decoder_finish(&d, &ev) == FCS_E_OK,
           "encoded item of type %u ends inside a record", it->type);
  check_whole(it, content, clen, records, last_clen, max);
  free(content);
}

static void structured(const uint8_t *data, size_t size) {
  fz_provider p;
  fz_provider_init(&p, data, size);
  size_t n = fz_range(&p, 1, MAX_ITEMS);
  for (size_t i = 0; i < n && fz_left(&p) > 0; i++) {
    item it;
    size_t len;
    draw_item(&p, &it);
    uint8_t *buf = encode_item(&it, &len);
    check_item(&it, buf, len);
    free(buf);
  }
}

/* ---- canonical form ---- */

typedef struct rec {
  fcs_header h;
  const uint8_t *content;
} rec;

/* The records of in (strict), or -1 when it does not decode. The content
 * of a record lies in one piece after its header because in is fed whole. */
static long records_of(const uint8_t *in, size_t len, rec **out) {
  fcs_decoder d;
  fcs_event ev;
  fcs_decoder_init(&d, FCS_STRICT);
  rec *recs = malloc((len / FCS_HEADER_LEN + 1) * sizeof(rec));
  long n = 0;
  size_t pos = 0;
  do {
    pos += fcs_decoder_feed(&d, in + pos, len - pos, &ev);
    if (ev.type == FCS_EV_ERROR) {
      free(recs);
      return -1;
    }
    if (ev.type == FCS_EV_HEADER) {
      recs[n].h = ev.header;
      recs[n++].content = in + ev.offset + FCS_HEADER_LEN;
    }
  } while (pos < len || ev.type != FCS_EV_NONE);
  if (fcs_decoder_finish(&d, &ev) != FCS_E_OK) {
    free(recs);
    return -1;
  }
  *out = recs;
  return n;
}

static uint8_t *canon(const rec *recs, long n, size_t *len) {
  size_t total = 0, need;
  for (long i = 0; i < n; i++)
    total += FCS_HEADER_LEN + recs[i].h.content_length;
  uint8_t *out = malloc(total + 1), *p = out;
  for (long i = 0; i < n; i++) {
    fcs_err e = fcs_encode_record(p, total - (size_t)(p - out), recs[i].h.type,
                                  recs[i].h.request_id, recs[i].content,
                                  recs[i].h.content_length, NULL, &need);
    FZ_CHECK(e == FCS_E_OK, "re-encoding record %ld: %s", i, fcs_err_name(e));
    p += need;
  }
  *len = total;
  return out;
}

static void canonical(const uint8_t *in, size_t len) {
  rec *orig, *again;
  long n = records_of(in, len, &orig);
  if (n < 0)
    return;
  size_t clen, c2len;
  uint8_t *c = canon(orig, n, &clen);
  long m = records_of(c, clen, &again);
  FZ_CHECK(m == n, "canonical form decodes to %ld records, not %ld", m, n);
  for (long i = 0; i < n; i++) {
    const fcs_header *a = &orig[i].h, *b = &again[i].h;
    FZ_CHECK(a->type == b->type && a->request_id == b->request_id &&
                 a->content_length == b->content_length &&
                 !memcmp(orig[i].content, again[i].content, a->content_length),
             "record %ld changed in canonical form: t%u id%u c%u -> t%u id%u "
             "c%u",
             i, a->type, a->request_id, a->content_length, b->type,
             b->request_id, b->content_length);
  }
  uint8_t *c2 = canon(again, m, &c2len);
  FZ_CHECK(c2len == clen && !memcmp(c, c2, clen),
           "canonical form is not a fixed point (%zu bytes, then %zu)", clen,
           c2len);
  free(c2);
  free(again);
  free(c);
  free(orig);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  structured(data, size);
  canonical(data, size);
  return 0;
}
