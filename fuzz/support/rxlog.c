#include "rxlog.h"

#include <stdlib.h>
#include <string.h>

#include "oracle.h"

static fz_rx_record *add(fz_rxlog *log, const fcs_header *h) {
  fz_rx_record *v = realloc(log->v, (log->n + 1) * sizeof(*v));
  FZ_CHECK(v != NULL, "out of memory for %zu records", log->n + 1);
  log->v = v;
  memset(&v[log->n], 0, sizeof(v[0]));
  v[log->n].h = *h;
  return &v[log->n++];
}

void fz_rxlog_decode(const uint8_t *in, size_t len, fz_rxlog *log) {
  memset(log, 0, sizeof(*log));
  fcs_decoder d;
  fcs_decoder_init(&d, FCS_LENIENT);
  fcs_decoder_whole_records(&d, 1);
  fcs_event evs[32];
  size_t pos = 0, count;
  fz_rx_record *r = NULL;
  do {
    pos += fcs_decoder_feed_many(&d, in + pos, len - pos, evs, 32, &count);
    for (size_t i = 0; i < count; i++) {
      const fcs_event *ev = &evs[i];
      switch (ev->type) {
      case FCS_EV_RECORD:
        r = add(log, &ev->header);
        r->off = (size_t)(ev->data - in);
        r->have = (uint32_t)ev->len;
        r->complete = 1;
        log->content += ev->len;
        break;
      case FCS_EV_HEADER:
        r = add(log, &ev->header);
        r->off = (size_t)ev->offset + FCS_HEADER_LEN;
        break;
      case FCS_EV_CONTENT:
        r->have += (uint32_t)ev->len;
        log->content += ev->len;
        break;
      case FCS_EV_RECORD_END:
        r->complete = 1;
        break;
      case FCS_EV_ERROR:
        log->garbage = 1;
        log->error = ev->error;
        break;
      default:
        break;
      }
    }
  } while (count && !log->garbage);
}

void fz_rxlog_free(fz_rxlog *log) {
  free(log->v);
  memset(log, 0, sizeof(*log));
}
