/* Replies to management records: FCGI_GET_VALUES_RESULT and
 * FCGI_UNKNOWN_TYPE, written at once into the output buffer. */
#ifndef FCSR_MGMT_H
#define FCSR_MGMT_H

#include <stddef.h>
#include <stdint.h>

#include "fcs_responder.h"
#include "outbuf.h"

/* Output room either reply needs at most: the fullest GET_VALUES_RESULT
 * (three names with 10-digit values) is 80 bytes padded. */
#define FCSR_MGMT_REPLY_MAX 128

/* Answers a query (its name-value pairs) with the values of cfg: each
 * known name once, in the order first asked; unknown names left out. */
void fcsr_mgmt_get_values(fcsr_outbuf *out, const fcs_responder_config *cfg,
                          const uint8_t *query, size_t len);

/* FCGI_UNKNOWN_TYPE naming type, with zero reserved bytes. */
void fcsr_mgmt_unknown_type(fcsr_outbuf *out, uint8_t type);

#endif
