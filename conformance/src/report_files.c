/* Machine-readable reports: JSON, JUnit XML, and a baseline file. */
#include <stdio.h>
#include <string.h>

#include "fcs/proto.h"
#include "report.h"

static void json_str(FILE *f, const char *s, size_t n) {
  fputc('"', f);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c == '\n')
      fputs("\\n", f);
    else if (c < 0x20 || c >= 0x7f)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
  fputc('"', f);
}

static void json_cstr(FILE *f, const char *s) { json_str(f, s, strlen(s)); }

static void json_buf(FILE *f, const bytebuf *b) {
  json_str(f, (const char *)b->p, b->len);
}

/* Where the run went: the target, and the proxy's address when there is one. */
static void json_place(FILE *f, const fsp_run *r) {
  fprintf(f, "  \"target\": ");
  json_cstr(f, r->target);
  fprintf(f, ",\n  \"wall_ms\": %lld,\n  \"jobs\": %d,\n",
          (long long)r->wall_ms, r->jobs);
  if (r->failure) {
    fprintf(f, "  \"failure\": ");
    json_cstr(f, r->failure);
    fprintf(f, ",\n");
  }
  if (r->proxy_host) {
    const char *const place[][2] = {{"host", r->proxy_host},
                                    {"port", r->proxy_port},
                                    {"docroot", r->proxy_docroot},
                                    {"backend", r->proxy_backend}};
    fprintf(f, "  \"proxy\": {");
    for (size_t i = 0; i < sizeof(place) / sizeof(place[0]); i++) {
      fprintf(f, "%s\"%s\": ", i ? ", " : "", place[i][0]);
      json_cstr(f, place[i][1] ? place[i][1] : "");
    }
    fprintf(f, "},\n");
  }
}

/* What the probe learned of the backend before the cases. */
static void json_backend(FILE *f, const fsp_probe *p) {
  fprintf(f, "  \"backend\": {\"get_values_answered\": %s, ",
          p->get_values_answered ? "true" : "false");
  fprintf(f, "\"" FCS_MAX_CONNS "\": ");
  json_cstr(f, p->max_conns);
  fprintf(f, ", \"" FCS_MAX_REQS "\": ");
  json_cstr(f, p->max_reqs);
  fprintf(f, ", \"" FCS_MPXS_CONNS "\": ");
  json_cstr(f, p->mpxs_conns);
  fprintf(f, ", \"echo\": ");
  json_cstr(f, p->content ? content_format(p->content) : "none");
  fprintf(f, ", \"authorizer\": %s, \"filter\": %s},\n",
          p->authorizer ? "true" : "false", p->filter ? "true" : "false");
}

static void json_summary(FILE *f, const fsp_run *r, const fsp_score *s) {
  fprintf(f, "  \"summary\": {\n    \"levels\": {");
  for (int l = 0; l < FSP_LVL_COUNT; l++)
    fprintf(f, "%s\"%s\": {\"total\": %zu, \"scored\": %zu, \"passed\": %zu}",
            l ? ", " : "", level_name((fsp_level)l), s->total[l], s->scored[l],
            s->pass[l]);
  fprintf(f, "},\n    \"verdicts\": {");
  for (int v = 0; v < FSP_V_COUNT; v++)
    fprintf(f, "%s\"%s\": %zu", v ? ", " : "", verdict_name((fsp_verdict)v),
            s->verdicts[v]);
  fprintf(f,
          "},\n    \"score\": %.2f,\n    \"regressions\": %zu,\n"
          "    \"known\": %zu,\n    \"content_checked\": %zu,\n"
          "    \"content_unchecked\": %zu,\n    \"exit_code\": %d\n  },\n",
          s->score, s->regressions, s->known, s->content_checked,
          s->content_unchecked, s->exit_code);
  if (s->rss_peak) {
    fprintf(f,
            "  \"proxy_memory\": {\"first_kib\": %ld, \"peak_kib\": %ld, "
            "\"last_kib\": %ld, \"peak_case\": ",
            s->rss_first, s->rss_peak, s->rss_last);
    json_cstr(f, r->cases[s->rss_peak_case]->id);
    fprintf(f, "},\n");
  }
}

static void json_case(FILE *f, const fsp_run *r, size_t i) {
  const fsp_case *c = r->cases[i];
  const fsp_result *res = &r->res[i];
  fprintf(f, "    {\"id\": ");
  json_cstr(f, c->id);
  fprintf(f, ", \"section\": ");
  json_cstr(f, c->section);
  if (c->proxy)
    fprintf(f, ", \"side\": \"%s\"", c->replies ? "response" : "request");
  fprintf(f, ", \"level\": \"%s\", \"role\": ", level_name(c->level));
  json_cstr(f, case_role_name(c));
  fprintf(f, ", \"verdict\": \"%s\", \"known\": %s, \"ms\": %lld,",
          verdict_name(res->verdict), r->known[i] ? "true" : "false",
          (long long)res->elapsed_ms);
  if (res->rss_kib)
    fprintf(f, " \"rss_kib\": %ld,", res->rss_kib);
  fprintf(f, " \"down\": %s,\n", res->down ? "true" : "false");
  fprintf(f, "     \"requirement\": ");
  json_cstr(f, c->requirement);
  if (c->advisory) {
    fprintf(f, ", \"advisory\": ");
    json_cstr(f, c->advisory);
  }
  fprintf(f, ",\n     \"expected\": ");
  json_buf(f, &res->expected);
  fprintf(f, ", \"observed\": ");
  json_buf(f, &res->observed);
  fprintf(f, ", \"notes\": ");
  json_buf(f, &res->notes);
  fprintf(f, ",\n     \"rerun\": ");
  char cmd[1024];
  snprintf(cmd, sizeof(cmd), "%s '%s'", r->rerun, c->id);
  json_cstr(f, cmd);
  fprintf(f, ", \"trace\": ");
  json_buf(f, &res->trace);
  if (res->requests.len) /* a JSON array already (proxy_json.c) */
    fprintf(f, ",\n     \"requests\": %.*s", (int)res->requests.len,
            (const char *)res->requests.p);
  fprintf(f, "}%s\n", i + 1 < r->n ? "," : "");
}

int report_json(const char *path, const fsp_run *r, const fsp_score *s) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  fprintf(f, "{\n  \"tool\": \"fcgispec\",\n");
  json_place(f, r);
  if (r->probe)
    json_backend(f, r->probe);
  json_summary(f, r, s);
  fprintf(f, "  \"cases\": [\n");
  for (size_t i = 0; i < r->n; i++)
    json_case(f, r, i);
  fprintf(f, "  ]\n}\n");
  return fclose(f) ? -1 : 0;
}

static void xml_str(FILE *f, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '<')
      fputs("&lt;", f);
    else if (c == '>')
      fputs("&gt;", f);
    else if (c == '&')
      fputs("&amp;", f);
    else if (c == '"')
      fputs("&quot;", f);
    else if ((c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f)
      fputc('?', f); /* not allowed in XML 1.0, or not UTF-8 */
    else
      fputc(c, f);
  }
}

static void xml_cstr(FILE *f, const char *s) { xml_str(f, s, strlen(s)); }

static void xml_buf(FILE *f, const bytebuf *b) {
  xml_str(f, (const char *)b->p, b->len);
}

static void junit_body(FILE *f, const fsp_run *r, size_t i) {
  const fsp_case *c = r->cases[i];
  const fsp_result *res = &r->res[i];
  fprintf(f, "requirement (%s): ", level_name(c->level));
  xml_cstr(f, c->requirement);
  fprintf(f, "\nexpected: ");
  xml_buf(f, &res->expected);
  fprintf(f, "\nobserved: ");
  xml_buf(f, &res->observed);
  fprintf(f, "\nrerun: ");
  xml_cstr(f, r->rerun);
  fprintf(f, " '");
  xml_cstr(f, c->id);
  fprintf(f, "'\n");
  xml_buf(f, &res->trace);
}

static void junit_case(FILE *f, const fsp_run *r, size_t i) {
  const fsp_case *c = r->cases[i];
  const fsp_result *res = &r->res[i];
  fprintf(f, "    <testcase classname=\"fcgispec.");
  xml_cstr(f, c->section);
  fprintf(f, "\" name=\"");
  xml_cstr(f, c->id);
  fprintf(f, "\" time=\"%.3f\">\n", (double)res->elapsed_ms / 1000.0);
  fsp_verdict v = res->verdict;
  const char *msg = verdict_name(v);
  if (r->known[i] && v != FSP_V_PASS) {
    fprintf(f, "      <skipped message=\"expected by the baseline: %s\"/>\n",
            msg);
  } else if (v == FSP_V_UNSUPPORTED) {
    fprintf(f, "      <skipped message=\"");
    xml_buf(f, &res->observed);
    fprintf(f, "\"/>\n");
  } else if (v == FSP_V_ERROR) {
    fprintf(f, "      <error message=\"error\">");
    junit_body(f, r, i);
    fprintf(f, "</error>\n");
  } else if (verdict_fails_run(r, i) || v == FSP_V_FAIL || v == FSP_V_HANG) {
    fprintf(f, "      <failure message=\"%s\" type=\"%s\">", msg, msg);
    junit_body(f, r, i);
    fprintf(f, "</failure>\n");
  } else if (v != FSP_V_PASS) {
    fprintf(f, "      <system-out>%s: ", msg);
    xml_buf(f, &res->observed);
    fputc('\n', f);
    xml_buf(f, &res->notes);
    fprintf(f, "</system-out>\n");
  }
  fprintf(f, "    </testcase>\n");
}

int report_junit(const char *path, const fsp_run *r, const fsp_score *s) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  fprintf(f, "<testsuites name=\"fcgispec\" tests=\"%zu\" time=\"%.3f\">\n",
          r->n, (double)r->wall_ms / 1000.0);
  (void)s;
  for (size_t i = 0; i < r->n;) {
    size_t j = i, fails = 0, errors = 0, skipped = 0;
    double t = 0;
    for (; j < r->n && strcmp(r->cases[j]->section, r->cases[i]->section) == 0;
         j++) {
      fsp_verdict v = r->res[j].verdict;
      int known = r->known[j] && v != FSP_V_PASS;
      skipped += known || v == FSP_V_UNSUPPORTED;
      errors += !known && v == FSP_V_ERROR;
      fails += !known &&
               (v == FSP_V_FAIL || v == FSP_V_HANG || verdict_fails_run(r, j));
      t += (double)r->res[j].elapsed_ms / 1000.0;
    }
    fprintf(f, "  <testsuite name=\"");
    xml_cstr(f, r->cases[i]->section);
    fprintf(f,
            "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
            "time=\"%.3f\">\n",
            j - i, fails, errors, skipped, t);
    for (; i < j; i++)
      junit_case(f, r, i);
    fprintf(f, "  </testsuite>\n");
  }
  fprintf(f, "</testsuites>\n");
  return fclose(f) ? -1 : 0;
}

int report_baseline(const char *path, const fsp_run *r) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  /* No target in the header: run.sh targets a fresh temporary socket, and
   * the file should not change from one run to the next. */
  fprintf(f, "# fcgispec expected-failures baseline\n");
  fprintf(f, "# CASE-ID VERDICT; cases not listed are expected to pass\n");
  for (size_t i = 0; i < r->n; i++) {
    fsp_verdict v = r->res[i].verdict;
    if (v != FSP_V_PASS)
      fprintf(f, "%s %s\n", r->cases[i]->id, verdict_name(v));
  }
  return fclose(f) ? -1 : 0;
}
