#include "locate.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The directory of the running executable into out; 0, or -1 when the
 * kernel does not say (no /proc). */
static int exe_dir(char *out, size_t cap) {
  ssize_t n = readlink("/proc/self/exe", out, cap - 1);
  if (n <= 0 || (size_t)n >= cap - 1)
    return -1;
  out[n] = 0;
  char *slash = strrchr(out, '/');
  if (!slash)
    return -1;
  *slash = 0;
  return 0;
}

const char *locate_shipped(const char *rel, const char *built, char *out,
                           size_t cap) {
  char dir[4096];
  if (exe_dir(dir, sizeof(dir)) == 0) {
    int n = snprintf(out, cap, "%s/%s", dir, rel);
    if (n > 0 && (size_t)n < cap && access(out, F_OK) == 0)
      return out;
  } else {
    snprintf(out, cap, "%s (from fcgispec's unknown directory)", rel);
  }
  return access(built, F_OK) == 0 ? built : NULL;
}
