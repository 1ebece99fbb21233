/* dwait — for every thread of a process in D: what it waits for and
 * whether SIGKILL ends the wait.
 *
 * A vfork parent sleeps in D until its child execs or exits; the child is
 * the one among the waiting thread's children (its task/TID/children
 * file) that runs in the parent's memory, which kcmp(KCMP_VM) confirms.
 * The child's state, wait channel and system call say what it is doing.
 * Reads through proc/reader, a bounded number of children, nothing
 * stopped. */
#ifndef PI_COLLECT_DWAIT_H
#define PI_COLLECT_DWAIT_H

#include "model.h"

/* Fills p->d_waits (after pi_collect_process). */
void pi_collect_d_waits(struct pi_process *p);

/* How many of a thread's children are looked at, youngest first (the
 * vfork child is the youngest but for races): a process may hold
 * thousands. */
enum { PI_DWAIT_CHILDREN_MAX = 64 };
/* How many threads' vfork children are looked for: a process may put
 * every one of ten thousand threads in a vfork wait. The others say so
 * (children_err -E2BIG), as do those past the time budget
 * (-PI_ERR_TIMEOUT). */
enum { PI_DWAIT_LOOKUPS_MAX = 64 };

#endif
