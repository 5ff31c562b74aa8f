#include "baseline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bytebuf.h"
#include "xalloc.h"

/* One "CASE-ID VERDICT" line (comment already cut off); 0, 1 when blank,
 * -1 with err. */
static int parse_line(const char *path, int lineno, const char *line,
                      fsp_baseline *b, char *err, size_t errlen) {
  char id[512], verdict[32], extra[2];
  int n = sscanf(line, "%511s %31s %1s", id, verdict, extra);
  if (n <= 0)
    return 1;
  int v = n == 2 ? verdict_parse(verdict) : -1;
  if (v < 0) {
    snprintf(err, errlen,
             "%s:%d: expected 'CASE-ID VERDICT' (verdict: fail, hang, "
             "non-strict, error, info, unsupported)",
             path, lineno);
    return -1;
  }
  if (v == FSP_V_PASS) {
    snprintf(err, errlen,
             "%s:%d: '%s pass': a baseline lists the cases that do not pass; "
             "remove the line",
             path, lineno, id);
    return -1;
  }
  if (baseline_lookup(b, id) >= 0) {
    snprintf(err, errlen, "%s:%d: '%s' is listed twice", path, lineno, id);
    return -1;
  }
  b->ids = xrealloc(b->ids, (b->n + 1) * sizeof(char *));
  b->verdicts = xrealloc(b->verdicts, (b->n + 1) * sizeof(fsp_verdict));
  b->ids[b->n] = xstrdup(id);
  b->verdicts[b->n++] = (fsp_verdict)v;
  return 0;
}

int baseline_load(const char *path, fsp_baseline *b, char *err, size_t errlen) {
  memset(b, 0, sizeof(*b));
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "%s: %s", path,
             errno == ENOENT ? "no such baseline file"
                             : "the baseline is not a regular file");
    return -1;
  }
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "%s: cannot open the baseline file: %s", path,
             strerror(errno));
    return -1;
  }
  char *line = NULL;
  size_t cap = 0;
  int lineno = 0, rc = 0;
  ssize_t len;
  while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
    lineno++;
    if (memchr(line, 0, (size_t)len)) {
      snprintf(err, errlen,
               "%s:%d: a NUL byte: a baseline is text, 'CASE-ID VERDICT' "
               "lines",
               path, lineno);
      rc = -1;
      break;
    }
    char *hash = strchr(line, '#');
    if (hash)
      *hash = 0;
    rc = parse_line(path, lineno, line, b, err, errlen) < 0 ? -1 : 0;
  }
  if (rc == 0 && ferror(f)) {
    snprintf(err, errlen, "%s: cannot read the baseline file", path);
    rc = -1;
  }
  free(line);
  fclose(f);
  return rc;
}

int baseline_lookup(const fsp_baseline *b, const char *id) {
  for (size_t i = 0; i < b->n; i++)
    if (strcmp(b->ids[i], id) == 0)
      return (int)b->verdicts[i];
  return -1;
}

void baseline_free(fsp_baseline *b) {
  for (size_t i = 0; i < b->n; i++)
    free(b->ids[i]);
  free(b->ids);
  free(b->verdicts);
  memset(b, 0, sizeof(*b));
}
