/* The case parser (case.c) on proxy cases' reply lines and response
 * conditions: each form becomes the step the recording backend plays or
 * the condition the runner judges, and each mistake is refused with the
 * file, the line and what is wrong.
 *
 * `test_case_parse NAME` runs the one test NAME. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "check.h"
#include "fcs/proto.h"

/* Four header lines: a case's steps start on line 5. */
#define HEAD "id: t/x\nsection: t\nlevel: MUST\nrequirement: r\n"

static int parse(const char *steps, fsp_case *c, char *err, size_t errlen) {
  size_t len = strlen(HEAD) + strlen(steps) + 1;
  char *text = malloc(len);
  snprintf(text, len, "%s%s", HEAD, steps);
  FILE *f = fmemopen(text, strlen(text), "r");
  err[0] = 0;
  int rc = case_parse_stream(f, "t.case", c, err, errlen);
  fclose(f);
  free(text);
  return rc;
}

/* steps parse; c holds the case (case_free it). */
static int parses_at(int line, const char *steps, fsp_case *c) {
  char err[512];
  if (parse(steps, c, err, sizeof err) == 0)
    return 1;
  fprintf(stderr, "test_case_parse.c:%d: refused: %s\n", line, err);
  CHECK(!"the steps parse");
  case_free(c);
  return 0;
}
#define parses(steps, c) parses_at(__LINE__, steps, c)

/* steps are refused with exactly the error want. */
static void refused_at(int line, const char *steps, const char *want) {
  fsp_case c;
  char err[512];
  int rc = parse(steps, &c, err, sizeof err);
  if (rc == 0 || strcmp(err, want) != 0)
    fprintf(stderr, "test_case_parse.c:%d: got \"%s\"\n", line,
            rc ? err : "(parsed)");
  CHECK(rc != 0);
  CHECK_TEXT(err, strlen(err), want);
  case_free(&c);
}
#define refused(steps, want) refused_at(__LINE__, steps, want)

static int item_is(const bytebuf *b, const void *p, size_t n) {
  return b->len == n && (n == 0 || memcmp(b->p, p, n) == 0);
}

/* Every reply form, and what the recorder gets from it. */
static void test_reply_forms(void) {
  fsp_case c;
  if (!parses("reply stdout pad=3 padbyte=ee \"hi\" 0a\n"
              "reply 6 id=5 clen=9 version=2 reserved=7 \"x\"\n"
              "reply stderr\n"
              "reply end\n"
              "reply end pad=2\n"
              "reply end \"\\0\\0\\0\\x01\\x03\\0\\0\\0\"\n"
              "reply raw \"abc\" 0d0a\n"
              "reply wait 250\n"
              "reply close\n"
              "get \"/\"\n",
              &c))
    return;
  CHECK(c.proxy);
  CHECK_EQ(c.nsteps, 10);
  for (size_t i = 0; i < 9; i++)
    CHECK_EQ(c.steps[i].kind, S_REPLY);
  const fsp_step *s = c.steps;
  CHECK_EQ(s[0].reply, R_RECORD);
  CHECK_EQ(s[0].type, FCS_STDOUT);
  CHECK_EQ(s[0].o.pad, 3);
  CHECK_EQ(s[0].o.padbyte, 0xee);
  CHECK_EQ(s[0].o.id, -1); /* the id of the request it answers */
  CHECK_EQ(s[0].nitems, 2);
  if (s[0].nitems == 2)
    CHECK(item_is(&s[0].items[0], "hi", 2) && item_is(&s[0].items[1], "\n", 1));
  CHECK_EQ(s[1].type, FCS_STDOUT);
  CHECK_EQ(s[1].o.id, 5);
  CHECK_EQ(s[1].o.clen, 9);
  CHECK_EQ(s[1].o.version, 2);
  CHECK_EQ(s[1].o.reserved, 7);
  CHECK(s[2].reply == R_RECORD && s[2].type == FCS_STDERR && s[2].nitems == 0);
  /* END_REQUEST without items: appStatus 0, FCGI_REQUEST_COMPLETE. */
  static const uint8_t complete[8] = {0};
  for (int i = 3; i <= 4; i++) {
    CHECK(s[i].reply == R_RECORD && s[i].type == FCS_END_REQUEST);
    CHECK(s[i].nitems == 1 && item_is(&s[i].items[0], complete, 8));
  }
  CHECK_EQ(s[4].o.pad, 2);
  CHECK(s[5].nitems == 1 && item_is(&s[5].items[0], "\0\0\0\x01\x03\0\0\0", 8));
  CHECK_EQ(s[6].reply, R_RAW);
  CHECK(s[6].nitems == 2 && item_is(&s[6].items[0], "abc", 3) &&
        item_is(&s[6].items[1], "\r\n", 2));
  CHECK(s[7].reply == R_WAIT && s[7].ms == 250);
  CHECK(s[8].reply == R_CLOSE && s[8].nitems == 0);
  CHECK(step_is_request(&s[9]));
  case_free(&c);
}

/* A reply's content: its bound, and items repeated. */
static void test_reply_content(void) {
  fsp_case c;
  /* A record's content: 65535 bytes at most, more with split=N. */
  if (parses("reply stdout \"a\"*65000 \"b\"*535\nget \"/\"\n", &c))
    case_free(&c);
  if (parses("reply stdout split=1000 \"a\"*70000\nget \"/\"\n", &c)) {
    CHECK_EQ(c.steps[0].o.split, 1000);
    case_free(&c);
  }
  /* An empty item repeated adds nothing (and touches no memory). */
  if (parses("reply stdout \"\"*5+7a\nget \"/\"\n", &c)) {
    CHECK(c.steps[0].nitems == 1 && item_is(&c.steps[0].items[0], "z", 1));
    case_free(&c);
  }
  /* Repeats of every count 1..40 (the expansion doubles what it wrote),
   * and a piece after them. */
  for (int n = 1; n <= 40; n++) {
    char text[64], want[128];
    snprintf(text, sizeof text, "reply stdout \"abc\"*%d+7a\nget \"/\"\n", n);
    size_t len = 0;
    for (int i = 0; i < n; i++, len += 3)
      memcpy(want + len, "abc", 3);
    want[len++] = 'z';
    if (parses(text, &c)) {
      CHECK(c.steps[0].nitems == 1 && item_is(&c.steps[0].items[0], want, len));
      case_free(&c);
    }
  }
}

/* Which steps are requests a reply can answer, and what may stand between
 * the reply lines and their request. */
static void test_reply_before_request(void) {
  fsp_case c;
  if (!parses("reply stdout \"a\"\npost \"/\" \"body\"\n"
              "reply stdout \"b\"\nclient 2\n"
              "http \"GET /x HTTP/1.1\\r\\n\"\nreply end\n"
              "http \"X: {marker}\\r\\n\\r\\n\"\n"
              "http \"GET /y?{marker:1} HTTP/1.1\\r\\n\\r\\n\"\n",
              &c))
    return;
  CHECK(step_is_request(&c.steps[1]));  /* post */
  CHECK(!step_is_request(&c.steps[4])); /* http without {marker} */
  CHECK(step_is_request(&c.steps[6]));  /* http with {marker} */
  CHECK(!step_is_request(&c.steps[7])); /* {marker:1} is another's */
  case_free(&c);
}

static void test_reply_errors(void) {
  refused("reply\nget \"/\"\n",
          "t.case:5: expected reply: close, wait MS, raw or a record type");
  refused("reply bogus\nget \"/\"\n",
          "t.case:5: column 7: 'bogus' is not a valid reply: close, wait MS, "
          "raw or a record type");
  refused("reply \"stdout\"\nget \"/\"\n",
          "t.case:5: expected reply: close, wait MS, raw or a record type");
  refused("reply 256\nget \"/\"\n",
          "t.case:5: column 7: '256' is not a valid reply: close, wait MS, "
          "raw or a record type");
  refused("reply wait\nget \"/\"\n", "t.case:5: expected milliseconds");
  refused("reply wait soon\nget \"/\"\n",
          "t.case:5: column 12: 'soon' is not a valid milliseconds");
  refused("reply wait 600001\nget \"/\"\n",
          "t.case:5: column 12: '600001' is not a valid milliseconds");
  refused("reply wait 5 6\nget \"/\"\n",
          "t.case:5: 'reply wait' takes one argument");
  refused("reply close now\nget \"/\"\n",
          "t.case:5: 'reply close' takes no argument");
  refused("reply raw\nget \"/\"\n",
          "t.case:5: 'reply raw' needs the bytes to send");
  refused("reply raw pad=1\nget \"/\"\n",
          "t.case:5: column 11: 'reply raw' takes byte items");
  /* A byte item's own mistake is named as such. */
  refused("reply raw \"ab\"*9000000\nget \"/\"\n",
          "t.case:5: column 11: item expands past 16777216 bytes");
  refused("reply stdout \"a\"*65536\nget \"/\"\n",
          "t.case:5: record content is 65536 bytes (at most 65535; use "
          "split=N)");
  refused("reply stdout \"a\"*65000 \"b\"*600\nget \"/\"\n",
          "t.case:5: record content is 65600 bytes (at most 65535; use "
          "split=N)");
  refused("reply stdout pad=256\nget \"/\"\n",
          "t.case:5: column 14: bad value for pad= (0..255)");
  refused("reply stdout split=0\nget \"/\"\n",
          "t.case:5: column 14: bad value for split= (0..65535)");
  refused("reply stdout keep\nget \"/\"\n",
          "t.case:5: column 14: unexpected 'keep'");
}

/* Reply lines answer the next request, with nothing but other reply
 * lines, http bytes and client switches in between; in a proxy case
 * only. */
static void test_reply_placement(void) {
  refused("get \"/\"\nreply stdout\n",
          "t.case:6: reply lines answer the next request (get, post, or http "
          "with {marker}); none follows");
  refused("reply stdout\nget \"/\"\nreply end\nhttp \"GET / HTTP/1.1\\r\\n\"\n",
          "t.case:7: reply lines answer the next request (get, post, or http "
          "with {marker}); none follows");
  refused("reply stdout\nreply end\nexpect status 1 200\nget \"/\"\n",
          "t.case:7: reply lines (from line 5) answer the next request: put "
          "them just before a get, post or http with {marker}");
  refused("get \"/\"\nreply stdout\nwait 10\nget \"/\"\n",
          "t.case:7: reply lines (from line 6) answer the next request: put "
          "them just before a get, post or http with {marker}");
  refused("reply stdout\nclose\nget \"/\"\n",
          "t.case:6: reply lines (from line 5) answer the next request: put "
          "them just before a get, post or http with {marker}");
  refused(
      "reply stdout\nrequest 1\nexpect response 1\n",
      "t.case:5: 'reply' does not belong in a backend case (docs/cases.md)");
  refused(
      "reply end\n",
      "t.case:5: 'reply' does not belong in a backend case (docs/cases.md)");
}

/* The response conditions and their arguments. */
static void test_response_conditions(void) {
  fsp_case c;
  if (!parses("get \"/\"\nget \"/\"\n"
              "expect body 1 \"hello\"\n"
              "expect body-has 2 \"x\" or body-lacks 2 0d0a\n"
              "expect header 1 Content-Type \"text/plain\"\n"
              "expect header 1 \"X-A\" \"\"\n"
              "expect no-header 1 Injected\n"
              "expect header-count 1 Set-Cookie 2\n"
              "expect own-reply 2\n",
              &c))
    return;
  const fsp_step *s = c.steps;
  const fsp_cond *k = s[2].alts;
  CHECK(k->kind == C_BODY && k->id == 1 && k->nitems == 1 &&
        item_is(&k->items[0], "hello", 5));
  CHECK_EQ(s[3].nalts, 2);
  k = s[3].alts;
  CHECK(k[0].kind == C_BODY_HAS && k[0].id == 2 &&
        item_is(&k[0].items[0], "x", 1));
  CHECK(k[1].kind == C_BODY_LACKS && item_is(&k[1].items[0], "\r\n", 2));
  k = s[4].alts;
  CHECK(k->kind == C_HEADER && k->nitems == 2 &&
        item_is(&k->items[0], "Content-Type", 12) &&
        item_is(&k->items[1], "text/plain", 10));
  k = s[5].alts;
  CHECK(k->kind == C_HEADER && item_is(&k->items[0], "X-A", 3) &&
        item_is(&k->items[1], "", 0));
  k = s[6].alts;
  CHECK(k->kind == C_NO_HEADER && k->nitems == 1 &&
        item_is(&k->items[0], "Injected", 8));
  k = s[7].alts;
  CHECK(k->kind == C_HEADER_COUNT && k->num == 2 &&
        item_is(&k->items[0], "Set-Cookie", 10));
  k = s[8].alts;
  CHECK(k->kind == C_OWN_REPLY && k->id == 2 && k->nitems == 0);
  case_free(&c);
}

/* Response conditions written wrong, and each one's message. */
static const char *const response_refusals[][2] = {
    {"get \"/\"\nexpect own-reply\n", "t.case:6: 'own-reply' needs 1 argument"},
    {"get \"/\"\nexpect own-reply 0\n",
     "t.case:6: column 18: requests are numbered from 1"},
    {"get \"/\"\nexpect own-reply 65\n",
     "t.case:6: column 18: '65' is not a valid request number (1..64)"},
    {"get \"/\"\nexpect own-reply 1 2\n",
     "t.case:6: column 20: condition 'own-reply' takes no further "
     "argument"},
    {"get \"/\"\nexpect body 1\n", "t.case:6: 'body' needs 2 arguments"},
    {"get \"/\"\nexpect body 1 \"a\" or\n",
     "t.case:6: 'or' at the end of the line"},
    {"get \"/\"\nexpect body-has x \"a\"\n",
     "t.case:6: column 17: 'x' is not a valid request number (1..64)"},
    {"get \"/\"\nexpect body-lacks 1 zz\n",
     "t.case:6: column 21: 'zz' is not a byte item (hex pairs or "
     "\"text\")"},
    {"get \"/\"\nexpect header 1 X-A\n",
     "t.case:6: 'header' needs 3 arguments"},
    {"get \"/\"\nexpect header 1 X-A \"v\" \"w\"\n",
     "t.case:6: column 25: condition 'header' takes no further argument"},
    {"get \"/\"\nexpect no-header 1\n",
     "t.case:6: 'no-header' needs 2 arguments"},
    {"get \"/\"\nexpect no-header 1 X-A \"v\"\n",
     "t.case:6: column 24: condition 'no-header' takes no further "
     "argument"},
    {"get \"/\"\nexpect header-count 1 X-A\n",
     "t.case:6: 'header-count' needs 3 arguments"},
    {"get \"/\"\nexpect header-count 1 X-A many\n",
     "t.case:6: column 27: 'many' is not a valid count"},
    {"request 1\nexpect own-reply 1\n",
     "t.case:6: a backend case cannot use condition 1 of the other kind "
     "(docs/cases.md)"},
    {"request 1\nexpect response 1 or no-header 1 X\n",
     "t.case:6: a backend case cannot use condition 2 of the other kind "
     "(docs/cases.md)"},
};

static void test_response_conditions_refused(void) {
  for (size_t i = 0; i < sizeof response_refusals / sizeof response_refusals[0];
       i++)
    refused(response_refusals[i][0], response_refusals[i][1]);
}

int main(int argc, char **argv) {
  const char *only = argc > 1 ? argv[1] : NULL;
  RUN_IF(test_reply_forms, only);
  RUN_IF(test_reply_content, only);
  RUN_IF(test_reply_before_request, only);
  RUN_IF(test_reply_errors, only);
  RUN_IF(test_reply_placement, only);
  RUN_IF(test_response_conditions, only);
  RUN_IF(test_response_conditions_refused, only);
  return check_exit("test_case_parse", only);
}
