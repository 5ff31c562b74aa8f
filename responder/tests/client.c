#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void client_init(client *c) {
  memset(c, 0, sizeof *c);
  fcs_limits l;
  fcs_limits_default(&l);
  l.max_requests = CLIENT_MAX_IDS;
  l.max_stream_bytes = 0; /* streams are collected from STREAM_DATA */
  size_t n = fcs_assembler_memory_size(&l);
  c->mem = malloc(n);
  if (!c->mem || fcs_assembler_init(&c->as, FCS_SIDE_CLIENT, FCS_STRICT, &l,
                                    c->mem, n) != FCS_E_OK) {
    fprintf(stderr, "client: cannot set up the assembler\n");
    abort();
  }
}

void client_free(client *c) {
  bytebuf_free(&c->send);
  bytebuf_free(&c->raw);
  bytebuf_free(&c->gv);
  for (int i = 0; i < CLIENT_MAX_IDS; i++) {
    bytebuf_free(&c->req[i].out);
    bytebuf_free(&c->req[i].err);
  }
  free(c->mem);
}

client_req *client_req_of(client *c, uint16_t id) {
  client_req *spare = NULL;
  for (int i = 0; i < CLIENT_MAX_IDS; i++) {
    if (c->req[i].begun && c->req[i].id == id)
      return &c->req[i];
    if (!c->req[i].begun && !spare)
      spare = &c->req[i];
  }
  if (!spare) {
    fprintf(stderr, "client: more than %d request ids\n", CLIENT_MAX_IDS);
    abort();
  }
  spare->begun = 1;
  spare->id = id;
  return spare;
}

static const fcs_record_opts plain = {{FCS_PAD_NONE, 0, 0}, 0, 0, 0};

void client_record(client *c, uint8_t type, uint16_t id, const void *content,
                   size_t len) {
  size_t n;
  fcs_encode_record(NULL, 0, type, id, content, len, &plain, &n);
  fcs_encode_record(bytebuf_reserve(&c->send, n), n, type, id, content, len,
                    &plain, &n);
  c->send.len += n;
}

void client_begin(client *c, uint16_t id, uint16_t role, uint8_t flags) {
  uint8_t rec[16];
  size_t n;
  fcs_encode_begin_request(rec, sizeof rec, id, role, flags, &plain, &n);
  bytebuf_add(&c->send, rec, n);
  /* Replies to a reused id start afresh. */
  client_req *r = client_req_of(c, id);
  r->out.len = 0;
  r->err.len = 0;
  r->out_ended = r->err_ended = r->end_count = 0;
  fcs_err e = fcs_assembler_begin(&c->as, id, role, flags);
  if (e != FCS_E_OK) {
    fprintf(stderr, "client: begin %u: %s\n", (unsigned)id, fcs_err_name(e));
    abort();
  }
}

static void append_pairs(bytebuf *content, const fcs_nv_pair *pairs, size_t n) {
  size_t need;
  fcs_encode_pairs(NULL, 0, pairs, n, 0, &need);
  fcs_encode_pairs(bytebuf_reserve(content, need), need, pairs, n, 0, &need);
  content->len += need;
}

void client_pairs(bytebuf *content, const char *const *pairs) {
  for (size_t i = 0; pairs && pairs[i]; i++) {
    const char *eq = strchr(pairs[i], '=');
    size_t nlen = eq ? (size_t)(eq - pairs[i]) : strlen(pairs[i]);
    const char *value = eq ? eq + 1 : "";
    fcs_nv_pair p = {(const uint8_t *)pairs[i], (uint32_t)nlen,
                     (const uint8_t *)value, (uint32_t)strlen(value)};
    append_pairs(content, &p, 1);
  }
}

void client_params(client *c, uint16_t id, const char *const *pairs,
                   int terminate) {
  bytebuf content = {0};
  client_pairs(&content, pairs);
  client_stream(c, FCS_PARAMS, id, content.p, content.len, 0, terminate);
  bytebuf_free(&content);
}

void client_stream(client *c, uint8_t type, uint16_t id, const void *data,
                   size_t len, uint32_t max_content, int terminate) {
  fcs_record_opts o = plain;
  o.max_content = max_content;
  size_t n;
  fcs_encode_stream(NULL, 0, type, id, data, len, terminate, &o, &n);
  fcs_encode_stream(bytebuf_reserve(&c->send, n), n, type, id, data, len,
                    terminate, &o, &n);
  c->send.len += n;
}

void client_abort(client *c, uint16_t id) {
  client_record(c, FCS_ABORT_REQUEST, id, NULL, 0);
}

void client_get_values(client *c, const char *const *names) {
  bytebuf content = {0};
  for (size_t i = 0; names[i]; i++) {
    fcs_nv_pair p = {(const uint8_t *)names[i], (uint32_t)strlen(names[i]),
                     (const uint8_t *)"", 0};
    append_pairs(&content, &p, 1);
  }
  client_record(c, FCS_GET_VALUES, FCS_NULL_REQUEST_ID, content.p, content.len);
  bytebuf_free(&content);
}

void client_simple_request(client *c, uint16_t id, uint8_t flags,
                           const char *const *pairs, const char *body) {
  client_begin(c, id, FCS_RESPONDER, flags);
  client_params(c, id, pairs, 1);
  client_stream(c, FCS_STDIN, id, body, body ? strlen(body) : 0, 0, 1);
}

static void on_event(client *c, const fcs_asm_event *ev) {
  client_req *r;
  switch (ev->type) {
  case FCS_AE_GET_VALUES_RESULT:
    c->gv.len = 0;
    bytebuf_add(&c->gv, ev->data, ev->len);
    c->gv_count++;
    break;
  case FCS_AE_UNKNOWN_TYPE:
    if (c->unknown_count < (int)sizeof c->unknown)
      c->unknown[c->unknown_count] = ev->unknown_type.type;
    c->unknown_count++;
    break;
  case FCS_AE_STREAM_DATA:
    r = client_req_of(c, ev->request_id);
    bytebuf_add(ev->record_type == FCS_STDOUT ? &r->out : &r->err, ev->data,
                ev->len);
    break;
  case FCS_AE_STREAM_END:
    r = client_req_of(c, ev->request_id);
    if (ev->record_type == FCS_STDOUT)
      r->out_ended++;
    else
      r->err_ended++;
    break;
  case FCS_AE_END_REQUEST:
    r = client_req_of(c, ev->request_id);
    r->end_count++;
    r->end = ev->end;
    r->end_index = ev->record;
    break;
  case FCS_AE_ERROR:
    if (!c->failed)
      c->error = ev->error;
    c->failed = 1;
    break;
  default:
    break;
  }
}

/* Walks the record headers of the raw replies received so far to check
 * the 8-byte alignment the responder promises. */
static void scan_records(client *c) {
  while (c->raw.len - c->scanned >= FCS_HEADER_LEN) {
    fcs_header h;
    fcs_header_decode(c->raw.p + c->scanned, &h);
    size_t total = FCS_HEADER_LEN + h.content_length + h.padding_length;
    if (c->raw.len - c->scanned < total)
      return;
    if (total % 8)
      c->misaligned++;
    c->records++;
    c->scanned += total;
  }
}

void client_receive(client *c, const uint8_t *data, size_t len) {
  bytebuf_add(&c->raw, data, len);
  size_t used = 0;
  for (;;) {
    fcs_asm_event ev;
    used += fcs_assembler_feed(&c->as, data + used, len - used, &ev);
    if (ev.type == FCS_AE_NONE)
      break;
    on_event(c, &ev);
    if (ev.type == FCS_AE_ERROR)
      break;
  }
  scan_records(c);
}
