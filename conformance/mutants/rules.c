#include "rules.h"

#include <stdlib.h>
#include <string.h>

#include "fcs/fcs.h"

static const char *names[M_COUNT] = {"none",
                                     "ignore-get-values",
                                     "no-unknown-type",
                                     "serve-unknown-role",
                                     "no-stdout-end",
                                     "swap-id-bytes",
                                     "ignore-keep-conn-0",
                                     "close-keep-conn-1",
                                     "wrong-version",
                                     "hang",
                                     "flood",
                                     "close-mid-record",
                                     "lie-length",
                                     "drop-second-request",
                                     "ignore-abort",
                                     "double-end",
                                     "early-output",
                                     "answer-inactive",
                                     "crash-on-long-form",
                                     "trickle",
                                     "inject-param",
                                     "cut-value",
                                     "lose-body-on-padding",
                                     "lose-data"};

const char *rule_name(mutant_rule r) { return r < M_COUNT ? names[r] : "?"; }

mutant_rule rule_parse(const char *name) {
  for (int r = 0; r < M_COUNT; r++)
    if (strcmp(names[r], name) == 0)
      return (mutant_rule)r;
  return M_COUNT;
}

static int in_set(const uint16_t *set, size_t n, uint16_t id) {
  for (size_t i = 0; i < n; i++)
    if (set[i] == id)
      return 1;
  return 0;
}

static void set_add(uint16_t *set, size_t *n, uint16_t id) {
  if (!in_set(set, *n, id) && *n < 64)
    set[(*n)++] = id;
}

static void set_del(uint16_t *set, size_t *n, uint16_t id) {
  for (size_t i = 0; i < *n; i++)
    if (set[i] == id) {
      set[i] = set[--*n];
      return;
    }
}

static void put_record(bytebuf *out, uint8_t type, uint16_t id,
                       const uint8_t *content, size_t clen) {
  BYTEBUF_ENCODE(out, fcs_encode_record, type, id, content, clen, NULL);
}

/* A short length (<= 127) written in the four-byte form. */
static int has_long_short_length(const uint8_t *p, size_t n) {
  for (size_t i = 0; i + 3 < n; i++)
    if (p[i] == 0x80 && p[i + 1] == 0 && p[i + 2] == 0 && p[i + 3] < 0x80)
      return 1;
  return 0;
}

/* The pairs of a PARAMS record that holds whole pairs, rewritten: with
 * one more pair, or with values over 100 bytes cut in half. 0 when the
 * record is not made of whole pairs (it is then passed on unchanged). */
static int rewrite_params(const mutant_state *m, const uint8_t *p, size_t n,
                          bytebuf *out) {
  fcs_nv_pair pair;
  size_t pos = 0;
  fcs_nv_result res;
  while ((res = fcs_nv_next(p, n, &pos, &pair)) == FCS_NV_OK)
    ;
  if (res != FCS_NV_END)
    return 0;
  pos = 0;
  while (fcs_nv_next(p, n, &pos, &pair) == FCS_NV_OK) {
    uint32_t vlen = pair.value_len;
    if (m->rule == M_CUT_VALUE && vlen > 100)
      vlen /= 2;
    size_t need = fcs_nv_pair_size(pair.name_len, vlen, 0), w;
    bytebuf_reserve(out, need);
    fcs_nv_encode(out->p + out->len, need, pair.name, pair.name_len, pair.value,
                  vlen, 0, &w);
    out->len += w;
  }
  if (m->rule == M_INJECT_PARAM) {
    static const uint8_t extra[] = "\x0a\x01X_INJECTED1";
    bytebuf_add(out, extra, sizeof(extra) - 1);
  }
  return 1;
}

void rule_input(mutant_state *m, const uint8_t *rec, size_t len,
                bytebuf *to_app, bytebuf *to_server) {
  fcs_header h;
  fcs_header_decode(rec, &h);
  const uint8_t *content = rec + FCS_HEADER_LEN;
  size_t clen = len - FCS_HEADER_LEN < h.content_length ? len - FCS_HEADER_LEN
                                                        : h.content_length;
  size_t at = to_app->len;
  int begin = h.type == FCS_BEGIN_REQUEST && clen >= 3;
  uint16_t role = begin ? (uint16_t)(content[0] << 8 | content[1]) : 0;
  switch (m->rule) {
  case M_HANG:
    return;
  case M_IGNORE_GET_VALUES:
    if (h.type == FCS_GET_VALUES)
      return;
    break;
  case M_IGNORE_ABORT:
    if (h.type == FCS_ABORT_REQUEST)
      return;
    break;
  case M_DROP_SECOND_REQUEST:
    if (begin && m->nactive > 0 && !in_set(m->active, m->nactive, h.request_id))
      set_add(m->dropped, &m->ndropped, h.request_id);
    if (in_set(m->dropped, m->ndropped, h.request_id))
      return;
    break;
  case M_ANSWER_INACTIVE:
    if (h.type == FCS_ABORT_REQUEST &&
        !in_set(m->active, m->nactive, h.request_id)) {
      uint8_t body[8] = {0};
      put_record(to_server, FCS_END_REQUEST, h.request_id, body, 8);
    }
    break;
  case M_CRASH_ON_LONG_FORM:
    if (h.type == FCS_PARAMS && has_long_short_length(content, clen))
      abort();
    break;
  case M_EARLY_OUTPUT:
    if (begin && role >= FCS_RESPONDER && role <= FCS_FILTER)
      put_record(to_server, FCS_STDOUT, h.request_id, (const uint8_t *)"early",
                 5);
    break;
  case M_FLOOD:
    if (begin)
      m->flood_id = h.request_id;
    break;
  case M_INJECT_PARAM:
  case M_CUT_VALUE:
    if (h.type == FCS_PARAMS && clen) {
      /* inject-param: only into a second PARAMS record of the request */
      int second = in_set(m->marked, m->nmarked, h.request_id);
      set_add(m->marked, &m->nmarked, h.request_id);
      bytebuf pairs = {0};
      int done = (m->rule == M_CUT_VALUE || second) &&
                 rewrite_params(m, content, clen, &pairs);
      if (done)
        put_record(to_app, FCS_PARAMS, h.request_id, pairs.p, pairs.len);
      bytebuf_free(&pairs);
      if (done)
        return;
    }
    break;
  case M_LOSE_DATA:
    /* The Filter probe sends its DATA in one record: it shows nothing. */
    if (h.type == FCS_DATA && clen) {
      int later = in_set(m->marked, m->nmarked, h.request_id);
      set_add(m->marked, &m->nmarked, h.request_id);
      if (later)
        return;
    }
    break;
  case M_LOSE_BODY_ON_PADDING:
    if (h.type == FCS_PARAMS && !clen && h.padding_length)
      set_add(m->marked, &m->nmarked, h.request_id);
    if (h.type == FCS_STDIN && clen &&
        in_set(m->marked, m->nmarked, h.request_id))
      return;
    break;
  default:
    break;
  }
  if (begin)
    set_add(m->active, &m->nactive, h.request_id);
  bytebuf_add(to_app, rec, len);
  uint8_t *body = to_app->p + at + FCS_HEADER_LEN;
  if (begin && m->rule == M_SERVE_UNKNOWN_ROLE &&
      (role < FCS_RESPONDER || role > FCS_FILTER))
    body[0] = 0, body[1] = FCS_RESPONDER;
  if (begin && m->rule == M_IGNORE_KEEP_CONN_0)
    body[2] |= FCS_KEEP_CONN;
}

void rule_output(mutant_state *m, const uint8_t *rec, size_t len,
                 bytebuf *to_server) {
  fcs_header h;
  fcs_header_decode(rec, &h);
  if (h.type == FCS_END_REQUEST) {
    set_del(m->active, &m->nactive, h.request_id);
    set_del(m->marked, &m->nmarked, h.request_id);
  }
  switch (m->rule) {
  case M_NO_UNKNOWN_TYPE:
    if (h.type == FCS_UNKNOWN_TYPE)
      return;
    break;
  case M_NO_STDOUT_END:
    if (h.type == FCS_STDOUT && h.content_length == 0)
      return;
    break;
  case M_CLOSE_MID_RECORD:
    if (h.type == FCS_UNKNOWN_TYPE) {
      bytebuf_add(to_server, rec, 12);
      m->close_now = 1;
      return;
    }
    break;
  case M_CLOSE_KEEP_CONN_1:
    if (h.type == FCS_END_REQUEST)
      m->close_now = 1;
    break;
  case M_DOUBLE_END:
    if (h.type == FCS_END_REQUEST)
      bytebuf_add(to_server, rec, len);
    break;
  default:
    break;
  }
  size_t at = to_server->len;
  bytebuf_add(to_server, rec, len);
  uint8_t *out = to_server->p + at;
  if (m->rule == M_WRONG_VERSION)
    out[0] = 2;
  if (m->rule == M_SWAP_ID_BYTES && h.request_id > 255) {
    uint8_t t = out[2];
    out[2] = out[3];
    out[3] = t;
  }
  if (m->rule == M_LIE_LENGTH && h.type == FCS_GET_VALUES_RESULT) {
    uint16_t lie = (uint16_t)(h.content_length + 100);
    out[4] = (uint8_t)(lie >> 8);
    out[5] = (uint8_t)lie;
  }
}
