#include "fcs/encoder.h"

#include <string.h>

static const fcs_record_opts default_opts = {{FCS_PAD_NONE, 0, 0}, 0, 0, 0};

uint8_t fcs_padding_for(const fcs_padding *p, size_t clen) {
  switch (p->mode) {
  case FCS_PAD_ALIGN8:
    return (uint8_t)((8 - (clen & 7)) & 7);
  case FCS_PAD_FIXED:
    return p->length;
  default:
    return 0;
  }
}

static uint32_t max_content(const fcs_record_opts *o) {
  return o->max_content == 0 || o->max_content > FCS_MAX_CONTENT
             ? FCS_MAX_CONTENT
             : o->max_content;
}

static size_t record_size(const fcs_record_opts *o, size_t clen) {
  return FCS_HEADER_LEN + clen + fcs_padding_for(&o->padding, clen);
}

/* The one writer of record bytes; the caller has checked the space. */
static uint8_t *put_raw(uint8_t *out, const fcs_header *h,
                        const uint8_t *content, size_t clen, uint8_t fill) {
  fcs_header_encode(h, out);
  out += FCS_HEADER_LEN;
  if (clen)
    memcpy(out, content, clen);
  out += clen;
  memset(out, fill, h->padding_length);
  return out + h->padding_length;
}

static uint8_t *put_record(uint8_t *out, const fcs_record_opts *o, uint8_t type,
                           uint16_t id, const uint8_t *content, size_t clen) {
  fcs_header h = {
      o->version ? o->version : FCS_VERSION_1, type,       id, (uint16_t)clen,
      fcs_padding_for(&o->padding, clen),      o->reserved};
  return put_raw(out, &h, content, clen, o->padding.fill);
}

fcs_err fcs_encode_raw_record(uint8_t *out, size_t cap, const fcs_header *h,
                              const uint8_t *content, size_t clen, uint8_t fill,
                              size_t *needed) {
  *needed = 0;
  if (clen > FCS_MAX_CONTENT || (clen && !content))
    return FCS_E_INVALID_ARGUMENT;
  *needed = FCS_HEADER_LEN + clen + h->padding_length;
  if (!out || cap < *needed)
    return FCS_E_BUFFER_TOO_SMALL;
  put_raw(out, h, content, clen, fill);
  return FCS_E_OK;
}

fcs_err fcs_encode_record(uint8_t *out, size_t cap, uint8_t type,
                          uint16_t request_id, const uint8_t *content,
                          size_t clen, const fcs_record_opts *opts,
                          size_t *needed) {
  const fcs_record_opts *o = opts ? opts : &default_opts;
  *needed = 0;
  if (clen > FCS_MAX_CONTENT || (clen && !content))
    return FCS_E_INVALID_ARGUMENT;
  *needed = record_size(o, clen);
  if (!out || cap < *needed)
    return FCS_E_BUFFER_TOO_SMALL;
  put_record(out, o, type, request_id, content, clen);
  return FCS_E_OK;
}

fcs_err fcs_encode_stream(uint8_t *out, size_t cap, uint8_t type,
                          uint16_t request_id, const uint8_t *data, size_t len,
                          int terminate, const fcs_record_opts *opts,
                          size_t *needed) {
  const fcs_record_opts *o = opts ? opts : &default_opts;
  size_t chunk = max_content(o);
  *needed = 0;
  if (len && !data)
    return FCS_E_INVALID_ARGUMENT;
  size_t full = len / chunk, rest = len % chunk;
  size_t total = full * record_size(o, chunk);
  if (rest)
    total += record_size(o, rest);
  if (terminate)
    total += record_size(o, 0);
  *needed = total;
  if (total && (!out || cap < total))
    return FCS_E_BUFFER_TOO_SMALL;
  for (size_t off = 0; off < len; off += chunk) {
    size_t n = len - off < chunk ? len - off : chunk;
    out = put_record(out, o, type, request_id, data + off, n);
  }
  if (terminate)
    put_record(out, o, type, request_id, NULL, 0);
  return FCS_E_OK;
}

fcs_err fcs_encode_begin_request(uint8_t *out, size_t cap, uint16_t request_id,
                                 uint16_t role, uint8_t flags,
                                 const fcs_record_opts *opts, size_t *needed) {
  fcs_begin_body b = {role, flags, {0}};
  uint8_t body[FCS_BODY_LEN];
  fcs_begin_body_encode(&b, body);
  return fcs_encode_record(out, cap, FCS_BEGIN_REQUEST, request_id, body,
                           sizeof body, opts, needed);
}

fcs_err fcs_encode_end_request(uint8_t *out, size_t cap, uint16_t request_id,
                               uint32_t app_status, uint8_t protocol_status,
                               const fcs_record_opts *opts, size_t *needed) {
  fcs_end_body b = {app_status, protocol_status, {0}};
  uint8_t body[FCS_BODY_LEN];
  fcs_end_body_encode(&b, body);
  return fcs_encode_record(out, cap, FCS_END_REQUEST, request_id, body,
                           sizeof body, opts, needed);
}

fcs_err fcs_encode_unknown_type(uint8_t *out, size_t cap, uint8_t type,
                                const fcs_record_opts *opts, size_t *needed) {
  fcs_unknown_type_body b = {type, {0}};
  uint8_t body[FCS_BODY_LEN];
  fcs_unknown_type_body_encode(&b, body);
  return fcs_encode_record(out, cap, FCS_UNKNOWN_TYPE, FCS_NULL_REQUEST_ID,
                           body, sizeof body, opts, needed);
}

fcs_err fcs_encode_abort_request(uint8_t *out, size_t cap, uint16_t request_id,
                                 const fcs_record_opts *opts, size_t *needed) {
  return fcs_encode_record(out, cap, FCS_ABORT_REQUEST, request_id, NULL, 0,
                           opts, needed);
}

fcs_err fcs_encode_pairs(uint8_t *out, size_t cap, const fcs_nv_pair *pairs,
                         size_t npairs, int force_long, size_t *needed) {
  size_t total = 0;
  *needed = 0;
  for (size_t i = 0; i < npairs; i++) {
    if (pairs[i].name_len > FCS_NV_MAX_LEN ||
        pairs[i].value_len > FCS_NV_MAX_LEN)
      return FCS_E_INVALID_ARGUMENT;
    total +=
        fcs_nv_pair_size(pairs[i].name_len, pairs[i].value_len, force_long);
  }
  *needed = total;
  if (!out || cap < total)
    return total == 0 ? FCS_E_OK : FCS_E_BUFFER_TOO_SMALL;
  for (size_t i = 0; i < npairs; i++) {
    size_t w;
    fcs_nv_encode(out, cap, pairs[i].name, pairs[i].name_len, pairs[i].value,
                  pairs[i].value_len, force_long, &w);
    out += w;
    cap -= w;
  }
  return FCS_E_OK;
}
