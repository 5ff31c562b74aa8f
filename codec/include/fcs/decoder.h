/* Push decoder for the FastCGI record layer.
 *
 * Feed it bytes in any chunking; each call reports at most one event and
 * says how many bytes it consumed. It never allocates, never copies content
 * (CONTENT events point into the caller's buffer), keeps constant state and
 * never reads outside [in, in+len). Every call with input either consumes at
 * least one byte or reports an event, and events that consume nothing are
 * bounded (FCS_DECODER_MAX_IDLE_EVENTS in a row), so a loop over feed
 * always terminates.
 * The event sequence does not depend on how the input is split, except that
 * one record's content may arrive as several CONTENT slices.
 *
 * Per record it reports: HEADER, then zero or more CONTENT, then RECORD_END
 * (after the padding), then STREAM_END if the record was the empty record
 * that ends a stream (PARAMS, STDIN, STDOUT, STDERR, DATA).
 *
 * With fcs_decoder_whole_records on, a record that lies wholly in the input
 * given to one call (header, content and padding) is reported as one RECORD
 * event instead; a record that straddles calls still comes as the pieces
 * above. Expanding each RECORD into HEADER, CONTENT, RECORD_END and
 * STREAM_END gives back the split-independent sequence. */
#ifndef FCS_DECODER_H
#define FCS_DECODER_H

#include <stddef.h>
#include <stdint.h>

#include "fcs/error.h"
#include "fcs/proto.h"

/* The most events in a row that consume no input: a record's RECORD_END
 * and STREAM_END (a call that reports NONE is not an event). */
#define FCS_DECODER_MAX_IDLE_EVENTS 2

/* What the codec accepts beyond what FastCGI 1.0 allows: a set of named
 * relaxations, or-ed together (docs/strictness.md lists what each one
 * accepts and what the codec then does). A caller modelling one
 * implementation's tolerance picks exactly the ones it needs. */
typedef enum fcs_mode {
  /* None: reject everything FastCGI 1.0 does not allow. */
  FCS_STRICT = 0,
  /* Record layer (decoder), each named after the error it waives: */
  FCS_RELAX_VERSION = 1 << 0,       /* BAD_VERSION: any non-zero version */
  FCS_RELAX_MGMT_ID = 1 << 1,       /* MGMT_NONZERO_ID: management types on
                                       a non-zero request id */
  FCS_RELAX_NULL_ID = 1 << 2,       /* APP_RECORD_NULL_ID: application types
                                       on request id 0 */
  FCS_RELAX_BODY_LENGTH = 1 << 3,   /* BODY_LENGTH: fixed-size bodies longer
                                       than 8 bytes (the first 8 count) */
  FCS_RELAX_ABORT_CONTENT = 1 << 4, /* ABORT_HAS_CONTENT: content on
                                       ABORT_REQUEST */
  /* Session layer (assembler): records out of order or for ended requests
   * are skipped (IGNORED) instead of stopping the connection, a second
   * BEGIN_REQUEST for an active id is REFUSED, and a broken stream order,
   * protocol status or missing stream end reads on. */
  FCS_RELAX_SESSION = 1 << 5,
  /* All of them: what widely deployed implementations accept. */
  FCS_LENIENT = (1 << 6) - 1
} fcs_mode;

typedef enum fcs_event_type {
  FCS_EV_NONE = 0, /* input used up, no event */
  FCS_EV_HEADER,
  FCS_EV_CONTENT,
  FCS_EV_RECORD_END,
  FCS_EV_STREAM_END,
  FCS_EV_RECORD, /* a whole record: header, record, offset, data/len = all
                    its content, body (fixed-body types), ends_stream; other
                    fields are left as they were. Whole-records mode only. */
  FCS_EV_ERROR
} fcs_event_type;

typedef struct fcs_event {
  fcs_event_type type;
  fcs_header header;   /* the current record's header (all but NONE, ERROR
                          before any header) */
  uint64_t record;     /* 0-based index of the current record */
  uint64_t offset;     /* stream offset of the record's first header byte,
                          or of data[0] for CONTENT */
  const uint8_t *data; /* CONTENT, RECORD: slice of the input */
  size_t len;
  uint8_t ends_stream; /* RECORD: an empty stream record (see STREAM_END) */
  /* RECORD_END or RECORD of BEGIN_REQUEST, END_REQUEST, UNKNOWN_TYPE: the body,
   * decoded from the first 8 content bytes (however they were split). */
  union {
    fcs_begin_body begin;
    fcs_end_body end;
    fcs_unknown_type_body unknown_type;
  } body;
  fcs_error error; /* ERROR */
} fcs_event;

typedef struct fcs_decoder {
  fcs_mode mode;
  int whole_records;
  int state;
  uint8_t hdrbuf[FCS_HEADER_LEN];
  uint8_t bodybuf[FCS_BODY_LEN];
  uint8_t have; /* header or body bytes gathered so far */
  fcs_header header;
  uint32_t content_left;
  uint32_t padding_left;
  uint64_t offset;        /* bytes consumed so far */
  uint64_t record;        /* index of the current record */
  uint64_t record_offset; /* offset of its header */
  fcs_error error;
} fcs_decoder;

void fcs_decoder_init(fcs_decoder *d, fcs_mode mode);

/* Turns whole-record events on or off (off after init). */
void fcs_decoder_whole_records(fcs_decoder *d, int on);

/* Consumes a prefix of in and returns its length; *ev tells what happened.
 * After an ERROR the decoder consumes nothing and repeats that error. */
size_t fcs_decoder_feed(fcs_decoder *d, const uint8_t *in, size_t len,
                        fcs_event *ev);

/* Up to max events in one call, into evs[0..*count-1]: the events repeated
 * calls to fcs_decoder_feed would give, without a call per event. It stops
 * early when the input is used up (no NONE event is stored) or after an
 * ERROR event. Returns the bytes consumed. */
size_t fcs_decoder_feed_many(fcs_decoder *d, const uint8_t *in, size_t len,
                             fcs_event *evs, size_t max, size_t *count);

/* The input has ended. Returns FCS_E_OK when it ended between records;
 * otherwise FCS_E_TRUNCATED (ev->error filled) — also in lenient mode.
 * Drain pending events first (feed with len 0 until FCS_EV_NONE): a record
 * whose last byte arrived still owes its RECORD_END / STREAM_END. */
fcs_err fcs_decoder_finish(fcs_decoder *d, fcs_event *ev);

/* Record-layer validity of one header in a mode, without a decoder. The
 * fixed-body and ABORT checks need the content length, which the header
 * has. */
fcs_err fcs_header_check(const fcs_header *h, fcs_mode mode);
/* The same, also giving through *at the index inside the header (0-7) of
 * the byte that makes it invalid: a decoder stopping on this header reports
 * the record's offset plus *at. */
fcs_err fcs_header_check_at(const fcs_header *h, fcs_mode mode, unsigned *at);

#endif
