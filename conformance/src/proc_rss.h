/* The memory a spawned program holds: the resident set of every process
 * in its process group (spawn_start makes it a group leader), read from
 * /proc. Proxy mode checks it after each case (docs/proxies.md). */
#ifndef FSP_PROC_RSS_H
#define FSP_PROC_RSS_H

#include <sys/types.h>

/* KiB resident in the processes of group pgid; 0 when none is found (or
 * /proc cannot be read). */
long proc_group_rss_kib(pid_t pgid);

#endif
