/* The reference FastCGI responder, as a connection handler.
 *
 * One fcs_responder serves one transport connection: bytes from the web
 * server go in through fcs_responder_input, reply bytes come out through
 * fcs_responder_output. It owns no socket, keeps no global state and never
 * blocks, so a fuzz target can drive it in-process and a server loop can
 * embed it. All of its memory is allocated by fcs_responder_new; nothing
 * grows afterwards. Output goes to a bounded buffer: when the buffer is
 * full, input stops being consumed until the caller takes output away.
 *
 * What it answers (docs/responder.md has the details and the echo format):
 * FCGI_GET_VALUES, unknown record types, the RESPONDER, AUTHORIZER and
 * FILTER roles, FCGI_ABORT_REQUEST, multiplexed requests (or CANT_MPX_CONN),
 * FCGI_OVERLOADED past FCGI_MAX_REQS or the per-connection cap,
 * FCGI_KEEP_CONN. Input is decoded in
 * the codec's strict mode; a protocol error ends the connection. */
#ifndef FCS_RESPONDER_H
#define FCS_RESPONDER_H

#include <stddef.h>
#include <stdint.h>

#include "fcs/error.h"

/* appStatus of the END_REQUEST that answers FCGI_ABORT_REQUEST. */
#define FCS_RESPONDER_STATUS_ABORTED 1u
/* appStatus of the END_REQUEST sent for a request whose input broke the
 * protocol, just before the connection closes. */
#define FCS_RESPONDER_STATUS_PROTOCOL_ERROR 2u

/* Requests open at once, counted across every connection that shares it.
 * Single-threaded: the embedder owns it and shares it between the
 * connections it serves; the responder counts its requests in and out. */
typedef struct fcs_responder_budget {
  uint32_t active;
} fcs_responder_budget;

/* How the echo describes a request (docs/responder.md, "Echo formats"). */
typedef enum fcs_echo_format {
  FCS_ECHO_LINES = 0,    /* this project's line format: exact, streams of
                            any size (length and CRC-32) */
  FCS_ECHO_JSON,         /* one JSON object, bytes as \u00XX */
  FCS_ECHO_PRINTENV,     /* NAME=VALUE lines, then the body */
  FCS_ECHO_PHP_VAR_DUMP, /* as PHP's var_dump($_SERVER), then the body */
  FCS_ECHO_PHP_PRINT_R   /* as PHP's print_r($_SERVER), then the body */
} fcs_echo_format;

typedef struct fcs_responder_config {
  uint32_t max_conns;        /* advertised as FCGI_MAX_CONNS (enforced by the
                                embedder, which owns the connections) */
  uint32_t max_reqs;         /* FCGI_MAX_REQS: advertised, and enforced across
                                the connections that share a budget */
  uint32_t max_conn_reqs;    /* requests open at once on this connection
                                (1..max_reqs), so that one connection cannot
                                hold the whole of max_reqs */
  uint8_t mpxs_conns;        /* FCGI_MPXS_CONNS: 1 serves concurrent requests on
                                one connection, 0 answers them FCGI_CANT_MPX_CONN */
  uint32_t max_params_bytes; /* PARAMS stream bytes per request */
  uint32_t max_pairs;        /* name-value pairs per PARAMS stream */
  uint32_t echo_bytes;       /* STDIN and DATA bytes echoed verbatim, each */
  uint32_t output_bytes;     /* capacity of the output buffer */
  uint8_t echo_format;       /* fcs_echo_format of the echo */
  uint32_t body_bytes;       /* 0: a RESPONDER request gets the echo; else a
                                fixed reply (Status 200, Content-Type
                                application/octet-stream, Content-Length)
                                of body_bytes bytes 'a'..'z' repeated, the
                                benchmark body (0..16777216) */
  fcs_responder_budget *budget; /* optional, shared between connections */
} fcs_responder_config;

/* 16 connections, 32 requests, 8 of them per connection, multiplexing on,
 * 64 KiB / 512 pairs of params, 16 KiB of echo in the line format, 64 KiB
 * of output buffer, the echo (no fixed body), no budget. */
void fcs_responder_config_default(fcs_responder_config *cfg);

/* The max_conn_reqs that goes with max_reqs unless one is chosen: a
 * quarter of it, at least 1. */
uint32_t fcs_responder_conn_reqs_default(uint32_t max_reqs);

/* NULL when cfg is usable, else a message naming the field and its range,
 * e.g. "max_reqs must be 1..4096". */
const char *fcs_responder_config_check(const fcs_responder_config *cfg);

/* Bytes fcs_responder_new allocates for cfg (memory planning, logs). */
size_t fcs_responder_memory_size(const fcs_responder_config *cfg);

typedef struct fcs_responder fcs_responder;

/* NULL when cfg fails fcs_responder_config_check or memory runs out. */
fcs_responder *fcs_responder_new(const fcs_responder_config *cfg);
/* Releases the connection's requests from the budget, then its memory. */
void fcs_responder_free(fcs_responder *r);

/* Consumes a prefix of in and returns its length. Less than len means the
 * output buffer is full or the connection is done
 * (fcs_responder_should_close). After taking output, call it again with
 * the bytes it left, even when none are left: a reply that was waiting for
 * room may let it read on. in may be NULL when len is 0. */
size_t fcs_responder_input(fcs_responder *r, const uint8_t *in, size_t len);

/* The web server closed its side. Call it once, after every input byte was
 * accepted. Input ending inside a record is a protocol error. */
void fcs_responder_input_eof(fcs_responder *r);

/* Reply bytes waiting to be sent: *data stays valid until the next call
 * into r. *len is 0 when there are none. */
void fcs_responder_output(const fcs_responder *r, const uint8_t **data,
                          size_t *len);
/* n bytes of the output were sent; makes room and continues a reply that
 * was waiting for it. */
void fcs_responder_output_consumed(fcs_responder *r, size_t n);

/* 1 when the connection is finished: after the END_REQUEST of a request
 * whose FCGI_KEEP_CONN was clear (once no other request is active), after
 * a protocol error, or after input_eof — and only once every reply owed
 * has gone into the output buffer: a reply waiting for room keeps it 0
 * until output is taken and fcs_responder_input is called again. Then send
 * what fcs_responder_output still holds, and close. */
int fcs_responder_should_close(const fcs_responder *r);

/* The protocol error that ended the connection, or NULL. */
const fcs_error *fcs_responder_error(const fcs_responder *r);

#endif
