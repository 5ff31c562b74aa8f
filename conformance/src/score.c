#include "report.h"

#include <string.h>

int verdict_fails_run(const fsp_run *r, size_t i) {
  fsp_verdict v = r->res[i].verdict;
  if (r->known[i])
    return 0;
  /* A backend that stops serving after a case fails at any level. */
  if (r->res[i].down)
    return 1;
  if (v == FSP_V_FAIL || v == FSP_V_HANG)
    return level_is_mandatory(r->cases[i]->level) || r->strict;
  return v == FSP_V_NONSTRICT && r->strict;
}

void score_run(const fsp_run *r, fsp_score *s) {
  memset(s, 0, sizeof(*s));
  for (size_t i = 0; i < r->n; i++) {
    fsp_level l = r->cases[i]->level;
    fsp_verdict v = r->res[i].verdict;
    long rss = r->res[i].rss_kib;
    if (rss && !s->rss_first)
      s->rss_first = rss;
    if (rss > s->rss_peak) {
      s->rss_peak = rss;
      s->rss_peak_case = i;
    }
    if (rss)
      s->rss_last = rss;
    s->verdicts[v]++;
    s->by_level[l][v]++;
    s->total[l]++;
    if (verdict_scored(v)) {
      s->scored[l]++;
      s->pass[l] += v == FSP_V_PASS;
    }
    if (r->known[i]) {
      s->known++;
      s->known_failed[l] += v != FSP_V_PASS;
    } else if (v == FSP_V_ERROR)
      s->errors++;
    s->regressions += (size_t)verdict_fails_run(r, i);
    s->content_checked += r->res[i].content_checked;
    s->content_unchecked += r->res[i].content_unchecked;
  }
  size_t sc = s->scored[FSP_LVL_MUST] + s->scored[FSP_LVL_TRUST] +
              s->scored[FSP_LVL_SHOULD];
  size_t ps =
      s->pass[FSP_LVL_MUST] + s->pass[FSP_LVL_TRUST] + s->pass[FSP_LVL_SHOULD];
  s->score = sc ? 100.0 * (double)ps / (double)sc : 100.0;
  s->exit_code = r->failure       ? EXIT_UNREACHABLE
                 : s->regressions ? EXIT_FAILED
                 : s->errors      ? EXIT_ERRORS
                                  : EXIT_OK;
}

void score_with_baseline(fsp_run *r, const fsp_baseline *base, fsp_score *s) {
  size_t fixed = 0;
  for (size_t i = 0; i < r->n; i++) {
    int b = baseline_lookup(base, r->cases[i]->id);
    r->known[i] = b >= 0 && b == (int)r->res[i].verdict;
    fixed += b >= 0 && r->res[i].verdict == FSP_V_PASS;
  }
  score_run(r, s);
  s->fixed = fixed;
}
