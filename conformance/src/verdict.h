/* Verdicts a case can get, ordered from best to worst for reporting. */
#ifndef FSP_VERDICT_H
#define FSP_VERDICT_H

typedef enum fsp_verdict {
  FSP_V_PASS = 0,
  FSP_V_INFO,        /* the spec leaves room; what was seen is recorded */
  FSP_V_UNSUPPORTED, /* skipped: the backend said it lacks the feature */
  FSP_V_NONSTRICT,   /* a SHOULD (or tolerated deviation) not met */
  FSP_V_FAIL,
  FSP_V_HANG,  /* the case deadline passed while waiting for the backend */
  FSP_V_ERROR, /* the runner could not decide (e.g. cannot connect) */
  FSP_V_COUNT
} fsp_verdict;

const char *verdict_name(fsp_verdict v);
/* Parses a verdict name; -1 when unknown. */
int verdict_parse(const char *s);

#endif
