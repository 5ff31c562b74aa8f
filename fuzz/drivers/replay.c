/* Standalone replay driver: runs a target's LLVMFuzzerTestOneInput on every
 * file named on the command line, descending into directories (entries in
 * name order). Inside directories, hidden files and names with an extension
 * (notes, .options, .dict) are skipped: inputs are named by content hash.
 * Exits 0 when every input ran; an oracle failure or a sanitizer report
 * ends the run and names the input. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../support/target.h"

/* Present when linked with a sanitizer runtime. */
extern void __sanitizer_set_death_callback(void (*callback)(void))
    __attribute__((weak));

static char current[4096];
static size_t replayed;

static void name_current_input(void) {
  static const char head[] = "replay: failing input: ";
  if (write(2, head, sizeof head - 1) < 0 ||
      write(2, current, strlen(current)) < 0 || write(2, "\n", 1) < 0)
    return;
}

static void on_fatal_signal(int sig) {
  name_current_input();
  signal(sig, SIG_DFL);
  raise(sig);
}

static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    return 1;
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc(size > 0 ? (size_t)size : 1);
  if (!buf || size < 0 || fread(buf, 1, (size_t)size, f) != (size_t)size) {
    fprintf(stderr, "replay: cannot read %s\n", path);
    fclose(f);
    free(buf);
    return 1;
  }
  fclose(f);
  snprintf(current, sizeof current, "%s", path);
  LLVMFuzzerTestOneInput(buf, (size_t)size);
  free(buf);
  replayed++;
  return 0;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_path(const char *path);

static int replay_dir(const char *path) {
  DIR *d = opendir(path);
  if (!d) {
    fprintf(stderr, "replay: cannot open directory %s\n", path);
    return 1;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strchr(e->d_name, '.'))
      continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      names = realloc(names, cap * sizeof *names);
      if (!names) {
        fprintf(stderr, "replay: out of memory listing %s\n", path);
        closedir(d);
        return 1;
      }
    }
    names[n] = malloc(strlen(path) + strlen(e->d_name) + 2);
    sprintf(names[n++], "%s/%s", path, e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, by_name);
  int failed = 0;
  for (size_t i = 0; i < n; i++) {
    failed |= replay_path(names[i]);
    free(names[i]);
  }
  free(names);
  return failed;
}

static int replay_path(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "replay: no such file or directory: %s\n", path);
    return 1;
  }
  return S_ISDIR(st.st_mode) ? replay_dir(path) : replay_file(path);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
    return 2;
  }
  if (__sanitizer_set_death_callback)
    __sanitizer_set_death_callback(name_current_input);
  signal(SIGABRT, on_fatal_signal);
  signal(SIGSEGV, on_fatal_signal);
  signal(SIGBUS, on_fatal_signal);
  signal(SIGFPE, on_fatal_signal);
  int failed = 0;
  for (int i = 1; i < argc; i++)
    failed |= replay_path(argv[i]);
  printf("replayed %zu inputs%s\n", replayed, failed ? " (with errors)" : "");
  return failed;
}
