/* The recording backend's scripted replies (docs/proxies.md, "Replies"):
 * a proxy case's reply lines, played on the connection of the request
 * they answer. Every record is written by produce.c, the encoder of every
 * other FastCGI byte the runner sends. */
#include <string.h>

#include "produce.h"
#include "rec_session.h"

int rec_marker_in(const bytebuf *v, const char *m) {
  size_t mlen = strlen(m);
  for (size_t o = 0; v->len >= mlen && o + mlen <= v->len; o++)
    /* the marker, not the start of a longer one (r1 in r12) */
    if (!memcmp(v->p + o, m, mlen) &&
        (o + mlen == v->len || v->p[o + mlen] < '0' || v->p[o + mlen] > '9'))
      return 1;
  return 0;
}

const rec_script *rec_script_for(const rec_store *store, const rec_request *q) {
  for (size_t i = 0; i < store->nscripts; i++)
    for (size_t j = 0; j < q->nparams; j++)
      if (rec_marker_in(&q->params[j].value, store->scripts[i].marker))
        return &store->scripts[i];
  return NULL;
}

void rec_play_start(rec_session *s, const rec_script *sc, uint16_t id,
                    int keep) {
  if (s->nplays == REC_MAX_ACTIVE)
    return; /* more than the requests a connection may have open */
  s->plays[s->nplays++] = (rec_play){sc->steps, sc->n, 0, id, keep, 0};
  s->played = 1;
}

static void drop_first(rec_session *s) {
  memmove(&s->plays[0], &s->plays[1], --s->nplays * sizeof s->plays[0]);
}

/* The bytes of a reply step that writes (raw or record) for request id. */
static void put_step(const fsp_step *st, uint16_t id, bytebuf *out) {
  fsp_step copy = *st;
  char err[160];
  copy.kind = st->reply == R_RAW ? S_RAW : S_RECORD;
  if (st->reply == R_RECORD)
    copy.id = st->o.id >= 0 ? (unsigned long)st->o.id : id;
  /* The parser and the runner (take_replies) bound a record's content,
   * the one reason this can fail. */
  step_produce(NULL, &copy, NULL, out, err, sizeof err);
}

/* One step of play p; 0 when the play goes on at once. */
static int step(rec_session *s, rec_play *p, int64_t now) {
  const fsp_step *st = &p->steps[p->at++];
  switch (st->reply) {
  case R_WAIT:
    p->resume = now + (int64_t)st->ms;
    return 1;
  case R_CLOSE:
    s->closing = 1;
    s->nplays = 0;
    return 1;
  case R_RAW:
  case R_RECORD:
    break;
  }
  put_step(st, p->id, &s->out);
  return 0;
}

void rec_script_bytes(const fsp_step *steps, size_t n, uint16_t id,
                      bytebuf *out) {
  for (size_t i = 0; i < n && steps[i].reply != R_CLOSE; i++)
    if (steps[i].reply == R_RAW || steps[i].reply == R_RECORD)
      put_step(&steps[i], id, out);
}

int rec_play_tick(rec_session *s, int64_t now) {
  int did = 0;
  while (s->nplays && !s->closing) {
    rec_play *p = &s->plays[0];
    if (p->resume > now)
      break;
    p->resume = 0;
    if (p->at == p->n) {
      /* An application closes after a request without KEEP_CONN. */
      if (!p->keep)
        s->closing = 1;
      drop_first(s);
      did = 1;
      continue;
    }
    did = 1;
    if (step(s, p, now) && s->closing)
      break;
  }
  return did;
}

int64_t rec_play_due(const rec_session *s) {
  /* A closing connection plays nothing more: no wake-ups for it. */
  return s->nplays && !s->closing ? s->plays[0].resume : 0;
}
