#include "echo_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "echo_format.h"

/* A cursor over the echo output. */
typedef struct cursor {
  const char *p, *end;
} cursor;

/* The next line without its "\n"; 0 when there is none. */
static int next_line(cursor *c, const char **line, size_t *len) {
  const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
  if (!nl)
    return 0;
  *line = c->p;
  *len = (size_t)(nl - c->p);
  c->p = nl + 1;
  return 1;
}

/* Reads "<tag><decimal>\n". */
static int tagged_count(cursor *c, const char *tag, unsigned long *n) {
  const char *line;
  size_t len, tlen = strlen(tag);
  char digits[24];
  if (!next_line(c, &line, &len) || len <= tlen || len - tlen >= 24 ||
      memcmp(line, tag, tlen) != 0)
    return 0;
  memcpy(digits, line + tlen, len - tlen);
  digits[len - tlen] = 0;
  char *stop;
  *n = strtoul(digits, &stop, 10);
  return *stop == 0;
}

/* The CGI headers end at the first empty line ("\r\n\r\n" or "\n\n"). */
static int skip_headers(cursor *c) {
  const char *line;
  size_t len;
  while (next_line(c, &line, &len))
    if (len == 0 || (len == 1 && line[0] == '\r'))
      return 1;
  return 0;
}

static int has_line(const char *lines, const char *end, const fcs_nv_pair *p) {
  cursor c = {lines, end};
  const char *line;
  size_t len;
  while (next_line(&c, &line, &len))
    if (len == (size_t)p->name_len + 1 + p->value_len &&
        memcmp(line, p->name, p->name_len) == 0 && line[p->name_len] == '=' &&
        memcmp(line + p->name_len + 1, p->value, p->value_len) == 0)
      return 1;
  return 0;
}

static int check_params(const char *label, const char *lines, const char *end,
                        const fcs_nv_pair *params, size_t nparams) {
  int problems = 0;
  for (size_t i = 0; i < nparams; i++) {
    if (has_line(lines, end, &params[i]))
      continue;
    problems++;
    printf("FAIL %s: param %.*s (value of %u bytes) did not come back "
           "unchanged\n",
           label, (int)params[i].name_len, (const char *)params[i].name,
           params[i].value_len);
  }
  return problems;
}

static int check_body(const char *label, cursor *c, const uint8_t *body,
                      size_t body_len) {
  unsigned long n;
  if (!tagged_count(c, ECHO_STDIN_TAG, &n)) {
    printf("FAIL %s: no '" ECHO_STDIN_TAG "<length>' line after the params\n",
           label);
    return 1;
  }
  size_t left = (size_t)(c->end - c->p);
  if (n != body_len || left != body_len) {
    printf(
        "FAIL %s: body of %zu bytes sent; the echo says %lu and carries %zu\n",
        label, body_len, n, left);
    return 1;
  }
  for (size_t i = 0; i < body_len; i++) {
    if ((uint8_t)c->p[i] != body[i]) {
      printf(
          "FAIL %s: body differs first at byte %zu (sent 0x%02x, got 0x%02x)\n",
          label, i, body[i], (uint8_t)c->p[i]);
      return 1;
    }
  }
  return 0;
}

int echo_check(const char *label, const interop_buf *stdout_bytes,
               const fcs_nv_pair *params, size_t nparams, const uint8_t *body,
               size_t body_len) {
  if (stdout_bytes->len == 0) {
    printf("FAIL %s: STDOUT is empty\n", label);
    return 1;
  }
  const char *text = (const char *)stdout_bytes->data;
  cursor c = {text, text + stdout_bytes->len};
  unsigned long n;
  if (!skip_headers(&c)) {
    printf("FAIL %s: STDOUT has no CGI header block (%zu bytes)\n", label,
           stdout_bytes->len);
    return 1;
  }
  if (!tagged_count(&c, ECHO_PARAMS_TAG, &n)) {
    printf("FAIL %s: no '" ECHO_PARAMS_TAG "<count>' line after the headers\n",
           label);
    return 1;
  }
  const char *lines = c.p, *line;
  size_t len;
  for (unsigned long i = 0; i < n; i++) {
    if (!next_line(&c, &line, &len)) {
      printf("FAIL %s: the echo announces %lu params but holds %lu lines\n",
             label, n, i);
      return 1;
    }
  }
  return check_params(label, lines, c.p, params, nparams) +
         check_body(label, &c, body, body_len);
}
