#include "json_out.h"

#include <inttypes.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at p (RFC 3629 section 4), or 0. */
static size_t utf8_len(const uint8_t *p, size_t n) {
  uint8_t c = p[0], lo = 0x80, hi = 0xbf;
  size_t len;
  if (c >= 0xc2 && c <= 0xdf)
    len = 2;
  else if (c >= 0xe0 && c <= 0xef)
    len = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
  else if (c >= 0xf0 && c <= 0xf4)
    len = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
  else
    return 0;
  if (n < len || p[1] < lo || p[1] > hi)
    return 0;
  for (size_t i = 2; i < len; i++)
    if (p[i] < 0x80 || p[i] > 0xbf)
      return 0;
  return len;
}

int json_string(FILE *f, const uint8_t *p, size_t n) {
  static const char named[] = "\"\"\\\\\bb\ff\nn\rr\tt";
  int utf8 = 1;
  fputc('"', f);
  for (size_t i = 0; i < n;) {
    uint8_t c = p[i];
    const char *e = c ? memchr(named, c, sizeof(named) - 1) : NULL;
    size_t len;
    if (e && (e - named) % 2 == 0) {
      fputc('\\', f);
      fputc(e[1], f);
      i++;
    } else if (c >= 0x20 && c < 0x80) {
      fputc(c, f);
      i++;
    } else if (c >= 0x80 && (len = utf8_len(p + i, n - i)) > 0) {
      fwrite(p + i, 1, len, f);
      i += len;
    } else {
      utf8 &= c < 0x80;
      fprintf(f, "\\u%04x", c);
      i++;
    }
  }
  fputc('"', f);
  return utf8;
}

static void cstring(FILE *f, const char *s) {
  json_string(f, (const uint8_t *)s, strlen(s));
}

static void seconds(FILE *f, int64_t us) {
  if (us < 0)
    fputs("null", f);
  else
    fprintf(f, "%.6f", (double)us / 1e6);
}

static void headers(FILE *f, const cgi_head *h) {
  fputc('[', f);
  for (size_t i = 0; h->state == CGI_HEAD_DONE && i < cgi_head_count(h); i++) {
    const cgi_field *c = cgi_head_field(h, i);
    fputs(i ? ", [" : "[", f);
    json_string(f, h->block.p + c->name, c->name_len);
    fputs(", ", f);
    json_string(f, h->block.p + c->value, c->value_len);
    fputc(']', f);
  }
  fputc(']', f);
}

static void warnings(FILE *f, const bytebuf *w) {
  const fcs_error *e = (const fcs_error *)w->p;
  size_t n = w->len / sizeof(*e);
  fputc('[', f);
  for (size_t i = 0; i < n; i++) {
    fprintf(f, "%s{\"rule\": ", i ? ", " : "");
    cstring(f, fcs_err_name(e[i].code));
    fprintf(f,
            ", \"byte\": %" PRIu64 ", \"record\": %" PRIu64
            ", \"id\": %u, \"message\": ",
            e[i].offset, e[i].record, e[i].request_id);
    cstring(f, fcs_err_message(e[i].code));
    fputc('}', f);
  }
  fputc(']', f);
}

void json_out_print(FILE *f, const outcome *r, const json_parts *j) {
  int status = outcome_status(r);
  fputs("{\"status\": ", f);
  if (status)
    fprintf(f, "%d", status);
  else
    fputs("null", f);
  fputs(", \"headers\": ", f);
  headers(f, &r->head);
  fputs(", \"body\": ", f);
  int utf8 = json_string(f, j->body.p, j->body.len);
  fprintf(f, ", \"bodyIsUtf8\": %s, \"stderr\": ", utf8 ? "true" : "false");
  json_string(f, j->err_text.p, j->err_text.len);
  if (r->ended)
    fprintf(f,
            ", \"appStatus\": %" PRIu32
            ", \"protocolStatus\": %u, \"protocolStatusName\": \"%s\"",
            r->end.app_status, r->end.protocol_status,
            fcs_protocol_status_name(r->end.protocol_status));
  else
    fputs(", \"appStatus\": null, \"protocolStatus\": null, "
          "\"protocolStatusName\": null",
          f);
  fputs(", \"warnings\": ", f);
  warnings(f, &j->warnings);
  fputs(", \"cgiError\": ", f);
  if (r->head.state == CGI_HEAD_INVALID)
    cstring(f, r->head.why);
  else
    fputs("null", f);
  fputs(", \"error\": ", f);
  if (r->error[0])
    cstring(f, r->error);
  else
    fputs("null", f);
  fputs(", \"timings\": {\"connect\": ", f);
  seconds(f, r->t.connect);
  fputs(", \"starttransfer\": ", f);
  seconds(f, r->t.first_byte);
  fputs(", \"total\": ", f);
  seconds(f, r->t.total);
  fputs("}}\n", f);
}

void json_parts_free(json_parts *j) {
  bytebuf_free(&j->body);
  bytebuf_free(&j->err_text);
  bytebuf_free(&j->warnings);
}
