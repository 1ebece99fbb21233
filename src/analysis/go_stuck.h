/* go_stuck — stuck goroutines of a Go program, from its goroutines as
 * read (model: struct pi_go_runtime), as findings.
 *
 * Go's sync.Mutex records no owner, so a lock cycle among goroutines
 * cannot be proved as one among threads can (analysis/locks.c). Go's own
 * rule is the model instead: when every goroutine of the program (not
 * the runtime's own) is blocked on something only another goroutine can
 * end (a channel, a select, a lock, a condition variable, a WaitGroup),
 * none ever will: the runtime says "all goroutines are asleep -
 * deadlock!" and stops the program, unless a pending timer keeps it from
 * looking. A goroutine in IO wait, asleep, in a system call, running or
 * runnable can still wake the others: then no such verdict.
 *
 * Short of that, goroutines blocked on a sync.Mutex or RWMutex longer
 * than --hung-after are said, by the place that locks (the first frame
 * past sync's own), with how long where the runtime recorded it (its
 * waitsince is set only by a garbage collection: often unknown, and then
 * said to be). Several goroutines parked at one lock site for an unknown
 * time are a hint, worded as one.
 *
 * Pure: the goroutines in, findings out. Everything in them is the
 * target's (names, counts, frames): indices are checked, names escaped. */
#ifndef PI_ANALYSIS_GO_STUCK_H
#define PI_ANALYSIS_GO_STUCK_H

#include <stdbool.h>

#include "analysis/findings.h"
#include "model.h"

/* How a goroutine's wait can end. */
enum pi_go_wait_class {
	PI_GO_WAIT_RUNTIME,	/* the runtime's own goroutine (GC workers, finalizers...) */
	PI_GO_WAIT_PROGRAM,	/* blocked until another goroutine acts: channel, select, lock */
	PI_GO_WAIT_OUTSIDE,	/* can go on by itself: IO, a timer, a system call, running */
};

/* Goroutine i of go: which of the three. */
enum pi_go_wait_class pi_go_wait_class(const struct pi_go_runtime *go, size_t i);

/* The lock goroutine i waits for ("sync.Mutex.Lock", "sync.RWMutex.RLock",
 * "sync.RWMutex.Lock") and the index (into go->frames) of the frame
 * that locks it; NULL when it waits for no sync lock. */
const char *pi_go_lock_wait(const struct pi_go_runtime *go, size_t i, size_t *site);

/* pi_detect_go (analysis/detectors.h) finds PI_FIND_GO_DEADLOCK and
 * PI_FIND_GO_LOCK_WAIT in one pass over p->go: a program found
 * deadlocked gets no lock hints besides. */

#endif
