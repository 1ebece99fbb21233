/* thread — reading one task of a process from /proc/PID/task/TID. */
#ifndef PI_COLLECT_THREAD_H
#define PI_COLLECT_THREAD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"
#include "util/buf.h"

/* Dates reads in the scheduler's clock (the clock of se.exec_start). */
struct pi_sched_clock {
	bool valid;
	int64_t base_sched_ns;
	int64_t base_monotonic_ns;
};

/* Reads the inspector's own sched file to learn the scheduler clock's
 * "now". Returns 0 or -errno (the clock is then invalid). */
int pi_sched_clock_init(struct pi_sched_clock *clock, struct pi_buf *buf);
/* The scheduler clock now, or 0 if the clock is invalid. */
int64_t pi_sched_clock_now(const struct pi_sched_clock *clock);

/* Reads task tid under taskfd (/proc/PID/task) into *t, appending the
 * PIDs in its children file to the children array. Returns 0, or -ESRCH
 * / -ENOENT when the thread exited before it could be read. */
int pi_collect_thread(int taskfd, pid_t tid, const struct pi_sched_clock *clock,
		      struct pi_buf *buf, struct pi_thread *t, pid_t **children,
		      size_t *nchildren, size_t *children_cap);

#endif
