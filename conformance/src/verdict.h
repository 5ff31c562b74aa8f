/* Verdicts a case can get, ordered from best to worst for reporting: the
 * list is verdicts.def. */
#ifndef FSP_VERDICT_H
#define FSP_VERDICT_H

typedef enum fsp_verdict {
#define FSP_VERDICT(id, name, scored, meaning) FSP_V_##id,
#include "verdicts.def"
#undef FSP_VERDICT
  FSP_V_COUNT
} fsp_verdict;

const char *verdict_name(fsp_verdict v);
/* Whether a case with this verdict counts in its level's scored cases. */
int verdict_scored(fsp_verdict v);
/* Parses a verdict name; -1 when unknown. */
int verdict_parse(const char *s);

#endif
