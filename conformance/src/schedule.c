#include "schedule.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "proxy.h"
#include "wire_trace.h"

/* Runs case c, then the liveness probe; a case during which the backend
 * was restarted for another case is marked tainted. */
static void run_one(const fsp_case *c, fsp_backend *be, fsp_result *res) {
  if (c->proxy) {
    proxy_run_case(c, be, res);
    return;
  }
  const char *lacks = backend_lacks(be, c);
  if (lacks) {
    memset(res, 0, sizeof(*res));
    res->verdict = FSP_V_UNSUPPORTED;
    bytebuf_str(&res->observed, lacks);
    return;
  }
  int64_t t0 = now_ms();
  unsigned generation = backend_generation(be);
  fsp_trace trace;
  trace_init(&trace);
  const fsp_content *content = be->probe ? be->probe->content : NULL;
  run_case(c, be->cfg, content, res, &trace);
  int restarted = res->verdict != FSP_V_ERROR && liveness(be, generation, res);
  res->tainted = backend_generation(be) != generation + (unsigned)restarted;
  if (res->verdict != FSP_V_PASS)
    trace_render(&trace, &res->trace, 8);
  trace_free(&trace);
  res->elapsed_ms = now_ms() - t0;
}

typedef struct pool {
  fsp_run *run;
  fsp_backend *be;
  size_t next, done;
  int progress;
  pthread_mutex_t lock;
} pool;

static void *worker(void *arg) {
  pool *p = arg;
  for (;;) {
    pthread_mutex_lock(&p->lock);
    size_t i = p->next++;
    pthread_mutex_unlock(&p->lock);
    if (i >= p->run->n)
      return NULL;
    run_one(p->run->cases[i], p->be, &p->run->res[i]);
    pthread_mutex_lock(&p->lock);
    p->done++;
    if (p->progress)
      fprintf(stderr, "\r\033[K[%zu/%zu] %s %s", p->done, p->run->n,
              verdict_name(p->run->res[i].verdict), p->run->cases[i]->id);
    pthread_mutex_unlock(&p->lock);
  }
}

/* A case that did not pass while the runner restarted the backend for
 * another case may have seen the restart, not the backend: it runs again,
 * alone, so a restart is never charged to the cases in flight and the
 * verdicts do not depend on --jobs. */
static void rerun_tainted(fsp_run *run, fsp_backend *be) {
  for (size_t i = 0; i < run->n; i++) {
    fsp_result *r = &run->res[i];
    if (!r->tainted || r->verdict == FSP_V_PASS || r->verdict == FSP_V_INFO ||
        r->verdict == FSP_V_UNSUPPORTED)
      continue;
    bytebuf first = {0};
    bytebuf_fmt(&first, "%s: %.*s", verdict_name(r->verdict),
                (int)r->observed.len, (const char *)r->observed.p);
    result_free(r);
    run_one(run->cases[i], be, r);
    bytebuf_fmt(&r->notes,
                "run again alone: the backend was restarted for another case "
                "while it first ran (then %.*s)\n",
                (int)(first.len < 300 ? first.len : 300),
                (const char *)first.p);
    bytebuf_free(&first);
  }
}

void run_all(fsp_run *run, fsp_backend *be, int jobs) {
  pool p = {.run = run, .be = be, .progress = isatty(2)};
  pthread_mutex_init(&p.lock, NULL);
  pthread_t th[64];
  int started = 0;
  for (int i = 0; i < jobs && i < 64; i++)
    if (pthread_create(&th[i], NULL, worker, &p) == 0)
      started++;
  if (!started)
    worker(&p);
  for (int i = 0; i < started; i++)
    pthread_join(th[i], NULL);
  if (p.progress)
    fputs("\r\033[K", stderr);
  pthread_mutex_destroy(&p.lock);
  rerun_tainted(run, be);
}
