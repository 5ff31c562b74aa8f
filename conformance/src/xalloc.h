/* Allocation that cannot fail: running out of memory aborts, since the
 * runner and its tools cannot do anything useful without it. */
#ifndef FSP_XALLOC_H
#define FSP_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
