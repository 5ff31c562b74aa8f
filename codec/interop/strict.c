#include "strict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcs/fcs.h"

static void note_record(strict_verdict *v, const fcs_header *h) {
  size_t used = strlen(v->records);
  snprintf(v->records + used, sizeof(v->records) - used, "%s%s(%u)",
           used ? " " : "", fcs_type_name(h->type) + 5 /* "FCGI_" */,
           h->content_length);
}

static void found(strict_verdict *v, const fcs_error *e, size_t start,
                  const char *layer) {
  v->code = e->code;
  v->where = *e;
  v->where.offset += start;
  v->layer = layer;
}

/* The record layer: lists the records, stops at the first bad one. */
static void check_records(const uint8_t *p, size_t len, size_t start,
                          strict_verdict *v) {
  fcs_decoder d;
  fcs_event ev;
  fcs_decoder_init(&d, FCS_STRICT);
  for (size_t used = 0;;) {
    used += fcs_decoder_feed(&d, p + used, len - used, &ev);
    if (ev.type == FCS_EV_HEADER)
      note_record(v, &ev.header);
    if (ev.type == FCS_EV_ERROR) {
      found(v, &ev.error, start, "record layer (strict decoder)");
      return;
    }
    if (ev.type == FCS_EV_NONE)
      break;
  }
  if (fcs_decoder_finish(&d, &ev) != FCS_E_OK)
    found(v, &ev.error, start, "record layer (strict decoder)");
}

/* The request layer: stream and request rules of a client. */
static void check_requests(const uint8_t *begin, size_t len, size_t start,
                           uint16_t id, uint8_t flags, strict_verdict *v) {
  const uint8_t *p = begin;
  const char *layer = "request layer (strict client assembler)";
  size_t memlen = fcs_assembler_memory_size(NULL);
  void *mem = malloc(memlen);
  fcs_assembler a;
  fcs_asm_event ev;
  if (!mem ||
      fcs_assembler_init(&a, FCS_SIDE_CLIENT, FCS_STRICT, NULL, mem, memlen) !=
          FCS_E_OK ||
      (id && fcs_assembler_begin(&a, id, FCS_RESPONDER, flags) != FCS_E_OK)) {
    fprintf(stderr, "cannot set up the strict assembler\n");
    exit(1);
  }
  /* Strict client mode fails on every rule it checks; the events in between
   * (stream data, replies, unknown record types) need no look here. */
  do
    p += fcs_assembler_feed(&a, p, len - (size_t)(p - begin), &ev);
  while (ev.type != FCS_AE_ERROR && ev.type != FCS_AE_NONE);
  if (ev.type == FCS_AE_NONE)
    fcs_assembler_finish(&a, &ev);
  if (ev.type == FCS_AE_ERROR)
    found(v, &ev.error, start, layer);
  free(mem);
}

void strict_check(const uint8_t *transcript, size_t start, size_t end,
                  uint16_t id, uint8_t flags, strict_verdict *v) {
  memset(v, 0, sizeof(*v));
  const uint8_t *p = transcript + start;
  size_t len = end - start;
  check_records(p, len, start, v);
  if (v->code == FCS_E_OK)
    check_requests(p, len, start, id, flags, v);
}

void strict_print(const strict_verdict *v, const char *exchange) {
  printf("%s: records %s\n", exchange, v->records);
  if (v->code == FCS_E_OK) {
    printf("%s: strict FastCGI 1.0: clean\n", exchange);
    return;
  }
  printf("%s: strict FastCGI 1.0: %s: %s (%s) at byte %llu of the "
         "connection, record %llu of this reply (%s, id %u)\n",
         exchange, v->layer, fcs_err_name(v->code), fcs_err_message(v->code),
         (unsigned long long)v->where.offset,
         (unsigned long long)v->where.record, fcs_type_name(v->where.type),
         v->where.request_id);
}
