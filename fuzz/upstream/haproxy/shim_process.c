/* Stands in for the process around the mux: the globals haproxy.c,
 * thread.c, activity.c and clock.c define, start-up (haproxy.c's init of
 * pools, buffers and trash), traces (src/trace.c), logging (app_log in
 * src/log.c) and the BUG_ON reporting of src/debug.c.
 *
 * Faithful because: the globals hold what HAProxy has at run time with one
 * thread and a configuration that sets only tune.bufsize (haproxy.c's
 * defaults otherwise; maxrewrite is clamped to half of it as haproxy.c
 * does at start-up); start-up runs HAProxy's own
 * init_buffer and init_trash_buffers, which is also what HAProxy does when
 * the configuration changes tune.bufsize; trace sources start stopped in
 * HAProxy, so the mux's TRACE macros never call __trace, and the shim
 * aborts if one does; app_log formats its message the way log.c does
 * (printf-style) and hands all of it to the harness instead of a log
 * server, which the mux cannot observe (log.c would cut it to the line
 * length of the log server); complain prints the BUG_ON
 * message, after which BUG_ON aborts as HAProxy's DEBUG_STRICT build does
 * (Debian builds with DEBUG_STRICT). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <haproxy/activity.h>
#include <haproxy/chunk.h>
#include <haproxy/clock.h>
#include <haproxy/dynbuf.h>
#include <haproxy/fd.h>
#include <haproxy/global.h>
#include <haproxy/log.h>
#include <haproxy/session.h>
#include <haproxy/task.h>
#include <haproxy/ticks.h>
#include <haproxy/tinfo.h>
#include <haproxy/trace.h>

#include "shim.h"

/* haproxy.c's defaults for what the mux, htx and h1 code read. */
struct global global = {
    .hard_stop_after = TICK_ETERNITY,
    .close_spread_time = TICK_ETERNITY,
    .close_spread_end = TICK_ETERNITY,
    .tune =
        {
            .options = GTUNE_LISTENER_MQ,
            .maxrewrite = MAXREWRITE,
            .reserved_bufs = RESERVED_BUFS,
            .max_http_hdr = MAX_HTTP_HDR,
        },
};
int stopping;
THREAD_LOCAL unsigned int now_ms;
struct activity activity[MAX_THREADS];
struct thread_ctx ha_thread_ctx[MAX_THREADS];
THREAD_LOCAL struct thread_ctx *th_ctx;
unsigned long task_profiling_mask; /* profiling off */
char haproxy_version[] = "2.6.12-1+deb12u3";
THREAD_LOCAL struct buffer trace_buf;
struct fdtab
    *fdtab; /* no file descriptors: connections have no control layer */

uint64_t now_mono_time(void) { return 0; /* only read when profiling */ }

void trace_register_source(struct trace_source *source) { (void)source; }

void __trace(enum trace_level level, uint64_t mask, struct trace_source *src,
             const struct ist where, const char *func, const void *a1,
             const void *a2, const void *a3, const void *a4,
             void (*cb)(enum trace_level level, uint64_t mask,
                        const struct trace_source *src, const struct ist where,
                        const struct ist func, const void *a1, const void *a2,
                        const void *a3, const void *a4),
             const struct ist msg) {
  fprintf(stderr, "haproxy shim: a trace source was started\n");
  abort();
}

void complain(int *counter, const char *msg, int taint) {
  (void)taint;
  if (counter && (*counter)++)
    return; /* the _ONCE variants report once */
  fputs(msg, stderr);
}

void ha_backtrace_to_stderr(void) {}

static shim_log_fn log_fn;
static void *log_ctx;

void shim_log_sink(shim_log_fn fn, void *ctx) {
  log_fn = fn;
  log_ctx = ctx;
}

void app_log(struct list *logsrvs, struct buffer *tag, int level,
             const char *format, ...) {
  char *line = NULL;
  va_list args;
  (void)logsrvs;
  (void)tag;
  (void)level;
  va_start(args, format);
  int n = vasprintf(&line, format, args);
  va_end(args);
  if (n < 0)
    abort();
  if (log_fn)
    log_fn(log_ctx, line);
  free(line);
}

void shim_process_setup(unsigned bufsize) {
  static int started;
  if (!started) {
    started = 1;
    th_ctx = &ha_thread_ctx[0];
    for (int i = 0; i < TL_CLASSES; i++)
      LIST_INIT(&th_ctx->tasklets[i]);
    LIST_INIT(&th_ctx->buffer_wq);
    pool_head_tasklet =
        create_pool("tasklet", sizeof(struct tasklet), MEM_F_SHARED);
    pool_head_task = create_pool("task", sizeof(struct task), MEM_F_SHARED);
    pool_head_sess_srv_list = create_pool(
        "sess_srv_list", sizeof(struct sess_srv_list), MEM_F_SHARED);
  }
  if ((unsigned)global.tune.bufsize == bufsize)
    return;
  global.tune.bufsize = (int)bufsize;
  global.tune.maxrewrite = MAXREWRITE < bufsize / 2 ? MAXREWRITE : bufsize / 2;
  if (!init_buffer() || !init_trash_buffers(0)) {
    fprintf(stderr, "haproxy shim: cannot set up %u-byte buffers\n", bufsize);
    abort();
  }
}
