/* Encode, then decode: every record type 1-11 comes back with its header,
 * body and content, under each padding mode; pair lists come back pair for
 * pair through fcs_nv_next and through a PARAMS stream split into small
 * records and reassembled by the assembler. */
#include <stdlib.h>

#include "check.h"
#include "fcs/fcs.h"

typedef struct decoded {
  fcs_header h;
  uint8_t content[512];
  size_t clen;
  fcs_event end; /* the RECORD_END event, with the body */
  int stream_end;
} decoded;

/* Decodes a whole buffer in strict mode; returns the number of records, or
 * -1 on a decoder error or a short buffer. */
static int decode_all(const uint8_t *in, size_t len, decoded *recs, int max) {
  fcs_decoder d;
  fcs_decoder_init(&d, FCS_STRICT);
  int n = -1;
  size_t off = 0;
  for (;;) {
    fcs_event ev;
    off += fcs_decoder_feed(&d, in + off, len - off, &ev);
    if (ev.type == FCS_EV_NONE)
      break;
    if (ev.type == FCS_EV_ERROR || n + 1 >= max)
      return -1;
    if (ev.type == FCS_EV_HEADER) {
      recs[++n] = (decoded){ev.header, {0}, 0, {0}, 0};
    } else if (ev.type == FCS_EV_CONTENT) {
      if (recs[n].clen + ev.len > sizeof recs[n].content)
        return -1;
      memcpy(recs[n].content + recs[n].clen, ev.data, ev.len);
      recs[n].clen += ev.len;
    } else if (ev.type == FCS_EV_RECORD_END) {
      recs[n].end = ev;
    } else {
      recs[n].stream_end = 1;
    }
  }
  fcs_event fin;
  return fcs_decoder_finish(&d, &fin) == FCS_E_OK ? n + 1 : -1;
}

static void roundtrip_all_types(const fcs_record_opts *o, const char *mode) {
  static uint8_t buf[16384];
  size_t at = 0, n;
  const uint8_t data[] = "stream bytes: 17+";
  const fcs_nv_pair pair = {(const uint8_t *)"FCGI_MAX_REQS", 13,
                            (const uint8_t *)"50", 2};
  uint8_t pairs[32];
  size_t plen;
  CHECK_EQ(fcs_encode_pairs(pairs, sizeof pairs, &pair, 1, 0, &plen), FCS_E_OK);
#define PUT(call)                                                              \
  do {                                                                         \
    CHECK_EQ(call, FCS_E_OK);                                                  \
    at += n;                                                                   \
  } while (0)
  PUT(fcs_encode_begin_request(buf + at, sizeof buf - at, 0x0203, FCS_FILTER,
                               FCS_KEEP_CONN, o, &n));
  PUT(fcs_encode_abort_request(buf + at, sizeof buf - at, 7, o, &n));
  PUT(fcs_encode_end_request(buf + at, sizeof buf - at, 9, 0xdeadbeef,
                             FCS_OVERLOADED, o, &n));
  for (uint8_t t = FCS_PARAMS; t <= FCS_DATA; t++)
    PUT(fcs_encode_stream(buf + at, sizeof buf - at, t, t, data,
                          sizeof data - 1, 1, o, &n));
  PUT(fcs_encode_record(buf + at, sizeof buf - at, FCS_GET_VALUES, 0, pairs,
                        plen, o, &n));
  PUT(fcs_encode_record(buf + at, sizeof buf - at, FCS_GET_VALUES_RESULT, 0,
                        pairs, plen, o, &n));
  PUT(fcs_encode_unknown_type(buf + at, sizeof buf - at, 0x42, o, &n));
#undef PUT
  decoded recs[40];
  int count = decode_all(buf, at, recs, 40);
  size_t per_stream = o->max_content ? 4 + 1 : 1 + 1; /* 17 bytes in 5s */
  if (!CHECK_EQ(count, 3 + 5 * per_stream + 3)) {
    fprintf(stderr, "  padding mode %s\n", mode);
    return;
  }
  const decoded *r = recs;
  CHECK_EQ(r[0].h.type, FCS_BEGIN_REQUEST);
  CHECK_EQ(r[0].h.request_id, 0x0203);
  CHECK_EQ(r[0].end.body.begin.role, FCS_FILTER);
  CHECK_EQ(r[0].end.body.begin.flags, FCS_KEEP_CONN);
  CHECK(r[1].h.type == FCS_ABORT_REQUEST && r[1].h.request_id == 7);
  CHECK_EQ(r[1].clen, 0);
  CHECK_EQ(r[2].end.body.end.app_status, 0xdeadbeef);
  CHECK_EQ(r[2].end.body.end.protocol_status, FCS_OVERLOADED);
  r += 3;
  for (uint8_t t = FCS_PARAMS; t <= FCS_DATA; t++) {
    uint8_t got[64];
    size_t glen = 0;
    for (size_t k = 0; k < per_stream; k++, r++) {
      CHECK(r->h.type == t && r->h.request_id == t);
      CHECK_EQ(r->stream_end, k + 1 == per_stream);
      memcpy(got + glen, r->content, r->clen);
      glen += r->clen;
    }
    CHECK_BYTES(got, glen, data, sizeof data - 1);
  }
  CHECK(r[0].h.type == FCS_GET_VALUES && r[0].h.request_id == 0);
  CHECK_BYTES(r[0].content, r[0].clen, pairs, plen);
  CHECK_EQ(r[1].h.type, FCS_GET_VALUES_RESULT);
  CHECK_BYTES(r[1].content, r[1].clen, pairs, plen);
  CHECK_EQ(r[2].h.type, FCS_UNKNOWN_TYPE);
  CHECK_EQ(r[2].end.body.unknown_type.type, 0x42);
  for (int i = 0; i < count; i++)
    CHECK_EQ(recs[i].h.padding_length,
             fcs_padding_for(&o->padding, recs[i].h.content_length));
}

static uint8_t big_value[70000];

static const fcs_nv_pair pair_list[] = {
    {(const uint8_t *)"REQUEST_METHOD", 14, (const uint8_t *)"POST", 4},
    {(const uint8_t *)"", 0, (const uint8_t *)"empty name", 10},
    {(const uint8_t *)"EMPTY_VALUE", 11, (const uint8_t *)"", 0},
    {big_value, 127, big_value, 128},
    {(const uint8_t *)"HUGE", 4, big_value, sizeof big_value},
};
#define NPAIRS (sizeof pair_list / sizeof pair_list[0])

/* Walks a pair buffer and compares it with pair_list. */
static void check_pairs(const uint8_t *buf, size_t len, const char *how) {
  size_t pos = 0, i = 0;
  fcs_nv_pair p;
  fcs_nv_result res;
  while ((res = fcs_nv_next(buf, len, &pos, &p)) == FCS_NV_OK && i < NPAIRS) {
    const fcs_nv_pair *w = &pair_list[i++];
    if (!CHECK_BYTES(p.name, p.name_len, w->name, w->name_len) ||
        !CHECK_BYTES(p.value, p.value_len, w->value, w->value_len))
      fprintf(stderr, "  pair %zu, %s\n", i - 1, how);
  }
  if (!CHECK_EQ(res, FCS_NV_END) || !CHECK_EQ(i, NPAIRS))
    fprintf(stderr, "  %s\n", how);
}

static void test_pairs_roundtrip(void) {
  for (size_t i = 0; i < sizeof big_value; i++)
    big_value[i] = (uint8_t)(i % 251);
  size_t need;
  for (int force_long = 0; force_long <= 1; force_long++) {
    CHECK_ERR(fcs_encode_pairs(NULL, 0, pair_list, NPAIRS, force_long, &need),
              FCS_E_BUFFER_TOO_SMALL);
    uint8_t *buf = malloc(need);
    size_t n;
    CHECK_ERR(fcs_encode_pairs(buf, need, pair_list, NPAIRS, force_long, &n),
              FCS_E_OK);
    CHECK_EQ(n, need);
    check_pairs(buf, n, force_long ? "long form" : "shortest form");
    free(buf);
  }
}

/* The pairs as a PARAMS stream of 7-byte records with padding, fed to an
 * application-side assembler: PARAMS brings back the same pairs. */
static void test_params_through_assembler(void) {
  size_t plen, slen, n;
  fcs_encode_pairs(NULL, 0, pair_list, NPAIRS, 0, &plen);
  uint8_t *pairs = malloc(plen);
  fcs_encode_pairs(pairs, plen, pair_list, NPAIRS, 0, &plen);
  fcs_record_opts o = {{FCS_PAD_ALIGN8, 0, 0xff}, 0, 0, 7};
  fcs_encode_stream(NULL, 0, FCS_PARAMS, 1, pairs, plen, 1, &o, &slen);
  uint8_t *wire = malloc(16 + slen);
  CHECK_ERR(fcs_encode_begin_request(wire, 16, 1, FCS_RESPONDER, 0, &o, &n),
            FCS_E_OK);
  CHECK_ERR(
      fcs_encode_stream(wire + 16, slen, FCS_PARAMS, 1, pairs, plen, 1, &o, &n),
      FCS_E_OK);
  fcs_limits lim;
  fcs_limits_default(&lim);
  lim.max_params_bytes = 80000;
  size_t memlen = fcs_assembler_memory_size(&lim);
  void *mem = malloc(memlen);
  fcs_assembler a;
  CHECK_ERR(fcs_assembler_init(&a, FCS_SIDE_APP, FCS_STRICT, &lim, mem, memlen),
            FCS_E_OK);
  size_t off = 0;
  fcs_asm_event ev;
  do
    off += fcs_assembler_feed(&a, wire + off, 16 + slen - off, &ev);
  while (ev.type != FCS_AE_NONE && ev.type != FCS_AE_PARAMS &&
         ev.type != FCS_AE_ERROR);
  CHECK_EQ(ev.type, FCS_AE_PARAMS);
  CHECK_EQ(ev.npairs, NPAIRS);
  check_pairs(ev.data, ev.len, "through the assembler");
  CHECK_EQ(off, 16 + slen);
  free(mem);
  free(wire);
  free(pairs);
}

int main(void) {
  fcs_record_opts none = {{FCS_PAD_NONE, 0, 0}, 0, 0, 0};
  fcs_record_opts align = {{FCS_PAD_ALIGN8, 0, 0x11}, 0, 0, 0};
  fcs_record_opts fixed = {{FCS_PAD_FIXED, 255, 0xee}, 0, 0, 5};
  roundtrip_all_types(&none, "none");
  roundtrip_all_types(&align, "align8");
  roundtrip_all_types(&fixed, "fixed 255, 5-byte records");
  test_pairs_roundtrip();
  test_params_through_assembler();
  return check_report("test_roundtrip");
}
