#include "integrity.h"

#include <stdlib.h>
#include <string.h>

#include "fcs/proto.h"
#include "fcs_crc32.h"
#include "xalloc.h"

/* Bytes of a name written into a finding; longer names are cut. */
#define NAME_SHOWN_MAX 64

static bytebuf *finding(integrity_report *r, integrity_kind kind) {
  integrity_finding f = {kind, {0}};
  bytebuf_add(&r->findings, &f, sizeof f);
  return &((integrity_finding *)(void *)r->findings.p)[integrity_count(r) - 1]
              .text;
}

/* Printable ASCII as it is; other bytes, and '%', as %XX. */
static void put_name(bytebuf *out, const uint8_t *p, size_t n) {
  size_t shown = n < NAME_SHOWN_MAX ? n : NAME_SHOWN_MAX;
  for (size_t i = 0; i < shown; i++) {
    if (p[i] < 0x21 || p[i] > 0x7e || p[i] == '%')
      bytebuf_fmt(out, "%%%02X", p[i]);
    else
      bytebuf_byte(out, p[i]);
  }
  if (shown < n)
    bytebuf_str(out, "...");
}

static void put_list_name(bytebuf *list, const uint8_t *p, size_t n) {
  if (list->len)
    bytebuf_str(list, ", ");
  put_name(list, p, n);
}

static int same_name(const fcs_nv_pair *a, const fcs_nv_pair *b) {
  return a->name_len == b->name_len && !memcmp(a->name, b->name, a->name_len);
}

/* 1 when rq sent value for p's name. */
static int sent_value(const sent_request *rq, const fcs_nv_pair *p,
                      const echo_str *value) {
  for (size_t i = 0; i < rq->npairs; i++)
    if (same_name(&rq->pairs[i], p) &&
        echo_str_is(value, rq->pairs[i].value, rq->pairs[i].value_len))
      return 1;
  return 0;
}

static int sent_name(const sent_request *rq, const echo_str *name) {
  for (size_t i = 0; i < rq->npairs; i++)
    if (echo_str_is(name, rq->pairs[i].name, rq->pairs[i].name_len))
      return 1;
  return 0;
}

/* The index of the first other request that sent this name with this
 * value, or nothers. */
static size_t crossed_from(const sent_request *others, size_t nothers,
                           const echo_str *name, const echo_str *value) {
  for (size_t k = 0; k < nothers; k++)
    for (size_t i = 0; i < others[k].npairs; i++) {
      const fcs_nv_pair *s = &others[k].pairs[i];
      if (echo_str_is(name, s->name, s->name_len) &&
          echo_str_is(value, s->value, s->value_len))
        return k;
    }
  return nothers;
}

/* "cut" when the shown value is a prefix of the closest value sent for the
 * name, else "changed" where they part. */
static void value_differs(integrity_report *r, const sent_request *rq,
                          const fcs_nv_pair *p, const echo_str *shown) {
  size_t best = 0, best_shown = 0, best_sent = 0;
  int first = 1;
  for (size_t i = 0; i < rq->npairs; i++) {
    const fcs_nv_pair *s = &rq->pairs[i];
    if (!same_name(s, p))
      continue;
    size_t shown_len;
    size_t common = echo_str_common(shown, s->value, s->value_len, &shown_len);
    if (first || common > best) {
      best = common, best_shown = shown_len, best_sent = s->value_len;
      first = 0;
    }
  }
  int cut = best == best_shown && best_shown < best_sent;
  bytebuf *t = finding(r, cut ? INTEGRITY_VALUE_CUT : INTEGRITY_VALUE_CHANGED);
  bytebuf_str(t, "value of ");
  put_name(t, p->name, p->name_len);
  bytebuf_fmt(t, " %s at byte %zu", cut ? "cut" : "changed", best);
}

/* The values the page shows for the sent name of p. */
static void check_values(integrity_report *r, const sent_request *rq,
                         const fcs_nv_pair *p, const echo_view *v,
                         const echo_quirks *q, const sent_request *others,
                         size_t nothers, bytebuf *crossed) {
  int matched = 0;
  for (size_t i = 0; i < echo_view_count(v); i++) {
    const echo_pair *e = echo_view_pair(v, i);
    matched |= echo_str_is(&e->name, p->name, p->name_len) &&
               sent_value(rq, p, &e->value);
  }
  /* A name the application also sets itself: its own value may show too. */
  int own_values = matched && echo_names_has(&q->added, p->name, p->name_len);
  int rewrites = echo_names_has(&q->rewritten, p->name, p->name_len);
  for (size_t i = 0; i < echo_view_count(v); i++) {
    const echo_pair *e = echo_view_pair(v, i);
    if (!echo_str_is(&e->name, p->name, p->name_len))
      continue;
    if (sent_value(rq, p, &e->value)) {
      r->checked++;
    } else if (own_values) {
      continue;
    } else if (rewrites || e->value.inexact) {
      r->unchecked++;
      r->not_comparable += !rewrites;
    } else {
      r->checked++;
      size_t k = crossed_from(others, nothers, &e->name, &e->value);
      if (k < nothers)
        put_list_name(&crossed[k], p->name, p->name_len);
      else
        value_differs(r, rq, p, &e->value);
    }
  }
}

static int first_of_name(const sent_request *rq, size_t i) {
  for (size_t j = 0; j < i; j++)
    if (same_name(&rq->pairs[j], &rq->pairs[i]))
      return 0;
  return 1;
}

static int shows_name(const echo_view *v, const fcs_nv_pair *p) {
  for (size_t i = 0; i < echo_view_count(v); i++)
    if (echo_str_is(&echo_view_pair(v, i)->name, p->name, p->name_len))
      return 1;
  return 0;
}

/* A name the page could not show exactly, matching no sent name: one of
 * the names that seem lost may be it. */
static int unreadable_names(const sent_request *rq, const echo_view *v) {
  for (size_t i = 0; i < echo_view_count(v); i++) {
    const echo_pair *e = echo_view_pair(v, i);
    if (e->name.inexact && !sent_name(rq, &e->name))
      return 1;
  }
  return 0;
}

static void check_sent_names(integrity_report *r, const sent_request *rq,
                             const echo_view *v, const echo_quirks *q,
                             const sent_request *others, size_t nothers,
                             bytebuf *crossed) {
  bytebuf lost = {0};
  int unreadable = unreadable_names(rq, v);
  for (size_t i = 0; i < rq->npairs; i++) {
    const fcs_nv_pair *p = &rq->pairs[i];
    if (!first_of_name(rq, i))
      continue;
    if (echo_names_has(&q->hidden, p->name, p->name_len)) {
      r->unchecked++;
    } else if (shows_name(v, p)) {
      check_values(r, rq, p, v, q, others, nothers, crossed);
    } else if (unreadable) {
      r->unchecked++;
      r->not_comparable++;
    } else {
      r->checked++;
      put_list_name(&lost, p->name, p->name_len);
    }
  }
  if (lost.len) {
    bytebuf *t = finding(r, INTEGRITY_PARAMS_LOST);
    bytebuf_str(t, "params lost: ");
    bytebuf_add(t, lost.p, lost.len);
  }
  bytebuf_free(&lost);
}

static int shown_before(const echo_view *v, size_t i) {
  const echo_str *name = &echo_view_pair(v, i)->name;
  for (size_t j = 0; j < i; j++)
    if (echo_str_is(&echo_view_pair(v, j)->name, name->bytes.p,
                    name->bytes.len))
      return 1;
  return 0;
}

/* Names the page shows that were not sent and are not the application's
 * own. */
static void check_shown_names(integrity_report *r, const sent_request *rq,
                              const echo_view *v, const echo_quirks *q,
                              const sent_request *others, size_t nothers,
                              bytebuf *crossed) {
  for (size_t i = 0; i < echo_view_count(v); i++) {
    const echo_pair *e = echo_view_pair(v, i);
    if (e->name.inexact || sent_name(rq, &e->name) ||
        echo_names_has(&q->added, e->name.bytes.p, e->name.bytes.len) ||
        shown_before(v, i))
      continue;
    r->checked++;
    size_t k = crossed_from(others, nothers, &e->name, &e->value);
    if (k < nothers) {
      put_list_name(&crossed[k], e->name.bytes.p, e->name.bytes.len);
    } else {
      bytebuf *t = finding(r, INTEGRITY_INJECTED);
      bytebuf_str(t, "param ");
      put_name(t, e->name.bytes.p, e->name.bytes.len);
      bytebuf_str(t, " injected");
    }
  }
}

static void check_params(integrity_report *r, const sent_request *rq,
                         const echo_view *v, const echo_quirks *q,
                         const sent_request *others, size_t nothers) {
  bytebuf *crossed = xcalloc(nothers ? nothers : 1, sizeof *crossed);
  check_sent_names(r, rq, v, q, others, nothers, crossed);
  check_shown_names(r, rq, v, q, others, nothers, crossed);
  for (size_t k = 0; k < nothers; k++) {
    if (crossed[k].len)
      bytebuf_fmt(finding(r, INTEGRITY_CROSSED),
                  "params of request %u seen in request %u: %.*s",
                  (unsigned)others[k].id, (unsigned)rq->id, (int)crossed[k].len,
                  (const char *)crossed[k].p);
    bytebuf_free(&crossed[k]);
  }
  free(crossed);
}

typedef struct stream_rule {
  const char *label;        /* "body", "data" */
  const char *length_param; /* the param that declares its length */
  integrity_kind lost, cut, changed;
} stream_rule;

static const stream_rule stdin_rule = {"body", "CONTENT_LENGTH",
                                       INTEGRITY_BODY_LOST, INTEGRITY_BODY_CUT,
                                       INTEGRITY_BODY_CHANGED};
static const stream_rule data_rule = {"data", "FCGI_DATA_LENGTH",
                                      INTEGRITY_DATA_LOST, INTEGRITY_DATA_CUT,
                                      INTEGRITY_DATA_CHANGED};

/* The last value sent for name, as a decimal; 0 when it is absent or
 * empty (CGI: no body); -1 when it is not a number. */
static int declared_length(const sent_request *rq, const char *name,
                           uint64_t *len) {
  const fcs_nv_pair *last = NULL;
  for (size_t i = 0; i < rq->npairs; i++)
    if (fcs_nv_name_is(&rq->pairs[i], name))
      last = &rq->pairs[i];
  *len = 0;
  for (uint32_t i = 0; last && i < last->value_len; i++) {
    uint8_t c = last->value[i];
    if (c < '0' || c > '9' || *len > (UINT64_MAX - 9) / 10)
      return -1;
    *len = *len * 10 + (c - '0');
  }
  return 0;
}

int integrity_announces(const sent_request *rq, const char *name, size_t n) {
  uint64_t declared;
  return declared_length(rq, name, &declared) == 0 && declared == n;
}

/* Only the first bytes are shown: those, the length and the CRC-32 of all
 * of them are compared. */
static void check_partial(integrity_report *r, const stream_rule *k,
                          const uint8_t *sent, size_t n, const echo_stream *s) {
  size_t shown_len;
  size_t common = echo_str_common(&s->bytes, sent, n, &shown_len);
  if (common < shown_len)
    bytebuf_fmt(finding(r, k->changed), "%s changed at byte %zu", k->label,
                common);
  else if (s->total < n)
    bytebuf_fmt(finding(r, k->cut), "%s cut at byte %llu (sent %zu bytes)",
                k->label, (unsigned long long)s->total, n);
  else if (s->total > n)
    bytebuf_fmt(finding(r, k->changed), "%s changed at byte %zu", k->label, n);
  else if (fcsr_crc32_update(FCSR_CRC32_INIT, sent, n) != s->crc)
    bytebuf_fmt(finding(r, k->changed),
                "%s changed at byte %zu or later (CRC-32 differs)", k->label,
                shown_len);
}

static void check_stream(integrity_report *r, const stream_rule *k,
                         const sent_request *rq, const uint8_t *sent, size_t n,
                         const echo_stream *s, int page_shows) {
  if (!page_shows) {
    r->unchecked += n > 0;
    r->unshown += n > 0;
    return;
  }
  if (!integrity_announces(rq, k->length_param, n)) {
    r->unchecked++;
    return;
  }
  if (s->shown && s->bytes.inexact && !echo_str_is(&s->bytes, sent, n)) {
    r->unchecked++;
    r->not_comparable++;
    return;
  }
  r->checked++;
  if (s->shown && s->partial) {
    check_partial(r, k, sent, n, s);
    return;
  }
  size_t shown_len = 0, common = 0;
  if (s->shown) {
    if (echo_str_is(&s->bytes, sent, n))
      return;
    common = echo_str_common(&s->bytes, sent, n, &shown_len);
  }
  if (shown_len == 0 && n > 0)
    bytebuf_fmt(finding(r, k->lost), "%s lost", k->label);
  else if (common == shown_len && shown_len < n)
    bytebuf_fmt(finding(r, k->cut), "%s cut at byte %zu (sent %zu bytes)",
                k->label, shown_len, n);
  else if (common < shown_len)
    bytebuf_fmt(finding(r, k->changed), "%s changed at byte %zu", k->label,
                common);
}

void integrity_check(const sent_request *rq, const echo_view *v,
                     const echo_quirks *q, const sent_request *others,
                     size_t nothers, integrity_report *r) {
  memset(r, 0, sizeof *r);
  if (v->format == ECHO_NONE)
    return;
  if (v->id_shown) {
    r->checked++;
    if (v->request_id != rq->id)
      bytebuf_fmt(finding(r, INTEGRITY_WRONG_ID), "answered as request id %u",
                  (unsigned)v->request_id);
  }
  check_params(r, rq, v, q, others, nothers);
  if (rq->role != FCS_AUTHORIZER)
    check_stream(r, &stdin_rule, rq, rq->in, rq->in_len, &v->in, q->body_shown);
  if (rq->role == FCS_FILTER)
    check_stream(r, &data_rule, rq, rq->data, rq->data_len, &v->data,
                 q->data_shown);
}

size_t integrity_count(const integrity_report *r) {
  return r->findings.len / sizeof(integrity_finding);
}

const integrity_finding *integrity_at(const integrity_report *r, size_t i) {
  return (const integrity_finding *)(const void *)r->findings.p + i;
}

void integrity_summary(const integrity_report *r, bytebuf *out) {
  bytebuf_fmt(out, "%zu checks, %zu not made", r->checked, r->unchecked);
  if (r->not_comparable)
    bytebuf_fmt(out, " (%zu values not comparable)", r->not_comparable);
}

void integrity_report_free(integrity_report *r) {
  for (size_t i = 0; i < integrity_count(r); i++)
    bytebuf_free(&((integrity_finding *)(void *)r->findings.p)[i].text);
  bytebuf_free(&r->findings);
  memset(r, 0, sizeof *r);
}
