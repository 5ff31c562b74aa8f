#include "run.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "backend_conn.h"
#include "clock.h"
#include "conn_summary.h"
#include "expect.h"
#include "sent.h"
#include "wire_trace.h"

typedef struct runstate {
  const fsp_case *c;
  const fsp_config *cfg;
  const fsp_content *content;
  fsp_result *res;
  fsp_conn conn;
  fsp_sent sent;     /* what was written on conn, as an app would read it */
  bytebuf ends_told; /* per reply: its END was reported to sent */
  fsp_trace *trace;
  bytebuf pending;
  size_t chunk;
  size_t mark;     /* first record after the latest write */
  size_t observed; /* first record not yet reported by observe */
  int64_t t0;
  int64_t budget;   /* ms without progress that make a hang */
  int64_t cap;      /* absolute: no case runs past it, progress or not */
  int64_t progress; /* time of the latest byte received, 0: none yet */
  int decided;      /* a check failed: the remaining steps are skipped */
  bytebuf used;     /* replies consumed by checks (expect.h) */
  bytebuf checked;  /* replies whose content a check compared */
  size_t reply_index;
  int unchecked; /* a check could not look at what it is about */
} runstate;

/* The case deadline: the budget from the start of the case or from the
 * latest byte received, whichever is later, never past the cap. A flood
 * past the connection's bounds is not progress. */
static int64_t deadline(runstate *st) {
  if (st->conn.rx_bytes && !st->conn.flooded && st->conn.last_rx > st->progress)
    st->progress = st->conn.last_rx;
  int64_t d = st->t0 + st->budget;
  if (st->progress && st->progress + st->budget > d)
    d = st->progress + st->budget;
  return d < st->cap ? d : st->cap;
}

void result_free(fsp_result *r) {
  bytebuf_free(&r->expected);
  bytebuf_free(&r->observed);
  bytebuf_free(&r->notes);
  bytebuf_free(&r->trace);
  bytebuf_free(&r->requests);
}

static void declare_begin(void *ctx, uint16_t id, uint16_t role,
                          uint8_t flags) {
  replies_begin(&((runstate *)ctx)->conn.replies, id, role, flags);
}

/* Requests the backend ended are inactive again in the sent view, so a
 * later BEGIN for the same id starts a new request there too. */
static void sync_ends(runstate *st) {
  const fsp_replies *r = &st->conn.replies;
  for (size_t i = 0; i < r->n; i++)
    if (r->v[i].ended && !bytebuf_flag(&st->ends_told, i)) {
      bytebuf_flag_set(&st->ends_told, i);
      sent_ended(&st->sent, r->v[i].id);
    }
}

static void flush(runstate *st) {
  if (!st->pending.len)
    return;
  sync_ends(st);
  sent_feed(&st->sent, st->pending.p, st->pending.len, declare_begin, st);
  conn_write(&st->conn, st->pending.p, st->pending.len, st->chunk,
             deadline(st));
  st->pending.len = 0;
  st->mark = st->conn.headers;
}

fsp_verdict level_verdict(fsp_level l, int hang) {
  if (l == FSP_LVL_MAY || l == FSP_LVL_INFO)
    return FSP_V_INFO;
  if (hang)
    return FSP_V_HANG;
  return level_is_mandatory(l) ? FSP_V_FAIL : FSP_V_NONSTRICT;
}

/* Evaluates the alternatives of one expect/allow line; *which (may be
 * NULL) is set to the one that held. */
static fsp_tri eval_alts(const fsp_step *s, const fsp_eval *x, bytebuf *why,
                         size_t *which) {
  int pending = 0;
  for (size_t i = 0; i < s->nalts; i++) {
    bytebuf w = {0};
    *x->reply_index = SIZE_MAX;
    fsp_tri t = cond_eval(&s->alts[i], x, &w);
    if (t == TRI_TRUE) {
      /* Only the note of the alternative that held: why the others did
       * not no longer matters. */
      why->len = 0;
      bytebuf_add(why, w.p, w.len);
      bytebuf_free(&w);
      if (which)
        *which = i;
      return TRI_TRUE;
    }
    if (t == TRI_PENDING)
      pending = 1;
    else if (w.len) {
      if (why->len)
        bytebuf_str(why, "; ");
      bytebuf_add(why, w.p, w.len);
    }
    bytebuf_free(&w);
  }
  return pending ? TRI_PENDING : TRI_FALSE;
}

/* When a timed condition of s decides by itself. */
static int64_t next_wake(const fsp_step *s, int64_t start, int64_t until) {
  int64_t wake = until;
  for (size_t i = 0; i < s->nalts; i++)
    if (s->alts[i].ms >= 0 && start + s->alts[i].ms < wake)
      wake = start + s->alts[i].ms;
  return wake;
}

static void wait_until(runstate *st, int64_t until) {
  if (conn_done(&st->conn))
    sleep_ms(until - now_ms());
  else
    conn_pump(&st->conn, until);
}

static fsp_eval eval_ctx(runstate *st, int64_t start, int *unchecked) {
  st->reply_index = SIZE_MAX;
  fsp_eval x = {.c = &st->conn,
                .sent = &st->sent,
                .mark = st->mark,
                .step_start = start,
                .now = now_ms(),
                .content = st->content,
                .used = &st->used,
                .reply_index = &st->reply_index,
                .unchecked = unchecked};
  return x;
}

static void fail_with(runstate *st, const fsp_step *s, fsp_verdict v,
                      const char *why) {
  st->res->verdict = v;
  st->decided = 1;
  bytebuf_fmt(&st->res->expected, "line %d: %s", s->line, s->text);
  bytebuf_str(&st->res->observed, why);
  if (st->res->observed.len)
    bytebuf_str(&st->res->observed, "; ");
  bytebuf_str(&st->res->observed, "received: ");
  conn_summary(&st->conn, 0, &st->res->observed);
}

/* Why a check that is still pending at the deadline stopped: no progress
 * for the budget (a hang), or the cap reached while bytes still came. */
static int undecided_reason(runstate *st, bytebuf *why) {
  int64_t now = now_ms();
  if (st->progress && now >= st->cap && st->progress + st->budget > st->cap) {
    bytebuf_fmt(why, "undecided: still receiving after %lld ms (the cap)",
                (long long)(now - st->t0));
    return 1;
  }
  if (st->conn.flooded)
    bytebuf_fmt(why,
                "no decision: the backend kept sending past the read bounds (a "
                "flood is not progress) for %lld ms",
                (long long)(now - (st->progress ? st->progress : st->t0)));
  else
    bytebuf_fmt(why, "no decision: nothing received for %lld ms",
                (long long)st->budget);
  return 0;
}

/* Conditions about what was already received, which a tolerated close
 * does not excuse: a reply to an inactive id, a second END_REQUEST, a
 * record that breaks a rule. */
static int about_received(const fsp_step *s) {
  for (size_t i = 0; i < s->nalts; i++)
    switch (s->alts[i].kind) {
    case C_QUIET:
    case C_SINGLE_END:
    case C_NOTHING_AFTER_END:
    case C_VERSION_1:
    case C_IDS_VALID:
    case C_TYPES_VALID:
    case C_END_BODY:
      break;
    default:
      return 0;
    }
  return s->nalts > 0;
}

/* After an allow line tolerated a close, the checks that follow it up to
 * the next record sent are still judged on what arrived: one that fails
 * gives the case its own, worse verdict. */
static void still_judged(runstate *st, size_t from) {
  const fsp_case *c = st->c;
  for (size_t i = from; i < c->nsteps && c->steps[i].kind >= S_CHUNK; i++) {
    const fsp_step *s = &c->steps[i];
    if (s->kind != S_EXPECT || !about_received(s))
      continue;
    bytebuf why = {0};
    fsp_eval x = eval_ctx(st, now_ms(), NULL);
    fsp_verdict v = level_verdict(c->level, 0);
    if (eval_alts(s, &x, &why, NULL) == TRI_FALSE && v > st->res->verdict) {
      bytebuf_byte(&why, 0);
      st->res->expected.len = st->res->observed.len = 0;
      fail_with(st, s, v, (const char *)why.p);
    }
    bytebuf_free(&why);
  }
}

/* Runs the expect at steps[i] and the allow lines after it; returns the
 * index of the last step it used. */
static size_t do_expect(runstate *st, size_t i) {
  const fsp_case *c = st->c;
  const fsp_step *s = &c->steps[i];
  flush(st);
  int64_t start = now_ms();
  bytebuf why = {0};
  fsp_tri t;
  int unchecked;
  size_t which = 0;
  for (;;) {
    why.len = 0;
    unchecked = 0;
    fsp_eval x = eval_ctx(st, start, &unchecked);
    t = eval_alts(s, &x, &why, &which);
    int64_t until = deadline(st);
    if (t != TRI_PENDING || now_ms() >= until)
      break;
    wait_until(st, next_wake(s, start, until));
  }
  size_t last = i;
  while (last + 1 < c->nsteps && c->steps[last + 1].kind == S_ALLOW)
    last++;
  if (t == TRI_TRUE) {
    if (st->reply_index != SIZE_MAX) {
      bytebuf_flag_set(&st->used, st->reply_index);
      if (s->alts[which].kind == C_ECHO) {
        bytebuf_flag_set(&st->checked, st->reply_index);
        *(unchecked ? &st->res->content_unchecked
                    : &st->res->content_checked) += 1;
      }
    }
    st->unchecked |= unchecked;
    if (why.len)
      bytebuf_fmt(&st->res->notes, "line %d: %.*s\n", s->line, (int)why.len,
                  (const char *)why.p);
    bytebuf_free(&why);
    return last;
  }
  fsp_verdict hung = FSP_V_FAIL;
  if (t == TRI_PENDING) {
    if (why.len)
      bytebuf_str(&why, "; ");
    hung = undecided_reason(st, &why) ? FSP_V_ERROR : FSP_V_HANG;
  }
  /* The first allow line that holds now sets a milder verdict. */
  for (size_t j = i + 1; j <= last; j++) {
    bytebuf w = {0};
    fsp_eval x = eval_ctx(st, start, NULL);
    if (eval_alts(&c->steps[j], &x, &w, NULL) == TRI_TRUE) {
      fsp_verdict v = (fsp_verdict)c->steps[j].verdict;
      if (c->level >= FSP_LVL_MAY)
        v = FSP_V_INFO;
      bytebuf_fmt(&why, "; tolerated by line %d: %s", c->steps[j].line,
                  c->steps[j].text);
      bytebuf_free(&w);
      fail_with(st, s, v, (const char *)why.p);
      bytebuf_free(&why);
      still_judged(st, last + 1);
      return last;
    }
    bytebuf_free(&w);
  }
  bytebuf_byte(&why, 0);
  fsp_verdict v = level_verdict(c->level, t == TRI_PENDING);
  if (hung == FSP_V_ERROR)
    v = FSP_V_ERROR;
  fail_with(st, s, v, (const char *)why.p);
  bytebuf_free(&why);
  return last;
}

/* Reads until the backend has answered every request begun here, closed,
 * or stayed quiet for the settle time; then records what it sent. */
static void do_observe(runstate *st, const fsp_step *s) {
  flush(st);
  int64_t start = now_ms();
  for (;;) {
    int64_t now = now_ms();
    int64_t quiet_since = st->conn.last_rx > start ? st->conn.last_rx : start;
    if (conn_done(&st->conn) || now >= deadline(st) ||
        (st->conn.replies.nbegun && replies_all_ended(&st->conn.replies)) ||
        now - quiet_since >= st->cfg->settle_ms)
      break;
    conn_pump(&st->conn, quiet_since + st->cfg->settle_ms);
  }
  bytebuf_fmt(&st->res->notes, "line %d: observed: ", s->line);
  conn_summary(&st->conn, st->observed, &st->res->notes);
  bytebuf_byte(&st->res->notes, '\n');
  st->observed = st->conn.nrecs;
}

/* Every complete reply on the connection is compared with the request it
 * answers: a request that arrived changed fails the case, whatever the
 * case is about. Replies an echo check compared already are skipped. */
static void check_integrity(runstate *st) {
  const fsp_replies *r = &st->conn.replies;
  for (size_t i = 0; i < r->n; i++) {
    const fsp_reply *rep = &r->v[i];
    if (!rep->ended || rep->end.protocol_status != FCS_REQUEST_COMPLETE ||
        bytebuf_flag(&st->checked, i))
      continue;
    const fsp_sent_req *req = sent_find(&st->sent, rep->id, rep->nth);
    if (!req)
      continue;
    bytebuf why = {0};
    fsp_content_verdict v =
        content_compare(st->content, rep, req, &st->sent, &why);
    if (v == CONTENT_UNCHECKED) {
      st->res->content_unchecked++;
      bytebuf_fmt(&st->res->notes, "reply to request %u: %.*s\n", rep->id,
                  (int)why.len, (const char *)why.p);
    } else {
      st->res->content_checked++;
    }
    if (v == CONTENT_DIFFERS && st->res->verdict != FSP_V_FAIL) {
      st->res->verdict = FSP_V_FAIL;
      bytebuf_fmt(&st->res->expected,
                  "%sintegrity: every request arrives as it "
                  "was sent",
                  st->res->expected.len ? "; " : "");
      bytebuf_fmt(&st->res->observed, "%sEND_REQUEST(%u): %.*s",
                  st->res->observed.len ? "; " : "", rep->id, (int)why.len,
                  (const char *)why.p);
    }
    bytebuf_free(&why);
  }
}

/* Ends the connection's bookkeeping; the next connection starts fresh. */
static void close_conn(runstate *st) {
  if (st->res->verdict != FSP_V_ERROR && st->res->verdict != FSP_V_HANG)
    check_integrity(st);
  conn_close(&st->conn);
  sent_free(&st->sent);
  st->used.len = st->checked.len = st->ends_told.len = 0;
}

static int reconnect(runstate *st) {
  flush(st);
  close_conn(st);
  trace_note(st->trace, "reconnect: new connection");
  st->mark = st->observed = 0;
  sent_init(&st->sent);
  char err[256];
  if (conn_open(&st->conn, &st->cfg->target, st->trace, deadline(st), err,
                sizeof(err))) {
    st->res->verdict = FSP_V_ERROR;
    bytebuf_fmt(&st->res->observed, "cannot reconnect: %s", err);
    st->decided = 1;
    return -1;
  }
  return 0;
}

static void run_steps(runstate *st) {
  const fsp_case *c = st->c;
  char err[256];
  for (size_t i = 0; i < c->nsteps && !st->decided; i++) {
    const fsp_step *s = &c->steps[i];
    switch (s->kind) {
    case S_CHUNK:
      flush(st);
      st->chunk = s->chunk;
      break;
    case S_FLUSH:
      flush(st);
      break;
    case S_WAIT: {
      flush(st);
      int64_t until = now_ms() + (int64_t)s->ms;
      while (now_ms() < until && now_ms() < deadline(st))
        wait_until(st, until < deadline(st) ? until : deadline(st));
      break;
    }
    case S_SHUTDOWN:
      flush(st);
      conn_shutdown_write(&st->conn);
      break;
    case S_RECONNECT:
      reconnect(st);
      break;
    case S_EXPECT:
      i = do_expect(st, i);
      break;
    case S_ALLOW: /* consumed by do_expect */
      break;
    case S_OBSERVE:
      do_observe(st, s);
      break;
    default:
      if (step_produce(c, s, &st->cfg->std, &st->pending, err, sizeof(err))) {
        st->res->verdict = FSP_V_ERROR;
        bytebuf_str(&st->res->observed, err);
        st->decided = 1;
      }
      break;
    }
  }
  if (!st->decided)
    flush(st);
}

void run_case(const fsp_case *c, const fsp_config *cfg,
              const fsp_content *content, fsp_result *res, fsp_trace *trace) {
  memset(res, 0, sizeof(*res));
  int64_t t0 = now_ms();
  runstate st = {.c = c,
                 .cfg = cfg,
                 .content = content,
                 .res = res,
                 .trace = trace,
                 .t0 = t0};
  st.budget = c->deadline_ms ? c->deadline_ms : cfg->timeout_ms;
  st.cap = t0 + (cfg->cap_ms ? cfg->cap_ms : 20 * st.budget);
  res->verdict = c->level == FSP_LVL_INFO ? FSP_V_INFO : FSP_V_PASS;
  sent_init(&st.sent);
  char err[256];
  if (conn_open(&st.conn, &cfg->target, trace, deadline(&st), err,
                sizeof(err))) {
    res->verdict = FSP_V_ERROR;
    bytebuf_fmt(&res->observed, "cannot connect: %s", err);
  } else {
    run_steps(&st);
  }
  close_conn(&st);
  bytebuf_free(&st.pending);
  bytebuf_free(&st.used);
  bytebuf_free(&st.checked);
  bytebuf_free(&st.ends_told);
  if (st.unchecked && res->verdict == FSP_V_PASS) {
    res->verdict = FSP_V_UNSUPPORTED;
    bytebuf_str(&res->observed, "a check could not be made (see the notes)");
  }
}
