/* Every request-layer error of the assembler, application and client side:
 * in strict mode the exact error, offset, record index, id and type, the
 * error repeating without consuming; in lenient mode what the same record
 * gives instead (IGNORED or REFUSED with the reason, or acceptance). */
#include "check.h"
#include "fixture.h"
#include "names.h"
#include "wire.h"

#define MAXEV 32

typedef struct asm_case {
  const char *what;
  fcs_side side; /* client cases declare requests 1 and 2 first */
  /* Writes the input; returns the offset of the offending record. */
  size_t (*build)(wire *w);
  fcs_err strict;
  uint64_t record;            /* index of the offending record */
  uint8_t delta;              /* error offset minus the record's offset */
  fcs_asm_event_type lenient; /* what lenient mode reports for it */
  fcs_err reason;             /* its reason (IGNORED, REFUSED, ERROR) */
} asm_case;

static size_t nv_truncated(wire *w) {
  w_begin(w, 1, FCS_RESPONDER, 0);
  w_str(w, FCS_PARAMS, 1, "\x0e\x03REQ");
  return w_str(w, FCS_PARAMS, 1, "");
}
static size_t nv_in_record(wire *w) {
  w_rec(w, FCS_GET_VALUES, 0, NULL, 0, 0);
  return w_rec(w, FCS_GET_VALUES, 0,
               "\x01\x00"
               "A\x05\x00",
               5, 3);
}
static size_t app_gets_stdout(wire *w) {
  w_begin(w, 1, FCS_RESPONDER, 0);
  return w_str(w, FCS_STDOUT, 1, "x");
}
static size_t app_gets_result(wire *w) {
  return w_rec(w, FCS_GET_VALUES_RESULT, 0, NULL, 0, 0);
}
static size_t duplicate_begin(wire *w) {
  w_begin(w, 1, FCS_RESPONDER, 0);
  return w_begin(w, 1, FCS_AUTHORIZER, 0);
}
static size_t params_after_end(wire *w) {
  w_begin(w, 1, FCS_RESPONDER, 0);
  w_str(w, FCS_PARAMS, 1, "");
  return w_str(w, FCS_PARAMS, 1,
               "\x01\x01"
               "AB");
}
static size_t stdin_after_end(wire *w) {
  w_begin(w, 1, FCS_RESPONDER, 0);
  w_str(w, FCS_PARAMS, 1, "");
  w_str(w, FCS_STDIN, 1, "");
  return w_str(w, FCS_STDIN, 1, "x");
}
static size_t data_after_end(wire *w) {
  w_begin(w, 1, FCS_FILTER, 0);
  w_str(w, FCS_PARAMS, 1, "");
  w_str(w, FCS_STDIN, 1, "");
  w_str(w, FCS_DATA, 1, "");
  return w_str(w, FCS_DATA, 1, "");
}
static size_t stdin_before_params_end(wire *w) {
  w_begin(w, 1, FCS_RESPONDER, 0);
  return w_str(w, FCS_STDIN, 1, "x");
}
static size_t data_before_stdin_end(wire *w) {
  w_begin(w, 1, FCS_FILTER, 0);
  w_str(w, FCS_PARAMS, 1, "");
  return w_str(w, FCS_DATA, 1, "d");
}
static size_t version_2(wire *w) {
  w_begin(w, 1, FCS_RESPONDER, 0);
  size_t at = w_str(w, FCS_PARAMS, 1, "");
  w->buf[at] = 2;
  return at;
}
static size_t client_gets_stdin(wire *w) { return w_str(w, FCS_STDIN, 1, ""); }
static size_t unexpected_id(wire *w) { return w_str(w, FCS_STDOUT, 5, "x"); }
static size_t record_after_end(wire *w) {
  w_str(w, FCS_STDOUT, 1, "");
  w_end(w, 1, 0, 0);
  return w_str(w, FCS_STDOUT, 1, "x");
}
static size_t stdout_after_end(wire *w) {
  w_str(w, FCS_STDOUT, 1, "");
  return w_str(w, FCS_STDOUT, 1, "x");
}
static size_t stderr_after_end(wire *w) {
  w_str(w, FCS_STDERR, 1, "e");
  w_str(w, FCS_STDERR, 1, "");
  return w_str(w, FCS_STDERR, 1, "f");
}
static size_t bad_protocol_status(wire *w) {
  w_str(w, FCS_STDOUT, 1, "");
  return w_end(w, 1, 0, 4);
}
static size_t stdout_not_ended(wire *w) {
  w_str(w, FCS_STDOUT, 1, "x");
  return w_end(w, 1, 0, 0);
}
static size_t stderr_not_ended(wire *w) {
  w_str(w, FCS_STDOUT, 1, "");
  w_str(w, FCS_STDERR, 1, "e");
  return w_end(w, 1, 0, 0);
}
static size_t result_truncated(wire *w) {
  return w_rec(w, FCS_GET_VALUES_RESULT, 0,
               "\x05\x00"
               "AB",
               4, 4);
}

#define APP FCS_SIDE_APP
#define CLIENT FCS_SIDE_CLIENT
static const asm_case cases[] = {
    {"NV_TRUNCATED", APP, nv_truncated, FCS_E_NV_TRUNCATED, 2, 0, FCS_AE_ERROR,
     FCS_E_NV_TRUNCATED},
    {"NV_IN_RECORD", APP, nv_in_record, FCS_E_NV_IN_RECORD, 1, 8 + 3,
     FCS_AE_GET_VALUES, FCS_E_OK},
    {"STDOUT to app", APP, app_gets_stdout, FCS_E_WRONG_DIRECTION, 1, 0,
     FCS_AE_IGNORED, FCS_E_WRONG_DIRECTION},
    {"GET_VALUES_RESULT to app", APP, app_gets_result, FCS_E_WRONG_DIRECTION, 0,
     0, FCS_AE_UNKNOWN_RECORD, FCS_E_OK},
    {"DUPLICATE_BEGIN", APP, duplicate_begin, FCS_E_DUPLICATE_BEGIN, 1, 0,
     FCS_AE_REFUSED, FCS_E_DUPLICATE_BEGIN},
    {"PARAMS after end", APP, params_after_end, FCS_E_STREAM_AFTER_END, 2, 0,
     FCS_AE_IGNORED, FCS_E_STREAM_AFTER_END},
    {"STDIN after end", APP, stdin_after_end, FCS_E_STREAM_AFTER_END, 3, 0,
     FCS_AE_IGNORED, FCS_E_STREAM_AFTER_END},
    {"DATA after end", APP, data_after_end, FCS_E_STREAM_AFTER_END, 4, 0,
     FCS_AE_IGNORED, FCS_E_STREAM_AFTER_END},
    {"STDIN before PARAMS end", APP, stdin_before_params_end,
     FCS_E_STREAM_ORDER, 1, 0, FCS_AE_STREAM_DATA, FCS_E_OK},
    {"DATA before STDIN end", APP, data_before_stdin_end, FCS_E_STREAM_ORDER, 2,
     0, FCS_AE_STREAM_DATA, FCS_E_OK},
    {"version 2", APP, version_2, FCS_E_BAD_VERSION, 1, 0, FCS_AE_PARAMS,
     FCS_E_OK},
    {"STDIN to client", CLIENT, client_gets_stdin, FCS_E_WRONG_DIRECTION, 0, 0,
     FCS_AE_IGNORED, FCS_E_WRONG_DIRECTION},
    {"UNEXPECTED_ID", CLIENT, unexpected_id, FCS_E_UNEXPECTED_ID, 0, 0,
     FCS_AE_IGNORED, FCS_E_UNEXPECTED_ID},
    {"RECORD_AFTER_END", CLIENT, record_after_end, FCS_E_RECORD_AFTER_END, 2, 0,
     FCS_AE_IGNORED, FCS_E_RECORD_AFTER_END},
    {"STDOUT after end", CLIENT, stdout_after_end, FCS_E_STREAM_AFTER_END, 1, 0,
     FCS_AE_IGNORED, FCS_E_STREAM_AFTER_END},
    {"STDERR after end", CLIENT, stderr_after_end, FCS_E_STREAM_AFTER_END, 2, 0,
     FCS_AE_IGNORED, FCS_E_STREAM_AFTER_END},
    {"BAD_PROTOCOL_STATUS", CLIENT, bad_protocol_status,
     FCS_E_BAD_PROTOCOL_STATUS, 1, 12, FCS_AE_END_REQUEST, FCS_E_OK},
    {"STDOUT not ended", CLIENT, stdout_not_ended, FCS_E_MISSING_STREAM_END, 1,
     0, FCS_AE_END_REQUEST, FCS_E_OK},
    {"STDERR not ended", CLIENT, stderr_not_ended, FCS_E_MISSING_STREAM_END, 2,
     0, FCS_AE_END_REQUEST, FCS_E_OK},
    {"GET_VALUES_RESULT truncated", CLIENT, result_truncated,
     FCS_E_NV_IN_RECORD, 0, 8, FCS_AE_GET_VALUES_RESULT, FCS_E_OK},
};

static size_t run(const asm_case *c, fcs_mode mode, wire *w, fixture *f) {
  w->len = 0;
  fx_init(f, c->side, mode, NULL);
  if (c->side == CLIENT) {
    fcs_assembler_begin(&f->a, 1, FCS_RESPONDER, 0);
    fcs_assembler_begin(&f->a, 2, FCS_RESPONDER, 0);
  }
  return c->build(w);
}

static int check_strict(const asm_case *c) {
  wire w;
  fixture f;
  fcs_asm_event ev[MAXEV];
  size_t at = run(c, FCS_STRICT, &w, &f);
  size_t n = fx_feed(&f, w.buf, w.len, ev, MAXEV);
  fcs_header h;
  fcs_header_decode(w.buf + at, &h);
  int ok = CHECK(n >= 1 && n <= MAXEV);
  if (ok) {
    const fcs_asm_event *e = &ev[n - 1];
    ok &= CHECK_EQ(e->type, FCS_AE_ERROR);
    ok &= CHECK_ERR(e->error.code, c->strict);
    ok &= CHECK_EQ(e->error.offset, at + c->delta);
    ok &= CHECK_EQ(e->error.record, c->record);
    ok &= CHECK_EQ(e->error.request_id, h.request_id);
    ok &= CHECK_EQ(e->error.type, h.type);
    ok &= CHECK(e->record == c->record && e->offset == at + c->delta);
    fcs_asm_event again;
    ok &= CHECK_EQ(fcs_assembler_feed(&f.a, w.buf, w.len, &again), 0);
    ok &= CHECK_ERR(again.error.code, c->strict);
    ok &= CHECK_EQ(again.error.record, c->record);
    ok &= CHECK_ERR(fcs_assembler_finish(&f.a, &again), c->strict);
  }
  fx_free(&f);
  return ok;
}

static int check_lenient(const asm_case *c) {
  wire w;
  fixture f;
  fcs_asm_event ev[MAXEV];
  run(c, FCS_LENIENT, &w, &f);
  size_t n = fx_feed(&f, w.buf, w.len, ev, MAXEV);
  int ok = CHECK(n <= MAXEV);
  const fcs_asm_event *e = NULL;
  for (size_t i = 0; i < n && i < MAXEV && !e; i++)
    if (ev[i].record == c->record)
      e = &ev[i];
  if (!CHECK(e != NULL)) {
    fx_free(&f);
    return 0;
  }
  ok &= CHECK_STR(asm_event_name(e->type), asm_event_name(c->lenient));
  if (c->lenient == FCS_AE_ERROR)
    ok &= CHECK_ERR(e->error.code, c->reason);
  else
    ok &= CHECK_ERR(e->reason, c->reason);
  /* only an error stops lenient mode */
  ok &= CHECK_EQ(ev[n - 1].type == FCS_AE_ERROR, c->lenient == FCS_AE_ERROR);
  fx_free(&f);
  return ok;
}

/* The role the lenient REFUSED reports is the refused BEGIN's; the active
 * request keeps its own. */
static void test_refused_duplicate_role(void) {
  wire w = {{0}, 0};
  fixture f;
  fcs_asm_event ev[MAXEV];
  fx_init(&f, APP, FCS_LENIENT, NULL);
  duplicate_begin(&w);
  CHECK_EQ(fx_feed(&f, w.buf, w.len, ev, MAXEV), 2);
  CHECK(ev[1].type == FCS_AE_REFUSED && ev[1].role == FCS_AUTHORIZER);
  const fcs_request *r = fcs_assembler_request(&f.a, 1);
  CHECK(r && r->active && r->role == FCS_RESPONDER);
  fx_free(&f);
}

int main(void) {
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    if (!check_strict(&cases[i]))
      fprintf(stderr, "  in case \"%s\", strict mode\n", cases[i].what);
    if (!check_lenient(&cases[i]))
      fprintf(stderr, "  in case \"%s\", lenient mode\n", cases[i].what);
  }
  test_refused_duplicate_role();
  return check_report("test_assembler_errors");
}
