#include "broken.h"

const uint16_t broken_client_ids[3] = {1, 2, 3};

/* Sets the version byte of the record at offset at. */
static void version(wire *w, size_t at, uint8_t v) { w->buf[at] = v; }

/* ---- application side (what a web server sends) ---- */

static void app_bad_version(wire *w) {
  w_begin(w, 1, FCS_RESPONDER, 0);            /* @0 */
  version(w, w_str(w, FCS_PARAMS, 1, ""), 2); /* @16 */
  w_str(w, FCS_STDIN, 1, "");                 /* @24 */
}

static void app_mgmt_nonzero_id(wire *w) {
  w_rec(w, FCS_GET_VALUES, 1,
        "\x0e\x00"
        "FCGI_MAX_CONNS",
        16, 0); /* @0 */
}

static void app_record_null_id(wire *w) {
  w_str(w, FCS_STDIN, 0, "x");     /* @0 */
  w_begin(w, 1, FCS_RESPONDER, 0); /* @9 */
}

static void app_body_length(wire *w) {
  const uint8_t body[10] = {0, FCS_AUTHORIZER, FCS_KEEP_CONN};
  w_rec(w, FCS_BEGIN_REQUEST, 1, body, sizeof body, 0); /* @0 */
  w_str(w, FCS_PARAMS, 1, "");                          /* @18 */
}

static void app_abort_has_content(wire *w) {
  w_begin(w, 1, FCS_RESPONDER, 0);       /* @0 */
  w_str(w, FCS_ABORT_REQUEST, 1, "why"); /* @16 */
  w_str(w, FCS_PARAMS, 1, "");           /* @27 */
}

static void app_stdin_before_params_end(wire *w) {
  w_begin(w, 1, FCS_RESPONDER, 0); /* @0 */
  w_str(w, FCS_STDIN, 1, "x");     /* @16 */
  w_str(w, FCS_PARAMS, 1, "");     /* @25 */
  w_str(w, FCS_STDIN, 1, "");      /* @33 */
}

static void app_data_before_stdin_end(wire *w) {
  w_begin(w, 1, FCS_FILTER, 0); /* @0 */
  w_str(w, FCS_PARAMS, 1, "");  /* @16 */
  w_str(w, FCS_DATA, 1, "d");   /* @24 */
  w_str(w, FCS_STDIN, 1, "");   /* @33 */
  w_str(w, FCS_DATA, 1, "");    /* @41 */
}

static void app_get_values_nv_in_record(wire *w) {
  /* one whole pair, then one whose value runs past the record */
  w_rec(w, FCS_GET_VALUES, 0,
        "\x01\x00"
        "A\x01\x05"
        "BC",
        7, 1);                     /* @0 */
  w_begin(w, 1, FCS_RESPONDER, 0); /* @16 */
}

static void app_params_nv_truncated(wire *w) {
  w_begin(w, 1, FCS_RESPONDER, 0); /* @0 */
  w_str(w, FCS_PARAMS, 1,
        "\x01\x01"
        "AB"
        "\x0e\x03"
        "REQ");                /* @16 */
  w_str(w, FCS_PARAMS, 1, ""); /* @33 */
  w_str(w, FCS_PARAMS, 1,
        "\x01\x01"
        "CD");                /* @41 */
  w_str(w, FCS_STDIN, 1, ""); /* @53 */
}

static void app_duplicate_begin(wire *w) {
  w_begin(w, 1, FCS_RESPONDER, FCS_KEEP_CONN); /* @0 */
  w_begin(w, 1, FCS_FILTER, 0);                /* @16 */
  w_str(w, FCS_PARAMS, 1, "");                 /* @32 */
}

static void app_wrong_direction(wire *w) {
  w_begin(w, 1, FCS_RESPONDER, 0);                /* @0 */
  w_str(w, FCS_STDOUT, 1, "out");                 /* @16 */
  w_rec(w, FCS_GET_VALUES_RESULT, 0, NULL, 0, 0); /* @27 */
  w_str(w, FCS_STDERR, 0, "");                    /* @35 */
}

static void app_stream_after_end(wire *w) {
  w_begin(w, 1, FCS_RESPONDER, 0); /* @0 */
  w_str(w, FCS_PARAMS, 1, "");     /* @16 */
  w_str(w, FCS_STDIN, 1, "");      /* @24 */
  w_str(w, FCS_STDIN, 1, "late");  /* @32 */
}

static void app_not_active(wire *w) {
  w_str(w, FCS_PARAMS, 4, ""); /* @0: not a broken rule (spec 3.3) */
}

static void app_body_too_short(wire *w) {
  w_begin(w, 1, FCS_RESPONDER, 0);                             /* @0 */
  version(w, w_rec(w, FCS_BEGIN_REQUEST, 2, "\0\1", 2, 0), 2); /* @16 */
}

/* ---- client side (what an application sends back) ---- */

static void client_bad_version(wire *w) {
  version(w, w_str(w, FCS_STDOUT, 1, "x"), 2); /* @0 */
  w_str(w, FCS_STDOUT, 1, "");                 /* @9 */
}

static void client_mgmt_nonzero_id(wire *w) {
  w_rec(w, FCS_GET_VALUES_RESULT, 1,
        "\x01\x01"
        "A1",
        4, 4); /* @0 */
}

static void client_record_null_id(wire *w) {
  w_str(w, FCS_STDERR, 0, "e");  /* @0 */
  w_str(w, FCS_STDOUT, 1, "ok"); /* @9 */
}

static void client_body_length(wire *w) {
  const uint8_t body[12] = {0, 0, 0, 9, FCS_REQUEST_COMPLETE};
  w_str(w, FCS_STDOUT, 2, "");                        /* @0 */
  w_rec(w, FCS_END_REQUEST, 2, body, sizeof body, 0); /* @8 */
}

static void client_bad_protocol_status(wire *w) {
  w_str(w, FCS_STDOUT, 1, ""); /* @0 */
  w_end(w, 1, 0, 4);           /* @8 */
  w_str(w, FCS_STDOUT, 2, ""); /* @24 */
}

static void client_stdout_not_ended(wire *w) {
  w_str(w, FCS_STDOUT, 1, "x");   /* @0 */
  w_end(w, 1, 0, 0);              /* @9 */
  w_end(w, 2, 0, FCS_OVERLOADED); /* @25: a rejection needs no stream */
}

static void client_stderr_not_ended(wire *w) {
  w_str(w, FCS_STDOUT, 3, "");  /* @0 */
  w_str(w, FCS_STDERR, 3, "e"); /* @8 */
  w_end(w, 3, 1, 0);            /* @17 */
}

static void client_result_nv_in_record(wire *w) {
  w_rec(w, FCS_GET_VALUES_RESULT, 0,
        "\x05\x00"
        "AB",
        4, 4);                 /* @0 */
  w_str(w, FCS_STDOUT, 1, ""); /* @16 */
}

static void client_wrong_direction(wire *w) {
  w_str(w, FCS_STDIN, 1, "in");        /* @0 */
  w_str(w, FCS_ABORT_REQUEST, 2, "x"); /* @10 */
  w_str(w, FCS_STDOUT, 1, "");         /* @19 */
}

static void client_unexpected_id(wire *w) {
  w_str(w, FCS_STDOUT, 5, "x"); /* @0 */
  w_end(w, 5, 0, 0);            /* @9 */
}

static void client_record_after_end(wire *w) {
  w_str(w, FCS_STDOUT, 1, "");  /* @0 */
  w_end(w, 1, 0, 0);            /* @8 */
  w_str(w, FCS_STDOUT, 1, "x"); /* @24 */
  w_end(w, 1, 0, 0);            /* @33: a second END_REQUEST */
}

static void client_stream_after_end(wire *w) {
  w_str(w, FCS_STDERR, 2, "e"); /* @0 */
  w_str(w, FCS_STDERR, 2, "");  /* @9 */
  w_str(w, FCS_STDERR, 2, "f"); /* @17 */
  w_str(w, FCS_STDOUT, 2, "");  /* @26 */
  w_end(w, 2, 0, 0);            /* @34 */
}

static void client_body_too_short(wire *w) {
  w_str(w, FCS_STDOUT, 1, "x");                      /* @0 */
  w_rec(w, FCS_UNKNOWN_TYPE, 3, "\x20\0\0\0", 4, 0); /* @9 */
}

#define APP FCS_SIDE_APP
#define CLIENT FCS_SIDE_CLIENT
const broken_input broken_inputs[] = {
    {"app BAD_VERSION", APP, app_bad_version},
    {"app MGMT_NONZERO_ID", APP, app_mgmt_nonzero_id},
    {"app APP_RECORD_NULL_ID", APP, app_record_null_id},
    {"app BODY_LENGTH", APP, app_body_length},
    {"app ABORT_HAS_CONTENT", APP, app_abort_has_content},
    {"app STREAM_ORDER stdin", APP, app_stdin_before_params_end},
    {"app STREAM_ORDER data", APP, app_data_before_stdin_end},
    {"app NV_IN_RECORD", APP, app_get_values_nv_in_record},
    {"app NV_TRUNCATED", APP, app_params_nv_truncated},
    {"app DUPLICATE_BEGIN", APP, app_duplicate_begin},
    {"app WRONG_DIRECTION", APP, app_wrong_direction},
    {"app STREAM_AFTER_END", APP, app_stream_after_end},
    {"app NOT_ACTIVE", APP, app_not_active},
    {"app BODY_TOO_SHORT", APP, app_body_too_short},
    {"client BAD_VERSION", CLIENT, client_bad_version},
    {"client MGMT_NONZERO_ID", CLIENT, client_mgmt_nonzero_id},
    {"client APP_RECORD_NULL_ID", CLIENT, client_record_null_id},
    {"client BODY_LENGTH", CLIENT, client_body_length},
    {"client BAD_PROTOCOL_STATUS", CLIENT, client_bad_protocol_status},
    {"client MISSING_STREAM_END stdout", CLIENT, client_stdout_not_ended},
    {"client MISSING_STREAM_END stderr", CLIENT, client_stderr_not_ended},
    {"client NV_IN_RECORD", CLIENT, client_result_nv_in_record},
    {"client WRONG_DIRECTION", CLIENT, client_wrong_direction},
    {"client UNEXPECTED_ID", CLIENT, client_unexpected_id},
    {"client RECORD_AFTER_END", CLIENT, client_record_after_end},
    {"client STREAM_AFTER_END", CLIENT, client_stream_after_end},
    {"client BODY_TOO_SHORT", CLIENT, client_body_too_short},
};
const size_t broken_count = sizeof broken_inputs / sizeof broken_inputs[0];
