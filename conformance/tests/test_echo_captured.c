/* Echo pages captured from the real echo apps of scripts/backends
 * (conformance/tests/data/echo, written by capture.sh there): each app's
 * format is learnt from its probe page, and its page of an awkward request
 * is compared with what was sent. The findings are each app's own
 * behaviour, listed and explained below.
 *   test_echo_captured DATA_DIR */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "echo_view.h"
#include "fcs/proto.h"
#include "integrity.h"
#include "xalloc.h"

static const char *data_dir;

static bytebuf slurp(const char *name) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", data_dir, name);
  bytebuf b = {0};
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  uint8_t chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    bytebuf_add(&b, chunk, n);
  fclose(f);
  return b;
}

/* What fcgi-curl sent: the reference responder's exact line echo of it,
 * with the SCRIPT_FILENAME the app was sent (capture.sh sends each app
 * the one its start script names). */
typedef struct sent {
  echo_view view;
  fcs_nv_pair *pairs;
  sent_request rq;
} sent;

static void load_sent(const char *name, const char *script, sent *s) {
  bytebuf page = slurp(name), why = {0};
  echo_hint lines = {.format = ECHO_LINES};
  if (echo_decode(&lines, page.p, page.len, &s->view, &why) < 0) {
    fprintf(stderr, "%s: %.*s\n", name, (int)why.len, (const char *)why.p);
    exit(1);
  }
  size_t n = echo_view_count(&s->view);
  s->pairs = xcalloc(n, sizeof *s->pairs);
  for (size_t i = 0; i < n; i++) {
    const echo_pair *p = echo_view_pair(&s->view, i);
    s->pairs[i] = (fcs_nv_pair){p->name.bytes.p, (uint32_t)p->name.bytes.len,
                                p->value.bytes.p, (uint32_t)p->value.bytes.len};
    if (echo_str_is(&p->name, "SCRIPT_FILENAME", 15)) {
      s->pairs[i].value = (const uint8_t *)script;
      s->pairs[i].value_len = (uint32_t)strlen(script);
    }
  }
  s->rq = (sent_request){s->view.request_id,
                         FCS_RESPONDER,
                         s->pairs,
                         n,
                         s->view.in.bytes.bytes.p,
                         s->view.in.bytes.bytes.len,
                         NULL,
                         0};
  bytebuf_free(&page);
  bytebuf_free(&why);
}

static void free_sent(sent *s) {
  echo_view_free(&s->view);
  free(s->pairs);
}

/* One app: its capture name, the SCRIPT_FILENAME it was sent, the format
 * it is learnt as, its checks that cannot be made on the awkward request
 * (names it hides or rewrites, values it cannot show exactly) and its
 * findings there. */
typedef struct app {
  const char *name, *script;
  echo_format format;
  size_t unchecked;
  const char *findings[4];
} app;

#define SRV(file) "/srv/fcgispec/" file

static const app apps[] = {
    {"responder", "/fcgispec", ECHO_LINES, 0, {NULL}},
    {"php-fpm", SRV("echo.php"), ECHO_LINES, 0, {NULL}},
    /* json_encode writes the bytes that are not UTF-8 (BIN's, the body's)
     * as U+FFFD: not comparable. */
    {"php-fpm-json", SRV("echo-json.php"), ECHO_JSON, 2, {NULL}},
    {"php-fpm-php-var-dump",
     SRV("echo-var-dump.php"),
     ECHO_PHP_VAR_DUMP,
     0,
     {NULL}},
    {"php-fpm-php-print-r",
     SRV("echo-print-r.php"),
     ECHO_PHP_PRINT_R,
     0,
     {NULL}},
    {"fcgiwrap", SRV("echo.cgi"), ECHO_LINES, 0, {NULL}},
    {"libfcgi", "/fcgispec", ECHO_LINES, 0, {NULL}},
    /* net/http/fcgi turns six CGI params into the request, and the app
     * shows r.RequestURI, which is empty: hidden, and rewritten. */
    {"go", "/fcgispec", ECHO_LINES, 7, {NULL}},
    {"perl-fcgi", "/fcgispec", ECHO_LINES, 0, {NULL}},
    {"anyevent-fcgi", "/fcgispec", ECHO_LINES, 0, {NULL}},
    {"mojo-fastcgi", "/fcgispec", ECHO_LINES, 0, {NULL}},
    {"net-async-fastcgi", "/fcgispec", ECHO_LINES, 0, {NULL}},
    {"net-async-fastcgi-json", "/fcgispec", ECHO_JSON, 0, {NULL}},
    {"net-async-fastcgi-printenv", "/fcgispec", ECHO_PRINTENV, 0, {NULL}},
    /* node-fastcgi and Mono's server decode params as UTF-8: BIN's 0x80 and
     * 0xFF reach the app as U+FFFD, which the echo writes as its UTF-8. */
    {"node-fastcgi",
     "/fcgispec",
     ECHO_LINES,
     0,
     {"value of BIN changed at byte 3"}},
    {"ruby-fcgi", "/fcgispec", ECHO_LINES, 0, {NULL}},
    {"uwsgi", "/fcgispec", ECHO_LINES, 0, {NULL}},
    {"mono-fastcgi",
     "/fcgispec",
     ECHO_LINES,
     0,
     {"value of BIN changed at byte 3"}},
};

static void check_app(const app *a) {
  sent probe, awkward;
  load_sent("responder-probe.out", a->script, &probe);
  load_sent("responder-awkward.out", a->script, &awkward);
  char name[256];
  snprintf(name, sizeof name, "%s-probe.out", a->name);
  bytebuf page = slurp(name), why = {0};
  echo_probe ep = {"FCGISPEC_PROBE", "tok-capture", probe.rq.in,
                   probe.rq.in_len,  NULL,          0};
  echo_hint h;
  echo_format f = echo_learn(page.p, page.len, &ep, &h, &why);
  if (f != a->format || !h.body_shown) {
    fprintf(stderr, "  %s: learnt %s, body shown %d: %.*s\n", a->name,
            echo_format_name(f), h.body_shown, (int)why.len,
            (const char *)why.p);
    check_failures++;
  }
  echo_view v;
  why.len = 0;
  CHECK_EQ(echo_decode(&h, page.p, page.len, &v, &why), 0);
  echo_quirks q;
  echo_quirks_learn(&probe.rq, &v, &q);
  echo_view_free(&v);
  bytebuf_free(&page);

  snprintf(name, sizeof name, "%s-awkward.out", a->name);
  page = slurp(name);
  why.len = 0;
  if (echo_decode(&h, page.p, page.len, &v, &why) < 0) {
    fprintf(stderr, "  %s: %.*s\n", a->name, (int)why.len, (const char *)why.p);
    check_failures++;
  }
  integrity_report r;
  integrity_check(&awkward.rq, &v, &q, &probe.rq, 1, &r);
  size_t want = 0;
  while (want < 4 && a->findings[want])
    want++;
  int same = integrity_count(&r) == want;
  for (size_t i = 0; same && i < want; i++) {
    const bytebuf *t = &integrity_at(&r, i)->text;
    same = t->len == strlen(a->findings[i]) &&
           !memcmp(t->p, a->findings[i], t->len);
  }
  if (!same || r.unchecked != a->unchecked) {
    fprintf(stderr, "  %s: %zu checks not made, findings:\n", a->name,
            r.unchecked);
    for (size_t i = 0; i < integrity_count(&r); i++)
      fprintf(stderr, "    \"%.*s\"\n", (int)integrity_at(&r, i)->text.len,
              (const char *)integrity_at(&r, i)->text.p);
    check_failures++;
  }
  bytebuf summary = {0};
  integrity_summary(&r, &summary);
  fprintf(stderr, "  %-28s %s: %.*s\n", a->name, echo_format_name(f),
          (int)summary.len, (const char *)summary.p);
  bytebuf_free(&summary);
  integrity_report_free(&r);
  echo_quirks_free(&q);
  echo_view_free(&v);
  bytebuf_free(&page);
  bytebuf_free(&why);
  free_sent(&probe);
  free_sent(&awkward);
}

static void test_captured_apps(void) {
  for (size_t i = 0; i < sizeof apps / sizeof apps[0]; i++)
    check_app(&apps[i]);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  data_dir = argv[1];
  RUN(test_captured_apps);
  if (check_failures)
    fprintf(stderr, "%d check(s) failed\n", check_failures);
  return check_failures ? 1 : 0;
}
