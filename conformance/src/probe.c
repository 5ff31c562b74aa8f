#include "probe.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "conn.h"

static void copy_value(char *dst, size_t cap, const fcs_nv_pair *p) {
  size_t n = p->value_len < cap - 1 ? p->value_len : cap - 1;
  memcpy(dst, p->value, n);
  dst[n] = 0;
}

static void get_values(fcs_config *cfg, fcs_probe *p) {
  long ms = cfg->timeout_ms < 1000 ? cfg->timeout_ms : 1000;
  int64_t deadline = now_ms() + ms;
  fcs_trace tr;
  trace_init(&tr);
  fcs_conn c;
  char err[256];
  if (conn_open(&c, &cfg->target, &tr, deadline, err, sizeof(err)) == 0) {
    static const uint8_t query[] = "\x01\x09\x00\x00\x00\x30\x00\x00"
                                   "\x0e\x00"
                                   "FCGI_MAX_CONNS"
                                   "\x0d\x00"
                                   "FCGI_MAX_REQS"
                                   "\x0f\x00"
                                   "FCGI_MPXS_CONNS";
    conn_write(&c, query, sizeof(query) - 1, 0, deadline);
    const fcs_rx *r = NULL;
    while (!r && !conn_done(&c) && now_ms() < deadline) {
      conn_pump(&c, deadline);
      for (size_t i = 0; i < c.nrecs && !r; i++)
        if (c.recs[i].h.type == FCS_GET_VALUES_RESULT && c.recs[i].complete)
          r = &c.recs[i];
    }
    if (r) {
      p->get_values_answered = 1;
      size_t pos = 0;
      fcs_nv_pair pair;
      while (fcs_nv_next(rx_content(&c, r), r->kept, &pos, &pair) ==
             FCS_NV_OK) {
        if (pair.name_len == 14 && !memcmp(pair.name, "FCGI_MAX_CONNS", 14))
          copy_value(p->max_conns, sizeof(p->max_conns), &pair);
        if (pair.name_len == 13 && !memcmp(pair.name, "FCGI_MAX_REQS", 13))
          copy_value(p->max_reqs, sizeof(p->max_reqs), &pair);
        if (pair.name_len == 15 && !memcmp(pair.name, "FCGI_MPXS_CONNS", 15))
          copy_value(p->mpxs_conns, sizeof(p->mpxs_conns), &pair);
      }
    }
    conn_close(&c);
  }
  trace_free(&tr);
  if (strcmp(p->mpxs_conns, "1") == 0)
    cfg->caps |= REQ_MPXS;
  else if (strcmp(p->mpxs_conns, "0") == 0)
    cfg->caps |= REQ_NO_MPXS;
}

void probe_backend(fcs_config *cfg, unsigned roles, fcs_probe *p) {
  memset(p, 0, sizeof(*p));
  get_values(cfg, p);
  char token[64];
  snprintf(token, sizeof(token), "fcgispec-echo-probe-%ld-%lld", (long)getpid(),
           (long long)now_ms());
  fcs_buf out = {0};
  if (serve_probe(cfg, cfg->timeout_ms, "FCGISPEC_PROBE", token, 1, &out,
                  &p->baseline_why) == 0) {
    p->baseline_served = 1;
    p->echo = buf_contains(&out, (const uint8_t *)token, strlen(token));
  }
  buf_free(&out);
  fcs_buf why = {0};
  if ((roles & REQ_AUTHORIZER) &&
      serve_probe(cfg, cfg->timeout_ms, NULL, NULL, 2, NULL, &why) == 0)
    p->authorizer = 1;
  why.len = 0;
  if ((roles & REQ_FILTER) &&
      serve_probe(cfg, cfg->timeout_ms, NULL, NULL, 3, NULL, &why) == 0)
    p->filter = 1;
  buf_free(&why);
  cfg->echo = p->echo;
  cfg->caps |= (p->echo ? REQ_ECHO : 0) | (p->authorizer ? REQ_AUTHORIZER : 0) |
               (p->filter ? REQ_FILTER : 0);
}

void probe_free(fcs_probe *p) { buf_free(&p->baseline_why); }
