/* reference: the codec against the reference model (support/refmodel.h),
 * a second decoder written plainly from the spec.
 *
 * Input: byte 0 bit 0 picks strict (0) or lenient (1) mode; the rest is the
 * byte stream. Oracles: both accept or both reject, with the same error at
 * the same offset; they find the same complete records (every header
 * field, where the content lies, whether it ends a stream, the fixed
 * bodies); and name-value pairs agree: per GET_VALUES(_RESULT) record, and
 * per PARAMS stream, where the codec's incremental parser sees the records
 * one by one and the model the concatenated stream. */
#include <stdlib.h>
#include <string.h>

#include "../support/oracle.h"
#include "../support/hash.h"
#include "../support/refmodel.h"
#include "../support/target.h"
#include "bytebuf.h"

#define TRACKED_STREAMS 4

/* One request's PARAMS stream: the bytes, for the model, and the codec's
 * incremental parser with what it has found so far. */
typedef struct params_stream {
  uint16_t id;
  bytebuf bytes;
  fcs_nv_parser parser;
  size_t pairs;
  uint64_t name_hash, value_hash;
  uint32_t name_len, value_len;
  ref_pair *model; /* the model's pairs, filled at the stream's end */
} params_stream;

typedef struct state {
  const uint8_t *in;
  size_t len;
  params_stream streams[TRACKED_STREAMS];
  size_t nstreams;
} state;

static params_stream *stream_for(state *s, uint16_t id) {
  for (size_t i = 0; i < s->nstreams; i++)
    if (s->streams[i].id == id)
      return &s->streams[i];
  if (s->nstreams == TRACKED_STREAMS)
    return NULL;
  params_stream *ps = &s->streams[s->nstreams++];
  memset(ps, 0, sizeof(*ps));
  ps->id = id;
  fcs_nv_parser_init(&ps->parser);
  return ps;
}

static void parser_pieces(params_stream *ps, const uint8_t *data, size_t len) {
  fcs_nv_piece piece;
  do {
    size_t used = fcs_nv_parser_feed(&ps->parser, data, len, &piece);
    data += used;
    len -= used;
    switch (piece.kind) {
    case FCS_NV_PIECE_LENGTHS:
      ps->name_hash = ps->value_hash = FZ_HASH_INIT;
      ps->name_len = piece.name_len;
      ps->value_len = piece.value_len;
      break;
    case FCS_NV_PIECE_NAME:
      ps->name_hash = fz_hash(ps->name_hash, piece.data, piece.len);
      break;
    case FCS_NV_PIECE_VALUE:
      ps->value_hash = fz_hash(ps->value_hash, piece.data, piece.len);
      break;
    case FCS_NV_PIECE_PAIR_END: {
      /* The model has not seen the whole stream yet; compare against its
       * parse of what has arrived, which is a prefix of the final one. */
      int complete;
      size_t n = ps->pairs + 1;
      ref_pair *got = malloc(n * sizeof(ref_pair));
      size_t have = ref_pairs(ps->bytes.p, ps->bytes.len, got, n, &complete);
      FZ_CHECK(have >= n,
               "request %u PARAMS: codec completed pair %zu, the "
               "model only %zu pairs",
               ps->id, n, have);
      const ref_pair *r = &got[n - 1];
      FZ_CHECK(r->name_len == ps->name_len && r->value_len == ps->value_len &&
                   fz_hash(FZ_HASH_INIT, ps->bytes.p + r->name, r->name_len) ==
                       ps->name_hash &&
                   fz_hash(FZ_HASH_INIT, ps->bytes.p + r->value,
                           r->value_len) == ps->value_hash,
               "request %u PARAMS pair %zu: codec %u/%u bytes, model %zu/%zu "
               "(or their bytes differ)",
               ps->id, n - 1, ps->name_len, ps->value_len, r->name_len,
               r->value_len);
      free(got);
      ps->pairs = n;
      break;
    }
    default:
      break;
    }
  } while (piece.kind != FCS_NV_PIECE_NONE);
}

static void on_params(state *s, const ref_record *r) {
  params_stream *ps = stream_for(s, (uint16_t)r->request_id);
  if (!ps)
    return;
  if (r->ends_stream) {
    int complete;
    size_t total = ref_pairs(ps->bytes.p, ps->bytes.len, NULL, 0, &complete);
    FZ_CHECK(total == ps->pairs &&
                 complete == fcs_nv_parser_at_boundary(&ps->parser),
             "request %u PARAMS stream end: model %zu pairs (%s), codec %zu "
             "(%s)",
             ps->id, total, complete ? "clean" : "truncated", ps->pairs,
             fcs_nv_parser_at_boundary(&ps->parser) ? "clean" : "truncated");
    bytebuf_free(&ps->bytes);
    ps->pairs = 0;
    fcs_nv_parser_init(&ps->parser);
    return;
  }
  const uint8_t *content = s->in + r->content;
  bytebuf_add(&ps->bytes, content, r->content_length);
  parser_pieces(ps, content, r->content_length);
}

static void on_management(const state *s, const ref_record *r) {
  const uint8_t *c = s->in + r->content;
  int complete;
  size_t n = ref_pairs(c, r->content_length, NULL, 0, &complete);
  ref_pair *model = malloc((n + 1) * sizeof(ref_pair));
  ref_pairs(c, r->content_length, model, n, &complete);
  size_t pos = 0, k = 0;
  fcs_nv_pair p;
  fcs_nv_result res;
  while ((res = fcs_nv_next(c, r->content_length, &pos, &p)) == FCS_NV_OK) {
    FZ_CHECK(k < n && p.name == c + model[k].name &&
                 p.name_len == model[k].name_len &&
                 p.value == c + model[k].value &&
                 p.value_len == model[k].value_len,
             "management record at %zu: pair %zu differs from the model",
             r->offset, k);
    k++;
  }
  FZ_CHECK(k == n && (res == FCS_NV_END) == complete,
           "management record at %zu: codec %zu pairs (%s), model %zu (%s)",
           r->offset, k, res == FCS_NV_END ? "clean" : "truncated", n,
           complete ? "clean" : "truncated");
  free(model);
}

static void compare_record(state *s, const fcs_event *ev, const ref_record *r,
                           size_t k) {
  const fcs_header *h = &ev->header;
  FZ_CHECK(h->version == r->version && h->type == r->type &&
               h->request_id == r->request_id &&
               h->content_length == r->content_length &&
               h->padding_length == r->padding_length &&
               h->reserved == r->reserved && ev->offset == r->offset,
           "record %zu: codec {v%u t%u id%u c%u p%u r%u @%llu}, model {v%u "
           "t%u id%u c%u p%u r%u @%zu}",
           k, h->version, h->type, h->request_id, h->content_length,
           h->padding_length, h->reserved, (unsigned long long)ev->offset,
           r->version, r->type, r->request_id, r->content_length,
           r->padding_length, r->reserved, r->offset);
  const uint8_t *c = s->in + r->content;
  if (r->type == FCS_BEGIN_REQUEST)
    FZ_CHECK(ev->body.begin.role == ref_begin_role(c) &&
                 ev->body.begin.flags == ref_begin_flags(c),
             "record %zu: BEGIN_REQUEST body differs from the model", k);
  if (r->type == FCS_END_REQUEST)
    FZ_CHECK(ev->body.end.app_status == ref_end_app_status(c) &&
                 ev->body.end.protocol_status == ref_end_protocol_status(c),
             "record %zu: END_REQUEST body differs from the model", k);
  if (r->type == FCS_UNKNOWN_TYPE)
    FZ_CHECK(ev->body.unknown_type.type == c[0],
             "record %zu: UNKNOWN_TYPE body differs from the model", k);
  if (r->type == FCS_PARAMS)
    on_params(s, r);
  if (r->type == FCS_GET_VALUES || r->type == FCS_GET_VALUES_RESULT)
    on_management(s, r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  int strict = !(data[0] & 1);
  state s = {data + 1, size - 1, {{0}}, 0};
  ref_decoding model;
  ref_decode(s.in, s.len, strict, &model);

  fcs_decoder d;
  fcs_event ev;
  fcs_decoder_init(&d, strict ? FCS_STRICT : FCS_LENIENT);
  size_t pos = 0, k = 0, content_at = 0;
  int stream_end_due = 0;
  fcs_error error = {FCS_E_OK, 0, 0, 0, 0};
  do {
    pos += fcs_decoder_feed(&d, s.in + pos, s.len - pos, &ev);
    if (ev.type != FCS_EV_STREAM_END)
      FZ_CHECK(!stream_end_due,
               "record %zu ends a stream for the model, "
               "the codec gave no STREAM_END",
               k - 1);
    switch (ev.type) {
    case FCS_EV_HEADER:
      content_at = ev.offset + FCS_HEADER_LEN;
      break;
    case FCS_EV_CONTENT:
      FZ_CHECK(ev.offset == content_at, "content at %llu, expected %zu",
               (unsigned long long)ev.offset, content_at);
      content_at += ev.len;
      break;
    case FCS_EV_RECORD_END:
      FZ_CHECK(k < model.count,
               "codec completed record %zu, the model "
               "only %zu records (%s)",
               k, model.count, fcs_err_name(model.error));
      compare_record(&s, &ev, &model.records[k], k);
      stream_end_due = model.records[k++].ends_stream;
      break;
    case FCS_EV_STREAM_END:
      FZ_CHECK(stream_end_due,
               "codec ended a stream at record %zu, the "
               "model does not",
               k - 1);
      stream_end_due = 0;
      break;
    case FCS_EV_ERROR:
      error = ev.error;
      break;
    default:
      break;
    }
  } while (ev.type != FCS_EV_ERROR && (pos < s.len || ev.type != FCS_EV_NONE));
  if (error.code == FCS_E_OK && fcs_decoder_finish(&d, &ev) != FCS_E_OK)
    error = ev.error;
  FZ_CHECK(error.code == model.error &&
               (error.code == FCS_E_OK || error.offset == model.error_offset),
           "codec says %s at %llu, the model %s at %zu",
           fcs_err_name(error.code), (unsigned long long)error.offset,
           fcs_err_name(model.error), model.error_offset);
  FZ_CHECK(k == model.count, "codec completed %zu records, the model %zu", k,
           model.count);
  for (size_t i = 0; i < s.nstreams; i++)
    bytebuf_free(&s.streams[i].bytes);
  ref_decoding_free(&model);
  return 0;
}
