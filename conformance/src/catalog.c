#include "catalog.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xalloc.h"

static int has_suffix(const char *s, const char *suf) {
  size_t n = strlen(s), k = strlen(suf);
  return n >= k && strcmp(s + n - k, suf) == 0;
}

static int load_dir(const char *dir, fsp_catalog *cat, char *err, size_t errlen,
                    int depth) {
  if (depth > 8)
    return 0;
  DIR *d = opendir(dir);
  if (!d) {
    snprintf(err, errlen, "%s: cannot open the case directory", dir);
    return -1;
  }
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    size_t n = strlen(dir) + strlen(e->d_name) + 2;
    char *path = xmalloc(n);
    snprintf(path, n, "%s/%s", dir, e->d_name);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
      rc = load_dir(path, cat, err, errlen, depth + 1);
    } else if (has_suffix(e->d_name, ".case")) {
      cat->v = xrealloc(cat->v, (cat->n + 1) * sizeof(fsp_case));
      rc = case_parse_file(path, &cat->v[cat->n], err, errlen);
      if (rc)
        case_free(&cat->v[cat->n]);
      else
        cat->n++;
    }
    free(path);
  }
  closedir(d);
  return rc;
}

/* Section order: numeric parts compare as numbers ("3.10" after "3.5"). */
static int section_cmp(const char *a, const char *b) {
  while (*a && *b) {
    if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
      long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);
      if (x != y)
        return x < y ? -1 : 1;
      continue;
    }
    if (*a != *b)
      return (unsigned char)*a - (unsigned char)*b;
    a++, b++;
  }
  return (unsigned char)*a - (unsigned char)*b;
}

static int case_cmp(const void *pa, const void *pb) {
  const fsp_case *a = pa, *b = pb;
  int s = section_cmp(a->section, b->section);
  return s ? s : strcmp(a->id, b->id);
}

int catalog_load(const char *dir, fsp_catalog *cat, char *err, size_t errlen) {
  memset(cat, 0, sizeof(*cat));
  if (load_dir(dir, cat, err, errlen, 0))
    return -1;
  if (cat->n == 0) {
    snprintf(err, errlen, "%s: no .case files found", dir);
    return -1;
  }
  return catalog_sort(cat, err, errlen);
}

int catalog_sort(fsp_catalog *cat, char *err, size_t errlen) {
  qsort(cat->v, cat->n, sizeof(fsp_case), case_cmp);
  for (size_t i = 1; i < cat->n; i++)
    if (strcmp(cat->v[i - 1].id, cat->v[i].id) == 0) {
      snprintf(err, errlen, "case id '%s' is used by both %s and %s",
               cat->v[i].id, cat->v[i - 1].path, cat->v[i].path);
      return -1;
    }
  return 0;
}

void catalog_free(fsp_catalog *cat) {
  for (size_t i = 0; i < cat->n; i++)
    case_free(&cat->v[i]);
  free(cat->v);
  memset(cat, 0, sizeof(*cat));
}

int case_matches(const fsp_case *c, const char *pattern) {
  size_t n = strlen(pattern);
  if (strcmp(c->id, pattern) == 0 || strcmp(c->section, pattern) == 0)
    return 1;
  if (strncmp(c->id, pattern, n) == 0 && c->id[n] == '/')
    return 1;
  return fnmatch(pattern, c->id, 0) == 0;
}
