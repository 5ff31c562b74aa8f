#include "proc_rss.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The process group in /proc/PID/stat: the third field after the command,
 * which sits in parentheses and may hold blanks and parentheses itself. */
static long group_of(const char *pid) {
  char path[300], line[512];
  snprintf(path, sizeof path, "/proc/%s/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  size_t n = fread(line, 1, sizeof line - 1, f);
  fclose(f);
  line[n] = 0;
  const char *close = strrchr(line, ')');
  char state;
  long ppid, pgrp;
  if (!close || sscanf(close + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3)
    return -1;
  return pgrp;
}

/* Resident pages, the second field of /proc/PID/statm, in KiB. */
static long resident_kib(const char *pid) {
  char path[300];
  snprintf(path, sizeof path, "/proc/%s/statm", pid);
  FILE *f = fopen(path, "r");
  if (!f)
    return 0;
  long size, resident;
  int ok = fscanf(f, "%ld %ld", &size, &resident) == 2;
  fclose(f);
  return ok ? resident * (sysconf(_SC_PAGESIZE) / 1024) : 0;
}

long proc_group_rss_kib(pid_t pgid) {
  DIR *d = opendir("/proc");
  if (!d)
    return 0;
  long total = 0;
  for (struct dirent *e; (e = readdir(d));) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9')
      continue;
    if (group_of(e->d_name) == (long)pgid)
      total += resident_kib(e->d_name);
  }
  closedir(d);
  return total;
}
