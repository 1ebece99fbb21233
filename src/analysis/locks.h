/* locks — who waits for whom.
 *
 * Each thread asleep in futex() is classified from what collect/locks.c
 * read: a glibc mutex (and who holds it), a priority-inheritance mutex, or
 * something that is not a mutex (a condition variable, a semaphore), which
 * is never taken for a lock. The waits make a graph in which each thread
 * points at most at one other: its cycles are deadlocks, and every other
 * path ends at a thread that is not waiting for a lock — the root of a
 * wait chain, which is what someone has to look at. Pure. */
#ifndef PI_ANALYSIS_LOCKS_H
#define PI_ANALYSIS_LOCKS_H

#include "model.h"

/* Sets each thread's futex.kind and owner, and adds deadlock and
 * wait_chain findings. */
void pi_locks_analyze(struct pi_process *p);

/* The thread a futex's words name as holding it, before anyone checks
 * that the thread lives: the __owner of a locked glibc mutex, or the TID
 * in a priority-inheritance futex word. Sets *kind to what the words look
 * like (PI_LOCK_MUTEX, PI_LOCK_PI_MUTEX, PI_LOCK_NOT_MUTEX, or
 * PI_LOCK_UNKNOWN when they could not be read); 0 when nobody is named. */
pid_t pi_futex_named_owner(const struct pi_futex *f, enum pi_lock_kind *kind);

/* "mutex", "pi_mutex", "not_a_mutex", "deadlock_trap", "unknown", "none". */
const char *pi_lock_kind_name(enum pi_lock_kind kind);
/* "FUTEX_WAIT", "FUTEX_LOCK_PI", ... */
const char *pi_futex_op_name(unsigned op);

#endif
