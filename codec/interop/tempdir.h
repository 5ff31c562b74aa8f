/* A private directory for one run: sockets, logs, configuration. */
#ifndef FCS_INTEROP_TEMPDIR_H
#define FCS_INTEROP_TEMPDIR_H

#include <stddef.h>

typedef struct interop_tempdir {
  char path[128];
} interop_tempdir;

/* Creates it under $TMPDIR (or /tmp). Returns 0 or -1 (message printed). */
int tempdir_create(interop_tempdir *t);

/* dir/name into out; -1 (message printed) when it does not fit. */
int tempdir_file(const interop_tempdir *t, const char *name, char *out,
                 size_t cap);

/* Removes the files in it, then the directory. */
void tempdir_remove(interop_tempdir *t);

#endif
