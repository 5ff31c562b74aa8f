/* The terminal report: one row per case, details of every non-pass case
 * (requirement, expected, observed, rerun command, wire trace) and the
 * scorecard. */
#include <stdio.h>
#include <string.h>

#include "fcs/proto.h"
#include "report.h"

typedef struct style {
  const char *on, *off;
} style;

static style verdict_style(fsp_verdict v, int color) {
  static const char *codes[FSP_V_COUNT] = {"\033[32m", "\033[36m", "\033[90m",
                                           "\033[33m", "\033[31m", "\033[31m",
                                           "\033[35m"};
  style s = {"", ""};
  if (color) {
    s.on = codes[v];
    s.off = "\033[0m";
  }
  return s;
}

static void upper(char *dst, const char *src, size_t cap) {
  size_t i = 0;
  for (; src[i] && i < cap - 1; i++)
    dst[i] = (char)(src[i] >= 'a' && src[i] <= 'z' ? src[i] - 32 : src[i]);
  dst[i] = 0;
}

/* Text the backend influenced may hold any byte: print it escaped. */
static void put_text(FILE *out, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '\n' || (p[i] >= 0x20 && p[i] < 0x7f))
      fputc(p[i], out);
    else
      fprintf(out, "\\x%02x", p[i]);
  }
}

static void put_buf(FILE *out, const char *label, const bytebuf *b) {
  if (!b->len)
    return;
  fprintf(out, "  %s: ", label);
  put_text(out, b->p, b->len);
  fputc('\n', out);
}

/* First line of a buffer, at most max characters. */
static void first_line(FILE *out, const bytebuf *b, int max) {
  int n = 0;
  while ((size_t)n < b->len && b->p[n] != '\n' && n < max)
    n++;
  put_text(out, b->p, (size_t)n);
  fputs((size_t)n < b->len && b->p[n] != '\n' ? "..." : "", out);
}

static void row(FILE *out, const fsp_run *r, size_t i, int color) {
  const fsp_case *c = r->cases[i];
  const fsp_result *res = &r->res[i];
  style st = verdict_style(res->verdict, color);
  char v[16];
  upper(v, verdict_name(res->verdict), sizeof(v));
  fprintf(out, "  %s%-11s%s %-6s %-44s %.60s%s\n", st.on, v, st.off,
          level_name(c->level), c->id, c->requirement,
          strlen(c->requirement) > 60 ? "..." : "");
  if (res->verdict == FSP_V_INFO || res->verdict == FSP_V_UNSUPPORTED) {
    const bytebuf *seen = res->observed.len ? &res->observed : &res->notes;
    fprintf(out, "  %-18s seen: ", "");
    if (seen->len)
      first_line(out, seen, 100);
    else
      fputs("every expectation met", out);
    fputc('\n', out);
  }
  if (r->known[i])
    fprintf(out, "  %-18s (expected by the baseline)\n", "");
}

static int wants_details(const fsp_run *r, size_t i, int verbose) {
  fsp_verdict v = r->res[i].verdict;
  if (v == FSP_V_PASS || v == FSP_V_UNSUPPORTED)
    return 0;
  if (v == FSP_V_INFO || r->known[i])
    return verbose;
  return 1;
}

static void details(FILE *out, const fsp_run *r, size_t i, int color) {
  const fsp_case *c = r->cases[i];
  const fsp_result *res = &r->res[i];
  style st = verdict_style(res->verdict, color);
  char v[16];
  upper(v, verdict_name(res->verdict), sizeof(v));
  fprintf(out, "\n%s%s%s %s [%s, role %s] (%s)\n", st.on, v, st.off, c->id,
          level_name(c->level), case_role_name(c), c->path);
  fprintf(out, "  requirement: %s\n", c->requirement);
  if (c->advisory)
    fprintf(out, "  advisory: %s\n", c->advisory);
  put_buf(out, "expected", &res->expected);
  put_buf(out, "observed", &res->observed);
  put_buf(out, "notes", &res->notes);
  fprintf(out, "  rerun: %s '%s'\n", r->rerun, c->id);
  if (res->trace.len)
    fwrite(res->trace.p, 1, res->trace.len, out);
}

/* "22 info, 3 unsupported": the verdicts a level's cases got. */
static void level_verdicts(FILE *out, const fsp_score *s, int l) {
  const char *sep = "";
  for (int v = 0; v < FSP_V_COUNT; v++)
    if (s->by_level[l][v]) {
      fprintf(out, "%s%zu %s", sep, s->by_level[l][v],
              verdict_name((fsp_verdict)v));
      sep = ", ";
    }
}

static const char *result_text(const fsp_score *s, char *buf, size_t cap) {
  size_t known_must =
      s->known_failed[FSP_LVL_MUST] + s->known_failed[FSP_LVL_TRUST];
  switch (s->exit_code) {
  case EXIT_OK:
    if (!s->known)
      return "every MUST case passed";
    snprintf(buf, cap, "no regressions; %zu known MUST failure%s", known_must,
             known_must == 1 ? "" : "s");
    return buf;
  case EXIT_FAILED:
    return "failures";
  case EXIT_UNREACHABLE:
    return "no case could run";
  default:
    return "undecided cases";
  }
}

static void scorecard(FILE *out, const fsp_run *r, const fsp_score *s,
                      int color) {
  fprintf(out,
          "\nScorecard (%zu cases, %lld ms wall with the probes, %d job%s)\n",
          r->n, (long long)r->wall_ms, r->jobs, r->jobs == 1 ? "" : "s");
  for (int l = 0; l < FSP_LVL_COUNT && !r->failure; l++) {
    if (!s->total[l])
      continue;
    if (l == FSP_LVL_INFO || l == FSP_LVL_MAY) {
      fprintf(out, "  %-7s %zu cases: ", level_name(l), s->total[l]);
      level_verdicts(out, s, l);
      fputc('\n', out);
    } else {
      fprintf(out,
              "  %-7s %3zu/%-3zu passed (%zu not scored: info or "
              "unsupported)\n",
              level_name(l), s->pass[l], s->scored[l],
              s->total[l] - s->scored[l]);
    }
  }
  fprintf(out, "  verdicts:");
  for (int v = 0; v < FSP_V_COUNT; v++) {
    style st = verdict_style((fsp_verdict)v, color);
    fprintf(out, " %s%s %zu%s%s", st.on, verdict_name((fsp_verdict)v),
            s->verdicts[v], st.off, v + 1 < FSP_V_COUNT ? "," : "\n");
  }
  if (!r->failure) {
    if (r->probe) /* proxy mode compares requests, not replies */
      fprintf(out,
              "  content: %zu replies compared with the request sent, %zu "
              "could not be\n",
              s->content_checked, s->content_unchecked);
    if (s->rss_peak)
      fprintf(out,
              "  proxy memory: %ld KiB after the first case, peak %ld KiB "
              "after %s, %ld KiB after the last\n",
              s->rss_first, s->rss_peak, r->cases[s->rss_peak_case]->id,
              s->rss_last);
    if (s->known || s->fixed)
      fprintf(out, "  baseline: %zu known, %zu now passing (remove them)\n",
              s->known, s->fixed);
    fprintf(out, "  score: %.1f%% of scored MUST%s and SHOULD cases\n",
            s->score, s->total[FSP_LVL_TRUST] ? ", TRUST" : "");
  }
  style st = verdict_style(s->exit_code ? FSP_V_FAIL : FSP_V_PASS, color);
  char buf[96];
  fprintf(out, "  result: %s%s%s (exit code %d)\n", st.on,
          result_text(s, buf, sizeof(buf)), st.off, s->exit_code);
}

void report_terminal(FILE *out, const fsp_run *r, const fsp_score *s, int color,
                     int verbose) {
  const fsp_probe *p = r->probe;
  fprintf(out, "fcgispec: target %s\n", r->target);
  if (p)
    fprintf(out,
            "backend: GET_VALUES %s (" FCS_MAX_CONNS "=%s " FCS_MAX_REQS
            "=%s " FCS_MPXS_CONNS "=%s), echo %s, authorizer %s, filter %s\n",
            p->get_values_answered ? "answered" : "not answered",
            p->max_conns[0] ? p->max_conns : "-",
            p->max_reqs[0] ? p->max_reqs : "-",
            p->mpxs_conns[0] ? p->mpxs_conns : "-",
            p->content ? content_format(p->content) : "none",
            p->authorizer ? "yes" : "no", p->filter ? "yes" : "no");
  if (p && !p->baseline_served) {
    fputs("warning: the baseline request was not served: ", out);
    put_text(out, p->baseline_why.p, p->baseline_why.len);
    fputc('\n', out);
  }
  if (p && p->baseline_status.len) {
    fputs("warning: the baseline request was answered with ", out);
    put_text(out, p->baseline_status.p, p->baseline_status.len);
    fputs(": the app may need a param (--param SCRIPT_FILENAME=... for "
          "php-fpm and fcgiwrap)\n",
          out);
  }
  if (p && !p->content) {
    fputs("warning: content is not checked: the app does not reveal the "
          "params and body it received (",
          out);
    put_text(out, p->content_why.p, p->content_why.len);
    fputs(")\n", out);
  }
  if (r->failure) {
    fprintf(out, "no case could run: %s\n", r->failure);
    scorecard(out, r, s, color);
    return;
  }
  fputc('\n', out);
  const char *section = "";
  for (size_t i = 0; i < r->n; i++) {
    if (strcmp(section, r->cases[i]->section)) {
      section = r->cases[i]->section;
      fprintf(out, "%s section %s\n", i ? "\n" : "", section);
    }
    row(out, r, i, color);
  }
  for (size_t i = 0; i < r->n; i++)
    if (wants_details(r, i, verbose))
      details(out, r, i, color);
  scorecard(out, r, s, color);
}
