#include "expect.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static const char *gone(const fsp_conn *c) {
  if (c->garbage)
    return "the backend sent bytes that do not frame as records";
  if (c->eof)
    return "the connection closed";
  return NULL;
}

static const fsp_replies *replies(const fsp_eval *x) { return &x->c->replies; }

/* Pending while the connection can still deliver, false once it cannot. */
static fsp_tri missing_end(const fsp_eval *x, unsigned long id, bytebuf *why) {
  if (!gone(x->c))
    return TRI_PENDING;
  bytebuf_fmt(why, "%s before END_REQUEST for id %lu", gone(x->c), id);
  return TRI_FALSE;
}

/* "record 3 (FCGI_STDOUT, id 1) at byte 40: BAD_VERSION" */
static void describe(const fsp_breach *b, bytebuf *why) {
  bytebuf_fmt(why, "record %llu (%s, id %u) at byte %llu: %s (%s)",
              (unsigned long long)b->record, fcs_type_name(b->type), b->id,
              (unsigned long long)b->offset, fcs_err_name(b->reason),
              fcs_err_message(b->reason));
}

/* The next unconsumed reply of id, its index set in x->reply_index. */
static fsp_tri next_reply(const fsp_eval *x, unsigned long id,
                          const fsp_reply **rep, bytebuf *why) {
  *rep = replies_next_end(replies(x), (uint16_t)id, x->used, x->reply_index);
  return *rep ? TRI_TRUE : missing_end(x, id, why);
}

/* END_REQUEST(id) with REQUEST_COMPLETE. */
static fsp_tri response(const fsp_eval *x, unsigned long id,
                        const fsp_reply **out, bytebuf *why) {
  const fsp_reply *rep;
  fsp_tri t = next_reply(x, id, &rep, why);
  if (t != TRI_TRUE)
    return t;
  if (rep->end.protocol_status != FCS_REQUEST_COMPLETE) {
    bytebuf_fmt(why, "END_REQUEST(%lu) with protocolStatus %u (%s)", id,
                rep->end.protocol_status,
                fcs_protocol_status_name(rep->end.protocol_status));
    return TRI_FALSE;
  }
  if (out)
    *out = rep;
  return TRI_TRUE;
}

static fsp_tri echo(const fsp_cond *k, const fsp_eval *x, bytebuf *why) {
  const fsp_reply *rep;
  fsp_tri t = response(x, k->id, &rep, why);
  if (t != TRI_TRUE)
    return t;
  const fsp_sent_req *req =
      x->sent ? sent_find(x->sent, rep->id, rep->nth) : NULL;
  fsp_content_verdict v =
      req ? content_compare(x->content, rep, req, x->sent, why)
          : CONTENT_UNCHECKED;
  if (!req)
    bytebuf_str(why, "content not checked: the request sent is not known");
  if (v == CONTENT_DIFFERS)
    return TRI_FALSE;
  if (v == CONTENT_UNCHECKED && x->unchecked)
    *x->unchecked = 1;
  return TRI_TRUE;
}

static fsp_tri end_status(const fsp_cond *k, const fsp_eval *x, bytebuf *why) {
  const fsp_reply *rep;
  fsp_tri t = next_reply(x, k->id, &rep, why);
  if (t != TRI_TRUE)
    return t;
  if (rep->end.protocol_status != k->num) {
    bytebuf_fmt(why, "END_REQUEST(%lu) with protocolStatus %u (%s)", k->id,
                rep->end.protocol_status,
                fcs_protocol_status_name(rep->end.protocol_status));
    return TRI_FALSE;
  }
  return TRI_TRUE;
}

/* Breaches for id with the reason, from record from up to (not
 * including) record to; the first one found in *first. */
static size_t breaches(const fsp_replies *r, uint16_t id, fcs_err reason,
                       int type, uint64_t from, uint64_t to,
                       const fsp_breach **first) {
  size_t n = 0;
  for (size_t i = 0; i < r->nbreach; i++) {
    const fsp_breach *b = &r->breach[i];
    if (b->id != id || b->reason != reason || b->record < from ||
        b->record >= to || (type >= 0 && b->type != type))
      continue;
    if (!n++ && first)
      *first = b;
  }
  return n;
}

/* First record of the next reply of the same id after rep (the window of
 * "after its END_REQUEST"), or no bound. */
static uint64_t window_end(const fsp_replies *r, const fsp_reply *rep) {
  for (const fsp_reply *q = rep + 1; q < r->v + r->n; q++)
    if (q->id == rep->id)
      return q->first_record;
  return UINT64_MAX;
}

static fsp_tri stdout_end(const fsp_cond *k, const fsp_eval *x, bytebuf *why) {
  const fsp_reply *rep = replies_last_end(replies(x), (uint16_t)k->id, NULL);
  if (!rep)
    return missing_end(x, k->id, why);
  if (!rep->out_ended) {
    bytebuf_fmt(why, "no empty STDOUT record before END_REQUEST(%lu)", k->id);
    return TRI_FALSE;
  }
  return TRI_TRUE;
}

static fsp_tri stderr_ok(const fsp_cond *k, const fsp_eval *x, bytebuf *why) {
  const fsp_reply *rep = replies_last_end(replies(x), (uint16_t)k->id, NULL);
  if (!rep)
    return missing_end(x, k->id, why);
  const fsp_breach *b = NULL;
  if (breaches(replies(x), rep->id, FCS_E_STREAM_AFTER_END, FCS_STDERR,
               rep->first_record, rep->end_record, &b)) {
    bytebuf_str(why, "a STDERR record after STDERR's empty record: ");
    describe(b, why);
    return TRI_FALSE;
  }
  if (rep->err_used && !rep->err_ended) {
    bytebuf_str(why, "STDERR carried data but was never ended by an empty "
                     "STDERR record");
    return TRI_FALSE;
  }
  if (!rep->err_used) {
    bytebuf_str(why, "not checked: the app wrote nothing on STDERR");
    if (x->unchecked)
      *x->unchecked = 1;
  }
  return TRI_TRUE;
}

/* single-end and nothing-after-end: about the first END_REQUEST of id and
 * what follows it for that request. */
static fsp_tri after_end(const fsp_cond *k, const fsp_eval *x, bytebuf *why) {
  const fsp_replies *r = replies(x);
  const fsp_reply *rep = replies_next_end(r, (uint16_t)k->id, NULL, NULL);
  if (!rep)
    return missing_end(x, k->id, why);
  int only_ends = k->kind == C_SINGLE_END;
  const fsp_breach *b = NULL;
  size_t n = breaches(r, rep->id, FCS_E_RECORD_AFTER_END,
                      only_ends ? FCS_END_REQUEST : -1, rep->end_record + 1,
                      window_end(r, rep), &b);
  if (!n)
    return TRI_TRUE;
  if (only_ends)
    bytebuf_fmt(why, "%zu END_REQUEST records for id %lu", n + 1, k->id);
  else
    bytebuf_fmt(why, "%zu records for id %lu after its END_REQUEST", n, k->id);
  bytebuf_str(why, ", the first ");
  describe(b, why);
  return TRI_FALSE;
}

/* The first management reply of the type since the latest write. */
static const fsp_mgmt *mgmt_since(const fsp_eval *x, uint8_t type) {
  const fsp_replies *r = replies(x);
  for (size_t i = 0; i < r->nmgmt; i++)
    if (r->mgmt[i].type == type && r->mgmt[i].record >= x->mark)
      return &r->mgmt[i];
  return NULL;
}

/* A reply that must come before the END_REQUEST of any request written
 * after the record that asked for it. Replies an earlier check consumed do
 * not count: the case expected those first (a management record sent
 * after a request's last input may be answered after that request). */
static fsp_tri awaited(const fsp_eval *x, const fsp_mgmt *found,
                       const char *what, bytebuf *why) {
  if (found)
    return TRI_TRUE;
  const fsp_replies *r = replies(x);
  for (size_t i = 0; i < r->n; i++)
    if (r->v[i].ended && r->v[i].end_record >= x->mark &&
        !bytebuf_flag(x->used, i)) {
      bytebuf_fmt(why, "no %s before the END_REQUEST of a later request", what);
      return TRI_FALSE;
    }
  if (gone(x->c)) {
    bytebuf_fmt(why, "%s before any %s", gone(x->c), what);
    return TRI_FALSE;
  }
  return TRI_PENDING;
}

/* The breach of the rule reason on the record, if any. */
static const fsp_breach *breach_at(const fsp_replies *r, uint64_t record,
                                   fcs_err reason) {
  for (size_t i = 0; i < r->nbreach; i++)
    if (r->breach[i].record == record && r->breach[i].reason == reason)
      return &r->breach[i];
  return NULL;
}

static fsp_tri unknown_type(const fsp_cond *k, const fsp_eval *x,
                            bytebuf *why) {
  const fsp_mgmt *m = mgmt_since(x, FCS_UNKNOWN_TYPE);
  fsp_tri t = awaited(x, m, "FCGI_UNKNOWN_TYPE", why);
  if (t != TRI_TRUE)
    return t;
  /* Id 0 and an 8-byte body; any other rule the record breaks (its
   * version, its reserved bytes) is another condition's. */
  const fsp_breach *b = breach_at(replies(x), m->record, FCS_E_BODY_LENGTH);
  if (m->id != 0 || b || m->unknown.type != k->id) {
    bytebuf_fmt(why,
                "FCGI_UNKNOWN_TYPE with id %u for type %u (expected id 0, "
                "type %lu)",
                m->id, m->unknown.type, k->id);
    if (b) {
      bytebuf_str(why, "; ");
      describe(b, why);
    }
    return TRI_FALSE;
  }
  return TRI_TRUE;
}

static int name_in(const fsp_cond *k, const uint8_t *n, size_t len) {
  for (size_t i = 0; i < k->nitems; i++)
    if (k->items[i].len == len && memcmp(k->items[i].p, n, len) == 0)
      return 1;
  return 0;
}

static int value_valid(const fcs_nv_pair *p) {
  if (fcs_nv_name_is(p, FCS_MPXS_CONNS))
    return p->value_len == 1 && (p->value[0] == '0' || p->value[0] == '1');
  if (!fcs_nv_name_is(p, FCS_MAX_CONNS) && !fcs_nv_name_is(p, FCS_MAX_REQS))
    return 1;
  if (p->value_len == 0)
    return 0;
  for (uint32_t i = 0; i < p->value_len; i++)
    if (p->value[i] < '0' || p->value[i] > '9')
      return 0;
  return 1;
}

static fsp_tri values(const fsp_cond *k, const fsp_eval *x, bytebuf *why) {
  const fsp_mgmt *m = mgmt_since(x, FCS_GET_VALUES_RESULT);
  fsp_tri t = awaited(x, m, "FCGI_GET_VALUES_RESULT", why);
  if (t != TRI_TRUE)
    return t;
  if (m->id != 0) {
    bytebuf_fmt(why, "FCGI_GET_VALUES_RESULT on request id %u, not 0", m->id);
    return TRI_FALSE;
  }
  size_t pos = 0, n = 0;
  fcs_nv_pair pair;
  fcs_nv_result res;
  int *seen = xcalloc(k->nitems + 1, sizeof(int));
  fsp_tri out = TRI_TRUE;
  while ((res = fcs_nv_next(m->pairs.p, m->pairs.len, &pos, &pair)) ==
         FCS_NV_OK) {
    n++;
    for (size_t i = 0; i < k->nitems; i++)
      if (k->items[i].len == pair.name_len &&
          !memcmp(k->items[i].p, pair.name, pair.name_len))
        seen[i]++;
    int listed = name_in(k, pair.name, pair.name_len);
    if ((k->kind == C_VALUES_LACKS && listed) ||
        (k->kind == C_VALUES_ONLY && !listed) ||
        (k->kind == C_VALUES_VALID && !value_valid(&pair))) {
      bytebuf_fmt(why, "the reply has %.*s=%.*s", (int)pair.name_len, pair.name,
                  (int)(pair.value_len < 40 ? pair.value_len : 40), pair.value);
      out = TRI_FALSE;
      break;
    }
  }
  if (out == TRI_TRUE && res == FCS_NV_TRUNCATED) {
    bytebuf_fmt(why, "the reply's pairs do not parse (byte %zu of %zu)", pos,
                m->pairs.len);
    out = TRI_FALSE;
  }
  for (size_t i = 0; out == TRI_TRUE && i < k->nitems; i++) {
    if (k->kind == C_VALUES_HAS && !seen[i]) {
      bytebuf_fmt(why, "the reply (%zu pairs) lacks %.*s", n,
                  (int)k->items[i].len, (const char *)k->items[i].p);
      out = TRI_FALSE;
    } else if (k->kind == C_VALUES_ONLY && seen[i] > 1) {
      bytebuf_fmt(why, "the reply has %.*s %d times", (int)k->items[i].len,
                  (const char *)k->items[i].p, seen[i]);
      out = TRI_FALSE;
    }
  }
  free(seen);
  return out;
}

/* Anything at all received for id: a reply, a management reply or a
 * record the assembler ignored or flagged. */
static int heard_of(const fsp_replies *r, uint16_t id, const char **what) {
  for (size_t i = 0; i < r->n; i++)
    if (r->v[i].id == id) {
      *what = "a reply";
      return 1;
    }
  for (size_t i = 0; i < r->nmgmt; i++)
    if (r->mgmt[i].id == id) {
      *what = fcs_type_name(r->mgmt[i].type);
      return 1;
    }
  for (size_t i = 0; i < r->nbreach; i++)
    if (r->breach[i].id == id) {
      *what = fcs_type_name(r->breach[i].type);
      return 1;
    }
  return 0;
}

static fsp_tri timed(const fsp_cond *k, const fsp_eval *x, bytebuf *why) {
  const fsp_conn *c = x->c;
  int64_t elapsed = x->now - x->step_start;
  const char *what;
  switch (k->kind) {
  case C_CLOSE:
    if (conn_done(c))
      return TRI_TRUE;
    if (k->ms >= 0 && elapsed >= k->ms) {
      bytebuf_fmt(why, "the connection is still open after %ld ms", k->ms);
      return TRI_FALSE;
    }
    return TRI_PENDING;
  case C_OPEN:
    if (c->eof) {
      bytebuf_fmt(why, "the backend closed the connection within %ld ms",
                  k->ms);
      return TRI_FALSE;
    }
    return elapsed >= k->ms ? TRI_TRUE : TRI_PENDING;
  default: /* C_QUIET */
    if (heard_of(replies(x), (uint16_t)k->id, &what)) {
      bytebuf_fmt(why, "the backend sent %s for id %lu", what, k->id);
      return TRI_FALSE;
    }
    return k->ms < 0 || elapsed >= k->ms ? TRI_TRUE : TRI_PENDING;
  }
}

/* Whether the rule reason, broken by a record of type, is one condition k
 * is about. */
static int breaks(fsp_cond_kind k, fcs_err e, uint8_t type) {
  switch (k) {
  case C_VERSION_1:
    return e == FCS_E_BAD_VERSION;
  case C_IDS_VALID:
    return e == FCS_E_MGMT_NONZERO_ID || e == FCS_E_APP_RECORD_NULL_ID ||
           e == FCS_E_UNEXPECTED_ID;
  case C_TYPES_VALID:
    return e == FCS_E_WRONG_DIRECTION;
  default: /* C_END_BODY */
    return ((e == FCS_E_BODY_LENGTH || e == FCS_E_BODY_TOO_SHORT) &&
            type == FCS_END_REQUEST) ||
           e == FCS_E_BAD_PROTOCOL_STATUS;
  }
}

/* Rules every received record obeys, by the codec's reasons: those the
 * assembler read past, and the one that stopped it (version 0, a body too
 * short to read), which is broken all the same. */
static fsp_tri rule(const fsp_cond *k, const fsp_eval *x, bytebuf *why) {
  const fsp_replies *r = replies(x);
  for (size_t i = 0; i < r->nbreach; i++)
    if (breaks(k->kind, r->breach[i].reason, r->breach[i].type)) {
      describe(&r->breach[i], why);
      return TRI_FALSE;
    }
  if (r->failed && breaks(k->kind, r->error.code, r->error.type)) {
    const fsp_breach stop = {r->error.code,       0,
                             r->error.request_id, r->error.type,
                             r->error.record,     r->error.offset};
    describe(&stop, why);
    return TRI_FALSE;
  }
  return TRI_TRUE;
}

/* Record-layout questions the codec does not rule on (alignment is a
 * recommendation, reserved bytes carry no meaning): the raw record log. */
static fsp_tri layout(const fsp_cond *k, const fsp_eval *x, bytebuf *why) {
  const fsp_conn *c = x->c;
  for (size_t i = 0; i < c->nrecs; i++) {
    const fsp_rx *r = &c->recs[i];
    const fcs_header *h = &r->h;
    if (k->kind == C_ALIGNED) {
      if ((h->content_length + h->padding_length) % 8) {
        bytebuf_fmt(why,
                    "record %zu (%s) has content %u + padding %u, not a "
                    "multiple of 8",
                    i, fcs_type_name(h->type), h->content_length,
                    h->padding_length);
        return TRI_FALSE;
      }
      continue;
    }
    const uint8_t *p = rx_content(c, r);
    int bad = h->reserved != 0;
    size_t from = h->type == FCS_END_REQUEST    ? 5
                  : h->type == FCS_UNKNOWN_TYPE ? 1
                                                : 8;
    for (size_t j = from; j < 8 && j < r->kept; j++)
      bad |= p[j] != 0;
    if (bad) {
      bytebuf_fmt(why, "record %zu (%s) has non-zero reserved bytes", i,
                  fcs_type_name(h->type));
      return TRI_FALSE;
    }
  }
  return TRI_TRUE;
}

fsp_tri cond_eval(const fsp_cond *k, const fsp_eval *x, bytebuf *why) {
  switch (k->kind) {
  case C_RESPONSE:
    return response(x, k->id, NULL, why);
  case C_ECHO:
    return echo(k, x, why);
  case C_END:
    return end_status(k, x, why);
  case C_STDOUT_END:
    return stdout_end(k, x, why);
  case C_STDERR_OK:
    return stderr_ok(k, x, why);
  case C_SINGLE_END:
  case C_NOTHING_AFTER_END:
    return after_end(k, x, why);
  case C_UNKNOWN_TYPE:
    return unknown_type(k, x, why);
  case C_VALUES_RESULT:
  case C_VALUES_HAS:
  case C_VALUES_LACKS:
  case C_VALUES_ONLY:
  case C_VALUES_VALID:
    return values(k, x, why);
  case C_CLOSE:
  case C_OPEN:
  case C_QUIET:
    return timed(k, x, why);
  case C_ALIGNED:
  case C_RESERVED_ZERO:
    return layout(k, x, why);
  default:
    return rule(k, x, why);
  }
}
