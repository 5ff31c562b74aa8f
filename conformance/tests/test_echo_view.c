/* Echo pages in every format decoded into views (echo_view.h), the JSON
 * parser under them, and learning a page's format from a probe. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "echo_view.h"
#include "fcs/proto.h"
#include "json.h"

#define HEAD "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"

/* A page: the CGI head, then n body bytes. */
static bytebuf page(const void *body, size_t n) {
  bytebuf b = {0};
  bytebuf_str(&b, HEAD);
  bytebuf_add(&b, body, n);
  return b;
}

static bytebuf text_page(const char *body) { return page(body, strlen(body)); }

static int decode(echo_format f, const bytebuf *pg, echo_view *v,
                  bytebuf *why) {
  echo_hint h;
  memset(&h, 0, sizeof h);
  h.format = f;
  return echo_decode(&h, pg->p, pg->len, v, why);
}

#define CHECK_SPAN(s, text, n)                                                 \
  CHECK_BYTES((s)->bytes.p, (s)->bytes.len, text, n)
#define CHECK_PAIR(v, i, want_name, want_value)                                \
  do {                                                                         \
    CHECK((i) < echo_view_count(v));                                           \
    if ((i) < echo_view_count(v)) {                                            \
      CHECK_SPAN(&echo_view_pair(v, i)->name, want_name, strlen(want_name));   \
      CHECK_SPAN(&echo_view_pair(v, i)->value, want_value,                     \
                 strlen(want_value));                                          \
    }                                                                          \
  } while (0)

/* The page does not decode as f, and why names the offset. */
static void check_fails(echo_format f, const char *body, const char *where) {
  bytebuf pg = text_page(body), why = {0};
  echo_view v;
  CHECK_EQ(decode(f, &pg, &v, &why), -1);
  bytebuf_byte(&why, 0);
  if (!strstr((char *)why.p, where)) {
    fprintf(stderr, "  error \"%s\" does not name \"%s\"\n", why.p, where);
    check_failures++;
  }
  echo_view_free(&v);
  bytebuf_free(&why);
  bytebuf_free(&pg);
}

static void test_format_names(void) {
  for (int f = ECHO_NONE; f <= ECHO_PHP_PRINT_R; f++)
    CHECK_EQ(echo_format_parse(echo_format_name((echo_format)f)), f);
  CHECK_EQ(echo_format_parse("php-var-dump"), ECHO_PHP_VAR_DUMP);
  CHECK_EQ(echo_format_parse("xml"), ECHO_UNKNOWN);
  CHECK(strcmp(echo_format_name(ECHO_UNKNOWN), "unknown") == 0);
}

static void test_cgi_head(void) {
  bytebuf why = {0};
  echo_view v;
  /* LF-only head, a folded header line. */
  bytebuf pg = {0};
  bytebuf_str(&pg, "Content-Type: text/plain\nX-A: 1\n 2\n\nend\n");
  echo_hint h = {.format = ECHO_LINES};
  CHECK_EQ(echo_decode(&h, pg.p, pg.len, &v, &why), 0);
  echo_view_free(&v);
  pg.len = 0;
  bytebuf_str(&pg, "Content-Type: text/plain\r\nA=1\r\n\r\nend\n");
  CHECK_EQ(echo_decode(&h, pg.p, pg.len, &v, &why), -1);
  bytebuf_byte(&why, 0);
  CHECK(strstr((char *)why.p, "the line at byte 26 is not a CGI header"));
  echo_view_free(&v);
  why.len = 0;
  pg.len = 0;
  bytebuf_str(&pg, "Content-Type: text/plain\r\n");
  CHECK_EQ(echo_decode(&h, pg.p, pg.len, &v, &why), -1);
  bytebuf_byte(&why, 0);
  CHECK(strstr((char *)why.p, "no empty line ends the CGI headers"));
  echo_view_free(&v);
  bytebuf_free(&why);
  bytebuf_free(&pg);
}

static void test_lines_reference(void) {
  bytebuf pg = text_page("request-id 7\nrole FILTER\nflags 1\nparams 3\n"
                         "param REQUEST_METHOD=GET\n"
                         "param REQUEST_URI=/x?a%3Db\n"
                         "param EMPTY=\n"
                         "knob-error FCS_APP_STATUS\n"
                         "stdin 5 3610a686 5\nhello\n"
                         "data 3 00000001 3\na\nb\nend\n");
  bytebuf why = {0};
  echo_view v;
  CHECK_EQ(decode(ECHO_LINES, &pg, &v, &why), 0);
  CHECK_EQ(echo_view_count(&v), 3);
  CHECK_PAIR(&v, 0, "REQUEST_METHOD", "GET");
  CHECK_PAIR(&v, 1, "REQUEST_URI", "/x?a=b");
  CHECK_PAIR(&v, 2, "EMPTY", "");
  CHECK_EQ(v.id_shown, 1);
  CHECK_EQ(v.request_id, 7);
  CHECK_EQ(v.role, FCS_FILTER);
  CHECK_EQ(v.in.shown, 1);
  CHECK_EQ(v.in.partial, 0);
  CHECK_EQ(v.in.crc, 0x3610a686u);
  CHECK_SPAN(&v.in.bytes, "hello", 5);
  CHECK_SPAN(&v.data.bytes, "a\nb", 3); /* a LF inside the raw bytes */
  CHECK_EQ(v.data.total, 3);
  echo_view_free(&v);
  echo_view_free(&v); /* twice is safe */
  bytebuf_free(&pg);
  bytebuf_free(&why);
}

/* Every byte value, NUL, %, = and LF through the %XX escapes; empty names
 * and values; duplicates in order; a 4 KiB value. */
static void test_lines_escapes(void) {
  bytebuf body = {0}, value = {0};
  bytebuf_str(&body, "param A%3DB%20=%00%25%3D%0A%FF\nparam =\nparam D=1\n"
                     "param D=2\nparam BIG=");
  for (int i = 0; i < 4096; i++) {
    bytebuf_fmt(&body, "%%%02X", (unsigned)(i & 0xff));
    bytebuf_byte(&value, (uint8_t)i);
  }
  bytebuf_str(&body, "\nend\n");
  bytebuf pg = page(body.p, body.len), why = {0};
  echo_view v;
  CHECK_EQ(decode(ECHO_LINES, &pg, &v, &why), 0);
  CHECK_EQ(echo_view_count(&v), 5);
  CHECK_SPAN(&echo_view_pair(&v, 0)->name, "A=B ", 4);
  CHECK_SPAN(&echo_view_pair(&v, 0)->value, "\0%=\n\xff", 5);
  CHECK_PAIR(&v, 1, "", "");
  CHECK_PAIR(&v, 2, "D", "1");
  CHECK_PAIR(&v, 3, "D", "2");
  CHECK_SPAN(&echo_view_pair(&v, 4)->value, value.p, value.len);
  CHECK_EQ(v.in.shown, 0);
  CHECK_EQ(v.id_shown, 0);
  echo_view_free(&v);
  bytebuf_free(&pg);
  bytebuf_free(&why);
  bytebuf_free(&body);
  bytebuf_free(&value);
}

static void test_lines_partial_stream(void) {
  static const char body[] = "stdin 1000 0badf00d 4\nab\0d\nend\n";
  bytebuf pg = page(body, sizeof body - 1), why = {0};
  echo_view v;
  CHECK_EQ(decode(ECHO_LINES, &pg, &v, &why), 0);
  CHECK_EQ(v.in.partial, 1);
  CHECK_EQ(v.in.total, 1000);
  CHECK_EQ(v.in.crc, 0x0badf00du);
  CHECK_SPAN(&v.in.bytes, "ab\0d", 4);
  echo_view_free(&v);
  bytebuf_free(&pg);
  bytebuf_free(&why);
}

/* The echo apps of scripts/backends write "stdin N" and roles of their
 * own; the body may hold LFs and ends with one more. */
static void test_lines_short_streams(void) {
  bytebuf pg = text_page("role PHP\nparam X=1\nstdin 6\nhe\nlo\n\n"
                         "data 0\n\nend\n");
  bytebuf why = {0};
  echo_view v;
  CHECK_EQ(decode(ECHO_LINES, &pg, &v, &why), 0);
  CHECK_EQ(v.role, 0);
  CHECK_SPAN(&v.in.bytes, "he\nlo\n", 6);
  CHECK_EQ(v.in.partial, 0);
  CHECK_EQ(v.data.shown, 1);
  CHECK_EQ(v.data.bytes.bytes.len, 0);
  echo_view_free(&v);
  bytebuf_free(&pg);
  bytebuf_free(&why);
}

static void test_lines_errors(void) {
  /* Offsets count from the page's first byte; the head is 44 bytes. */
  check_fails(ECHO_LINES, "param A=1\nbogus\nend\n", "unknown line at byte 54");
  check_fails(ECHO_LINES, "param A=%4\nend\n", "bad %XX escape at byte 52");
  check_fails(ECHO_LINES, "param A=%G1\nend\n", "bad %XX escape at byte 52");
  check_fails(ECHO_LINES, "param A=1 2\nend\n",
              "unescaped byte in a param line at byte 53");
  check_fails(ECHO_LINES, "param A\nend\n",
              "param line without '=' at byte 50");
  check_fails(ECHO_LINES, "param A=1\n", "no 'end' line at byte 54");
  check_fails(ECHO_LINES, "end\nx", "bytes after the 'end' line at byte 48");
  check_fails(ECHO_LINES, "stdin 5\nab\nend\n",
              "stream bytes not followed by LF at byte 52");
  check_fails(ECHO_LINES, "stdin 5 zz 5\nhello\nend\n",
              "bad CRC or KEPT in a stream line at byte 44");
  check_fails(ECHO_LINES, "stdin 5 00000000 6\nhello!\nend\n",
              "bad CRC or KEPT in a stream line at byte 44");
  check_fails(ECHO_LINES, "stdin 1\na\nstdin 1\nb\nend\n",
              "second section for the same stream at byte 54");
  check_fails(ECHO_LINES, "params 2\nparam A=1\nend\n",
              "'params 2' but 1 param lines");
}

static void test_json_strings(void) {
  static const char text[] =
      "[\"\\u00ff\", \"\\ud83d\\ude00\", \"\\ud800x\", \"\\ufffd\","
      " \"\xc3\xa9\", \"\\n\\t\\\"\\\\\\/\\b\\f\\r\", \"\\u0000\","
      " \"\\udc00\"]";
  json_value v;
  bytebuf why = {0};
  size_t pos = 0;
  CHECK_EQ(json_parse((const uint8_t *)text, sizeof text - 1, &pos, &v, &why),
           0);
  CHECK_EQ(pos, sizeof text - 1);
  CHECK_EQ(json_count(&v), 8);
  const echo_str *s = &json_member_at(&v, 0)->value.text;
  CHECK_SPAN(s, "\xc3\xbf", 2); /* UTF-8 reading */
  CHECK_EQ(s->has_latin1, 1);
  CHECK_BYTES(s->latin1.p, s->latin1.len, "\xff", 1); /* Latin-1 reading */
  CHECK(echo_str_is(s, "\xff", 1) && echo_str_is(s, "\xc3\xbf", 2));
  s = &json_member_at(&v, 1)->value.text; /* a surrogate pair */
  CHECK_SPAN(s, "\xf0\x9f\x98\x80", 4);
  CHECK_EQ(s->has_latin1, 0);
  CHECK_EQ(s->inexact, 0);
  s = &json_member_at(&v, 2)->value.text; /* a lone surrogate */
  CHECK_SPAN(s, "\xef\xbf\xbdx", 4);
  CHECK_EQ(s->inexact, 1);
  CHECK_EQ(json_member_at(&v, 3)->value.text.inexact, 1); /* U+FFFD */
  s = &json_member_at(&v, 4)->value.text;                 /* raw UTF-8 */
  CHECK_SPAN(s, "\xc3\xa9", 2);
  CHECK_BYTES(s->latin1.p, s->latin1.len, "\xe9", 1);
  CHECK_SPAN(&json_member_at(&v, 5)->value.text, "\n\t\"\\/\b\f\r", 8);
  CHECK_SPAN(&json_member_at(&v, 6)->value.text, "\0", 1);
  CHECK_EQ(json_member_at(&v, 7)->value.text.inexact, 1); /* lone low half */
  json_free(&v);
  bytebuf_free(&why);
}

static void check_json_error(const char *text, const char *where) {
  json_value v;
  bytebuf why = {0};
  size_t pos = 0;
  CHECK_EQ(json_parse((const uint8_t *)text, strlen(text), &pos, &v, &why), -1);
  bytebuf_byte(&why, 0);
  if (!strstr((char *)why.p, where)) {
    fprintf(stderr, "  json error \"%s\" does not name \"%s\"\n", why.p, where);
    check_failures++;
  }
  json_free(&v);
  bytebuf_free(&why);
}

static void test_json_errors(void) {
  check_json_error("{\"a\":\"\xff\"}", "invalid UTF-8 at byte 6");
  check_json_error("{\"a\":\"\xc0\xaf\"}", "invalid UTF-8 at byte 6");
  check_json_error("{\"a\":\"\xe0\x80\xaf\"}", "invalid UTF-8 at byte 6");
  check_json_error("{\"a\":\"\xed\xa0\x80\"}", "invalid UTF-8 at byte 6");
  check_json_error("{\"a\":\"x\ny\"}",
                   "control character in a string at byte 7");
  check_json_error("{\"a\":\"\x1f\"}",
                   "control character in a string at byte 6");
  check_json_error("{\"a\":\"\\x\"}", "unknown escape at byte 6");
  check_json_error("{\"a\":\"\\u12g4\"}", "four hex digits at byte 10");
  check_json_error("{\"a\":\"abc", "unterminated string at byte 5");
  check_json_error("{\"a\" 1}", "expected ':' at byte 5");
  check_json_error("{\"a\":1,}", "expected a key at byte 7");
  check_json_error("{\"a\":1 \"b\":2}", "expected ',' or '}' at byte 7");
  check_json_error("[1,2", "unterminated array at byte 4");
  check_json_error("{\"a\":01}", "expected ',' or '}' at byte 6");
  check_json_error("{\"a\":-}", "bad number at byte 5");
  check_json_error("{\"a\":tru}", "unexpected character at byte 5");
  char deep[2 * JSON_MAX_DEPTH + 8];
  memset(deep, '[', JSON_MAX_DEPTH + 1);
  deep[JSON_MAX_DEPTH + 1] = 0;
  check_json_error(deep, "nesting too deep at byte 64");
}

static echo_format learn(const bytebuf *pg, const char *body, echo_hint *h,
                         bytebuf *why) {
  echo_probe probe = {"FCGISPEC_PROBE", "tok-1", (const uint8_t *)body,
                      strlen(body),     NULL,    0};
  return echo_learn(pg->p, pg->len, &probe, h, why);
}

/* The reference responder's JSON: params nested, id and role beside them,
 * bytes as \u00XX (the Latin-1 reading). */
static void test_json_nested(void) {
  bytebuf pg = text_page(
      "{\"request_id\":3,\"role\":\"FILTER\",\"flags\":0,\"params\":{"
      "\"FCGISPEC_PROBE\":\"tok-1\",\"BIN\":\"\\u0000\\u00ff%=\\n\","
      "\"E\":\"\",\"E\":\"2\"},\"stdin\":\"b\\u00e9dy\",\"data\":\"dd\"}\n");
  bytebuf why = {0};
  echo_hint h;
  echo_probe probe = {"FCGISPEC_PROBE",
                      "tok-1",
                      (const uint8_t *)"b\xe9"
                                       "dy",
                      4,
                      (const uint8_t *)"dd",
                      2};
  CHECK_EQ(echo_learn(pg.p, pg.len, &probe, &h, &why), ECHO_JSON);
  CHECK_EQ(h.params.depth, 1);
  CHECK(strcmp(h.params.keys[0], "params") == 0);
  CHECK_EQ(h.body_shown, 1);
  CHECK(h.body.depth == 1 && strcmp(h.body.keys[0], "stdin") == 0);
  CHECK(h.data_shown == 1 && strcmp(h.data.keys[0], "data") == 0);
  bytebuf d = {0};
  echo_hint_describe(&h, &d);
  CHECK_TEXT(d.p, d.len,
             "json, params at .params, body at .stdin, data at .data");
  echo_view v;
  CHECK_EQ(echo_decode(&h, pg.p, pg.len, &v, &why), 0);
  CHECK_EQ(echo_view_count(&v), 4);
  const echo_str *bin = &echo_view_pair(&v, 1)->value;
  CHECK(echo_str_is(bin, "\0\xff%=\n", 5));
  CHECK_PAIR(&v, 2, "E", ""); /* duplicate keys kept in order */
  CHECK_PAIR(&v, 3, "E", "2");
  CHECK(v.id_shown && v.request_id == 3 && v.role == FCS_FILTER);
  CHECK(echo_str_is(&v.in.bytes,
                    "b\xe9"
                    "dy",
                    4));
  CHECK_SPAN(&v.data.bytes, "dd", 2);
  echo_view_free(&v);
  bytebuf_free(&d);
  bytebuf_free(&pg);
  bytebuf_free(&why);
}

/* PHP's json_encode($_SERVER) after some text: flat params, numbers and
 * nulls among the values; the body at a deeper path of a second object. */
static void test_json_flat_and_deep(void) {
  bytebuf pg = text_page("note {not json}\n{\"FCGISPEC_PROBE\":\"tok-1\","
                         "\"REQUEST_TIME\":1700000000,\"BAD\":null,"
                         "\"U\":\"\\ufffd\",\"argv\":[]}");
  bytebuf why = {0};
  echo_hint h;
  CHECK_EQ(learn(&pg, "body", &h, &why), ECHO_JSON);
  CHECK_EQ(h.params.depth, 0);
  CHECK_EQ(h.body_shown, 0);
  CHECK_EQ(learn(&pg, "tok-1", &h, &why), ECHO_JSON);
  CHECK_EQ(h.body_shown, 0); /* a param's value is never the body */
  echo_view v;
  CHECK_EQ(echo_decode(&h, pg.p, pg.len, &v, &why), 0);
  CHECK_EQ(echo_view_count(&v), 5);
  CHECK_PAIR(&v, 1, "REQUEST_TIME", "1700000000");
  CHECK_EQ(echo_view_pair(&v, 1)->value.inexact, 0);
  CHECK_EQ(echo_view_pair(&v, 2)->value.inexact, 1); /* null */
  CHECK_EQ(echo_view_pair(&v, 3)->value.inexact, 1); /* U+FFFD */
  CHECK_EQ(echo_view_pair(&v, 4)->value.inexact, 1); /* an array */
  echo_view_free(&v);
  bytebuf_free(&pg);

  pg = text_page("{\"app\":{\"env\":{\"x\":{\"FCGISPEC_PROBE\":\"tok-1\"}}},"
                 "\"req\":{\"meta\":{\"len\":4},\"in\":{\"raw\":\"body\"}}}");
  CHECK_EQ(learn(&pg, "body", &h, &why), ECHO_JSON);
  bytebuf d = {0};
  echo_hint_describe(&h, &d);
  CHECK_TEXT(d.p, d.len,
             "json, params at .app.env.x, body at .req.in.raw, data not shown");
  CHECK_EQ(echo_decode(&h, pg.p, pg.len, &v, &why), 0);
  CHECK_SPAN(&v.in.bytes, "body", 4);
  CHECK_EQ(v.id_shown, 0);
  echo_view_free(&v);
  bytebuf_free(&pg);

  /* The same hint on a page without the params object, and with a body
   * that is not a string. */
  why.len = 0;
  pg = text_page("{\"app\":{}}");
  CHECK_EQ(echo_decode(&h, pg.p, pg.len, &v, &why), -1);
  bytebuf_byte(&why, 0);
  CHECK(strstr((char *)why.p, "no object at the params path .app.env.x"));
  echo_view_free(&v);
  bytebuf_free(&pg);
  why.len = 0;
  pg = text_page("{\"app\":{\"env\":{\"x\":{}}},\"req\":{\"in\":{\"raw\":5}}}");
  CHECK_EQ(echo_decode(&h, pg.p, pg.len, &v, &why), -1);
  bytebuf_byte(&why, 0);
  CHECK(strstr((char *)why.p, "the value at .req.in.raw (byte 87) is not a "
                              "string"));
  echo_view_free(&v);
  bytebuf_free(&pg);
  why.len = 0;
  pg = text_page("{\"app\":{\"env\":{\"x\":{\"A\":\"1\"}}}}, oops");
  CHECK_EQ(echo_decode(&h, pg.p, pg.len, &v, &why), 0); /* text after it */
  echo_view_free(&v);
  bytebuf_free(&pg);
  pg = text_page("no braces");
  CHECK_EQ(echo_decode(&h, pg.p, pg.len, &v, &why), -1);
  echo_view_free(&v);
  bytebuf_free(&d);
  bytebuf_free(&pg);
  bytebuf_free(&why);
}

static void test_printenv(void) {
  bytebuf body = {0}, big = {0};
  bytebuf_str(&body, "FCGISPEC_PROBE=tok-1\nQ=a=b%20&c\nML=one\ntwo\n\n"
                     "three\nE=\nBIN=");
  bytebuf_add(&body, "\0\xff\r", 3);
  bytebuf_str(&body, "\nBIG=");
  for (int i = 0; i < 4096; i++)
    bytebuf_byte(&big, (uint8_t)('a' + i % 26));
  bytebuf_add(&body, big.p, big.len);
  bytebuf_str(&body, "\nD=1\nD=2\n\nthe\nbody\n");
  bytebuf pg = page(body.p, body.len), why = {0};
  echo_hint h;
  CHECK_EQ(learn(&pg, "the\nbody\n", &h, &why), ECHO_PRINTENV);
  CHECK_EQ(h.body_shown, 0); /* the value's empty line ends the listing */
  bytebuf_free(&pg);
  /* Without the empty line inside ML, the body after the listing is found. */
  memcpy(strstr((char *)body.p, "two\n\nthree"), "two\nXthree", 10);
  pg = page(body.p, body.len);
  CHECK_EQ(learn(&pg, "the\nbody\n", &h, &why), ECHO_PRINTENV);
  CHECK_EQ(h.body_shown, 1);
  echo_view v;
  CHECK_EQ(echo_decode(&h, pg.p, pg.len, &v, &why), 0);
  CHECK_EQ(echo_view_count(&v), 8);
  CHECK_PAIR(&v, 1, "Q", "a=b%20&c");
  CHECK_PAIR(&v, 2, "ML", "one\ntwo\nXthree");
  CHECK_PAIR(&v, 3, "E", "");
  CHECK_SPAN(&echo_view_pair(&v, 4)->value, "\0\xff\r", 3);
  CHECK_SPAN(&echo_view_pair(&v, 5)->value, big.p, big.len);
  CHECK_PAIR(&v, 6, "D", "1");
  CHECK_PAIR(&v, 7, "D", "2");
  CHECK_SPAN(&v.in.bytes, "the\nbody\n", 9);
  echo_view_free(&v);
  check_fails(ECHO_PRINTENV, " A=1\n",
              "printenv: the line at byte 44 is not a param");
  check_fails(ECHO_PRINTENV, "1A=1\n",
              "printenv: the line at byte 44 is not a param");
  bytebuf_free(&pg);
  bytebuf_free(&why);
  bytebuf_free(&body);
  bytebuf_free(&big);
}

/* var_dump's lengths carry values with quotes, LFs and NULs exactly. */
static void test_var_dump(void) {
  static const char body[] =
      "array(7) {\n"
      "  [\"FCGISPEC_PROBE\"]=>\n  string(5) \"tok-1\"\n"
      "  [\"Q\"]=>\n  string(9) \"a\"]=>\n\0\"\n\"\n"
      "  [\"E\"]=>\n  string(0) \"\"\n"
      "  [42]=>\n  int(1700000000)\n"
      "  [\"F\"]=>\n  float(1.5)\n"
      "  [\"argv\"]=>\n  array(2) {\n    [0]=>\n    string(1) \"x\"\n"
      "    [1]=>\n    NULL\n  }\n"
      "  [\"B\"]=>\n  bool(true)\n"
      "}\n"
      "string(4) \"body\"\nstring(2) \"dd\"\n";
  bytebuf pg = page(body, sizeof body - 1), why = {0};
  echo_hint h;
  echo_probe probe = {"FCGISPEC_PROBE",        "tok-1",
                      (const uint8_t *)"body", 4,
                      (const uint8_t *)"dd",   2};
  CHECK_EQ(echo_learn(pg.p, pg.len, &probe, &h, &why), ECHO_PHP_VAR_DUMP);
  CHECK(h.body_shown && h.body_index == 0 && h.data_shown && h.data_index == 1);
  echo_view v;
  CHECK_EQ(echo_decode(&h, pg.p, pg.len, &v, &why), 0);
  CHECK_EQ(echo_view_count(&v), 7);
  CHECK_SPAN(&echo_view_pair(&v, 1)->value, "a\"]=>\n\0\"\n", 9);
  CHECK_PAIR(&v, 2, "E", "");
  CHECK_PAIR(&v, 3, "42", "1700000000");
  CHECK_PAIR(&v, 4, "F", "1.5");
  CHECK_EQ(echo_view_pair(&v, 5)->value.inexact, 1); /* nested array */
  CHECK_EQ(echo_view_pair(&v, 6)->value.inexact, 1); /* bool */
  CHECK_SPAN(&v.in.bytes, "body", 4);
  CHECK_SPAN(&v.data.bytes, "dd", 2);
  echo_view_free(&v);
  bytebuf d = {0};
  echo_hint_describe(&h, &d);
  CHECK_TEXT(d.p, d.len,
             "php-var-dump, body in string 0 after the array, data in string "
             "1 after the array");
  bytebuf_free(&d);
  check_fails(ECHO_PHP_VAR_DUMP,
              "array(1) {\n  [\"A\"]=>\n  string(9) \"ab\"\n}\n",
              "string shorter than its length at byte 78");
  check_fails(ECHO_PHP_VAR_DUMP, "array(1) {\n [\"A\"]=>\n",
              "expected indentation at byte 56");
  check_fails(ECHO_PHP_VAR_DUMP,
              "array(1) {\n  [\"A\"]=>\n  object(X)#1 (0) {\n",
              "unknown value at byte 67");
  check_fails(ECHO_PHP_VAR_DUMP, "array(2) {\n  [\"A\"]=>\n  int(1)\n}\n",
              "expected indentation at byte 74");
  check_fails(ECHO_PHP_VAR_DUMP, "Array\n", "expected \"array(\" at byte 44");
  bytebuf_free(&pg);
  bytebuf_free(&why);
}

static void test_print_r(void) {
  static const char body[] = "Array\n(\n"
                             "    [FCGISPEC_PROBE] => tok-1\n"
                             "    [ML] => one\ntwo\n\n"
                             "    [E] => \n"
                             "    [argv] => Array\n        (\n"
                             "            [0] => x\n        )\n\n"
                             "    [D] => a]b\n"
                             "    [] => \n"
                             ")\nthe body";
  bytebuf pg = page(body, sizeof body - 1), why = {0};
  echo_hint h;
  CHECK_EQ(learn(&pg, "the body", &h, &why), ECHO_PHP_PRINT_R);
  CHECK_EQ(h.body_shown, 1);
  echo_view v;
  CHECK_EQ(echo_decode(&h, pg.p, pg.len, &v, &why), 0);
  CHECK_EQ(echo_view_count(&v), 6);
  CHECK_PAIR(&v, 1, "ML", "one\ntwo\n");
  CHECK_PAIR(&v, 2, "E", "");
  CHECK_PAIR(&v, 3, "argv",
             "Array\n        (\n            [0] => x\n        )\n");
  CHECK_PAIR(&v, 4, "D", "a]b");
  CHECK_PAIR(&v, 5, "", "");
  CHECK_SPAN(&v.in.bytes, "the body", 8);
  echo_view_free(&v);
  check_fails(ECHO_PHP_PRINT_R, "Array\n[\n",
              "php-print-r: the body does not start with");
  check_fails(ECHO_PHP_PRINT_R, "Array\n(\nstray\n",
              "php-print-r: the line at byte 52 is not a param");
  bytebuf_free(&pg);
  bytebuf_free(&why);
}

/* Each format's page is learnt as that format, never as another. */
static void test_learn_picks_the_format(void) {
  static const struct {
    const char *body;
    echo_format format;
  } pages[] = {
      {"param FCGISPEC_PROBE=tok-1\nstdin 4\nbody\nend\n", ECHO_LINES},
      {"{\"s\":{\"FCGISPEC_PROBE\":\"tok-1\"},\"b\":\"body\"}", ECHO_JSON},
      {"array(1) {\n  [\"FCGISPEC_PROBE\"]=>\n  string(5) \"tok-1\"\n}\n"
       "string(4) \"body\"\n",
       ECHO_PHP_VAR_DUMP},
      {"Array\n(\n    [FCGISPEC_PROBE] => tok-1\n)\nbody", ECHO_PHP_PRINT_R},
      {"FCGISPEC_PROBE=tok-1\n\nbody", ECHO_PRINTENV},
  };
  for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
    bytebuf pg = text_page(pages[i].body), why = {0};
    echo_hint h;
    CHECK_EQ(learn(&pg, "body", &h, &why), pages[i].format);
    CHECK_EQ(h.body_shown, 1);
    echo_view v;
    CHECK_EQ(echo_decode(&h, pg.p, pg.len, &v, &why), 0);
    CHECK_SPAN(&v.in.bytes, "body", 4);
    CHECK_EQ(v.format, pages[i].format);
    echo_view_free(&v);
    bytebuf_free(&pg);
    bytebuf_free(&why);
  }
}

static void test_learn_none(void) {
  /* The marker's value differs by one byte: no format shows it. */
  bytebuf pg = text_page("param FCGISPEC_PROBE=tok-2\nend\n"), why = {0};
  echo_hint h;
  CHECK_EQ(learn(&pg, "", &h, &why), ECHO_NONE);
  CHECK_EQ(h.format, ECHO_NONE);
  bytebuf_byte(&why, 0);
  CHECK(strstr((char *)why.p, "lines: no param FCGISPEC_PROBE=tok-1; json: "));
  CHECK(strstr((char *)why.p, "; php-var-dump: "));
  CHECK(strstr((char *)why.p, "; php-print-r: "));
  CHECK(strstr((char *)why.p, "; printenv: "));
  echo_view v;
  CHECK_EQ(echo_decode(&h, pg.p, pg.len, &v, &why), 0); /* shows nothing */
  CHECK_EQ(echo_view_count(&v), 0);
  CHECK_EQ(v.in.shown, 0);
  echo_view_free(&v);
  bytebuf_free(&pg);
  why.len = 0;
  pg = text_page("hello\n");
  pg.p[0] = 'X'; /* still a body that no format reads */
  CHECK_EQ(learn(&pg, "", &h, &why), ECHO_NONE);
  bytebuf_free(&pg);
  why.len = 0;
  pg = text_page("");
  pg.len -= 2; /* no empty line after the head */
  CHECK_EQ(learn(&pg, "", &h, &why), ECHO_NONE);
  bytebuf_byte(&why, 0);
  CHECK(strstr((char *)why.p, "no empty line ends the CGI headers"));
  bytebuf_free(&pg);
  bytebuf_free(&why);
}

int main(void) {
  RUN(test_format_names);
  RUN(test_cgi_head);
  RUN(test_lines_reference);
  RUN(test_lines_escapes);
  RUN(test_lines_partial_stream);
  RUN(test_lines_short_streams);
  RUN(test_lines_errors);
  RUN(test_json_strings);
  RUN(test_json_errors);
  RUN(test_json_nested);
  RUN(test_json_flat_and_deep);
  RUN(test_printenv);
  RUN(test_var_dump);
  RUN(test_print_r);
  RUN(test_learn_picks_the_format);
  RUN(test_learn_none);
  if (check_failures)
    fprintf(stderr, "%d check(s) failed\n", check_failures);
  return check_failures ? 1 : 0;
}
