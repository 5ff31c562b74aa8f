/* What a proxy case did, for people: the bytes each client sent and the
 * response heads it got, each backend request's params and body, the
 * record layout and broken rules of each backend connection, and a repro
 * line per client that resends its bytes. */
#include <stdio.h>
#include <string.h>

#include "proxy_case.h"

#define SHOW_BYTES 2048 /* bytes shown of one client's writes */
#define SHOW_VALUE 160  /* bytes shown of one param value */
#define SHOW_RECORDS 24 /* records listed per connection */

void px_show_param(const rec_request *q, const bytebuf *name, bytebuf *out) {
  size_t n = 0;
  for (size_t i = 0; i < q->nparams; i++) {
    const rec_param *p = &q->params[i];
    if (p->name.len != name->len || memcmp(p->name.p, name->p, name->len))
      continue;
    if (n++)
      bytebuf_str(out, ", ");
    bytebuf_escape(out, name->p, name->len, 80);
    bytebuf_str(out, "=\"");
    bytebuf_escape(out, p->value.p, p->value.len, SHOW_VALUE);
    bytebuf_byte(out, '"');
  }
  if (!n) {
    bytebuf_escape(out, name->p, name->len, 80);
    bytebuf_str(out, " absent");
  }
}

/* printf's format is the bytes, with % and shell quotes escaped and every
 * byte that is not printable in octal (\ooo, which every printf reads): a
 * line that resends them. */
static void repro(const px_case *pc, const bytebuf *log, bytebuf *out) {
  bytebuf_str(out, "  repro: printf '");
  for (size_t i = 0; i < log->len; i++) {
    uint8_t b = log->p[i];
    if (b == '%')
      bytebuf_str(out, "%%");
    else if (b == '\'')
      bytebuf_str(out, "'\\''");
    else if (b == '\\')
      bytebuf_str(out, "\\\\");
    else if (b < 0x20 || b >= 0x7f)
      bytebuf_fmt(out, "\\%03o", b);
    else
      bytebuf_byte(out, b);
  }
  if (pc->env->proxy.is_unix)
    bytebuf_fmt(out, "' | timeout 5 nc -U %s\n", pc->env->proxy.path);
  else
    bytebuf_fmt(out, "' | timeout 5 nc %s %s\n", pc->env->proxy.host,
                pc->env->proxy.port);
}

/* How a response's body was delimited, and how many header lines it had:
 * what sets one response's shape apart from another's. */
static void show_shape(const http_response *h, bytebuf *out) {
  static const char *const framing[] = {"no body", "content-length", "chunked",
                                        "close-delimited"};
  size_t lines = 0;
  for (size_t i = 0; i < h->head.len; i++)
    lines += h->head.p[i] == '\n';
  /* the status line and the blank line are no header lines */
  bytebuf_fmt(out, ", %s, %zu header lines", framing[h->framing],
              lines >= 2 ? lines - 2 : 0);
}

/* The responses on client i's connection g, and how it ended. */
static void show_responses(int i, unsigned g, const http_conn *c,
                           bytebuf *out) {
  char who[48];
  if (g)
    snprintf(who, sizeof who, "client %d (connection %u)", i + 1, g + 1);
  else
    snprintf(who, sizeof who, "client %d", i + 1);
  for (size_t r = 0; r < c->nresp; r++) {
    const http_response *h = &c->resp[r];
    const uint8_t *nl = memchr(h->head.p, '\n', h->head.len);
    size_t line = nl ? (size_t)(nl - h->head.p) : h->head.len;
    if (line && h->head.p[line - 1] == '\r')
      line--;
    bytebuf_fmt(out, "  %s response %zu: ", who, r + 1);
    bytebuf_escape(out, h->head.p, line, 200);
    bytebuf_fmt(out, " (body %llu bytes", (unsigned long long)h->body_total);
    show_shape(h, out);
    bytebuf_str(out, h->complete ? ")\n" : ", incomplete)\n");
  }
  if (c->error[0])
    bytebuf_fmt(out, "  %s: %s\n", who, c->error);
  if (c->eof)
    bytebuf_fmt(out, "  %s: the proxy closed the connection\n", who);
}

static void show_clients(const px_case *pc, bytebuf *out) {
  for (int i = 0; i < PX_CLIENTS; i++) {
    const px_client *cl = &pc->cl[i];
    if (!cl->used)
      continue;
    bytebuf_fmt(out, "  client %d sent %zu bytes: \"", i + 1, cl->log.len);
    bytebuf_escape(out, cl->log.p, cl->log.len, SHOW_BYTES);
    bytebuf_str(out, "\"\n");
    for (unsigned g = 0; g <= cl->gen; g++)
      show_responses(i, g, g < cl->gen ? &cl->past[g] : &cl->h, out);
    if (cl->log.len < 4096)
      repro(pc, &cl->log, out);
  }
}

static void show_request(const rec_request *q, size_t n, bytebuf *out) {
  bytebuf_fmt(
      out,
      "  backend request %zu (connection %zu, id %u, role %u, flags %u): "
      "%zu params in %zu PARAMS records, STDIN %llu bytes in %zu "
      "records%s%s%s%s\n",
      n, q->conn + 1, q->id, q->role, q->flags, q->nparams, q->params_records,
      (unsigned long long)q->in_total, q->in_records,
      q->in_done ? ", ended" : ", not ended", q->aborted ? ", aborted" : "",
      q->cut ? ", cut by a close" : "",
      q->scripted   ? ", answered by the case's reply lines"
      : q->answered ? ""
                    : ", not answered");
  for (size_t i = 0; i < q->nparams; i++) {
    const rec_param *p = &q->params[i];
    bytebuf_str(out, "    ");
    bytebuf_escape(out, p->name.p, p->name.len, 80);
    bytebuf_str(out, "=\"");
    bytebuf_escape(out, p->value.p, p->value.len, SHOW_VALUE);
    bytebuf_fmt(out, "\"%s%s\n", p->straddles ? " (straddles records)" : "",
                p->name_long || p->value_long ? " (4-byte length)" : "");
  }
}

static void show_conn(const rec_conn *c, size_t n, bytebuf *out) {
  bytebuf_fmt(out, "  backend connection %zu: %llu bytes, %zu records%s:", n,
              (unsigned long long)c->bytes, c->nrecords,
              c->closed ? (c->closed_by_us ? ", closed by us"
                                           : ", closed by the "
                                             "proxy")
                        : ", open");
  for (size_t i = 0; i < c->nrecords && i < SHOW_RECORDS; i++)
    bytebuf_fmt(out, " %u/%u/%u+%u", c->records[i].type, c->records[i].id,
                c->records[i].clen, c->records[i].padding);
  bytebuf_str(out, c->nrecords > SHOW_RECORDS ? " ...\n" : "\n");
  if (c->nviolations) {
    bytebuf_fmt(out, "  broken rules (%zu):\n", c->nviolations);
    bytebuf_add(out, c->violations.p, c->violations.len);
  }
}

void px_trace(const px_case *pc, const rec_state *rs, bytebuf *out) {
  show_clients(pc, out);
  if (rs->nreqs == pc->req_from)
    bytebuf_str(out, "  no request reached the backend\n");
  for (size_t i = pc->req_from; i < rs->nreqs; i++)
    show_request(&rs->reqs[i], i - pc->req_from + 1, out);
  for (size_t c = 0; c < rs->nconns; c++)
    if (px_case_conn(pc, rs, c))
      show_conn(&rs->conns[c], c + 1, out);
  bytebuf_str(out, "  records: TYPE/ID/CONTENT+PADDING\n");
}
