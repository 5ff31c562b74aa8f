/* The reference responder, in-process, answering in each of its echo
 * formats: the runner's reader learns the format from a probe, decodes the
 * page of a request full of awkward bytes and finds it intact. Requests as
 * large as the responder's limits allow show its echo is never cut. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "client.h"
#include "echo_view.h"
#include "fcs_responder.h"
#include "integrity.h"

#define MAX_PAIRS 16

typedef struct request {
  uint16_t id;
  fcs_nv_pair pairs[MAX_PAIRS];
  size_t name_at[MAX_PAIRS]; /* where in text each pair's bytes are */
  size_t npairs;
  bytebuf body, data, text;
} request;

static void add_pair(request *rq, const void *name, size_t nl,
                     const void *value, size_t vl) {
  rq->name_at[rq->npairs] = rq->text.len;
  bytebuf_add(&rq->text, name, nl);
  bytebuf_add(&rq->text, value, vl);
  rq->pairs[rq->npairs++] =
      (fcs_nv_pair){NULL, (uint32_t)nl, NULL, (uint32_t)vl};
}

static void add_text_pair(request *rq, const char *name, const char *value) {
  add_pair(rq, name, strlen(name), value, strlen(value));
}

/* Adds the length params and points the pairs at their bytes (text no
 * longer moves). */
static sent_request finish(request *rq) {
  char cl[24], dl[24];
  snprintf(cl, sizeof cl, "%zu", rq->body.len);
  snprintf(dl, sizeof dl, "%zu", rq->data.len);
  add_text_pair(rq, "CONTENT_LENGTH", cl);
  add_text_pair(rq, "FCGI_DATA_LENGTH", dl);
  for (size_t i = 0; i < rq->npairs; i++) {
    rq->pairs[i].name = rq->text.p + rq->name_at[i];
    rq->pairs[i].value = rq->pairs[i].name + rq->pairs[i].name_len;
  }
  return (sent_request){rq->id,     FCS_FILTER,   rq->pairs,  rq->npairs,
                        rq->body.p, rq->body.len, rq->data.p, rq->data.len};
}

static void request_free(request *rq) {
  bytebuf_free(&rq->body);
  bytebuf_free(&rq->data);
  bytebuf_free(&rq->text);
}

/* Sends rq as a FILTER request to a fresh responder in format and returns
 * its STDOUT. */
static bytebuf exchange(const fcs_responder_config *cfg,
                        const sent_request *rq) {
  fcs_responder *r = fcs_responder_new(cfg);
  if (!r) {
    fprintf(stderr, "cannot create a responder\n");
    abort();
  }
  client c;
  client_init(&c);
  size_t n;
  fcs_encode_pairs(NULL, 0, rq->pairs, rq->npairs, 0, &n);
  uint8_t *params = malloc(n);
  fcs_encode_pairs(params, n, rq->pairs, rq->npairs, 0, &n);
  client_begin(&c, rq->id, FCS_FILTER, 0);
  client_stream(&c, FCS_PARAMS, rq->id, params, n, 0, 1);
  client_stream(&c, FCS_STDIN, rq->id, rq->in, rq->in_len, 0, 1);
  client_stream(&c, FCS_DATA, rq->id, rq->data, rq->data_len, 0, 1);
  free(params);
  size_t pos = 0;
  for (;;) {
    pos += fcs_responder_input(r, c.send.p + pos, c.send.len - pos);
    const uint8_t *out;
    fcs_responder_output(r, &out, &n);
    client_receive(&c, out, n);
    fcs_responder_output_consumed(r, n);
    if (n == 0 && (pos == c.send.len || fcs_responder_should_close(r)))
      break;
  }
  client_req *q = client_req_of(&c, rq->id);
  CHECK_EQ(q->end_count, 1);
  bytebuf page = {0};
  bytebuf_add(&page, q->out.p, q->out.len);
  client_free(&c);
  fcs_responder_free(r);
  return page;
}

/* Learns the format from a probe, then checks that rq's page shows it
 * intact; returns the probe's hint. */
static echo_hint round_trip(const fcs_responder_config *cfg,
                            const sent_request *rq) {
  request probe = {.id = 1};
  add_text_pair(&probe, "SCRIPT_NAME", "/probe");
  add_text_pair(&probe, "FCGISPEC_PROBE", "tok-77");
  bytebuf_str(&probe.body, "probe-body");
  bytebuf_str(&probe.data, "probe-data");
  sent_request sp = finish(&probe);
  bytebuf page = exchange(cfg, &sp), why = {0};
  echo_probe ep = {"FCGISPEC_PROBE", "tok-77", sp.in,
                   sp.in_len,        sp.data,  sp.data_len};
  echo_hint h;
  echo_learn(page.p, page.len, &ep, &h, &why);
  echo_view v;
  CHECK_EQ(echo_decode(&h, page.p, page.len, &v, &why), 0);
  echo_quirks q;
  echo_quirks_learn(&sp, &v, &q);
  echo_view_free(&v);
  bytebuf_free(&page);

  page = exchange(cfg, rq);
  why.len = 0;
  if (echo_decode(&h, page.p, page.len, &v, &why) < 0) {
    fprintf(stderr, "  %.*s\n", (int)why.len, (const char *)why.p);
    check_failures++;
  }
  integrity_report r;
  integrity_check(rq, &v, &q, &sp, 1, &r);
  for (size_t i = 0; i < integrity_count(&r); i++)
    fprintf(stderr, "  finding in format %u: %.*s\n",
            (unsigned)cfg->echo_format, (int)integrity_at(&r, i)->text.len,
            (const char *)integrity_at(&r, i)->text.p);
  CHECK_EQ(integrity_count(&r), 0);
  CHECK(r.checked > rq->npairs / 2);
  integrity_report_free(&r);
  echo_view_free(&v);
  echo_quirks_free(&q);
  bytebuf_free(&page);
  bytebuf_free(&why);
  request_free(&probe);
  return h;
}

static const fcs_echo_format formats[] = {
    FCS_ECHO_LINES, FCS_ECHO_JSON, FCS_ECHO_PRINTENV, FCS_ECHO_PHP_VAR_DUMP,
    FCS_ECHO_PHP_PRINT_R};
#define NFORMATS (sizeof formats / sizeof formats[0])

/* What each format shows of the streams. */
static void check_hint(fcs_echo_format f, const echo_hint *h) {
  static const echo_format readers[] = {
      [FCS_ECHO_LINES] = ECHO_LINES,
      [FCS_ECHO_JSON] = ECHO_JSON,
      [FCS_ECHO_PRINTENV] = ECHO_PRINTENV,
      [FCS_ECHO_PHP_VAR_DUMP] = ECHO_PHP_VAR_DUMP,
      [FCS_ECHO_PHP_PRINT_R] = ECHO_PHP_PRINT_R};
  CHECK_EQ(h->format, readers[f]);
  CHECK_EQ(h->body_shown, 1);
  CHECK_EQ(h->data_shown, f == FCS_ECHO_LINES || f == FCS_ECHO_JSON ||
                              f == FCS_ECHO_PHP_VAR_DUMP);
}

/* Binary bytes, NUL, %, =, quotes, a LF inside a value, an empty value, a
 * repeated name, a 4 KiB value; a body of every byte value. */
static void test_awkward_request(void) {
  request rq = {.id = 2};
  add_text_pair(&rq, "REQUEST_METHOD", "POST");
  add_pair(&rq, "BIN", 3, "\0\x01\x7f\x80\xff", 5);
  add_text_pair(&rq, "PCT", "%41=%=\"\\'");
  add_text_pair(&rq, "LF", "one\n two");
  add_text_pair(&rq, "EMPTY", "");
  add_text_pair(&rq, "DUP", "first");
  add_text_pair(&rq, "DUP", "second");
  bytebuf big = {0};
  for (int i = 0; i < 4096; i++)
    bytebuf_byte(&big, (uint8_t)(' ' + i % 90));
  add_pair(&rq, "BIG", 3, big.p, big.len);
  for (int i = 0; i < 256; i++)
    bytebuf_byte(&rq.body, (uint8_t)i);
  bytebuf_add(&rq.data, "\xff\0data", 6);
  sent_request sr = finish(&rq);
  fcs_responder_config cfg;
  fcs_responder_config_default(&cfg);
  for (size_t f = 0; f < NFORMATS; f++) {
    cfg.echo_format = (uint8_t)formats[f];
    echo_hint h = round_trip(&cfg, &sr);
    check_hint(formats[f], &h);
  }
  bytebuf_free(&big);
  request_free(&rq);
}

/* Requests at the responder's limits, the worst case of each format
 * (bytes that need escaping everywhere, in params and streams; as many
 * pairs as allowed): the page is complete, so nothing reads as cut. */
static void test_limits_never_cut(void) {
  fcs_responder_config cfg;
  fcs_responder_config_default(&cfg);
  cfg.max_params_bytes = 900;
  cfg.max_pairs = MAX_PAIRS;
  cfg.echo_bytes = 300;
  for (int shape = 0; shape < 2; shape++) {
    request rq = {.id = 3};
    uint8_t value[700];
    memset(value, 0xff, sizeof value);
    if (shape == 0) { /* few pairs, long values */
      add_pair(&rq, "V", 1, value, 700);
      add_pair(&rq, "W", 1, value, 120);
    } else { /* every pair allowed, as long as the bytes allow */
      for (int i = 0; i < MAX_PAIRS - 2; i++) {
        char name[3] = {'N', (char)('a' + i), 0};
        add_pair(&rq, name, 2, value, 55);
      }
    }
    bytebuf_add(&rq.body, value, 300);
    bytebuf_add(&rq.data, value, 300);
    sent_request sr = finish(&rq);
    for (size_t f = 0; f < NFORMATS; f++) {
      cfg.echo_format = (uint8_t)formats[f];
      round_trip(&cfg, &sr);
    }
    request_free(&rq);
  }
}

int main(void) {
  RUN(test_awkward_request);
  RUN(test_limits_never_cut);
  if (check_failures)
    fprintf(stderr, "%d check(s) failed\n", check_failures);
  return check_failures ? 1 : 0;
}
