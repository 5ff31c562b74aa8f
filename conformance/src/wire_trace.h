/* Wire trace of one case: every chunk written and read, in order, with its
 * time. Bounded: past TRACE_MAX_BYTES only the sizes are kept. */
#ifndef FSP_WIRE_TRACE_H
#define FSP_WIRE_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"

#define TRACE_MAX_BYTES (256u << 10)
/* trace_render lists at most this many records per direction, then how
 * many more there were. */
#define TRACE_RECORDS_SHOWN 200

typedef enum { TR_SENT, TR_RECV, TR_NOTE } fsp_trace_dir;

typedef struct fsp_trace_entry {
  fsp_trace_dir dir;
  int64_t t;       /* ms since the trace began */
  size_t off, len; /* bytes in data (kept may be < len) */
  size_t kept;
  size_t count; /* writes or reads merged into this entry */
} fsp_trace_entry;

typedef struct fsp_trace {
  int64_t t0;
  fsp_trace_entry *v;
  size_t n;
  bytebuf data;
} fsp_trace;

void trace_init(fsp_trace *t);
void trace_add(fsp_trace *t, fsp_trace_dir dir, const uint8_t *p, size_t len);
void trace_note(fsp_trace *t, const char *text);
/* Appends a readable trace: per chunk a hex dump (at most max_lines lines
 * of 16 bytes), then the records each direction carried, decoded. */
void trace_render(const fsp_trace *t, bytebuf *out, int max_lines);
void trace_free(fsp_trace *t);

#endif
