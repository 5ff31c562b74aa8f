#include "knobs.h"

#include <string.h>

#include "fcs/nv.h"

/* Decimal digits only, no sign, no spaces, at most 2^32-1. */
static int parse_u32(const uint8_t *s, uint32_t len, uint32_t *out) {
  uint64_t v = 0;
  if (len == 0 || len > 10)
    return 0;
  for (uint32_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return 0;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  if (v > UINT32_MAX)
    return 0;
  *out = (uint32_t)v;
  return 1;
}

void fcsr_knobs_read(const fcs_nv_pair *pairs, uint32_t npairs, fcsr_knobs *k) {
  memset(k, 0, sizeof(*k));
  for (uint32_t i = 0; i < npairs; i++) {
    const fcs_nv_pair *p = &pairs[i];
    if (fcs_nv_name_is(p, "FCS_STDERR")) {
      k->has_stderr = 1;
      k->stderr_text = p->value;
      k->stderr_len = p->value_len;
    } else if (fcs_nv_name_is(p, "FCS_APP_STATUS")) {
      k->app_status_invalid =
          !parse_u32(p->value, p->value_len, &k->app_status);
      if (k->app_status_invalid)
        k->app_status = 0;
    }
  }
}
