#include "expect.h"

#include <stdlib.h>
#include <string.h>

/* Whether an earlier check consumed record i (used may be NULL: none). */
static int consumed(const fcs_buf *used, size_t i) {
  return used && i < used->len && used->p[i];
}

/* The first END_REQUEST for id that no earlier check consumed. */
static const fcs_rx *find_end(const fcs_conn *c, const fcs_buf *used,
                              unsigned long id, size_t *idx) {
  for (size_t i = 0; i < c->nrecs; i++) {
    const fcs_rx *r = &c->recs[i];
    if (consumed(used, i))
      continue;
    if (r->h.type == FCS_END_REQUEST && r->h.request_id == id && r->complete) {
      if (idx)
        *idx = i;
      return r;
    }
  }
  return NULL;
}

static const char *gone(const fcs_conn *c) {
  if (c->garbage)
    return "the backend sent bytes that do not frame as records";
  if (c->eof)
    return "the connection closed";
  return NULL;
}

static fcs_end_body end_body(const fcs_conn *c, const fcs_rx *r) {
  fcs_end_body b = {0};
  if (r->kept >= FCS_BODY_LEN)
    fcs_end_body_decode(rx_content(c, r), &b);
  return b;
}

/* END_REQUEST(id) with REQUEST_COMPLETE. */
static fcs_tri response(const fcs_eval *x, unsigned long id, fcs_buf *why) {
  const fcs_conn *c = x->c;
  const fcs_rx *r = find_end(c, x->used, id, x->end_index);
  if (!r) {
    if (gone(c)) {
      buf_fmt(why, "%s before END_REQUEST for id %lu", gone(c), id);
      return TRI_FALSE;
    }
    return TRI_PENDING;
  }
  fcs_end_body b = end_body(c, r);
  if (r->h.content_length < FCS_BODY_LEN ||
      b.protocol_status != FCS_REQUEST_COMPLETE) {
    buf_fmt(why, "END_REQUEST(%lu) with protocolStatus %u (%s)", id,
            b.protocol_status, fcs_protocol_status_name(b.protocol_status));
    return TRI_FALSE;
  }
  return TRI_TRUE;
}

/* The latest END_REQUEST for id, consumed or not. */
static const fcs_rx *find_last_end(const fcs_conn *c, unsigned long id,
                                   size_t *idx) {
  for (size_t i = c->nrecs; i-- > 0;) {
    const fcs_rx *r = &c->recs[i];
    if (r->h.type == FCS_END_REQUEST && r->h.request_id == id && r->complete) {
      *idx = i;
      return r;
    }
  }
  return NULL;
}

/* First record of the response that the END_REQUEST at end_at closes:
 * just after the previous END_REQUEST for the same id. */
static size_t response_start(const fcs_conn *c, size_t end_at) {
  uint16_t id = c->recs[end_at].h.request_id;
  for (size_t i = end_at; i-- > 0;)
    if (c->recs[i].h.type == FCS_END_REQUEST && c->recs[i].h.request_id == id)
      return i + 1;
  return 0;
}

/* STDOUT bytes of the response that ends at end_at. */
static void stdout_of(const fcs_conn *c, size_t end_at, fcs_buf *out) {
  uint16_t id = c->recs[end_at].h.request_id;
  for (size_t i = response_start(c, end_at); i < end_at; i++)
    if (c->recs[i].h.request_id == id && c->recs[i].h.type == FCS_STDOUT)
      buf_add(out, rx_content(c, &c->recs[i]), c->recs[i].kept);
}

static fcs_tri echo(const fcs_cond *k, const fcs_eval *x, fcs_buf *why) {
  fcs_tri t = response(x, k->id, why);
  if (t != TRI_TRUE)
    return t;
  if (!x->echo) {
    buf_str(why, "content not checked: the target does not echo");
    return TRI_TRUE;
  }
  fcs_buf out = {0}, needle = {0};
  stdout_of(x->c, *x->end_index, &out);
  for (size_t i = 0; i < k->nitems; i++)
    buf_add(&needle, k->items[i].p, k->items[i].len);
  fcs_tri t2 = TRI_TRUE;
  if (!buf_contains(&out, needle.p, needle.len)) {
    buf_fmt(why,
            "the response (%zu stdout bytes) does not contain the %zu "
            "expected bytes (\"%.*s%s\")",
            out.len, needle.len, (int)(needle.len < 40 ? needle.len : 40),
            (const char *)needle.p, needle.len > 40 ? "..." : "");
    t2 = TRI_FALSE;
  }
  buf_free(&out);
  buf_free(&needle);
  return t2;
}

static fcs_tri end_status(const fcs_cond *k, const fcs_eval *x, fcs_buf *why) {
  const fcs_rx *r = find_end(x->c, x->used, k->id, x->end_index);
  if (!r) {
    if (gone(x->c)) {
      buf_fmt(why, "%s before END_REQUEST for id %lu", gone(x->c), k->id);
      return TRI_FALSE;
    }
    return TRI_PENDING;
  }
  fcs_end_body b = end_body(x->c, r);
  if (b.protocol_status != k->num) {
    buf_fmt(why, "END_REQUEST(%lu) with protocolStatus %u (%s)", k->id,
            b.protocol_status, fcs_protocol_status_name(b.protocol_status));
    return TRI_FALSE;
  }
  return TRI_TRUE;
}

/* Conditions that look at id's records once its END_REQUEST is there. */
static fcs_tri after_end(const fcs_cond *k, const fcs_eval *x, fcs_buf *why) {
  const fcs_conn *c = x->c;
  /* stdout-end and stderr-ok are about the latest response; single-end and
   * nothing-after-end about the first END_REQUEST and all that follows. */
  int latest = k->kind == C_STDOUT_END || k->kind == C_STDERR_OK;
  size_t end_at;
  if (!(latest ? find_last_end(c, k->id, &end_at)
               : find_end(c, NULL, k->id, &end_at))) {
    if (gone(c)) {
      buf_fmt(why, "%s before END_REQUEST for id %lu", gone(c), k->id);
      return TRI_FALSE;
    }
    return TRI_PENDING;
  }
  int out_end = 0, err_used = 0, err_end = 0, ends = 0, late = 0;
  size_t from = latest ? response_start(c, end_at) : 0;
  for (size_t i = from; i < c->nrecs; i++) {
    const fcs_rx *r = &c->recs[i];
    if (r->h.request_id != k->id)
      continue;
    int before = i < end_at;
    if (r->h.type == FCS_END_REQUEST)
      ends++;
    else if (!before)
      late++;
    if (r->h.type == FCS_STDOUT && r->h.content_length == 0 && before)
      out_end = 1;
    if (r->h.type == FCS_STDERR && before) {
      if (r->h.content_length == 0)
        err_end++;
      else if (err_end)
        err_end = 99; /* data after the terminator */
      else
        err_used = 1;
    }
  }
  switch (k->kind) {
  case C_STDOUT_END:
    if (!out_end)
      buf_fmt(why, "no empty STDOUT record before END_REQUEST(%lu)", k->id);
    return out_end ? TRI_TRUE : TRI_FALSE;
  case C_STDERR_OK:
    if (err_end > 1) {
      buf_fmt(why, "%s",
              err_end == 99 ? "STDERR data after its empty record"
                            : "more than one empty STDERR record");
      return TRI_FALSE;
    }
    if (err_used && !err_end) {
      buf_str(why, "STDERR carried data but was never ended by an empty "
                   "STDERR record");
      return TRI_FALSE;
    }
    return TRI_TRUE;
  case C_SINGLE_END:
    if (ends != 1)
      buf_fmt(why, "%d END_REQUEST records for id %lu", ends, k->id);
    return ends == 1 ? TRI_TRUE : TRI_FALSE;
  default: /* C_NOTHING_AFTER_END */
    if (late || ends > 1)
      buf_fmt(why, "%d records for id %lu after its END_REQUEST",
              late + ends - 1, k->id);
    return late || ends > 1 ? TRI_FALSE : TRI_TRUE;
  }
}

/* A reply that must come before the END_REQUEST of any request written
 * after the record that asked for it. END_REQUESTs an earlier check already
 * consumed do not count: the case expected those first (a management record
 * sent after a request's last input may be answered after that request). */
static fcs_tri awaited(const fcs_eval *x, const fcs_rx *found, const char *what,
                       fcs_buf *why) {
  if (found)
    return TRI_TRUE;
  for (size_t i = x->mark; i < x->c->nrecs; i++)
    if (x->c->recs[i].h.type == FCS_END_REQUEST && x->c->recs[i].complete &&
        !consumed(x->used, i)) {
      buf_fmt(why, "no %s before the END_REQUEST of a later request", what);
      return TRI_FALSE;
    }
  if (gone(x->c)) {
    buf_fmt(why, "%s before any %s", gone(x->c), what);
    return TRI_FALSE;
  }
  return TRI_PENDING;
}

static fcs_tri unknown_type(const fcs_cond *k, const fcs_eval *x,
                            fcs_buf *why) {
  const fcs_conn *c = x->c;
  const fcs_rx *found = NULL;
  for (size_t i = x->mark; i < c->nrecs && !found; i++)
    if (c->recs[i].h.type == FCS_UNKNOWN_TYPE && c->recs[i].complete)
      found = &c->recs[i];
  fcs_tri t = awaited(x, found, "FCGI_UNKNOWN_TYPE", why);
  if (t != TRI_TRUE)
    return t;
  uint8_t type = found->kept ? rx_content(c, found)[0] : 0;
  if (found->h.request_id != 0 || found->h.content_length != FCS_BODY_LEN ||
      type != k->id) {
    buf_fmt(why,
            "FCGI_UNKNOWN_TYPE with id %u, contentLength %u, type %u "
            "(expected id 0, contentLength 8, type %lu)",
            found->h.request_id, found->h.content_length, type, k->id);
    return TRI_FALSE;
  }
  return TRI_TRUE;
}

static int name_in(const fcs_cond *k, const uint8_t *n, size_t len) {
  for (size_t i = 0; i < k->nitems; i++)
    if (k->items[i].len == len && memcmp(k->items[i].p, n, len) == 0)
      return 1;
  return 0;
}

static int value_valid(const fcs_nv_pair *p) {
  int mpxs = p->name_len == 15 && !memcmp(p->name, "FCGI_MPXS_CONNS", 15);
  int count = (p->name_len == 14 && !memcmp(p->name, "FCGI_MAX_CONNS", 14)) ||
              (p->name_len == 13 && !memcmp(p->name, "FCGI_MAX_REQS", 13));
  if (mpxs)
    return p->value_len == 1 && (p->value[0] == '0' || p->value[0] == '1');
  if (!count)
    return 1;
  if (p->value_len == 0)
    return 0;
  for (uint32_t i = 0; i < p->value_len; i++)
    if (p->value[i] < '0' || p->value[i] > '9')
      return 0;
  return 1;
}

static fcs_tri values(const fcs_cond *k, const fcs_eval *x, fcs_buf *why) {
  const fcs_conn *c = x->c;
  const fcs_rx *found = NULL;
  for (size_t i = x->mark; i < c->nrecs && !found; i++)
    if (c->recs[i].h.type == FCS_GET_VALUES_RESULT && c->recs[i].complete)
      found = &c->recs[i];
  fcs_tri t = awaited(x, found, "FCGI_GET_VALUES_RESULT", why);
  if (t != TRI_TRUE)
    return t;
  if (found->h.request_id != 0) {
    buf_fmt(why, "FCGI_GET_VALUES_RESULT on request id %u, not 0",
            found->h.request_id);
    return TRI_FALSE;
  }
  const uint8_t *p = rx_content(c, found);
  size_t pos = 0, n = 0;
  fcs_nv_pair pair;
  fcs_nv_result res;
  int *seen = xcalloc(k->nitems + 1, sizeof(int));
  fcs_tri out = TRI_TRUE;
  while ((res = fcs_nv_next(p, found->kept, &pos, &pair)) == FCS_NV_OK) {
    n++;
    for (size_t i = 0; i < k->nitems; i++)
      if (k->items[i].len == pair.name_len &&
          !memcmp(k->items[i].p, pair.name, pair.name_len))
        seen[i]++;
    int listed = name_in(k, pair.name, pair.name_len);
    if ((k->kind == C_VALUES_LACKS && listed) ||
        (k->kind == C_VALUES_ONLY && !listed) ||
        (k->kind == C_VALUES_VALID && !value_valid(&pair))) {
      buf_fmt(why, "the reply has %.*s=%.*s", (int)pair.name_len, pair.name,
              (int)(pair.value_len < 40 ? pair.value_len : 40), pair.value);
      out = TRI_FALSE;
      break;
    }
  }
  if (out == TRI_TRUE && res == FCS_NV_TRUNCATED) {
    buf_fmt(why, "the reply's pairs do not parse (byte %zu of %u)", pos,
            found->kept);
    out = TRI_FALSE;
  }
  for (size_t i = 0; out == TRI_TRUE && i < k->nitems; i++) {
    if (k->kind == C_VALUES_HAS && !seen[i]) {
      buf_fmt(why, "the reply (%zu pairs) lacks %.*s", n, (int)k->items[i].len,
              (const char *)k->items[i].p);
      out = TRI_FALSE;
    } else if (k->kind == C_VALUES_ONLY && seen[i] > 1) {
      buf_fmt(why, "the reply has %.*s %d times", (int)k->items[i].len,
              (const char *)k->items[i].p, seen[i]);
      out = TRI_FALSE;
    }
  }
  free(seen);
  return out;
}

static fcs_tri timed(const fcs_cond *k, const fcs_eval *x, fcs_buf *why) {
  const fcs_conn *c = x->c;
  int64_t elapsed = x->now - x->step_start;
  switch (k->kind) {
  case C_CLOSE:
    if (conn_done(c))
      return TRI_TRUE;
    if (k->ms >= 0 && elapsed >= k->ms) {
      buf_fmt(why, "the connection is still open after %ld ms", k->ms);
      return TRI_FALSE;
    }
    return TRI_PENDING;
  case C_OPEN:
    if (c->eof) {
      buf_fmt(why, "the backend closed the connection within %ld ms", k->ms);
      return TRI_FALSE;
    }
    return elapsed >= k->ms ? TRI_TRUE : TRI_PENDING;
  default: /* C_QUIET */
    for (size_t i = 0; i < c->nrecs; i++)
      if (c->recs[i].h.request_id == k->id) {
        buf_fmt(why, "the backend sent %s for id %lu",
                fcs_type_name(c->recs[i].h.type), k->id);
        return TRI_FALSE;
      }
    return k->ms < 0 || elapsed >= k->ms ? TRI_TRUE : TRI_PENDING;
  }
}

/* Checks every record received so far; never pending. */
static fcs_tri invariant(const fcs_cond *k, const fcs_eval *x, fcs_buf *why) {
  const fcs_conn *c = x->c;
  for (size_t i = 0; i < c->nrecs; i++) {
    const fcs_rx *r = &c->recs[i];
    const fcs_header *h = &r->h;
    const uint8_t *p = rx_content(c, r);
    int mgmt = fcs_type_is_management(h->type);
    switch (k->kind) {
    case C_VERSION_1:
      if (h->version != FCS_VERSION_1) {
        buf_fmt(why, "record %zu (%s) has version %u", i,
                fcs_type_name(h->type), h->version);
        return TRI_FALSE;
      }
      break;
    case C_IDS_VALID:
      if (mgmt != (h->request_id == 0)) {
        buf_fmt(why, "record %zu (%s) has request id %u", i,
                fcs_type_name(h->type), h->request_id);
        return TRI_FALSE;
      }
      break;
    case C_TYPES_VALID:
      if (!fcs_type_is_to_server(h->type)) {
        buf_fmt(why,
                "record %zu has type %u (%s), which an application "
                "does not send",
                i, h->type, fcs_type_name(h->type));
        return TRI_FALSE;
      }
      break;
    case C_END_BODY:
      if (h->type == FCS_END_REQUEST &&
          (h->content_length != FCS_BODY_LEN ||
           (r->kept >= 5 && p[4] > FCS_UNKNOWN_ROLE))) {
        buf_fmt(why,
                "END_REQUEST(%u) with contentLength %u, protocolStatus "
                "%u",
                h->request_id, h->content_length, r->kept >= 5 ? p[4] : 0);
        return TRI_FALSE;
      }
      break;
    case C_ALIGNED:
      if ((h->content_length + h->padding_length) % 8) {
        buf_fmt(why,
                "record %zu (%s) has content %u + padding %u, not a "
                "multiple of 8",
                i, fcs_type_name(h->type), h->content_length,
                h->padding_length);
        return TRI_FALSE;
      }
      break;
    default: { /* C_RESERVED_ZERO */
      int bad = h->reserved != 0;
      size_t from = h->type == FCS_END_REQUEST    ? 5
                    : h->type == FCS_UNKNOWN_TYPE ? 1
                                                  : 8;
      for (size_t j = from; j < 8 && j < r->kept; j++)
        bad |= p[j] != 0;
      if (bad) {
        buf_fmt(why, "record %zu (%s) has non-zero reserved bytes", i,
                fcs_type_name(h->type));
        return TRI_FALSE;
      }
    }
    }
  }
  return TRI_TRUE;
}

fcs_tri cond_eval(const fcs_cond *k, const fcs_eval *x, fcs_buf *why) {
  switch (k->kind) {
  case C_RESPONSE:
    return response(x, k->id, why);
  case C_ECHO:
    return echo(k, x, why);
  case C_END:
    return end_status(k, x, why);
  case C_STDOUT_END:
  case C_STDERR_OK:
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
  default:
    return invariant(k, x, why);
  }
}

void conn_summary(const fcs_conn *c, size_t from, fcs_buf *out) {
  size_t start = out->len;
  for (size_t i = from; i < c->nrecs;) {
    const fcs_rx *r = &c->recs[i];
    size_t j = i, bytes = 0;
    /* Group a run of non-empty records of one type and id. */
    while (j < c->nrecs && c->recs[j].h.type == r->h.type &&
           c->recs[j].h.request_id == r->h.request_id &&
           (r->h.content_length == 0) == (c->recs[j].h.content_length == 0) &&
           fcs_type_is_stream(r->h.type))
      bytes += c->recs[j++].h.content_length;
    if (out->len > start)
      buf_str(out, ", ");
    const char *name = fcs_type_name(r->h.type);
    if (strncmp(name, "FCGI_", 5) == 0)
      name += 5;
    if (j > i + 1)
      buf_fmt(out, "%s(%u) x%zu [%zu bytes]", name, r->h.request_id, j - i,
              bytes);
    else if (fcs_type_is_stream(r->h.type))
      buf_fmt(out, r->h.content_length ? "%s(%u) [%u bytes]" : "%s(%u) end",
              name, r->h.request_id, r->h.content_length);
    else if (r->h.type == FCS_END_REQUEST) {
      fcs_end_body b = end_body(c, r);
      buf_fmt(out, "END_REQUEST(%u, appStatus %u, %s)", r->h.request_id,
              b.app_status, fcs_protocol_status_name(b.protocol_status));
    } else if (r->h.type == FCS_UNKNOWN_TYPE && r->kept)
      buf_fmt(out, "UNKNOWN_TYPE(type %u)", rx_content(c, r)[0]);
    else if (r->h.type == FCS_GET_VALUES_RESULT)
      buf_fmt(out, "GET_VALUES_RESULT [%u bytes]", r->h.content_length);
    else
      buf_fmt(out, "%s(%u) type %u [%u bytes]", name, r->h.request_id,
              r->h.type, r->h.content_length);
    if (r->h.version != FCS_VERSION_1)
      buf_fmt(out, " version %u", r->h.version);
    if (!c->recs[j > i + 1 ? j - 1 : i].complete && !c->flooded)
      buf_str(out, " (incomplete)");
    i = j > i ? j : i + 1;
  }
  if (out->len == start)
    buf_str(out, "nothing");
  if (c->flooded)
    buf_fmt(out, "; flood: stopped keeping data after %llu bytes",
            (unsigned long long)c->rx_bytes);
  if (c->garbage)
    buf_fmt(out, "; unframeable bytes: %s at byte %llu",
            fcs_err_name(c->garbage_err.code),
            (unsigned long long)c->garbage_err.offset);
  if (c->eof)
    buf_str(out, "; EOF");
  else if (c->write_fail)
    buf_str(out, "; write failed (peer gone)");
}

int conn_all_ended(const fcs_conn *c, const uint16_t *ids, size_t nids) {
  for (size_t i = 0; i < nids; i++)
    if (!find_end(c, NULL, ids[i], NULL))
      return 0;
  return 1;
}
