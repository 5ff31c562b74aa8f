/* Named errors. Every error the codec reports has a stable identifier
 * (fcs_err_name), a one-line human message (fcs_err_message), and, when it
 * comes from decoding, the byte offset and record where it happened. */
#ifndef FCS_ERROR_H
#define FCS_ERROR_H

#include <stdint.h>

#define FCS_ERRORS(X)                                                          \
  X(OK, "no error")                                                            \
  /* record layer */                                                           \
  X(BAD_VERSION, "record version is not FCGI_VERSION_1")                       \
  X(MGMT_NONZERO_ID, "management record carries a non-zero request id")        \
  X(APP_RECORD_NULL_ID, "application record carries request id 0")             \
  X(BODY_TOO_SHORT, "fixed-size body shorter than 8 bytes")                    \
  X(BODY_LENGTH, "fixed-size body is not exactly 8 bytes")                     \
  X(ABORT_HAS_CONTENT, "FCGI_ABORT_REQUEST record carries content")            \
  X(TRUNCATED, "input ended inside a record")                                  \
  /* name-value pairs */                                                       \
  X(NV_TRUNCATED, "name-value pair runs past the end of its stream")           \
  X(NV_IN_RECORD, "name-value pair runs past the end of its record")           \
  /* request layer */                                                          \
  X(WRONG_DIRECTION, "record type is not sent in this direction")              \
  X(DUPLICATE_BEGIN, "FCGI_BEGIN_REQUEST for a request id that is active")     \
  X(STREAM_AFTER_END, "stream record after that stream's terminator")          \
  X(STREAM_ORDER, "input streams interleaved (PARAMS, STDIN, DATA order)")     \
  X(RECORD_AFTER_END, "record for a request after its FCGI_END_REQUEST")       \
  X(UNEXPECTED_ID, "reply for a request id that was never begun")              \
  X(BAD_PROTOCOL_STATUS, "FCGI_END_REQUEST protocolStatus is not 0-3")         \
  X(MISSING_STREAM_END, "FCGI_END_REQUEST before the empty record ending "     \
                        "STDOUT (or a STDERR stream that was used)")           \
  X(NOT_ACTIVE, "request id is not active in this assembler")                  \
  /* limits */                                                                 \
  X(LIMIT_PARAMS_BYTES, "params stream exceeds the params byte limit")         \
  X(LIMIT_PAIRS, "params stream exceeds the name-value pair limit")            \
  X(LIMIT_REQUESTS, "more concurrent requests than the open-request limit")    \
  X(LIMIT_STREAM_BYTES, "stream exceeds the per-request buffer limit")         \
  /* API misuse, encoder */                                                    \
  X(BUFFER_TOO_SMALL, "output buffer too small")                               \
  X(INVALID_ARGUMENT, "invalid argument")

typedef enum fcs_err {
#define FCS_ERR_ENUM(name, msg) FCS_E_##name,
  FCS_ERRORS(FCS_ERR_ENUM)
#undef FCS_ERR_ENUM
      FCS_E_COUNT
} fcs_err;

/* Where an error happened. offset is the index, counted from the first byte
 * ever fed, of the byte that made the input invalid (for TRUNCATED: the
 * stream length at finish). record is the 0-based index of the record. */
typedef struct fcs_error {
  fcs_err code;
  uint64_t offset;
  uint64_t record;
  uint16_t request_id;
  uint8_t type;
} fcs_error;

const char *fcs_err_name(fcs_err e);    /* "BAD_VERSION" */
const char *fcs_err_message(fcs_err e); /* "record version is not ..." */

#endif
