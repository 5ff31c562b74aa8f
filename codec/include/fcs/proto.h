/* FastCGI 1.0 wire constants and the fixed-layout pieces of a record:
 * the 8-byte header and the 8-byte BEGIN_REQUEST, END_REQUEST and
 * UNKNOWN_TYPE bodies. Pure functions, no state. */
#ifndef FCS_PROTO_H
#define FCS_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define FCS_HEADER_LEN 8
#define FCS_VERSION_1 1
#define FCS_MAX_CONTENT 65535u
#define FCS_MAX_PADDING 255u
#define FCS_MAX_RECORD (FCS_HEADER_LEN + FCS_MAX_CONTENT + FCS_MAX_PADDING)
#define FCS_NULL_REQUEST_ID 0
#define FCS_BODY_LEN 8 /* BEGIN_REQUEST, END_REQUEST, UNKNOWN_TYPE bodies */
#define FCS_NV_MAX_LEN 0x7fffffffu /* 31-bit name and value lengths */

/* The variable names FCGI_GET_VALUES asks for (spec 4.1). */
#define FCS_MAX_CONNS "FCGI_MAX_CONNS"
#define FCS_MAX_REQS "FCGI_MAX_REQS"
#define FCS_MPXS_CONNS "FCGI_MPXS_CONNS"

enum fcs_type {
  FCS_BEGIN_REQUEST = 1,
  FCS_ABORT_REQUEST = 2,
  FCS_END_REQUEST = 3,
  FCS_PARAMS = 4,
  FCS_STDIN = 5,
  FCS_STDOUT = 6,
  FCS_STDERR = 7,
  FCS_DATA = 8,
  FCS_GET_VALUES = 9,
  FCS_GET_VALUES_RESULT = 10,
  FCS_UNKNOWN_TYPE = 11,
  FCS_MAXTYPE = FCS_UNKNOWN_TYPE
};

enum fcs_role { FCS_RESPONDER = 1, FCS_AUTHORIZER = 2, FCS_FILTER = 3 };

#define FCS_KEEP_CONN 1 /* the only defined bit of BEGIN_REQUEST flags */

enum fcs_protocol_status {
  FCS_REQUEST_COMPLETE = 0,
  FCS_CANT_MPX_CONN = 1,
  FCS_OVERLOADED = 2,
  FCS_UNKNOWN_ROLE = 3
};

typedef struct fcs_header {
  uint8_t version;
  uint8_t type;
  uint16_t request_id;
  uint16_t content_length;
  uint8_t padding_length;
  uint8_t reserved;
} fcs_header;

typedef struct fcs_begin_body {
  uint16_t role;
  uint8_t flags;
  uint8_t reserved[5];
} fcs_begin_body;

typedef struct fcs_end_body {
  uint32_t app_status;
  uint8_t protocol_status;
  uint8_t reserved[3];
} fcs_end_body;

typedef struct fcs_unknown_type_body {
  uint8_t type;
  uint8_t reserved[7];
} fcs_unknown_type_body;

/* Decoding never fails: every 8 bytes are some header or body; validity is
 * a separate question answered by the decoder. */
void fcs_header_decode(const uint8_t in[FCS_HEADER_LEN], fcs_header *h);
void fcs_header_encode(const fcs_header *h, uint8_t out[FCS_HEADER_LEN]);
void fcs_begin_body_decode(const uint8_t in[FCS_BODY_LEN], fcs_begin_body *b);
void fcs_begin_body_encode(const fcs_begin_body *b, uint8_t out[FCS_BODY_LEN]);
void fcs_end_body_decode(const uint8_t in[FCS_BODY_LEN], fcs_end_body *b);
void fcs_end_body_encode(const fcs_end_body *b, uint8_t out[FCS_BODY_LEN]);
void fcs_unknown_type_body_decode(const uint8_t in[FCS_BODY_LEN],
                                  fcs_unknown_type_body *b);
void fcs_unknown_type_body_encode(const fcs_unknown_type_body *b,
                                  uint8_t out[FCS_BODY_LEN]);

/* Record type classification (spec section 3.3 and appendix A). */
int fcs_type_is_known(uint8_t type); /* 1..11 */
int fcs_type_is_management(
    uint8_t type);                       /* GET_VALUES(_RESULT), UNKNOWN_TYPE */
int fcs_type_is_stream(uint8_t type);    /* PARAMS STDIN STDOUT STDERR DATA */
int fcs_type_is_to_app(uint8_t type);    /* sent by the web server */
int fcs_type_is_to_server(uint8_t type); /* sent by the application */

/* "FCGI_BEGIN_REQUEST", ..., or "UNKNOWN" for anything else. */
const char *fcs_type_name(uint8_t type);
const char *fcs_role_name(uint16_t role);
const char *fcs_protocol_status_name(uint8_t status);

#endif
