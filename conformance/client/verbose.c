#include "verbose.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"

void verbose_init(verbose *v, int on, int64_t t0_us) {
  memset(v, 0, sizeof(*v));
  v->on = on;
  v->t0_us = t0_us;
}

void verbose_break(verbose *v) {
  if (v->mid_line)
    fputc('\n', stderr);
  v->mid_line = 0;
}

/* "D [S.mmm] " */
static void start(verbose *v, char dir) {
  verbose_break(v);
  int64_t us = now_us() - v->t0_us;
  fprintf(stderr, "%c [%lld.%03lld] ", dir, (long long)(us / 1000000),
          (long long)(us / 1000 % 1000));
}

void verbose_note(verbose *v, const char *fmt, ...) {
  if (!v->on)
    return;
  va_list ap;
  va_start(ap, fmt);
  start(v, '*');
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static void escaped(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p == '\\')
      fputs("\\\\", stderr);
    else if (*p < 0x20 || *p >= 0x7f)
      fprintf(stderr, "\\x%02x", *p);
    else
      fputc(*p, stderr);
}

void verbose_params(verbose *v, const fsp_params *p) {
  if (!v->on)
    return;
  start(v, '>');
  fprintf(stderr, "params (%zu):\n", p->n);
  for (size_t i = 0; i < p->n; i++) {
    fputs(">   ", stderr);
    escaped(p->names[i]);
    fputc('=', stderr);
    escaped(p->values[i]);
    fputc('\n', stderr);
  }
}

void verbose_record(verbose *v, char dir, const fcs_header *h) {
  if (!v->on)
    return;
  start(v, dir);
  fprintf(stderr, "%s", fcs_type_name(h->type));
  if (!fcs_type_is_known(h->type))
    fprintf(stderr, " type=%u", h->type);
  fprintf(stderr, " id=%u content=%u padding=%u", h->request_id,
          h->content_length, h->padding_length);
  if (h->version != FCS_VERSION_1)
    fprintf(stderr, " version=%u", h->version);
  fputc('\n', stderr);
}

void verbose_end_request(verbose *v, const fcs_end_body *e) {
  if (v->on) {
    verbose_break(v);
    fprintf(stderr, "<   appStatus=%" PRIu32 " protocolStatus=%u (%s)\n",
            e->app_status, e->protocol_status,
            fcs_protocol_status_name(e->protocol_status));
  }
}

void verbose_stderr(verbose *v, const uint8_t *p, size_t n) {
  if (!v->on && n > 0) {
    fwrite(p, 1, n, stderr);
    v->mid_line = p[n - 1] != '\n';
    return;
  }
  for (size_t i = 0; i < n; i++) {
    if (!v->mid_line)
      fputs("stderr: ", stderr);
    v->mid_line = p[i] != '\n';
    fputc(p[i], stderr);
  }
}
