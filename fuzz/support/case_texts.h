/* The conformance case files, compiled into the binary (generated from
 * seeds/cases by fuzz/embed_cases.cmake), so a fuzz target needs no source
 * tree at run time. */
#ifndef FZ_CASE_TEXTS_H
#define FZ_CASE_TEXTS_H

#include <stddef.h>

typedef struct fz_case_text {
  const char *name; /* path from the repository root */
  const char *text;
  size_t len;
} fz_case_text;

extern const fz_case_text fz_case_texts[];
extern const size_t fz_case_text_count;

#endif
