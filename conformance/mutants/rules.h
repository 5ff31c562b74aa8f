/* The rules a mutant can break. Each mutant is the reference responder
 * (fcs_responder) with one rewrite applied to whole records on their way
 * in or out; everything else stays correct. */
#ifndef FSP_MUTANT_RULES_H
#define FSP_MUTANT_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"

typedef enum mutant_rule {
  M_NONE = 0,
  M_IGNORE_GET_VALUES,   /* never answers FCGI_GET_VALUES */
  M_NO_UNKNOWN_TYPE,     /* never sends FCGI_UNKNOWN_TYPE */
  M_SERVE_UNKNOWN_ROLE,  /* runs unknown roles as a Responder */
  M_NO_STDOUT_END,       /* leaves out the empty STDOUT record */
  M_SWAP_ID_BYTES,       /* replies to ids > 255 with the id bytes swapped */
  M_IGNORE_KEEP_CONN_0,  /* keeps the connection open despite KEEP_CONN=0 */
  M_CLOSE_KEEP_CONN_1,   /* closes after every END_REQUEST */
  M_WRONG_VERSION,       /* sends version 2 */
  M_HANG,                /* reads everything, answers nothing */
  M_FLOOD,               /* answers every request with endless STDOUT */
  M_CLOSE_MID_RECORD,    /* closes halfway through FCGI_UNKNOWN_TYPE */
  M_LIE_LENGTH,          /* GET_VALUES_RESULT claims 100 bytes too many */
  M_DROP_SECOND_REQUEST, /* says it multiplexes, drops concurrent requests */
  M_IGNORE_ABORT,        /* ignores FCGI_ABORT_REQUEST */
  M_DOUBLE_END,          /* sends every END_REQUEST twice */
  M_EARLY_OUTPUT,        /* writes STDOUT as soon as BEGIN_REQUEST arrives */
  M_ANSWER_INACTIVE,     /* answers ABORT_REQUEST for inactive ids */
  M_CRASH_ON_LONG_FORM,  /* dies on a short length in the four-byte form */
  M_TRICKLE,             /* writes its replies 7 bytes at a time, 1 ms apart */
  /* The request the app sees differs from the one sent: */
  M_INJECT_PARAM,         /* an extra param X_INJECTED=1 in each request */
  M_CUT_VALUE,            /* the longest value of a PARAMS record cut in half */
  M_LOSE_BODY_ON_PADDING, /* a padded empty PARAMS record loses the body */
  M_LOSE_DATA,            /* a Filter's DATA after its first record is lost */
  M_COUNT
} mutant_rule;

const char *rule_name(mutant_rule r);
/* M_COUNT when name is unknown. */
mutant_rule rule_parse(const char *name);

/* Per-connection state the rules need. */
typedef struct mutant_state {
  mutant_rule rule;
  uint16_t active[64]; /* ids begun and not yet ended */
  size_t nactive;
  uint16_t dropped[64]; /* M_DROP_SECOND_REQUEST: ids being ignored */
  size_t ndropped;
  int close_now;       /* the rule wants the connection closed */
  int flood_id;        /* M_FLOOD: id to flood, 0 for none */
  uint16_t marked[64]; /* M_INJECT_PARAM: ids with a PARAMS record seen;
                          M_LOSE_BODY_ON_PADDING: ids whose body is lost */
  size_t nmarked;
} mutant_state;

/* One whole record from the web server: appends what the responder should
 * see to to_app, and anything the mutant answers itself to to_server. */
void rule_input(mutant_state *m, const uint8_t *rec, size_t len,
                bytebuf *to_app, bytebuf *to_server);
/* One whole record from the responder: appends what goes on the wire. */
void rule_output(mutant_state *m, const uint8_t *rec, size_t len,
                 bytebuf *to_server);

#endif
