/* fcgi-diff view: one stream sent to one target on a fresh connection,
 * and everything read back through the runner's receive path
 * (backend_conn.h). */
#ifndef FSP_DIFF_VIEW_H
#define FSP_DIFF_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "backend_conn.h"
#include "bytebuf.h"
#include "content.h"
#include "gen.h"
#include "sent.h"
#include "target.h"
#include "wire_trace.h"

/* Bytes received per connection before fcgi-diff stops reading (a flood):
 * what it keeps stays bounded whatever the backend sends. */
#define VIEW_READ_CAP (2u << 20)
/* Longest string printed per param value or body. */
#define VIEW_PRINT_CAP (128u << 10)

typedef struct view_target {
  const char *name;
  fsp_target addr;
  const char *script;                  /* the unpadded path */
  uint8_t padded[GEN_PLACEHOLDER_LEN]; /* script_pad of it */
  fsp_content *content;                /* its echo format, or NULL */
} view_target;

typedef struct view_run {
  const view_target *t;
  bytebuf bytes; /* the stream, placeholder replaced for t */
  long timeout_ms;
  int refused;
  char err[256];
  fsp_trace trace;
  fsp_conn conn;
  fsp_sent sent;        /* what was sent, as an application reads it */
  size_t id0_begun;     /* BEGIN_REQUESTs sent on id 0 (view.c) */
  const char *ended_by; /* closed, complete, timeout, flood, cap */
  int64_t ms;
} view_run;

/* Sends v->bytes to v->t and reads the answers (a thread body). */
void *view_exchange(void *v);
void view_run_free(view_run *v);

/* The JSON line of a finished run, ending in a newline. */
void view_json(const view_run *v, const char *file, bytebuf *out);

#endif
