/* The generator (gen.h) and the placeholder rule (script.h): the same
 * (seed, index) gives the same bytes, every stream decodes as the records
 * the generator laid out, every mutation turns up, and substituting a
 * script path keeps every length. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fcs/fcs.h"
#include "gen.h"
#include "script.h"
#include "sent.h"

enum { STREAMS = 400 };

static void test_deterministic(void) {
  for (uint64_t i = 0; i < STREAMS; i++) {
    gen_stream a, b, c;
    gen_make(1, i, &a);
    gen_make(1, i, &b);
    gen_make(2, i, &c);
    CHECK_EQ(a.mutations, b.mutations);
    CHECK_BYTES(a.bytes.p, a.bytes.len, b.bytes.p, b.bytes.len);
    CHECK(a.bytes.len != c.bytes.len ||
          memcmp(a.bytes.p, c.bytes.p, a.bytes.len) != 0);
    gen_stream_free(&a);
    gen_stream_free(&b);
    gen_stream_free(&c);
  }
}

/* The record headers a lenient decoder finds in p, fed in pieces of 1 to
 * 97 bytes; *error gets the code that stopped it (FCS_E_OK if none). */
static bytebuf decode(const uint8_t *p, size_t len, fcs_err *error) {
  fcs_decoder d;
  fcs_decoder_init(&d, FCS_LENIENT);
  bytebuf headers = {0};
  *error = FCS_E_OK;
  for (size_t at = 0, step = 1; at < len && !*error; step = step % 97 + 1) {
    size_t n = len - at < step ? len - at : step;
    const uint8_t *q = p + at;
    at += n;
    for (;;) {
      fcs_event ev;
      size_t used = fcs_decoder_feed(&d, q, n, &ev);
      q += used;
      n -= used;
      if (ev.type == FCS_EV_NONE)
        break;
      if (ev.type == FCS_EV_ERROR) {
        *error = ev.error.code;
        break;
      }
      if (ev.type == FCS_EV_HEADER)
        bytebuf_add(&headers, &ev.header, sizeof(ev.header));
    }
  }
  fcs_event ev;
  if (!*error && fcs_decoder_finish(&d, &ev) != FCS_E_OK)
    *error = ev.error.code;
  return headers;
}

static int same_header(const fcs_header *a, const fcs_header *b) {
  return a->version == b->version && a->type == b->type &&
         a->request_id == b->request_id &&
         a->content_length == b->content_length &&
         a->padding_length == b->padding_length && a->reserved == b->reserved;
}

/* The decoder finds exactly the records laid out; only a planted version
 * 0 stops it, and then on the record that carries it. */
static void test_decodes_as_laid_out(void) {
  for (uint64_t i = 0; i < STREAMS; i++) {
    gen_stream s;
    gen_make(1, i, &s);
    fcs_err e;
    bytebuf got = decode(s.bytes.p, s.bytes.len, &e);
    size_t ngot = got.len / sizeof(fcs_header),
           nwant = s.headers.len / sizeof(fcs_header);
    const fcs_header *g = (const fcs_header *)(void *)got.p,
                     *w = (const fcs_header *)(void *)s.headers.p;
    if (s.framing_broken) {
      CHECK_EQ(e, FCS_E_BAD_VERSION);
      CHECK(ngot < nwant && w[ngot].version == 0);
    } else {
      CHECK_EQ(e, FCS_E_OK);
      CHECK_EQ(ngot, nwant);
    }
    for (size_t k = 0; k < ngot && k < nwant; k++)
      CHECK(same_header(&g[k], &w[k]));
    if (e != (s.framing_broken ? FCS_E_BAD_VERSION : FCS_E_OK))
      fprintf(stderr, "stream %llu: %s\n", (unsigned long long)i,
              fcs_err_name(e));
    bytebuf_free(&got);
    gen_stream_free(&s);
  }
}

static void test_every_mutation_appears(void) {
  uint64_t seen = 0;
  for (uint64_t i = 0; i < 1000; i++) {
    gen_stream s;
    gen_make(1, i, &s);
    seen |= s.mutations;
    gen_stream_free(&s);
  }
  for (int m = 0; m < GM_COUNT; m++)
    if (!((seen >> m) & 1)) {
      fprintf(stderr, "mutation %s never appears\n",
              gen_mutation_name((gen_mutation)m));
      check_failures++;
    }
}

/* Streams 0-2: unmutated; a GET, a POST with its body, KEEP_CONN. */
static void test_baselines(void) {
  for (uint64_t seed = 1; seed < 4; seed++)
    for (uint64_t i = 0; i < 3; i++) {
      gen_stream s;
      gen_make(seed, i, &s);
      fsp_sent sent;
      sent_init(&sent);
      sent_feed(&sent, s.bytes.p, s.bytes.len, NULL, NULL);
      CHECK_EQ(s.mutations, 0);
      CHECK_EQ(sent.n, 1);
      if (sent.n == 1) {
        const fsp_sent_req *q = &sent.v[0];
        CHECK(q->params_done && q->in_done && !q->unclean);
        CHECK_EQ(q->role, FCS_RESPONDER);
        CHECK_EQ(q->in.len > 0, i == 1);
        CHECK_EQ(q->flags & FCS_KEEP_CONN, i == 2);
      }
      sent_free(&sent);
      gen_stream_free(&s);
    }
}

static int contains(const bytebuf *b, const char *s, size_t n) {
  for (size_t i = 0; i + n <= b->len; i++)
    if (!memcmp(b->p + i, s, n))
      return 1;
  return 0;
}

/* No HEAD request: its response has no page to compare. The method pair
 * is seen whole (short length forms, not cut) in most streams. */
static void test_no_head(void) {
  static const char head[] = "\x0e\x04REQUEST_METHODHEAD",
                    get[] = "\x0e\x03REQUEST_METHODGET";
  size_t gets = 0;
  for (uint64_t i = 0; i < 500; i++) {
    gen_stream s;
    gen_make(1, i, &s);
    gets += contains(&s.bytes, get, sizeof(get) - 1);
    CHECK(!contains(&s.bytes, head, sizeof(head) - 1));
    gen_stream_free(&s);
  }
  CHECK(gets > 100);
}

static void test_script_pad(void) {
  uint8_t out[GEN_PLACEHOLDER_LEN];
  CHECK_EQ(script_pad("/fcgispec", out), 0);
  for (size_t i = 0; i < GEN_PLACEHOLDER_LEN - 8; i++)
    CHECK_EQ(out[i], '/');
  CHECK_BYTES(out + GEN_PLACEHOLDER_LEN - 8, 8, "fcgispec", 8);
  CHECK_EQ(script_pad("scripts/backends/echo.php", out), 0);
  CHECK_BYTES(out, 7, "scripts", 7);
  for (size_t i = 7; i < GEN_PLACEHOLDER_LEN - 17; i++)
    CHECK_EQ(out[i], '/');
  CHECK_BYTES(out + GEN_PLACEHOLDER_LEN - 17, 17, "backends/echo.php", 17);
  CHECK_EQ(script_pad("no-slash", out), -1);
  char long_path[300];
  memset(long_path, 'a', sizeof(long_path));
  long_path[0] = '/';
  long_path[256] = 0;
  CHECK_EQ(script_pad(long_path, out), -1);
}

/* Substitution changes no length: the same records, one placeholder per
 * request replaced, and SCRIPT_FILENAME reads as the padded path. */
static void test_substitution_keeps_lengths(void) {
  uint8_t padded[GEN_PLACEHOLDER_LEN];
  script_pad("/srv/www/echo.php", padded);
  for (uint64_t i = 0; i < STREAMS; i++) {
    gen_stream s;
    gen_make(1, i, &s);
    fcs_err e1, e2;
    bytebuf before = decode(s.bytes.p, s.bytes.len, &e1);
    size_t begins = 0;
    const fcs_header *h = (const fcs_header *)(void *)s.headers.p;
    for (size_t k = 0; k < s.headers.len / sizeof(*h); k++)
      begins += h[k].type == FCS_BEGIN_REQUEST;
    size_t n = script_substitute(s.bytes.p, s.bytes.len, padded);
    bytebuf after = decode(s.bytes.p, s.bytes.len, &e2);
    CHECK_EQ(n, begins);
    CHECK_EQ(e1, e2);
    CHECK_BYTES(before.p, before.len, after.p, after.len);
    fsp_sent sent;
    sent_init(&sent);
    sent_feed(&sent, s.bytes.p, s.bytes.len, NULL, NULL);
    for (size_t k = 0; k < sent.n; k++) {
      size_t pos = 0;
      fcs_nv_pair p;
      const bytebuf *b = &sent.v[k].params;
      while (fcs_nv_next(b->p, b->len, &pos, &p) == FCS_NV_OK)
        if (fcs_nv_name_is(&p, "SCRIPT_FILENAME") &&
            p.value_len == GEN_PLACEHOLDER_LEN)
          CHECK_BYTES(p.value, p.value_len, padded, sizeof(padded));
    }
    sent_free(&sent);
    bytebuf_free(&before);
    bytebuf_free(&after);
    gen_stream_free(&s);
  }
}

int main(int argc, char **argv) {
  const char *only = argc > 1 ? argv[1] : NULL;
  RUN_IF(test_deterministic, only);
  RUN_IF(test_decodes_as_laid_out, only);
  RUN_IF(test_every_mutation_appears, only);
  RUN_IF(test_baselines, only);
  RUN_IF(test_no_head, only);
  RUN_IF(test_script_pad, only);
  RUN_IF(test_substitution_keeps_lengths, only);
  return check_exit(argv[0], only);
}
