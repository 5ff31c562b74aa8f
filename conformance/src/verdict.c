#include "verdict.h"

#include <string.h>

static const char *names[FCS_V_COUNT] = {
    "pass", "info", "unsupported", "non-strict", "fail", "hang", "error"};

const char *verdict_name(fcs_verdict v) {
  return v < FCS_V_COUNT ? names[v] : "?";
}

int verdict_parse(const char *s) {
  for (int v = 0; v < FCS_V_COUNT; v++)
    if (strcmp(names[v], s) == 0)
      return v;
  return -1;
}
