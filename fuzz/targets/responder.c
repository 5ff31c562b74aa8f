/* responder: a web server's bytes into the reference responder's connection
 * handler (fcs_responder, in-process); everything it writes back is checked
 * against the reply rules of the spec.
 *
 * Input: byte 0 bit 0 turns multiplexing on, bit 1 allows 4 requests at
 * once instead of 1; byte 1 is how many output bytes the "web server"
 * takes at a time (0: all), byte 2 + 1 how many input bytes it offers at a
 * time; the rest is the byte stream. Oracles:
 *  - the handler never stalls: each step it consumes input, has output, or
 *    says the connection is done (also after the end of input);
 *  - its output decodes cleanly (strict) up to a record boundary, with
 *    only the types an application sends;
 *  - replies go only to request ids the input began, one END_REQUEST per
 *    BEGIN_REQUEST at most, nothing for a request after its END_REQUEST,
 *    STDOUT (and STDERR when used) ended before END_REQUEST with
 *    REQUEST_COMPLETE, protocolStatus 0-3 (the client-side assembler);
 *  - UNKNOWN_TYPE names a type the input carried and FastCGI 1.0 does not
 *    define; GET_VALUES_RESULT holds well-formed pairs naming only
 *    FCGI_MAX_CONNS, FCGI_MAX_REQS and FCGI_MPXS_CONNS with decimal values.
 */
#include <stdlib.h>
#include <string.h>

#include "../support/oracle.h"
#include "../support/target.h"
#include "../support/trace.h"
#include "bytebuf.h"
#include "fcs_responder.h"

#define INPUT_LIMIT 8192

typedef struct input_facts {
  uint16_t *begins;   /* BEGIN_REQUEST records per request id */
  uint8_t types[256]; /* record types present */
  /* The ids begins counts for (so only they are cleared again), and how
   * many BEGIN_REQUEST records there are in all: no more requests than
   * that can be open at once on the client side. */
  uint16_t ids[INPUT_LIMIT / FCS_HEADER_LEN + 1];
  size_t nids, nbegins;
} input_facts;

/* What the input holds, read as the responder does (strict) up to the
 * first error; whole-record events, so one call per record. */
static void read_input(const uint8_t *in, size_t len, input_facts *f) {
  fcs_decoder d;
  fcs_event ev;
  fcs_decoder_init(&d, FCS_STRICT);
  fcs_decoder_whole_records(&d, 1);
  size_t pos = 0;
  do {
    pos += fcs_decoder_feed(&d, in + pos, len - pos, &ev);
    if (ev.type == FCS_EV_HEADER || ev.type == FCS_EV_RECORD) {
      f->types[ev.header.type] = 1;
      if (ev.header.type == FCS_BEGIN_REQUEST) {
        if (!f->begins[ev.header.request_id]++)
          f->ids[f->nids++] = ev.header.request_id;
        f->nbegins++;
      }
    }
  } while (ev.type != FCS_EV_ERROR && ev.type != FCS_EV_NONE);
}

static size_t take_output(fcs_responder *r, size_t piece, bytebuf *o) {
  const uint8_t *data;
  size_t len;
  fcs_responder_output(r, &data, &len);
  if (piece && len > piece)
    len = piece;
  if (len == 0)
    return 0;
  bytebuf_add(o, data, len);
  fcs_responder_output_consumed(r, len);
  return len;
}

static void run(const uint8_t *in, size_t len, uint8_t knobs, size_t out_piece,
                size_t in_piece, bytebuf *o) {
  fcs_responder_config cfg;
  fcs_responder_config_default(&cfg);
  cfg.mpxs_conns = knobs & 1;
  cfg.max_reqs = knobs & 2 ? 4 : 1;
  cfg.max_conn_reqs = cfg.max_reqs;
  cfg.max_params_bytes = 4096;
  cfg.max_pairs = 64;
  cfg.echo_bytes = 1024;
  cfg.output_bytes = 1024;
  fcs_responder *r = fcs_responder_new(&cfg);
  FZ_CHECK(r != NULL, "fcs_responder_new failed");
  size_t pos = 0;
  int eof = 0;
  while (!fcs_responder_should_close(r)) {
    size_t offer = len - pos < in_piece ? len - pos : in_piece;
    size_t used = offer ? fcs_responder_input(r, in + pos, offer) : 0;
    FZ_CHECK(used <= offer, "responder took %zu of %zu bytes", used, offer);
    pos += used;
    size_t took = take_output(r, out_piece, o);
    if (pos == len && !eof) {
      fcs_responder_input_eof(r);
      eof = 1;
      continue;
    }
    FZ_CHECK(used || took || fcs_responder_should_close(r),
             "responder stalled at input byte %zu%s: took none of %zu bytes, "
             "wrote nothing, connection open",
             pos, eof ? " (after the end of input)" : "", offer);
  }
  while (take_output(r, out_piece, o))
    ;
  fcs_responder_free(r);
}

static int decimal(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] < '0' || p[i] > '9')
      return 0;
  return n > 0;
}

static int known_variable(const uint8_t *p, size_t n) {
  static const char *const names[] = {"FCGI_MAX_CONNS", "FCGI_MAX_REQS",
                                      "FCGI_MPXS_CONNS"};
  for (size_t i = 0; i < 3; i++)
    if (n == strlen(names[i]) && fz_same(p, names[i], n))
      return 1;
  return 0;
}

static void check_values_result(const fcs_asm_event *ev) {
  size_t at = 0;
  fcs_nv_pair p;
  fcs_nv_result res;
  while ((res = fcs_nv_next(ev->data, ev->len, &at, &p)) == FCS_NV_OK)
    FZ_CHECK(known_variable(p.name, p.name_len) &&
                 decimal(p.value, p.value_len),
             "GET_VALUES_RESULT pair '%.*s'='%.*s' is not a FastCGI variable "
             "with a decimal value",
             (int)p.name_len, (const char *)p.name, (int)p.value_len,
             (const char *)p.value);
  FZ_CHECK(res == FCS_NV_END, "GET_VALUES_RESULT pairs are cut short");
}

static void check_output(const bytebuf *o, const input_facts *f) {
  fcs_limits limits = {1, 1, f->nbegins ? (uint32_t)f->nbegins : 1, 0};
  size_t memlen;
  void *mem = fz_asm_memory(&limits, &memlen);
  fcs_assembler a;
  fcs_asm_event ev;
  fcs_assembler_init(&a, FCS_SIDE_CLIENT, FCS_STRICT, &limits, mem, memlen);
  /* Replies begun per id: only ids the input began get counted (the check
   * below stops the others), so clearing theirs clears all. */
  static uint16_t begun[65536];
  for (size_t i = 0; i < f->nids; i++)
    begun[f->ids[i]] = 0;
  size_t pos = 0;
  while (o->len - pos >= FCS_HEADER_LEN) {
    fcs_header h;
    fcs_header_decode(o->p + pos, &h);
    size_t whole = FCS_HEADER_LEN + (size_t)h.content_length + h.padding_length;
    const fcs_request *req = fcs_assembler_request(&a, h.request_id);
    if ((h.type == FCS_STDOUT || h.type == FCS_STDERR ||
         h.type == FCS_END_REQUEST) &&
        (!req || !req->active)) {
      FZ_CHECK(begun[h.request_id] < f->begins[h.request_id],
               "reply (type %u) for request %u at output byte %zu: the input "
               "began it %u times, the output already ended it %u times",
               h.type, h.request_id, pos, f->begins[h.request_id],
               begun[h.request_id]);
      begun[h.request_id]++;
      FZ_CHECK(fcs_assembler_begin(&a, h.request_id, FCS_RESPONDER, 0) ==
                   FCS_E_OK,
               "client side cannot open request %u", h.request_id);
    }
    size_t end = pos + (whole < o->len - pos ? whole : o->len - pos);
    do {
      pos += fcs_assembler_feed(&a, o->p + pos, end - pos, &ev);
      FZ_CHECK(ev.type != FCS_AE_ERROR,
               "responder output at byte %llu breaks the rules: %s (%s)",
               (unsigned long long)ev.error.offset, fcs_err_name(ev.error.code),
               fcs_err_message(ev.error.code));
      if (ev.type == FCS_AE_UNKNOWN_TYPE)
        FZ_CHECK(f->types[ev.unknown_type.type] &&
                     !fcs_type_is_known(ev.unknown_type.type),
                 "UNKNOWN_TYPE for type %u, which the input %s",
                 ev.unknown_type.type,
                 f->types[ev.unknown_type.type] ? "carried but is defined"
                                                : "never carried");
      if (ev.type == FCS_AE_GET_VALUES_RESULT)
        check_values_result(&ev);
    } while (pos < end || ev.type != FCS_AE_NONE);
  }
  FZ_CHECK(fcs_assembler_finish(&a, &ev) == FCS_E_OK && pos == o->len,
           "responder output ends inside a record (%zu of %zu bytes read)", pos,
           o->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 3 || size - 3 > INPUT_LIMIT)
    return 0;
  const uint8_t *in = data + 3;
  size_t len = size - 3;
  static uint16_t begins[65536]; /* all 0 between runs */
  static input_facts facts;
  facts.begins = begins;
  memset(facts.types, 0, sizeof facts.types);
  facts.nids = facts.nbegins = 0;
  read_input(in, len, &facts);
  static bytebuf o; /* storage reused between runs */
  o.len = 0;
  run(in, len, data[0], data[1], (size_t)data[2] + 1, &o);
  check_output(&o, &facts);
  for (size_t i = 0; i < facts.nids; i++)
    begins[facts.ids[i]] = 0;
  return 0;
}
