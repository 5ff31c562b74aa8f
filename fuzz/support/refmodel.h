/* Reference model: a second FastCGI 1.0 record and name-value decoder,
 * written as plainly as possible from the specification (sections 3.3, 3.4
 * and 8) and from the codec's documented strict/lenient rules. It shares no
 * code with the codec (only the error names, so verdicts can be compared),
 * reads the whole input at once and does not care about speed.
 *
 * When a header breaks several rules it reports the first one in header
 * byte order: version (byte 0), request id (bytes 2-3), content length
 * (bytes 4-5); the error offset is that byte's position. */
#ifndef FZ_REFMODEL_H
#define FZ_REFMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "fcs/error.h"

typedef struct ref_record {
  unsigned version, type, request_id, content_length, padding_length, reserved;
  size_t offset;   /* first header byte */
  size_t content;  /* first content byte */
  int ends_stream; /* an empty PARAMS, STDIN, STDOUT, STDERR or DATA record */
} ref_record;

typedef struct ref_decoding {
  ref_record *records; /* the complete, valid records, in order */
  size_t count;
  fcs_err error; /* FCS_E_OK when the input is a whole number of records */
  size_t error_offset;
} ref_decoding;

void ref_decode(const uint8_t *in, size_t len, int strict, ref_decoding *out);
void ref_decoding_free(ref_decoding *d);

/* BEGIN_REQUEST body (the record's first 8 content bytes). */
unsigned ref_begin_role(const uint8_t *content);
unsigned ref_begin_flags(const uint8_t *content);
/* END_REQUEST body. */
uint32_t ref_end_app_status(const uint8_t *content);
unsigned ref_end_protocol_status(const uint8_t *content);

typedef struct ref_pair {
  size_t name, name_len, value, value_len; /* offsets into the buffer */
} ref_pair;

/* Splits buf into name-value pairs. Returns the number of pairs that fit
 * (at most max are stored) and sets *complete to 1 when the last pair ends
 * exactly at len. */
size_t ref_pairs(const uint8_t *buf, size_t len, ref_pair *pairs, size_t max,
                 int *complete);

#endif
