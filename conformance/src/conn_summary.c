#include "conn_summary.h"

#include <string.h>

static fcs_end_body end_body(const fsp_conn *c, const fsp_rx *r) {
  fcs_end_body b = {0};
  if (r->kept >= FCS_BODY_LEN)
    fcs_end_body_decode(rx_content(c, r), &b);
  return b;
}

void conn_summary(const fsp_conn *c, size_t from, bytebuf *out) {
  size_t start = out->len;
  for (size_t i = from; i < c->nrecs;) {
    const fsp_rx *r = &c->recs[i];
    size_t j = i, bytes = 0;
    /* Group a run of non-empty records of one type and id. */
    while (j < c->nrecs && c->recs[j].h.type == r->h.type &&
           c->recs[j].h.request_id == r->h.request_id &&
           (r->h.content_length == 0) == (c->recs[j].h.content_length == 0) &&
           fcs_type_is_stream(r->h.type))
      bytes += c->recs[j++].h.content_length;
    if (out->len > start)
      bytebuf_str(out, ", ");
    const char *name = fcs_type_name(r->h.type);
    if (strncmp(name, "FCGI_", 5) == 0)
      name += 5;
    if (j > i + 1)
      bytebuf_fmt(out, "%s(%u) x%zu [%zu bytes]", name, r->h.request_id, j - i,
                  bytes);
    else if (fcs_type_is_stream(r->h.type))
      bytebuf_fmt(out, r->h.content_length ? "%s(%u) [%u bytes]" : "%s(%u) end",
                  name, r->h.request_id, r->h.content_length);
    else if (r->h.type == FCS_END_REQUEST) {
      fcs_end_body b = end_body(c, r);
      bytebuf_fmt(out, "END_REQUEST(%u, appStatus %u, %s)", r->h.request_id,
                  b.app_status, fcs_protocol_status_name(b.protocol_status));
    } else if (r->h.type == FCS_UNKNOWN_TYPE && r->kept)
      bytebuf_fmt(out, "UNKNOWN_TYPE(type %u)", rx_content(c, r)[0]);
    else if (r->h.type == FCS_GET_VALUES_RESULT)
      bytebuf_fmt(out, "GET_VALUES_RESULT [%u bytes]", r->h.content_length);
    else
      bytebuf_fmt(out, "%s(%u) type %u [%u bytes]", name, r->h.request_id,
                  r->h.type, r->h.content_length);
    if (r->h.version != FCS_VERSION_1)
      bytebuf_fmt(out, " version %u", r->h.version);
    if (!c->recs[j > i + 1 ? j - 1 : i].complete && !c->flooded)
      bytebuf_str(out, " (incomplete)");
    i = j > i ? j : i + 1;
  }
  if (out->len == start)
    bytebuf_str(out, "nothing");
  if (c->flooded)
    bytebuf_fmt(out,
                "; flood: kept %zu records and %zu content bytes, then only "
                "counted (%llu bytes received in all)",
                c->nrecs, c->arena.len, (unsigned long long)c->rx_bytes);
  if (c->garbage)
    bytebuf_fmt(out, "; unframeable bytes: %s at byte %llu",
                fcs_err_name(c->garbage_err.code),
                (unsigned long long)c->garbage_err.offset);
  if (c->eof)
    bytebuf_str(out, "; EOF");
  else if (c->write_fail)
    bytebuf_str(out, "; write failed (peer gone)");
}
