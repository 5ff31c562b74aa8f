/* Fixed-layout pieces (spec 3.3, 4.2, 5.1, 5.5, 8): the 8-byte header for
 * every record type, the BEGIN_REQUEST, END_REQUEST and UNKNOWN_TYPE bodies,
 * type classification (appendix A) and names. Expected bytes are written
 * out by hand. */
#include "check.h"
#include "fcs/fcs.h"

typedef struct header_case {
  uint8_t bytes[FCS_HEADER_LEN];
  fcs_header h;
} header_case;

/* One header per record type 1-11; the ids and lengths use both bytes so a
 * swapped byte order shows. */
static const header_case headers[] = {
    {{0x01, 0x01, 0x00, 0x01, 0x00, 0x08, 0x00, 0x00}, {1, 1, 1, 8, 0, 0}},
    {{0x01, 0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00}, {1, 2, 0x0102, 0, 0, 0}},
    {{0x01, 0x03, 0xff, 0xff, 0x00, 0x08, 0x00, 0x00}, {1, 3, 0xffff, 8, 0, 0}},
    {{0x01, 0x04, 0x00, 0x01, 0x12, 0x34, 0x04, 0x00}, {1, 4, 1, 0x1234, 4, 0}},
    {{0x01, 0x05, 0x01, 0x00, 0xff, 0xff, 0xff, 0x00},
     {1, 5, 0x0100, 0xffff, 0xff, 0}},
    {{0x01, 0x06, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00}, {1, 6, 1, 0x0100, 0, 0}},
    {{0x01, 0x07, 0x00, 0x02, 0x00, 0x01, 0x07, 0x00}, {1, 7, 2, 1, 7, 0}},
    {{0x01, 0x08, 0x00, 0x03, 0x00, 0x80, 0x00, 0x00}, {1, 8, 3, 0x80, 0, 0}},
    {{0x01, 0x09, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00}, {1, 9, 0, 0x30, 0, 0}},
    {{0x01, 0x0a, 0x00, 0x00, 0x00, 0x33, 0x05, 0x00}, {1, 10, 0, 0x33, 5, 0}},
    {{0x01, 0x0b, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00}, {1, 11, 0, 8, 0, 0}},
    /* reserved byte and version carried as they are */
    {{0x02, 0x06, 0x00, 0x01, 0x00, 0x00, 0x00, 0xee}, {2, 6, 1, 0, 0, 0xee}},
};

static void test_headers(void) {
  for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
    const header_case *c = &headers[i];
    fcs_header h;
    fcs_header_decode(c->bytes, &h);
    CHECK_EQ(h.version, c->h.version);
    CHECK_EQ(h.type, c->h.type);
    CHECK_EQ(h.request_id, c->h.request_id);
    CHECK_EQ(h.content_length, c->h.content_length);
    CHECK_EQ(h.padding_length, c->h.padding_length);
    CHECK_EQ(h.reserved, c->h.reserved);
    uint8_t out[FCS_HEADER_LEN];
    fcs_header_encode(&c->h, out);
    CHECK_BYTES(out, sizeof out, c->bytes, sizeof c->bytes);
  }
}

static void test_begin_body(void) {
  static const uint8_t responder_keep[] = {0x00, 0x01, 0x01, 0x00,
                                           0x00, 0x00, 0x00, 0x00};
  static const uint8_t odd[] = {0x02, 0x03, 0xfe, 0x01, 0x02, 0x03, 0x04, 0x05};
  fcs_begin_body b;
  fcs_begin_body_decode(responder_keep, &b);
  CHECK_EQ(b.role, FCS_RESPONDER);
  CHECK_EQ(b.flags, FCS_KEEP_CONN);
  fcs_begin_body_decode(odd, &b);
  CHECK_EQ(b.role, 0x0203);
  CHECK_EQ(b.flags, 0xfe);
  CHECK_BYTES(b.reserved, 5, odd + 3, 5);

  uint8_t out[FCS_BODY_LEN];
  fcs_begin_body filter = {FCS_FILTER, 0, {0}};
  static const uint8_t filter_bytes[] = {0x00, 0x03, 0x00, 0x00,
                                         0x00, 0x00, 0x00, 0x00};
  fcs_begin_body_encode(&filter, out);
  CHECK_BYTES(out, sizeof out, filter_bytes, sizeof filter_bytes);
  fcs_begin_body_encode(&b, out);
  CHECK_BYTES(out, sizeof out, odd, sizeof odd);
}

static void test_end_body(void) {
  static const uint8_t all[] = {0x01, 0x02, 0x03, 0x04, 0x03, 0x0a, 0x0b, 0x0c};
  static const uint8_t max[] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00};
  static const uint8_t mpx[] = {0x00, 0x00, 0x01, 0x02, 0x01, 0x00, 0x00, 0x00};
  fcs_end_body b;
  fcs_end_body_decode(all, &b);
  CHECK_EQ(b.app_status, 0x01020304u);
  CHECK_EQ(b.protocol_status, FCS_UNKNOWN_ROLE);
  CHECK_BYTES(b.reserved, 3, all + 5, 3);
  fcs_end_body_decode(max, &b);
  CHECK_EQ(b.app_status, 0xffffffffu);
  CHECK_EQ(b.protocol_status, FCS_REQUEST_COMPLETE);

  uint8_t out[FCS_BODY_LEN];
  fcs_end_body e = {258, FCS_CANT_MPX_CONN, {0}};
  fcs_end_body_encode(&e, out);
  CHECK_BYTES(out, sizeof out, mpx, sizeof mpx);
  fcs_end_body_decode(all, &b);
  fcs_end_body_encode(&b, out);
  CHECK_BYTES(out, sizeof out, all, sizeof all);
}

static void test_unknown_type_body(void) {
  static const uint8_t t20[] = {0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  static const uint8_t tff[] = {0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
  fcs_unknown_type_body b;
  fcs_unknown_type_body_decode(tff, &b);
  CHECK_EQ(b.type, 0xff);
  CHECK_BYTES(b.reserved, 7, tff + 1, 7);
  uint8_t out[FCS_BODY_LEN];
  fcs_unknown_type_body_encode(&b, out);
  CHECK_BYTES(out, sizeof out, tff, sizeof tff);
  fcs_unknown_type_body u = {0x20, {0}};
  fcs_unknown_type_body_encode(&u, out);
  CHECK_BYTES(out, sizeof out, t20, sizeof t20);
}

/* Appendix A: which side sends which type. */
static void test_classification(void) {
  for (unsigned t = 0; t < 256; t++) {
    uint8_t ty = (uint8_t)t;
    int known = t >= 1 && t <= 11;
    int mgmt = t == 9 || t == 10 || t == 11;
    int stream = t >= 4 && t <= 8;
    int to_app = t == 1 || t == 2 || t == 4 || t == 5 || t == 8 || t == 9;
    int to_server = t == 3 || t == 6 || t == 7 || t == 10 || t == 11;
    if (!CHECK_EQ(!!fcs_type_is_known(ty), known) ||
        !CHECK_EQ(!!fcs_type_is_management(ty), mgmt) ||
        !CHECK_EQ(!!fcs_type_is_stream(ty), stream) ||
        !CHECK_EQ(!!fcs_type_is_to_app(ty), to_app) ||
        !CHECK_EQ(!!fcs_type_is_to_server(ty), to_server))
      fprintf(stderr, "  for type %u\n", t);
  }
}

static void test_names(void) {
  CHECK_STR(fcs_type_name(FCS_BEGIN_REQUEST), "FCGI_BEGIN_REQUEST");
  CHECK_STR(fcs_type_name(FCS_PARAMS), "FCGI_PARAMS");
  CHECK_STR(fcs_type_name(FCS_GET_VALUES_RESULT), "FCGI_GET_VALUES_RESULT");
  CHECK_STR(fcs_type_name(FCS_UNKNOWN_TYPE), "FCGI_UNKNOWN_TYPE");
  CHECK_STR(fcs_type_name(0), "UNKNOWN");
  CHECK_STR(fcs_type_name(12), "UNKNOWN");
  CHECK_STR(fcs_role_name(FCS_AUTHORIZER), "FCGI_AUTHORIZER");
  CHECK_STR(fcs_role_name(0), "UNKNOWN");
  CHECK_STR(fcs_protocol_status_name(FCS_OVERLOADED), "FCGI_OVERLOADED");
  CHECK_STR(fcs_protocol_status_name(4), "UNKNOWN");
  CHECK_STR(fcs_err_name(FCS_E_BAD_VERSION), "BAD_VERSION");
  CHECK_STR(fcs_err_name(FCS_E_COUNT), "UNKNOWN_ERROR");
  CHECK_STR(fcs_err_message(FCS_E_COUNT), "unknown error code");
  /* every code has a distinct name and a message */
  for (int e = 0; e < FCS_E_COUNT; e++) {
    CHECK(fcs_err_message((fcs_err)e)[0] != '\0');
    for (int f = 0; f < e; f++)
      CHECK(strcmp(fcs_err_name((fcs_err)e), fcs_err_name((fcs_err)f)) != 0);
  }
}

int main(void) {
  test_headers();
  test_begin_body();
  test_end_body();
  test_unknown_type_body();
  test_classification();
  test_names();
  return check_report("test_proto");
}
