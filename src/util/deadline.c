#include "util/deadline.h"

#include <time.h>

int64_t pi_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void pi_deadline_start(struct pi_deadline *d, double seconds)
{
	if (!(seconds > 0)) {
		d->seconds = 0;
		d->end_ns = 0;
		return;
	}
	/* Past a century is as good as no end; it also keeps the sum below
	 * from overflowing. */
	if (seconds > 3.2e9)
		seconds = 3.2e9;
	d->seconds = seconds;
	d->end_ns = pi_monotonic_ns() + (int64_t)(seconds * 1e9);
}

bool pi_deadline_passed(const struct pi_deadline *d)
{
	return d && d->seconds > 0 && pi_monotonic_ns() >= d->end_ns;
}

double pi_deadline_remaining(const struct pi_deadline *d)
{
	if (!d || !(d->seconds > 0))
		return -1;
	int64_t left = d->end_ns - pi_monotonic_ns();
	return left > 0 ? (double)left / 1e9 : 0;
}
