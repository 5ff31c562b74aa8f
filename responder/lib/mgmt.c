#include "mgmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fcs/encoder.h"
#include "fcs/nv.h"
#include "fcs/proto.h"

#define KNOWN 3

void fcsr_mgmt_get_values(fcsr_outbuf *out, const fcs_responder_config *cfg,
                          const uint8_t *query, size_t len) {
  static const char *const names[KNOWN] = {FCS_MAX_CONNS, FCS_MAX_REQS,
                                           FCS_MPXS_CONNS};
  char values[KNOWN][11];
  snprintf(values[0], sizeof values[0], "%" PRIu32, cfg->max_conns);
  snprintf(values[1], sizeof values[1], "%" PRIu32, cfg->max_reqs);
  snprintf(values[2], sizeof values[2], "%u", (unsigned)cfg->mpxs_conns);
  fcs_nv_pair answer[KNOWN];
  uint32_t n = 0, asked = 0;
  size_t pos = 0;
  fcs_nv_pair q;
  while (fcs_nv_next(query, len, &pos, &q) == FCS_NV_OK) {
    for (uint32_t k = 0; k < KNOWN; k++) {
      size_t nlen = strlen(names[k]);
      if ((asked & (1u << k)) || q.name_len != nlen ||
          memcmp(q.name, names[k], nlen) != 0)
        continue;
      asked |= 1u << k;
      answer[n++] = (fcs_nv_pair){(const uint8_t *)names[k], (uint32_t)nlen,
                                  (const uint8_t *)values[k],
                                  (uint32_t)strlen(values[k])};
    }
  }
  uint8_t content[FCSR_MGMT_REPLY_MAX];
  size_t clen;
  if (fcs_encode_pairs(content, sizeof content, answer, n, 0, &clen) ==
      FCS_E_OK)
    fcsr_outbuf_record(out, FCS_GET_VALUES_RESULT, FCS_NULL_REQUEST_ID, content,
                       clen);
}

void fcsr_mgmt_unknown_type(fcsr_outbuf *out, uint8_t type) {
  fcs_unknown_type_body body = {type, {0}};
  uint8_t content[FCS_BODY_LEN];
  fcs_unknown_type_body_encode(&body, content);
  fcsr_outbuf_record(out, FCS_UNKNOWN_TYPE, FCS_NULL_REQUEST_ID, content,
                     sizeof content);
}
