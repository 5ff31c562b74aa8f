/* Request/response assembler: a session layer over the push decoder.
 *
 * On the application side (FCS_SIDE_APP) it reads what a web server sends:
 * it tracks per request id the role, flags, PARAMS (buffered and checked as
 * name-value pairs), STDIN and DATA, stream completion and aborts, answers
 * which records the spec says to ignore, and hands management queries up.
 * On the client side (FCS_SIDE_CLIENT) it reads what an application sends:
 * STDOUT, STDERR and END_REQUEST per request the caller declared with
 * fcs_assembler_begin, and GET_VALUES_RESULT / UNKNOWN_TYPE.
 *
 * All memory comes from the caller (fcs_assembler_memory_size), split into
 * max_requests slots; nothing grows. Feeding follows the decoder's
 * convention: one event per call, bytes consumed returned. */
#ifndef FCS_ASSEMBLER_H
#define FCS_ASSEMBLER_H

#include <stddef.h>
#include <stdint.h>

#include "fcs/decoder.h"
#include "fcs/error.h"
#include "fcs/nv.h"
#include "fcs/proto.h"

/* The most events in a row that consume no input: each of the decoder's
 * FCS_DECODER_MAX_IDLE_EVENTS may give a VIOLATION and its own event
 * (observe mode; see due below). NONE is not an event. */
#define FCS_ASSEMBLER_MAX_IDLE_EVENTS (2 * FCS_DECODER_MAX_IDLE_EVENTS)

typedef enum fcs_side { FCS_SIDE_APP = 0, FCS_SIDE_CLIENT = 1 } fcs_side;

typedef struct fcs_limits {
  uint32_t max_params_bytes; /* PARAMS stream bytes per request (>= 1) */
  uint32_t max_pairs;        /* name-value pairs per PARAMS stream */
  uint32_t max_requests;     /* requests open at once on one connection */
  /* Bytes of each of STDIN, DATA (app side) or STDOUT, STDERR (client side)
   * kept per request. 0 keeps nothing: content only passes through as
   * STREAM_DATA events. A stream that grows past it ends in the error
   * LIMIT_STREAM_BYTES, after a STREAM_DATA event with the bytes that fit. */
  uint32_t max_stream_bytes;
} fcs_limits;

/* 64 KiB params, 512 pairs, 8 requests, 64 KiB per stream. Memory per
 * request: the byte limits plus one fcs_nv_pair per allowed pair. */
void fcs_limits_default(fcs_limits *l);

typedef enum fcs_asm_event_type {
  FCS_AE_NONE = 0,
  /* data/len of these two point into the assembler's memory and stay valid
   * until the next call to fcs_assembler_feed. */
  FCS_AE_GET_VALUES,        /* app: data/len = the query's pairs */
  FCS_AE_GET_VALUES_RESULT, /* client: data/len = the reply's pairs */
  FCS_AE_UNKNOWN_TYPE,      /* client: unknown_type = the reply's body */
  /* A record whose type this side does not handle and that the spec says
   * to answer with FCGI_UNKNOWN_TYPE (record_type says which). */
  FCS_AE_UNKNOWN_RECORD,
  FCS_AE_BEGIN,       /* app: a request became active: role, flags */
  FCS_AE_REFUSED,     /* app: BEGIN not accepted, reason says why (answer it
                         with END_REQUEST; the id stays inactive) */
  FCS_AE_PARAMS,      /* app: PARAMS complete: data/len, and the pairs
                         already parsed, pairs[0..npairs) (into data) */
  FCS_AE_STREAM_DATA, /* record_type's stream: data/len slice of the input */
  FCS_AE_STREAM_END,  /* record_type's stream ended; data/len = the kept
                         bytes (all of them unless max_stream_bytes is 0) */
  FCS_AE_ABORT,       /* app: ABORT_REQUEST for an active request */
  FCS_AE_END_REQUEST, /* client: end = body; the id becomes inactive */
  FCS_AE_IGNORED,     /* a record the spec says to ignore; reason says why */
  /* Observe mode only: the input broke the rule reason (error says where);
   * the record then goes on as lenient mode handles it. */
  FCS_AE_VIOLATION,
  FCS_AE_ERROR /* fatal: error; the connection cannot go on */
} fcs_asm_event_type;

typedef struct fcs_asm_event {
  fcs_asm_event_type type;
  uint16_t request_id;
  uint8_t record_type;
  uint16_t role; /* BEGIN, REFUSED, and every event of an active request */
  uint8_t flags;
  const uint8_t *data;
  size_t len;
  uint32_t npairs;
  const fcs_nv_pair *pairs; /* PARAMS only; valid as long as data */
  fcs_end_body end;
  fcs_unknown_type_body unknown_type;
  fcs_err reason; /* IGNORED, REFUSED, VIOLATION */
  /* ERROR: what stopped the assembler. VIOLATION, and IGNORED or REFUSED
   * for a record that breaks a rule (strict mode stops there): the rule
   * (code = reason) and the byte at fault (offset), where strict mode
   * reports it. Otherwise code is FCS_E_OK. */
  fcs_error error;
  uint64_t record; /* index of the record behind the event */
  uint64_t offset; /* its first header byte */
} fcs_asm_event;

/* What the assembler knows of one request. Pointers stay valid until the
 * slot is reused by a later BEGIN. */
typedef struct fcs_request {
  uint16_t id;
  uint8_t active;
  uint8_t flags;
  uint16_t role;
  uint8_t params_done, in_done, data_done; /* app side: PARAMS, STDIN, DATA */
  uint8_t out_done, err_done;              /* client side: STDOUT, STDERR */
  uint8_t aborted, ended;
  uint8_t out_used, err_used;
  uint32_t npairs;
  uint8_t *params;
  uint32_t params_len;
  /* App side: params[0..params_parsed) are whole pairs, each recorded in
   * pairs[0..npairs) as it completed (the limits are checked there, so the
   * stream is walked once). */
  uint32_t params_parsed;
  fcs_nv_pair *pairs; /* max_pairs entries */
  uint8_t *stream[2]; /* [0] STDIN or STDOUT, [1] DATA or STDERR */
  uint32_t stream_len[2];
  uint64_t stream_total[2]; /* bytes seen, kept or not */
} fcs_request;

typedef struct fcs_assembler {
  fcs_side side;
  fcs_limits limits;
  fcs_decoder dec;
  fcs_request *req; /* limits.max_requests slots */
  uint8_t *mgmt;    /* one management record's content (65535 bytes) */
  uint32_t mgmt_len;
  fcs_request *cur; /* request of the record being decoded, if active */
  int cur_kind;     /* how the current record is handled */
  fcs_error error;
  int failed;
  int observe; /* fcs_assembler_observe */
  /* Observe mode: events due before the input goes on, in order: the
   * VIOLATIONs of one decoder event, then the event it gave. A header
   * breaks at most two rules and then gives no event, or one rule and an
   * IGNORED; a record's end or a stream's end one rule and an event. */
  fcs_asm_event due[2];
  uint8_t ndue, next_due;
} fcs_assembler;

/* 0 when the limits ask for more than size_t can count. */
size_t fcs_assembler_memory_size(const fcs_limits *limits);

/* mem must hold fcs_assembler_memory_size(limits) bytes, suitably aligned
 * for pointers (malloc or static storage is). limits NULL: defaults. */
fcs_err fcs_assembler_init(fcs_assembler *a, fcs_side side, fcs_mode mode,
                           const fcs_limits *limits, void *mem, size_t memlen);

/* Observe mode on (on != 0) or off, for an assembler initialised with
 * FCS_LENIENT (FCS_E_INVALID_ARGUMENT otherwise). It reads as lenient mode
 * does and reports each rule of the spec the input breaks where strict
 * mode would stop (docs/strictness.md, "Observe mode"): as a VIOLATION
 * event, before the events of the record that broke it, or, where lenient
 * mode already answers the record with IGNORED or REFUSED, as that event.
 * Both carry the rule in error.code, so a caller collecting every broken
 * rule takes each event other than ERROR whose error.code is not FCS_E_OK.
 * Only framing errors and limits stop it (TRUNCATED, BODY_TOO_SHORT,
 * BAD_VERSION for version 0, LIMIT_*). Switching it mid-stream applies to
 * the checks made from then on. */
fcs_err fcs_assembler_observe(fcs_assembler *a, int on);

size_t fcs_assembler_feed(fcs_assembler *a, const uint8_t *in, size_t len,
                          fcs_asm_event *ev);

/* End of input; FCS_E_TRUNCATED when it ended inside a record. Feed with
 * len 0 until FCS_AE_NONE first: events may still be due. */
fcs_err fcs_assembler_finish(fcs_assembler *a, fcs_asm_event *ev);

/* Client side: the caller sent BEGIN_REQUEST for id. */
fcs_err fcs_assembler_begin(fcs_assembler *a, uint16_t id, uint16_t role,
                            uint8_t flags);
/* App side: the caller sent END_REQUEST for id, which becomes inactive. */
fcs_err fcs_assembler_end(fcs_assembler *a, uint16_t id);

/* The request with this id (active or ended but not yet reused), or NULL. */
const fcs_request *fcs_assembler_request(const fcs_assembler *a, uint16_t id);

/* Requests active now. */
uint32_t fcs_assembler_active(const fcs_assembler *a);

#endif
