/* Stands in for HAProxy's scheduler (src/task.c), for tasklets.
 *
 * The mux works from tasklets: its connection's I/O tasklet (fcgi_io_cb),
 * each stream's deferred-shutdown tasklet, and the stream layer's tasklet
 * it wakes to report data. Waking a tasklet queues it once (TASK_IN_LIST,
 * set by the inline tasklet_wakeup) on the thread's list and counts it in
 * rq_total, as __tasklet_wakeup_on does; shim_run_tasklets runs the queue
 * in wake-up order the way run_tasks_from_lists does: unlink, drop every
 * state bit but TASK_PERSISTENT, pass the old state to the tasklet's
 * process function. HAProxy orders tasklets in four classes by urgency;
 * the mux never relies on that order, only on being run after a wake-up.
 * Timed tasks are not used: the harness's proxy has no "timeout server",
 * so fcgi_init creates no timeout task, and queueing one aborts. */
#include <stdio.h>
#include <stdlib.h>

#include <haproxy/task.h>

#include "shim.h"

struct pool_head *pool_head_task;
struct pool_head *pool_head_tasklet;

void __tasklet_wakeup_on(struct tasklet *tl, int thr) {
  (void)thr; /* one thread */
  LIST_APPEND(&th_ctx->tasklets[TL_URGENT], &tl->list);
  th_ctx->rq_total++;
}

static void no_timed_tasks(const char *what) {
  fprintf(stderr,
          "haproxy shim: %s called, but the harness has no timed "
          "tasks\n",
          what);
  abort();
}

void __task_wakeup(struct task *t) {
  (void)t;
  no_timed_tasks("__task_wakeup");
}

void __task_queue(struct task *task, struct eb_root *wq) {
  (void)task;
  (void)wq;
  no_timed_tasks("__task_queue");
}

int shim_run_tasklets(unsigned budget) {
  struct list *queue = &th_ctx->tasklets[TL_URGENT];
  while (!LIST_ISEMPTY(queue)) {
    if (!budget--)
      return -1;
    struct tasklet *tl = LIST_ELEM(queue->n, struct tasklet *, list);
    LIST_DEL_INIT(&tl->list);
    th_ctx->rq_total--;
    unsigned int state = tl->state;
    tl->state &= TASK_PERSISTENT;
    tl->calls++;
    th_ctx->current = (struct task *)tl;
    tl->process((struct task *)tl, tl->context, state);
    th_ctx->current = NULL;
  }
  return 0;
}
