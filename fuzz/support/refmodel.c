#include "refmodel.h"

#include <stdlib.h>

#include "oracle.h"

/* Record types and constants as listed in section 8 of the spec. */
#define T_BEGIN_REQUEST 1
#define T_ABORT_REQUEST 2
#define T_END_REQUEST 3
#define T_PARAMS 4
#define T_STDIN 5
#define T_STDOUT 6
#define T_STDERR 7
#define T_DATA 8
#define T_GET_VALUES 9
#define T_GET_VALUES_RESULT 10
#define T_UNKNOWN_TYPE 11

static unsigned two_bytes(const uint8_t *p) {
  return (unsigned)p[0] * 256 + p[1];
}

static int is_management(unsigned type) {
  return type == T_GET_VALUES || type == T_GET_VALUES_RESULT ||
         type == T_UNKNOWN_TYPE;
}

static int is_application(unsigned type) {
  return type >= T_BEGIN_REQUEST && type <= T_DATA;
}

static int has_eight_byte_body(unsigned type) {
  return type == T_BEGIN_REQUEST || type == T_END_REQUEST ||
         type == T_UNKNOWN_TYPE;
}

static int is_stream(unsigned type) {
  return type == T_PARAMS || type == T_STDIN || type == T_STDOUT ||
         type == T_STDERR || type == T_DATA;
}

/* Returns the broken rule and the header byte it concerns. */
static fcs_err header_rule(const ref_record *r, int strict, size_t *byte) {
  *byte = 0;
  if (strict ? r->version != 1 : r->version == 0)
    return FCS_E_BAD_VERSION;
  *byte = 2;
  if (strict && is_management(r->type) && r->request_id != 0)
    return FCS_E_MGMT_NONZERO_ID;
  if (strict && is_application(r->type) && r->request_id == 0)
    return FCS_E_APP_RECORD_NULL_ID;
  *byte = 4;
  if (has_eight_byte_body(r->type) && r->content_length < 8)
    return FCS_E_BODY_TOO_SHORT;
  if (strict && has_eight_byte_body(r->type) && r->content_length != 8)
    return FCS_E_BODY_LENGTH;
  if (strict && r->type == T_ABORT_REQUEST && r->content_length != 0)
    return FCS_E_ABORT_HAS_CONTENT;
  return FCS_E_OK;
}

void ref_decode(const uint8_t *in, size_t len, int strict, ref_decoding *out) {
  out->records = malloc((len / 8 + 1) * sizeof(ref_record));
  FZ_CHECK(out->records != NULL, "out of memory in the reference model");
  out->count = 0;
  out->error = FCS_E_OK;
  out->error_offset = 0;
  size_t at = 0;
  while (at < len) {
    if (len - at < 8) {
      out->error = FCS_E_TRUNCATED;
      out->error_offset = len;
      return;
    }
    const uint8_t *h = in + at;
    ref_record r;
    r.version = h[0];
    r.type = h[1];
    r.request_id = two_bytes(h + 2);
    r.content_length = two_bytes(h + 4);
    r.padding_length = h[6];
    r.reserved = h[7];
    r.offset = at;
    r.content = at + 8;
    r.ends_stream = is_stream(r.type) && r.content_length == 0;
    size_t byte;
    fcs_err rule = header_rule(&r, strict, &byte);
    if (rule != FCS_E_OK) {
      out->error = rule;
      out->error_offset = at + byte;
      return;
    }
    size_t whole = 8 + (size_t)r.content_length + r.padding_length;
    if (len - at < whole) {
      out->error = FCS_E_TRUNCATED;
      out->error_offset = len;
      return;
    }
    out->records[out->count++] = r;
    at += whole;
  }
}

void ref_decoding_free(ref_decoding *d) {
  free(d->records);
  d->records = NULL;
  d->count = 0;
}

unsigned ref_begin_role(const uint8_t *content) { return two_bytes(content); }
unsigned ref_begin_flags(const uint8_t *content) { return content[2]; }

uint32_t ref_end_app_status(const uint8_t *content) {
  return (uint32_t)two_bytes(content) * 65536 + two_bytes(content + 2);
}

unsigned ref_end_protocol_status(const uint8_t *content) { return content[4]; }

/* One length: a byte below 128 is the length; otherwise it and the next
 * three bytes, with the top bit cleared, are a 31-bit big-endian length. */
static int read_length(const uint8_t *buf, size_t len, size_t *at,
                       size_t *value) {
  if (*at >= len)
    return 0;
  if (buf[*at] < 128) {
    *value = buf[*at];
    *at += 1;
    return 1;
  }
  if (len - *at < 4)
    return 0;
  *value = ((size_t)(buf[*at] - 128) << 24) + ((size_t)buf[*at + 1] << 16) +
           ((size_t)buf[*at + 2] << 8) + buf[*at + 3];
  *at += 4;
  return 1;
}

size_t ref_pairs(const uint8_t *buf, size_t len, ref_pair *pairs, size_t max,
                 int *complete) {
  size_t at = 0, n = 0;
  for (;;) {
    if (at == len) {
      *complete = 1;
      return n;
    }
    ref_pair p;
    if (!read_length(buf, len, &at, &p.name_len) ||
        !read_length(buf, len, &at, &p.value_len) ||
        p.name_len + p.value_len > len - at) {
      *complete = 0;
      return n;
    }
    p.name = at;
    p.value = at + p.name_len;
    at = p.value + p.value_len;
    if (n < max)
      pairs[n] = p;
    n++;
  }
}
