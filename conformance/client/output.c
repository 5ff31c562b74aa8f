#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "write_out.h"

/* One line of fcgi-curl's own on stderr, after any FCGI_STDERR text that
 * did not end its line. */
static void say(const output *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(const output *out, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  verbose_break(out->v);
  fputs("fcgi-curl: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

/* O_EXCL first: the file is made here, or an existing regular file is
 * left alone unless --force. What is not a regular file (/dev/null, a
 * pipe) holds nothing to lose, and is written to. */
static int open_file(output *out, const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  int exists = fd < 0 && errno == EEXIST;
  out->created = fd >= 0;
  struct stat st;
  int regular = exists && stat(path, &st) == 0 && S_ISREG(st.st_mode);
  if (regular && !out->o->force)
    return usage_error("-o %s: the file exists; --force overwrites it", path);
  if (exists)
    fd = open(path, O_WRONLY | (regular ? O_TRUNC : 0) | O_CLOEXEC);
  if (fd < 0 || !(out->to = fdopen(fd, "wb"))) {
    say(out, "cannot write %s: %s", path, strerror(errno));
    if (fd >= 0)
      close(fd);
    return EXIT_WRITE;
  }
  return -1;
}

int output_open(output *out, const opts *o, outcome *r, verbose *v) {
  memset(out, 0, sizeof(*out));
  out->o = o;
  out->r = r;
  out->v = v;
  out->to = stdout;
  return o->out_file ? open_file(out, o->out_file) : -1;
}

static void write_failure(output *out) {
  if (!out->write_failed)
    say(out, "cannot write %s: %s", out->o->out_file, strerror(errno));
  out->write_failed = 1;
}

static void write_reply(output *out, const uint8_t *p, size_t n) {
  if (out->quiet || n == 0)
    return;
  if (out->o->json) {
    bytebuf_add(&out->json.body, p, n);
    return;
  }
  if (fwrite(p, 1, n, out->to) != n && out->o->out_file)
    write_failure(out);
  out->written += n;
}

static void body(output *out, const uint8_t *p, size_t n) {
  out->r->body_bytes += n;
  if (!out->o->head_only)
    write_reply(out, p, n);
}

/* The header block ended, or turned out not to be one. */
static void head_decided(output *out) {
  cgi_head *h = &out->r->head;
  out->quiet = !out->o->json && out->o->fail && h->status >= 400;
  if (h->state == CGI_HEAD_INVALID) {
    if (!out->o->json)
      say(out,
          "warning: the reply is not a CGI response: %s; all of STDOUT is "
          "taken as the body",
          h->why);
    body(out, h->block.p, h->block.len);
  } else if (out->o->include_head || out->o->head_only) {
    write_reply(out, h->block.p, h->block.len);
  }
}

void output_stdout(output *out, const uint8_t *p, size_t n) {
  cgi_head *h = &out->r->head;
  if (h->state == CGI_HEAD_NONE || h->state == CGI_HEAD_READING) {
    size_t used = cgi_head_feed(h, p, n);
    if (h->state == CGI_HEAD_READING)
      return;
    head_decided(out);
    p += used, n -= used;
  }
  body(out, p, n);
}

void output_stderr(output *out, const uint8_t *p, size_t n) {
  if (out->o->json)
    bytebuf_add(&out->json.err_text, p, n);
  else
    verbose_stderr(out->v, p, n);
}

void output_warning(output *out, const fcs_error *e) {
  if (out->o->json) {
    bytebuf_add(&out->json.warnings, e, sizeof(*e));
    return;
  }
  say(out,
      "warning: the backend broke a FastCGI rule: %s at byte "
      "%llu (record %llu, id %u): %s",
      fcs_err_name(e->code), (unsigned long long)e->offset,
      (unsigned long long)e->record, e->request_id, fcs_err_message(e->code));
}

void output_error(output *out, int failure, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out->r->error, sizeof(out->r->error), fmt, ap);
  va_end(ap);
  out->r->failure = failure;
  say(out, "%s", out->r->error);
}

int output_close(output *out) {
  outcome *r = out->r;
  cgi_head_state was = r->head.state;
  cgi_head_finish(&r->head, outcome_completed(r));
  if (was != r->head.state)
    head_decided(out);
  if (out->o->json)
    json_out_print(out->to, r, &out->json);
  if (out->o->out_file && fclose(out->to) != 0)
    write_failure(out);
  int rc = outcome_exit_status(r, out->o->fail, out->write_failed);
  if (rc == EXIT_HTTP_ERROR)
    say(out, "the reply's Status is %d (--fail)", outcome_status(r));
  /* A file made here that got nothing from a failed exchange is removed,
   * so a failed health check leaves no empty file behind. */
  if (out->created && out->written == 0 && !out->o->json && rc != 0)
    unlink(out->o->out_file);
  if (out->o->write_out)
    write_out_print(stdout, out->o->write_out, r);
  fflush(stdout);
  json_parts_free(&out->json);
  return rc;
}
