/* Learning an application's habits from one probe: which names its page
 * adds, leaves out or rewrites, and whether it shows the streams. */
#include <string.h>

#include "integrity.h"

size_t echo_names_count(const echo_names *l) {
  return l->items.len / sizeof(bytebuf);
}

const bytebuf *echo_names_at(const echo_names *l, size_t i) {
  return (const bytebuf *)(const void *)l->items.p + i;
}

int echo_names_has(const echo_names *l, const uint8_t *name, size_t n) {
  for (size_t i = 0; i < echo_names_count(l); i++) {
    const bytebuf *b = echo_names_at(l, i);
    if (b->len == n && (n == 0 || !memcmp(b->p, name, n)))
      return 1;
  }
  return 0;
}

static void names_add(echo_names *l, const uint8_t *name, size_t n) {
  if (echo_names_has(l, name, n))
    return;
  bytebuf b = {0};
  bytebuf_add(&b, name, n);
  bytebuf_add(&l->items, &b, sizeof b);
}

static void names_free(echo_names *l) {
  for (size_t i = 0; i < echo_names_count(l); i++)
    bytebuf_free((bytebuf *)(void *)l->items.p + i);
  bytebuf_free(&l->items);
}

static int sent_name(const sent_request *rq, const echo_str *name) {
  for (size_t i = 0; i < rq->npairs; i++)
    if (echo_str_is(name, rq->pairs[i].name, rq->pairs[i].name_len))
      return 1;
  return 0;
}

static int sent_value(const sent_request *rq, const fcs_nv_pair *p,
                      const echo_str *value) {
  for (size_t i = 0; i < rq->npairs; i++) {
    const fcs_nv_pair *s = &rq->pairs[i];
    if (s->name_len == p->name_len && !memcmp(s->name, p->name, p->name_len) &&
        echo_str_is(value, s->value, s->value_len))
      return 1;
  }
  return 0;
}

/* For the sent name of p: whether the page shows it, and whether every
 * value it shows is comparable and none is a value sent for it. */
static void shown_as(const sent_request *rq, const fcs_nv_pair *p,
                     const echo_view *v, int *shown, int *rewritten) {
  int matched = 0, inexact = 0;
  *shown = 0;
  for (size_t i = 0; i < echo_view_count(v); i++) {
    const echo_pair *e = echo_view_pair(v, i);
    if (!echo_str_is(&e->name, p->name, p->name_len))
      continue;
    *shown = 1;
    matched |= sent_value(rq, p, &e->value);
    inexact |= e->value.inexact;
  }
  *rewritten = *shown && !matched && !inexact;
}

void echo_quirks_learn(const sent_request *probe, const echo_view *v,
                       echo_quirks *q) {
  memset(q, 0, sizeof *q);
  for (size_t i = 0; i < echo_view_count(v); i++) {
    const echo_pair *e = echo_view_pair(v, i);
    if (!e->name.inexact && !sent_name(probe, &e->name))
      names_add(&q->added, e->name.bytes.p, e->name.bytes.len);
  }
  for (size_t i = 0; i < probe->npairs; i++) {
    const fcs_nv_pair *p = &probe->pairs[i];
    int shown, rewritten;
    shown_as(probe, p, v, &shown, &rewritten);
    if (!shown)
      names_add(&q->hidden, p->name, p->name_len);
    if (rewritten)
      names_add(&q->rewritten, p->name, p->name_len);
  }
  q->body_shown = v->in.shown;
  q->data_shown = v->data.shown;
}

void echo_quirks_free(echo_quirks *q) {
  names_free(&q->added);
  names_free(&q->hidden);
  names_free(&q->rewritten);
  memset(q, 0, sizeof *q);
}
