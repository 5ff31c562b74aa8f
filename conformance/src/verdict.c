#include "verdict.h"

#include <string.h>

static const char *names[FSP_V_COUNT] = {
#define FSP_VERDICT(id, name, scored, meaning) name,
#include "verdicts.def"
#undef FSP_VERDICT
};

const char *verdict_name(fsp_verdict v) {
  return v < FSP_V_COUNT ? names[v] : "?";
}

int verdict_scored(fsp_verdict v) {
  static const unsigned char scored[] = {
#define FSP_VERDICT(id, name, scored, meaning) scored,
#include "verdicts.def"
#undef FSP_VERDICT
  };
  return v < FSP_V_COUNT && scored[v];
}

int verdict_parse(const char *s) {
  for (int v = 0; v < FSP_V_COUNT; v++)
    if (strcmp(names[v], s) == 0)
      return v;
  return -1;
}
