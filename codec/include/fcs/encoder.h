/* Encoder: writes records into caller-owned buffers.
 *
 * Every function computes the size it needs into *needed and writes only
 * when cap >= *needed (returning FCS_E_BUFFER_TOO_SMALL and writing nothing
 * otherwise), so a caller can ask with out = NULL, cap = 0 first. */
#ifndef FCS_ENCODER_H
#define FCS_ENCODER_H

#include <stddef.h>
#include <stdint.h>

#include "fcs/error.h"
#include "fcs/nv.h"
#include "fcs/proto.h"

typedef enum fcs_pad_mode {
  FCS_PAD_NONE = 0, /* no padding */
  FCS_PAD_ALIGN8,   /* pad each record to a multiple of 8 bytes */
  FCS_PAD_FIXED     /* paddingLength = padding.length on every record */
} fcs_pad_mode;

typedef struct fcs_padding {
  fcs_pad_mode mode;
  uint8_t length; /* FCS_PAD_FIXED */
  uint8_t fill;   /* value of every padding byte */
} fcs_padding;

typedef struct fcs_record_opts {
  fcs_padding padding;
  uint8_t version;  /* 0 means FCGI_VERSION_1 */
  uint8_t reserved; /* header reserved byte */
  /* Largest content per record when splitting a stream; 0 and anything
   * above 65535 mean 65535. */
  uint32_t max_content;
} fcs_record_opts;

/* Padding length a record with clen content bytes gets under p. */
uint8_t fcs_padding_for(const fcs_padding *p, size_t clen);

/* One record: header, content (clen <= 65535), padding. opts may be NULL. */
fcs_err fcs_encode_record(uint8_t *out, size_t cap, uint8_t type,
                          uint16_t request_id, const uint8_t *content,
                          size_t clen, const fcs_record_opts *opts,
                          size_t *needed);

/* One record exactly as h says, for malformed input: the header as given
 * (any version, reserved byte, and a contentLength that need not be clen),
 * then the clen content bytes, then h->padding_length bytes of fill. */
fcs_err fcs_encode_raw_record(uint8_t *out, size_t cap, const fcs_header *h,
                              const uint8_t *content, size_t clen, uint8_t fill,
                              size_t *needed);

/* A stream's data split into records of at most max_content bytes, then,
 * if terminate, the empty record that ends the stream. len == 0 with
 * terminate writes only the terminator. */
fcs_err fcs_encode_stream(uint8_t *out, size_t cap, uint8_t type,
                          uint16_t request_id, const uint8_t *data, size_t len,
                          int terminate, const fcs_record_opts *opts,
                          size_t *needed);

fcs_err fcs_encode_begin_request(uint8_t *out, size_t cap, uint16_t request_id,
                                 uint16_t role, uint8_t flags,
                                 const fcs_record_opts *opts, size_t *needed);
fcs_err fcs_encode_end_request(uint8_t *out, size_t cap, uint16_t request_id,
                               uint32_t app_status, uint8_t protocol_status,
                               const fcs_record_opts *opts, size_t *needed);
fcs_err fcs_encode_unknown_type(uint8_t *out, size_t cap, uint8_t type,
                                const fcs_record_opts *opts, size_t *needed);
fcs_err fcs_encode_abort_request(uint8_t *out, size_t cap, uint16_t request_id,
                                 const fcs_record_opts *opts, size_t *needed);

/* Pairs encoded back to back (shortest length forms unless force_long),
 * without record framing: the content of a PARAMS stream or GET_VALUES
 * record. Wrap it with fcs_encode_stream / fcs_encode_record. */
fcs_err fcs_encode_pairs(uint8_t *out, size_t cap, const fcs_nv_pair *pairs,
                         size_t npairs, int force_long, size_t *needed);

#endif
