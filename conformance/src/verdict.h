/* Verdicts a case can get, ordered from best to worst for reporting. */
#ifndef FCS_VERDICT_H
#define FCS_VERDICT_H

typedef enum fcs_verdict {
  FCS_V_PASS = 0,
  FCS_V_INFO,        /* the spec leaves room; what was seen is recorded */
  FCS_V_UNSUPPORTED, /* skipped: the backend said it lacks the feature */
  FCS_V_NONSTRICT,   /* a SHOULD (or tolerated deviation) not met */
  FCS_V_FAIL,
  FCS_V_HANG,  /* the case deadline passed while waiting for the backend */
  FCS_V_ERROR, /* the runner could not decide (e.g. cannot connect) */
  FCS_V_COUNT
} fcs_verdict;

const char *verdict_name(fcs_verdict v);
/* Parses a verdict name; -1 when unknown. */
int verdict_parse(const char *s);

#endif
