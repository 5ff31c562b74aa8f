#include "run.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "conn.h"
#include "expect.h"
#include "trace.h"

#define MAX_BEGUN 64

typedef struct runstate {
  const fcs_case *c;
  fcs_config *cfg;
  fcs_result *res;
  fcs_conn conn;
  fcs_trace trace;
  fcs_buf pending;
  size_t chunk;
  size_t mark;     /* first record after the latest write */
  size_t observed; /* first record not yet reported by observe */
  int64_t deadline;
  uint16_t begun[MAX_BEGUN];
  size_t nbegun;
  int decided;  /* a check failed: the remaining steps are skipped */
  fcs_buf used; /* END_REQUEST records consumed by checks (expect.h) */
  size_t end_index;
} runstate;

void result_free(fcs_result *r) {
  buf_free(&r->expected);
  buf_free(&r->observed);
  buf_free(&r->notes);
  buf_free(&r->trace);
}

static void note_begun(runstate *st, const fcs_step *s) {
  if (s->kind != S_BEGIN && s->kind != S_REQUEST)
    return;
  for (size_t i = 0; i < st->nbegun; i++)
    if (st->begun[i] == s->id)
      return;
  if (st->nbegun < MAX_BEGUN)
    st->begun[st->nbegun++] = (uint16_t)s->id;
}

static void flush(runstate *st) {
  if (!st->pending.len)
    return;
  conn_write(&st->conn, st->pending.p, st->pending.len, st->chunk,
             st->deadline);
  st->pending.len = 0;
  st->mark = st->conn.nrecs;
}

/* Verdict for a failed check at the case's level. */
static fcs_verdict level_verdict(fcs_level l, int hang) {
  if (l == FCS_LVL_MAY || l == FCS_LVL_INFO)
    return FCS_V_INFO;
  if (hang)
    return FCS_V_HANG;
  return l == FCS_LVL_MUST ? FCS_V_FAIL : FCS_V_NONSTRICT;
}

/* Evaluates the alternatives of one expect/allow line. */
static fcs_tri eval_alts(const fcs_step *s, const fcs_eval *x, fcs_buf *why) {
  int pending = 0;
  for (size_t i = 0; i < s->nalts; i++) {
    fcs_buf w = {0};
    *x->end_index = SIZE_MAX;
    fcs_tri t = cond_eval(&s->alts[i], x, &w);
    if (t == TRI_TRUE) {
      if (w.len)
        buf_add(why, w.p, w.len);
      buf_free(&w);
      return TRI_TRUE;
    }
    if (t == TRI_PENDING)
      pending = 1;
    else if (w.len) {
      if (why->len)
        buf_str(why, "; ");
      buf_add(why, w.p, w.len);
    }
    buf_free(&w);
  }
  return pending ? TRI_PENDING : TRI_FALSE;
}

/* When a timed condition of s decides by itself. */
static int64_t next_wake(const fcs_step *s, int64_t start, int64_t deadline) {
  int64_t wake = deadline;
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

static fcs_eval eval_ctx(runstate *st, int64_t start) {
  st->end_index = SIZE_MAX;
  fcs_eval x = {&st->conn,     st->mark,  start,         now_ms(),
                st->cfg->echo, &st->used, &st->end_index};
  return x;
}

/* Marks the END_REQUEST a passing check used, so the next check on the
 * same id looks at the next response. */
static void consume_end(runstate *st) {
  if (st->end_index == SIZE_MAX)
    return;
  while (st->used.len <= st->end_index)
    buf_byte(&st->used, 0);
  st->used.p[st->end_index] = 1;
}

static void fail_with(runstate *st, const fcs_step *s, fcs_verdict v,
                      const char *why) {
  st->res->verdict = v;
  st->decided = 1;
  buf_fmt(&st->res->expected, "line %d: %s", s->line, s->text);
  buf_str(&st->res->observed, why);
  if (st->res->observed.len)
    buf_str(&st->res->observed, "; ");
  buf_str(&st->res->observed, "received: ");
  conn_summary(&st->conn, 0, &st->res->observed);
}

/* Runs the expect at steps[i] and the allow lines after it; returns the
 * index of the last step it used. */
static size_t do_expect(runstate *st, size_t i) {
  const fcs_case *c = st->c;
  const fcs_step *s = &c->steps[i];
  flush(st);
  int64_t start = now_ms();
  fcs_buf why = {0};
  fcs_tri t;
  for (;;) {
    why.len = 0;
    fcs_eval x = eval_ctx(st, start);
    t = eval_alts(s, &x, &why);
    if (t != TRI_PENDING || now_ms() >= st->deadline)
      break;
    wait_until(st, next_wake(s, start, st->deadline));
  }
  size_t last = i;
  while (last + 1 < c->nsteps && c->steps[last + 1].kind == S_ALLOW)
    last++;
  if (t == TRI_TRUE) {
    consume_end(st);
    if (why.len)
      buf_fmt(&st->res->notes, "line %d: %.*s\n", s->line, (int)why.len,
              (const char *)why.p);
    buf_free(&why);
    return last;
  }
  int hang = t == TRI_PENDING;
  if (hang) {
    buf_fmt(&why, "no decision within the %lld ms case deadline",
            (long long)(st->deadline - st->res->ms));
  }
  /* The first allow line that holds now sets a milder verdict. */
  for (size_t j = i + 1; j <= last; j++) {
    fcs_buf w = {0};
    fcs_eval x = eval_ctx(st, start);
    if (eval_alts(&c->steps[j], &x, &w) == TRI_TRUE) {
      fcs_verdict v = (fcs_verdict)c->steps[j].verdict;
      if (c->level >= FCS_LVL_MAY)
        v = FCS_V_INFO;
      buf_fmt(&why, "; tolerated by line %d: %s", c->steps[j].line,
              c->steps[j].text);
      buf_free(&w);
      fail_with(st, s, v, (const char *)why.p);
      buf_free(&why);
      return last;
    }
    buf_free(&w);
  }
  buf_byte(&why, 0);
  fail_with(st, s, level_verdict(c->level, hang), (const char *)why.p);
  buf_free(&why);
  return last;
}

/* Reads until the backend has answered every request begun here, closed,
 * or stayed quiet for the settle time; then records what it sent. */
static void do_observe(runstate *st, const fcs_step *s) {
  flush(st);
  int64_t start = now_ms();
  for (;;) {
    int64_t now = now_ms();
    int64_t quiet_since = st->conn.last_rx > start ? st->conn.last_rx : start;
    if (conn_done(&st->conn) || now >= st->deadline ||
        (st->nbegun && conn_all_ended(&st->conn, st->begun, st->nbegun)) ||
        now - quiet_since >= st->cfg->settle_ms)
      break;
    conn_pump(&st->conn, quiet_since + st->cfg->settle_ms);
  }
  buf_fmt(&st->res->notes, "line %d: observed: ", s->line);
  conn_summary(&st->conn, st->observed, &st->res->notes);
  buf_byte(&st->res->notes, '\n');
  st->observed = st->conn.nrecs;
}

static int reconnect(runstate *st) {
  flush(st);
  conn_close(&st->conn);
  trace_note(&st->trace, "reconnect: new connection");
  st->mark = st->observed = st->nbegun = 0;
  st->used.len = 0;
  char err[256];
  if (conn_open(&st->conn, &st->cfg->target, &st->trace, st->deadline, err,
                sizeof(err))) {
    st->res->verdict = FCS_V_ERROR;
    buf_fmt(&st->res->observed, "cannot reconnect: %s", err);
    st->decided = 1;
    return -1;
  }
  return 0;
}

static void run_steps(runstate *st) {
  const fcs_case *c = st->c;
  char err[256];
  for (size_t i = 0; i < c->nsteps && !st->decided; i++) {
    const fcs_step *s = &c->steps[i];
    switch (s->kind) {
    case S_CHUNK:
      flush(st);
      st->chunk = s->a;
      break;
    case S_FLUSH:
      flush(st);
      break;
    case S_WAIT: {
      flush(st);
      int64_t until = now_ms() + (int64_t)s->a;
      if (until > st->deadline)
        until = st->deadline;
      while (now_ms() < until)
        wait_until(st, until);
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
      note_begun(st, s);
      if (step_produce(s, &st->cfg->std, &st->pending, err, sizeof(err))) {
        st->res->verdict = FCS_V_ERROR;
        buf_str(&st->res->observed, err);
        st->decided = 1;
      }
      break;
    }
  }
  if (!st->decided)
    flush(st);
}

static const char *missing_feature(unsigned missing) {
  if (missing & REQ_MPXS)
    return "the backend does not multiplex (FCGI_MPXS_CONNS is not 1)";
  if (missing & REQ_NO_MPXS)
    return "the backend multiplexes (FCGI_MPXS_CONNS=1)";
  if (missing & REQ_AUTHORIZER)
    return "the backend does not serve the Authorizer role";
  if (missing & REQ_FILTER)
    return "the backend does not serve the Filter role";
  return "the backend does not echo its params and stdin";
}

static unsigned needs(const fcs_case *c) {
  unsigned r = c->requires;
  if (strcmp(c->role, "authorizer") == 0)
    r |= REQ_AUTHORIZER;
  if (strcmp(c->role, "filter") == 0)
    r |= REQ_FILTER;
  return r;
}

/* Deadline of the liveness probe: a healthy backend answers in
 * milliseconds, and a hang-everything run should cost little more than its
 * case deadlines. */
static long probe_deadline(const fcs_config *cfg) {
  long ms = cfg->timeout_ms / 4;
  return ms < 250 ? 250 : ms > 1000 ? 1000 : ms;
}

static void liveness(fcs_config *cfg, unsigned generation, fcs_result *res) {
  fcs_buf why = {0};
  long probe_ms = probe_deadline(cfg);
  if (serve_probe(cfg, probe_ms, NULL, NULL, 1, NULL, &why) == 0) {
    buf_free(&why);
    return;
  }
  res->down = 1;
  if (res->verdict != FCS_V_FAIL && res->verdict != FCS_V_HANG) {
    res->verdict = FCS_V_FAIL;
    buf_str(&res->expected,
            "liveness: a fresh connection is served after the case");
  }
  if (res->observed.len)
    buf_str(&res->observed, "; ");
  buf_str(&res->observed, "after this case the backend did not serve a "
                          "fresh connection: ");
  buf_add(&res->observed, why.p, why.len);
  if (cfg->spawn) {
    why.len = 0;
    respawn(cfg, generation, &why);
    buf_fmt(&res->observed, " (%.*s)", (int)why.len, (const char *)why.p);
  }
  buf_free(&why);
}

void run_case(const fcs_case *c, fcs_config *cfg, fcs_result *res) {
  memset(res, 0, sizeof(*res));
  int64_t t0 = now_ms();
  unsigned missing = needs(c) & ~cfg->caps;
  if (missing) {
    res->verdict = FCS_V_UNSUPPORTED;
    buf_str(&res->observed, missing_feature(missing));
    return;
  }
  pthread_mutex_lock(&cfg->lock);
  unsigned generation = cfg->generation;
  pthread_mutex_unlock(&cfg->lock);
  runstate st = {.c = c, .cfg = cfg, .res = res};
  trace_init(&st.trace);
  st.deadline = t0 + (c->deadline_ms ? c->deadline_ms : cfg->timeout_ms);
  res->ms = t0; /* do_expect reports the deadline relative to this */
  res->verdict = c->level == FCS_LVL_INFO ? FCS_V_INFO : FCS_V_PASS;
  char err[256];
  if (conn_open(&st.conn, &cfg->target, &st.trace, st.deadline, err,
                sizeof(err))) {
    res->verdict = FCS_V_ERROR;
    buf_fmt(&res->observed, "cannot connect: %s", err);
  } else {
    run_steps(&st);
  }
  conn_close(&st.conn);
  buf_free(&st.pending);
  buf_free(&st.used);
  if (res->verdict != FCS_V_ERROR)
    liveness(cfg, generation, res);
  if (res->verdict != FCS_V_PASS)
    trace_render(&st.trace, &res->trace, 8);
  trace_free(&st.trace);
  res->ms = now_ms() - t0;
}

int serve_probe(fcs_config *cfg, long deadline_ms, const char *name,
                const char *value, uint16_t role, fcs_buf *stdout_out,
                fcs_buf *why) {
  int64_t deadline = now_ms() + deadline_ms;
  fcs_trace tr;
  trace_init(&tr);
  fcs_conn conn;
  char err[256];
  int rc = -1;
  if (conn_open(&conn, &cfg->target, &tr, deadline, err, sizeof(err))) {
    buf_fmt(why, "cannot connect: %s", err);
    trace_free(&tr);
    return -1;
  }
  fcs_step s = {.kind = S_REQUEST, .id = 1, .a = role};
  s.o = (fcs_rec_opts){-1, -1, -1, -1, -1, -1, -1};
  fcs_buf items[2] = {{0}, {0}}, out = {0};
  if (name) {
    buf_str(&items[0], name);
    buf_str(&items[1], value);
    s.items = items;
    s.nitems = 2;
  }
  step_produce(&s, &cfg->std, &out, err, sizeof(err));
  conn_write(&conn, out.p, out.len, 0, deadline);
  fcs_cond k = {.kind = C_RESPONSE, .id = 1};
  size_t end_index;
  fcs_eval x = {&conn, 0, now_ms(), 0, 0, NULL, &end_index};
  fcs_tri t;
  for (;;) {
    why->len = 0;
    x.now = now_ms();
    t = cond_eval(&k, &x, why);
    if (t != TRI_PENDING || now_ms() >= deadline)
      break;
    if (conn_done(&conn))
      break;
    conn_pump(&conn, deadline);
  }
  if (t == TRI_TRUE) {
    rc = 0;
    for (size_t i = 0; stdout_out && i < conn.nrecs; i++)
      if (conn.recs[i].h.type == FCS_STDOUT)
        buf_add(stdout_out, rx_content(&conn, &conn.recs[i]),
                conn.recs[i].kept);
  } else if (t == TRI_PENDING) {
    buf_fmt(why, "no response within %ld ms", deadline_ms);
  }
  conn_close(&conn);
  buf_free(&out);
  buf_free(&items[0]);
  buf_free(&items[1]);
  trace_free(&tr);
  return rc;
}

int respawn(fcs_config *cfg, unsigned generation, fcs_buf *why) {
  pthread_mutex_lock(&cfg->lock);
  /* Parallel cases may all see the same death: the first restarts it. */
  if (cfg->generation != generation) {
    buf_str(why, "already restarted for another case");
    pthread_mutex_unlock(&cfg->lock);
    return 0;
  }
  char err[256];
  int was_alive = spawn_alive(cfg->pid);
  spawn_stop(cfg->pid);
  cfg->generation++;
  /* The dead backend may have left its socket file behind. */
  int rc = cfg->target.is_unix
               ? unix_path_claim(cfg->target.path, err, sizeof(err))
               : 0;
  cfg->pid = rc ? -1 : spawn_start(cfg->spawn);
  if (!rc && cfg->pid < 0)
    snprintf(err, sizeof(err), "fork failed");
  if (!rc && cfg->pid > 0)
    rc = spawn_wait_ready(&cfg->target, cfg->pid, now_ms() + 5000, err,
                          sizeof(err));
  else if (cfg->pid < 0)
    rc = -1;
  if (rc)
    buf_fmt(why, "restart failed: %s", err);
  else
    buf_str(why, was_alive ? "the process was alive but wedged; restarted"
                           : "the process had died; restarted");
  pthread_mutex_unlock(&cfg->lock);
  return rc;
}
