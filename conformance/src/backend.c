#include "backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "conn.h"
#include "trace.h"
#include "xalloc.h"

static void declare_on(void *ctx, uint16_t id, uint16_t role, uint8_t flags) {
  replies_begin(&((fsp_conn *)ctx)->replies, id, role, flags);
}

void served_free(fsp_served *got) {
  bytebuf_free(&got->out);
  bytebuf_free(&got->err);
  sent_free(&got->sent);
}

int serve_probe(fsp_config *cfg, long deadline_ms, const char *const *pairs,
                uint16_t role, fsp_served *got, bytebuf *why) {
  int64_t deadline = now_ms() + deadline_ms;
  fsp_trace tr;
  trace_init(&tr);
  fsp_conn conn;
  fsp_sent sent;
  sent_init(&sent);
  char err[256];
  if (conn_open(&conn, &cfg->target, &tr, deadline, err, sizeof(err))) {
    bytebuf_fmt(why, "cannot connect: %s", err);
    conn_close(&conn);
    trace_free(&tr);
    if (got)
      got->sent = sent;
    else
      sent_free(&sent);
    return -1;
  }
  fsp_step s = {.kind = S_REQUEST, .id = 1, .role = role};
  s.o = (fsp_rec_opts){-1, -1, -1, -1, -1, -1, -1};
  size_t n = 0;
  while (pairs && pairs[n])
    n++;
  bytebuf *items = xcalloc(n + 1, sizeof(bytebuf)), out = {0};
  for (size_t i = 0; i < n; i++)
    bytebuf_str(&items[i], pairs[i]);
  s.items = items;
  s.nitems = n;
  step_produce(NULL, &s, &cfg->std, &out, err, sizeof(err));
  sent_feed(&sent, out.p, out.len, declare_on, &conn);
  conn_write(&conn, out.p, out.len, 0, deadline);
  const fsp_reply *rep = NULL;
  /* Slow is not hung here either: bytes received restart the deadline, up
   * to the same cap a case has. */
  int64_t cap = deadline + 19 * (int64_t)deadline_ms;
  while (!(rep = replies_next_end(&conn.replies, 1, NULL, NULL)) &&
         !conn_done(&conn) && now_ms() < deadline) {
    conn_pump(&conn, deadline);
    if (conn.rx_bytes && conn.last_rx + deadline_ms > deadline)
      deadline =
          conn.last_rx + deadline_ms < cap ? conn.last_rx + deadline_ms : cap;
  }
  int rc = -1;
  if (!rep)
    bytebuf_fmt(why, "%s before END_REQUEST",
                conn_done(&conn) ? "the connection closed or broke"
                                 : "no response within the deadline");
  else if (rep->end.protocol_status != FCS_REQUEST_COMPLETE)
    bytebuf_fmt(why, "END_REQUEST with protocolStatus %u (%s)",
                rep->end.protocol_status,
                fcs_protocol_status_name(rep->end.protocol_status));
  else
    rc = 0;
  if (rep && got) {
    bytebuf_add(&got->out, rep->out.p, rep->out.len);
    bytebuf_add(&got->err, rep->err.p, rep->err.len);
  }
  if (got)
    got->sent = sent;
  else
    sent_free(&sent);
  conn_close(&conn);
  bytebuf_free(&out);
  for (size_t i = 0; i < n; i++)
    bytebuf_free(&items[i]);
  free(items);
  trace_free(&tr);
  return rc;
}

/* Deadline of the liveness probe: a healthy backend answers in
 * milliseconds, and a hang-everything run should cost little more than its
 * case deadlines. */
static long probe_deadline(const fsp_config *cfg) {
  long ms = cfg->timeout_ms / 4;
  return ms < 250 ? 250 : ms > 1000 ? 1000 : ms;
}

int liveness(fsp_config *cfg, unsigned generation, fsp_result *res) {
  bytebuf why = {0};
  long probe_ms = probe_deadline(cfg);
  if (serve_probe(cfg, probe_ms, NULL, FCS_RESPONDER, NULL, &why) == 0) {
    bytebuf_free(&why);
    return 0;
  }
  res->down = 1;
  if (res->verdict != FSP_V_FAIL && res->verdict != FSP_V_HANG) {
    res->verdict = FSP_V_FAIL;
    bytebuf_str(&res->expected,
                "liveness: a fresh connection is served after the case");
  }
  if (res->observed.len)
    bytebuf_str(&res->observed, "; ");
  bytebuf_str(&res->observed, "after this case the backend did not serve a "
                              "fresh connection: ");
  bytebuf_add(&res->observed, why.p, why.len);
  int restarted = 0;
  if (cfg->spawn) {
    why.len = 0;
    restarted = respawn(cfg, generation, &why) == 1;
    bytebuf_fmt(&res->observed, " (%.*s)", (int)why.len, (const char *)why.p);
  }
  bytebuf_free(&why);
  return restarted;
}

int respawn(fsp_config *cfg, unsigned generation, bytebuf *why) {
  pthread_mutex_lock(&cfg->lock);
  /* Parallel cases may all see the same death: the first restarts it. */
  if (cfg->generation != generation) {
    bytebuf_str(why, "already restarted for another case");
    pthread_mutex_unlock(&cfg->lock);
    return 0;
  }
  char err[256];
  int was_alive = spawn_alive(cfg->pid);
  spawn_stop(cfg->pid);
  cfg->generation++;
  /* The dead backend may have left its socket file behind; processes of
   * its group may still be going away. */
  int rc = 0;
  if (cfg->target.is_unix) {
    unix_path_wait_released(cfg->target.path, now_ms() + 2000);
    rc = unix_path_claim(cfg->target.path, err, sizeof(err));
  }
  cfg->pid = rc ? -1 : spawn_start(cfg->spawn);
  if (!rc && cfg->pid < 0)
    snprintf(err, sizeof(err), "fork failed");
  if (!rc && cfg->pid > 0)
    rc = spawn_wait_ready(&cfg->target, cfg->pid, now_ms() + 5000, err,
                          sizeof(err));
  else if (cfg->pid < 0)
    rc = -1;
  if (rc)
    bytebuf_fmt(why, "restart failed: %s", err);
  else
    bytebuf_str(why, was_alive
                         ? "the process was still there but did not serve "
                           "(wedged, or dying); restarted"
                         : "the process had died; restarted");
  pthread_mutex_unlock(&cfg->lock);
  return rc ? -1 : 1;
}
