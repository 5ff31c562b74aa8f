/* Starting a program in its own process group and stopping it by pid: the
 * one way the runner (--spawn) and the tests start and stop backends. A
 * child is stopped as a group, so whatever it started goes with it. */
#ifndef FCS_SPAWN_CHILD_H
#define FCS_SPAWN_CHILD_H

#include <sys/types.h>

typedef struct child_opts {
  /* The child's fds 0, 1 and 2, set in that order; -1 keeps the inherited
   * one. */
  int fd[3];
  /* SIGTERM to the child when the thread that started it ends
   * (PR_SET_PDEATHSIG): a test killed by a timeout takes its backends with
   * it. Not for a program with threads that come and go. */
  int die_with_parent;
} child_opts;

/* fork() with the child set up as o says, leader of its own process
 * group: 0 in the child, its pid in the parent, -1 when fork fails. A
 * caller with threads may do only async-signal-safe things in the child. */
pid_t child_fork(const child_opts *o);

/* Runs argv[0] (a path) with argv in a child_fork child; its pid, or -1.
 * A child that cannot exec exits 127. */
pid_t child_spawn(char *const argv[], const child_opts *o);

/* 1 while the child runs; 0 once it has ended (it is reaped then). */
int child_alive(pid_t pid);

/* SIGTERM to the child's group; after grace_ms without the child ending,
 * SIGKILL. The child is reaped, and what is left of its group killed.
 * Returns its exit status, or -1 when it was killed or died from a signal
 * (or was reaped before). */
int child_stop(pid_t pid, int grace_ms);

/* Waits up to ms for the child to end by itself, then kills its group.
 * Returns its exit status, or -1 as child_stop does. */
int child_wait(pid_t pid, int ms);

#endif
