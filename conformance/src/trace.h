/* Wire trace of one case: every chunk written and read, in order, with its
 * time. Bounded: past TRACE_MAX_BYTES only the sizes are kept. */
#ifndef FCS_TRACE_H
#define FCS_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define TRACE_MAX_BYTES (256u << 10)

typedef enum { TR_SENT, TR_RECV, TR_NOTE } fcs_trace_dir;

typedef struct fcs_trace_entry {
  fcs_trace_dir dir;
  int64_t t;       /* ms since the trace began */
  size_t off, len; /* bytes in data (kept may be < len) */
  size_t kept;
  size_t count; /* writes or reads merged into this entry */
} fcs_trace_entry;

typedef struct fcs_trace {
  int64_t t0;
  fcs_trace_entry *v;
  size_t n;
  fcs_buf data;
} fcs_trace;

void trace_init(fcs_trace *t);
void trace_add(fcs_trace *t, fcs_trace_dir dir, const uint8_t *p, size_t len);
void trace_note(fcs_trace *t, const char *text);
/* Appends a readable trace: per chunk a hex dump (at most max_lines lines
 * of 16 bytes), then the records each direction carried, decoded. */
void trace_render(const fcs_trace *t, fcs_buf *out, int max_lines);
void trace_free(fcs_trace *t);

#endif
