/* The case catalog: every .case file under a directory, sorted by section
 * and id, and selection of cases by id, section or glob. */
#ifndef FSP_CATALOG_H
#define FSP_CATALOG_H

#include <stddef.h>

#include "case.h"

typedef struct fsp_catalog {
  fsp_case *v;
  size_t n;
} fsp_catalog;

/* 0 on success; err names the file, line and problem otherwise. */
int catalog_load(const char *dir, fsp_catalog *cat, char *err, size_t errlen);
/* Puts cases parsed some other way in catalog order (section, then id);
 * 0, or -1 with err naming the two files when an id is used twice. */
int catalog_sort(fsp_catalog *cat, char *err, size_t errlen);
void catalog_free(fsp_catalog *cat);

/* pattern matches an exact id, a section ("4.1"), an id prefix ending at a
 * '/' ("5.1/begin"), or a shell glob ("*keep-conn*"). */
int case_matches(const fsp_case *c, const char *pattern);

#endif
