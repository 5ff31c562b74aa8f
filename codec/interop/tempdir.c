#define _GNU_SOURCE /* mkdtemp with -std=c11 */

#include "tempdir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tempdir_create(interop_tempdir *t) {
  const char *base = getenv("TMPDIR");
  if (!base || !*base)
    base = "/tmp";
  int n = snprintf(t->path, sizeof(t->path), "%s/fcs-interop-XXXXXX", base);
  if (n < 0 || (size_t)n >= sizeof(t->path)) {
    fprintf(stderr, "TMPDIR is too long for a socket path: %s\n", base);
    return -1;
  }
  if (!mkdtemp(t->path)) {
    fprintf(stderr, "cannot create a directory in %s: %s\n", base,
            strerror(errno));
    t->path[0] = 0;
    return -1;
  }
  return 0;
}

int tempdir_file(const interop_tempdir *t, const char *name, char *out,
                 size_t cap) {
  int n = snprintf(out, cap, "%s/%s", t->path, name);
  if (n >= 0 && (size_t)n < cap)
    return 0;
  fprintf(stderr, "path too long: %s/%s\n", t->path, name);
  return -1;
}

void tempdir_remove(interop_tempdir *t) {
  if (!t->path[0])
    return;
  DIR *d = opendir(t->path);
  struct dirent *e;
  char file[512];
  while (d && (e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (tempdir_file(t, e->d_name, file, sizeof(file)) == 0)
      unlink(file);
  }
  if (d)
    closedir(d);
  rmdir(t->path);
  t->path[0] = 0;
}
