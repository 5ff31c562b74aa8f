#include "baseline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

int baseline_load(const char *path, fcs_baseline *b, char *err, size_t errlen) {
  memset(b, 0, sizeof(*b));
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "%s: cannot open the baseline file", path);
    return -1;
  }
  char *line = NULL;
  size_t cap = 0;
  int lineno = 0, rc = 0;
  while (rc == 0 && getline(&line, &cap, f) >= 0) {
    lineno++;
    char *hash = strchr(line, '#');
    if (hash)
      *hash = 0;
    char id[512], verdict[32], extra[2];
    int n = sscanf(line, "%511s %31s %1s", id, verdict, extra);
    if (n <= 0)
      continue;
    int v = n == 2 ? verdict_parse(verdict) : -1;
    if (v < 0) {
      snprintf(err, errlen,
               "%s:%d: expected 'CASE-ID VERDICT' (verdict: fail, hang, "
               "non-strict, error, info, unsupported)",
               path, lineno);
      rc = -1;
      break;
    }
    b->ids = xrealloc(b->ids, (b->n + 1) * sizeof(char *));
    b->verdicts = xrealloc(b->verdicts, (b->n + 1) * sizeof(fcs_verdict));
    b->ids[b->n] = xstrdup(id);
    b->verdicts[b->n++] = (fcs_verdict)v;
  }
  free(line);
  fclose(f);
  return rc;
}

int baseline_lookup(const fcs_baseline *b, const char *id) {
  for (size_t i = 0; i < b->n; i++)
    if (strcmp(b->ids[i], id) == 0)
      return (int)b->verdicts[i];
  return -1;
}

void baseline_free(fcs_baseline *b) {
  for (size_t i = 0; i < b->n; i++)
    free(b->ids[i]);
  free(b->ids);
  free(b->verdicts);
  memset(b, 0, sizeof(*b));
}
