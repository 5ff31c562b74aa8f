#include "wire_trace.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fcs/fcs.h"
#include "xalloc.h"

void trace_init(fsp_trace *t) {
  memset(t, 0, sizeof(*t));
  t->t0 = now_ms();
}

static void add(fsp_trace *t, fsp_trace_dir dir, const uint8_t *p, size_t len) {
  t->v = xrealloc(t->v, (t->n + 1) * sizeof(fsp_trace_entry));
  fsp_trace_entry *e = &t->v[t->n++];
  size_t room =
      t->data.len < TRACE_MAX_BYTES ? TRACE_MAX_BYTES - t->data.len : 0;
  e->dir = dir;
  e->t = now_ms() - t->t0;
  e->off = t->data.len;
  e->len = len;
  e->kept = len < room ? len : room;
  e->count = 1;
  bytebuf_add(&t->data, p, e->kept);
}

void trace_add(fsp_trace *t, fsp_trace_dir dir, const uint8_t *p, size_t len) {
  /* Merge consecutive reads (or writes) so a flood of small ones stays one
   * entry; the entry counts them. */
  if (t->n && t->v[t->n - 1].dir == dir &&
      t->v[t->n - 1].kept == t->v[t->n - 1].len &&
      t->v[t->n - 1].off + t->v[t->n - 1].kept == t->data.len) {
    fsp_trace_entry *e = &t->v[t->n - 1];
    size_t room =
        t->data.len < TRACE_MAX_BYTES ? TRACE_MAX_BYTES - t->data.len : 0;
    size_t k = len < room ? len : room;
    bytebuf_add(&t->data, p, k);
    e->len += len;
    e->kept += k;
    e->count++;
    return;
  }
  if (t->n >= 100000) /* a flood of tiny writes: keep counting only */
    return;
  add(t, dir, p, len);
}

void trace_note(fsp_trace *t, const char *text) {
  add(t, TR_NOTE, (const uint8_t *)text, strlen(text));
}

static void hex_lines(bytebuf *out, const uint8_t *p, size_t len,
                      int max_lines) {
  for (size_t at = 0; at < len; at += 16) {
    if ((int)(at / 16) >= max_lines) {
      bytebuf_fmt(out, "      ... %zu more bytes\n", len - at);
      return;
    }
    bytebuf_fmt(out, "      %06zx ", at);
    for (size_t i = 0; i < 16; i++) {
      if (at + i < len)
        bytebuf_fmt(out, " %02x", p[at + i]);
      else
        bytebuf_str(out, "   ");
    }
    bytebuf_str(out, "  |");
    for (size_t i = 0; i < 16 && at + i < len; i++)
      bytebuf_byte(out, isprint(p[at + i]) ? p[at + i] : '.');
    bytebuf_str(out, "|\n");
  }
}

static void more_records(bytebuf *out, size_t n) {
  if (n > TRACE_RECORDS_SHOWN)
    bytebuf_fmt(out, "    ... %zu more records\n", n - TRACE_RECORDS_SHOWN);
}

/* Decodes the kept bytes of one direction and lists its records: the
 * first TRACE_RECORDS_SHOWN, then how many more, and a framing error wherever
 * it comes. */
static void records(const fsp_trace *t, fsp_trace_dir dir, bytebuf *out) {
  fcs_decoder d;
  fcs_decoder_init(&d, FCS_LENIENT);
  size_t seen = 0;
  for (size_t i = 0; i < t->n; i++) {
    const fsp_trace_entry *e = &t->v[i];
    if (e->dir == TR_NOTE &&
        strncmp((const char *)t->data.p + e->off, "reconnect", 9) == 0)
      fcs_decoder_init(&d, FCS_LENIENT);
    if (e->dir != dir)
      continue;
    const uint8_t *p = t->data.p + e->off;
    size_t left = e->kept;
    while (left) {
      fcs_event ev;
      size_t used = fcs_decoder_feed(&d, p, left, &ev);
      p += used;
      left -= used;
      if (ev.type == FCS_EV_ERROR) {
        more_records(out, seen);
        bytebuf_fmt(out, "    !! %s at byte %llu: %s\n",
                    fcs_err_name(ev.error.code),
                    (unsigned long long)ev.error.offset,
                    fcs_err_message(ev.error.code));
        return;
      }
      if (ev.type == FCS_EV_NONE)
        break;
      if (ev.type != FCS_EV_HEADER)
        continue;
      if (++seen > TRACE_RECORDS_SHOWN)
        continue;
      const fcs_header *h = &ev.header;
      bytebuf_fmt(out, "    %s v%u %s id=%u clen=%u pad=%u",
                  dir == TR_SENT ? ">>" : "<<", h->version,
                  fcs_type_name(h->type), h->request_id, h->content_length,
                  h->padding_length);
      if (h->reserved)
        bytebuf_fmt(out, " reserved=%u", h->reserved);
      if (!fcs_type_is_known(h->type))
        bytebuf_fmt(out, " (type %u)", h->type);
      bytebuf_byte(out, '\n');
    }
    if (e->kept < e->len) {
      more_records(out, seen);
      bytebuf_str(out, "    ... trace limit reached\n");
      return;
    }
  }
  more_records(out, seen);
}

void trace_render(const fsp_trace *t, bytebuf *out, int max_lines) {
  bytebuf_str(out, "  wire trace (>> sent, << received):\n");
  for (size_t i = 0; i < t->n; i++) {
    const fsp_trace_entry *e = &t->v[i];
    const uint8_t *p = t->data.p + e->off;
    if (e->dir == TR_NOTE) {
      bytebuf_fmt(out, "    %6lldms -- %.*s\n", (long long)e->t, (int)e->kept,
                  p);
      continue;
    }
    bytebuf_fmt(out, "    %6lldms %s %zu bytes", (long long)e->t,
                e->dir == TR_SENT ? ">>" : "<<", e->len);
    if (e->count > 1)
      bytebuf_fmt(out, " in %zu %s", e->count,
                  e->dir == TR_SENT ? "writes" : "reads");
    bytebuf_byte(out, '\n');
    hex_lines(out, p, e->kept, max_lines);
  }
  bytebuf_str(out, "  records sent:\n");
  records(t, TR_SENT, out);
  bytebuf_str(out, "  records received:\n");
  records(t, TR_RECV, out);
}

void trace_free(fsp_trace *t) {
  free(t->v);
  bytebuf_free(&t->data);
  memset(t, 0, sizeof(*t));
}
