#include "backend.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "target.h"

int backend_start(fsp_backend *b, const fsp_config *cfg, char *err,
                  size_t errlen) {
  b->cfg = cfg;
  pthread_mutex_init(&b->lock, NULL);
  if (!cfg->spawn) {
    int fd =
        target_connect(&cfg->target, now_ms() + cfg->timeout_ms, err, errlen);
    if (fd < 0)
      return -1;
    close(fd);
    return 0;
  }
  b->pid = spawn_start(cfg->spawn);
  char why[512];
  if (b->pid < 0 || spawn_wait_ready(&cfg->target, b->pid, now_ms() + 10000,
                                     why, sizeof(why))) {
    snprintf(err, errlen, "cannot start the %s: %s",
             b->proxy ? "proxy" : "backend", b->pid < 0 ? "fork failed" : why);
    spawn_stop(b->pid);
    b->pid = 0;
    return -1;
  }
  return 0;
}

void backend_stop(fsp_backend *b) {
  spawn_stop(b->pid);
  pthread_mutex_destroy(&b->lock);
}

unsigned backend_generation(fsp_backend *b) {
  pthread_mutex_lock(&b->lock);
  unsigned g = b->generation;
  pthread_mutex_unlock(&b->lock);
  return g;
}

/* The features the probe found: REQ_* of case.h. */
static unsigned caps(const fsp_probe *p) {
  if (!p)
    return 0;
  return (!strcmp(p->mpxs_conns, "1")   ? REQ_MPXS
          : !strcmp(p->mpxs_conns, "0") ? REQ_NO_MPXS
                                        : 0) |
         (p->content ? REQ_ECHO : 0) | (p->authorizer ? REQ_AUTHORIZER : 0) |
         (p->filter ? REQ_FILTER : 0);
}

const char *backend_lacks(const fsp_backend *b, const fsp_case *c) {
  unsigned missing = case_needs(c) & ~caps(b->probe);
  int mpxs_known = b->probe && b->probe->mpxs_conns[0];
  if (!missing)
    return NULL;
  if (missing & REQ_MPXS)
    return mpxs_known
               ? "the backend does not multiplex (FCGI_MPXS_CONNS=0)"
               : "FCGI_MPXS_CONNS is unknown (GET_VALUES did not give it)";
  if (missing & REQ_NO_MPXS)
    return mpxs_known
               ? "the backend multiplexes (FCGI_MPXS_CONNS=1)"
               : "FCGI_MPXS_CONNS is unknown (GET_VALUES did not give it)";
  if (missing & REQ_AUTHORIZER)
    return "the backend does not serve the Authorizer role";
  if (missing & REQ_FILTER)
    return "the backend does not serve the Filter role";
  return "the backend does not reveal the params and body it received";
}

/* Deadline of the liveness probe: a healthy backend answers in
 * milliseconds, and a hang-everything run should cost little more than its
 * case deadlines. */
static long probe_deadline(const fsp_config *cfg) {
  long ms = cfg->timeout_ms / 4;
  return ms < 250 ? 250 : ms > 1000 ? 1000 : ms;
}

int liveness(fsp_backend *b, unsigned generation, fsp_result *res) {
  const fsp_config *cfg = b->cfg;
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
    restarted = respawn(b, generation, &why) == 1;
    bytebuf_fmt(&res->observed, " (%.*s)", (int)why.len, (const char *)why.p);
  }
  bytebuf_free(&why);
  return restarted;
}

int respawn(fsp_backend *b, unsigned generation, bytebuf *why) {
  const fsp_config *cfg = b->cfg;
  pthread_mutex_lock(&b->lock);
  /* Parallel cases may all see the same death: the first restarts it. */
  if (b->generation != generation) {
    bytebuf_str(why, "already restarted for another case");
    pthread_mutex_unlock(&b->lock);
    return 0;
  }
  char err[256];
  int was_alive = spawn_alive(b->pid);
  spawn_stop(b->pid);
  b->generation++;
  /* The dead backend may have left its socket file behind; processes of
   * its group may still be going away. */
  int rc = 0;
  if (cfg->target.is_unix) {
    unix_path_wait_released(cfg->target.path, now_ms() + 2000);
    rc = unix_path_claim(cfg->target.path, err, sizeof(err));
  }
  b->pid = rc ? -1 : spawn_start(cfg->spawn);
  if (!rc && b->pid < 0)
    snprintf(err, sizeof(err), "fork failed");
  if (!rc && b->pid > 0)
    rc = spawn_wait_ready(&cfg->target, b->pid, now_ms() + 5000, err,
                          sizeof(err));
  else if (b->pid < 0)
    rc = -1;
  if (rc)
    bytebuf_fmt(why, "restart failed: %s", err);
  else
    bytebuf_str(why, was_alive
                         ? "the process was still there but did not serve "
                           "(wedged, or dying); restarted"
                         : "the process had died; restarted");
  pthread_mutex_unlock(&b->lock);
  return rc ? -1 : 1;
}
