/* deadline — a time budget for reading one target (--timeout).
 *
 * A process pinspect reads may be slow to read on purpose (ten thousand
 * threads, a stack that never ends, lock words that name each other):
 * the budget bounds how long one snapshot, one process of a scan or one
 * refresh spends on it. The phases that cost per thread or per frame ask
 * pi_deadline_passed as they go, and what they did not reach is marked
 * unavailable (PI_ERR_TIMEOUT) instead of waited for.
 *
 * A zeroed deadline has no limit. Time is CLOCK_MONOTONIC: setting the
 * clock does not cut a read short or make it longer. */
#ifndef PI_UTIL_DEADLINE_H
#define PI_UTIL_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>

struct pi_deadline {
	double seconds;		/* the budget; 0: no limit */
	int64_t end_ns;		/* when it runs out (CLOCK_MONOTONIC) */
};

/* CLOCK_MONOTONIC in nanoseconds: the clock budgets and waits are
 * measured by. */
int64_t pi_monotonic_ns(void);

/* Starts a budget of seconds from now (0 or less: no limit). */
void pi_deadline_start(struct pi_deadline *d, double seconds);
/* Has the budget run out? Never for a deadline without a limit (or NULL). */
bool pi_deadline_passed(const struct pi_deadline *d);
/* Seconds left: 0 once it has run out, a negative number without a
 * limit. */
double pi_deadline_remaining(const struct pi_deadline *d);

#endif
