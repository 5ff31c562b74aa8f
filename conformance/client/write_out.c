#include "write_out.h"

#include <inttypes.h>
#include <string.h>

static double seconds(int64_t us) { return us < 0 ? 0 : (double)us / 1e6; }

static void http_code(FILE *f, const outcome *r) {
  fprintf(f, "%03d", outcome_status(r));
}
/* The END_REQUEST fields are empty when none arrived. */
static void app_status(FILE *f, const outcome *r) {
  if (r->ended)
    fprintf(f, "%" PRIu32, r->end.app_status);
}
static void protocol_status(FILE *f, const outcome *r) {
  if (r->ended)
    fprintf(f, "%u", r->end.protocol_status);
}
static void time_connect(FILE *f, const outcome *r) {
  fprintf(f, "%.6f", seconds(r->t.connect));
}
static void time_starttransfer(FILE *f, const outcome *r) {
  fprintf(f, "%.6f", seconds(r->t.first_byte));
}
static void time_total(FILE *f, const outcome *r) {
  fprintf(f, "%.6f", seconds(r->t.total));
}
static void size_download(FILE *f, const outcome *r) {
  fprintf(f, "%" PRIu64, r->body_bytes);
}

static const struct variable {
  const char *name;
  void (*print)(FILE *f, const outcome *r);
} variables[] = {{"http_code", http_code},
                 {"app_status", app_status},
                 {"protocol_status", protocol_status},
                 {"time_connect", time_connect},
                 {"time_starttransfer", time_starttransfer},
                 {"time_total", time_total},
                 {"size_download", size_download}};

/* The variable named by the len bytes at s. */
static const struct variable *find(const char *s, size_t len) {
  for (size_t i = 0; i < sizeof(variables) / sizeof(variables[0]); i++)
    if (strlen(variables[i].name) == len &&
        strncmp(variables[i].name, s, len) == 0)
      return &variables[i];
  return NULL;
}

/* Checks fmt (f NULL) or prints it: one reading of the format for both. */
static int walk(const char *fmt, FILE *f, const outcome *r, char *err,
                size_t errlen) {
  static const char escapes[] = "n\nt\tr\r\\\\";
  for (const char *p = fmt; *p; p++) {
    const char *e, *close;
    const struct variable *v;
    if (p[0] == '%' && p[1] == '%') {
      if (f)
        fputc('%', f);
      p++;
    } else if (p[0] == '%' && p[1] == '{') {
      if (!(close = strchr(p, '}'))) {
        snprintf(err, errlen, "'%s' has no '}'", p);
        return -1;
      }
      if (!(v = find(p + 2, (size_t)(close - p - 2)))) {
        snprintf(err, errlen, "unknown variable %.*s", (int)(close - p + 1), p);
        return -1;
      }
      if (f)
        v->print(f, r);
      p = close;
    } else if (p[0] == '\\' && p[1] && (e = strchr(escapes, p[1])) &&
               (e - escapes) % 2 == 0) {
      if (f)
        fputc(e[1], f);
      p++;
    } else if (f) {
      fputc(*p, f);
    }
  }
  return 0;
}

int write_out_check(const char *fmt, char *err, size_t errlen) {
  return walk(fmt, NULL, NULL, err, errlen);
}

void write_out_print(FILE *f, const char *fmt, const outcome *r) {
  char unused[1];
  walk(fmt, f, r, unused, sizeof(unused));
}
