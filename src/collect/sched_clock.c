#include "collect/sched_clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc/reader.h"
#include "proc/sched.h"
#include "util/xalloc.h"

enum { CPU_UNKNOWN, CPU_KNOWN, CPU_FAILED };

struct pi_sched_clock_cpu {
	int state;
	int64_t sched_ns;	/* the CPU's scheduler clock ... */
	int64_t mono_ns;	/* ... at this CLOCK_MONOTONIC time */
};

int64_t pi_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void pi_sched_clock_init(struct pi_sched_clock *clock)
{
	memset(clock, 0, sizeof *clock);
	long n = sysconf(_SC_NPROCESSORS_CONF);
	clock->ncpus = n > 0 ? (int)n : 1;
	clock->cpus = pi_xcalloc((size_t)clock->ncpus, sizeof *clock->cpus);
}

void pi_sched_clock_done(struct pi_sched_clock *clock)
{
	if (clock->saved_affinity) {
		sched_setaffinity(0, clock->saved_size, clock->saved_affinity);
		CPU_FREE(clock->saved_affinity);
	}
	free(clock->cpus);
	pi_buf_free(&clock->buf);
	memset(clock, 0, sizeof *clock);
}

static int read_own_exec_start(struct pi_sched_clock *clock, int64_t *ns)
{
	struct pi_sched self;
	int err = pi_read_at(AT_FDCWD, "/proc/thread-self/sched", &clock->buf);
	if (!err)
		err = pi_sched_parse(clock->buf.data, clock->buf.len, &self);
	if (!err)
		*ns = self.exec_start_ns;
	return err;
}

/* Moves us onto cpu: being scheduled in there sets our exec_start to that
 * CPU's clock, which our sched file then shows. */
static void learn_cpu(struct pi_sched_clock *clock, int cpu)
{
	struct pi_sched_clock_cpu *c = &clock->cpus[cpu];
	size_t size = CPU_ALLOC_SIZE(clock->ncpus);
	cpu_set_t *set = CPU_ALLOC(clock->ncpus);

	c->state = CPU_FAILED;
	if (!set)
		return;
	if (!clock->saved_affinity) {
		clock->saved_affinity = CPU_ALLOC(clock->ncpus);
		clock->saved_size = size;
		if (!clock->saved_affinity
		    || sched_getaffinity(0, size, clock->saved_affinity) != 0) {
			CPU_FREE(set);
			return;
		}
	}
	CPU_ZERO_S(size, set);
	CPU_SET_S((size_t)cpu, size, set);
	/* A CPU outside our cpuset cannot be visited; the caller falls back
	 * to another CPU's clock, off by that CPU's drift. */
	if (sched_setaffinity(0, size, set) == 0 && sched_getcpu() == cpu
	    && read_own_exec_start(clock, &c->sched_ns) == 0) {
		c->mono_ns = pi_monotonic_ns();
		c->state = CPU_KNOWN;
	}
	CPU_FREE(set);
}

int64_t pi_sched_clock_at(struct pi_sched_clock *clock, int cpu, int64_t mono_ns)
{
	if (cpu < 0 || cpu >= clock->ncpus)
		cpu = 0;
	if (clock->cpus[cpu].state == CPU_UNKNOWN)
		learn_cpu(clock, cpu);
	const struct pi_sched_clock_cpu *c = &clock->cpus[cpu];
	if (c->state != CPU_KNOWN) {
		/* Any CPU we could learn is better than nothing. */
		c = NULL;
		for (int i = 0; i < clock->ncpus && !c; i++)
			if (clock->cpus[i].state == CPU_KNOWN)
				c = &clock->cpus[i];
		if (!c) {
			int here = sched_getcpu();
			if (here >= 0 && here < clock->ncpus && clock->cpus[here].state == CPU_UNKNOWN) {
				learn_cpu(clock, here);
				if (clock->cpus[here].state == CPU_KNOWN)
					c = &clock->cpus[here];
			}
		}
		if (!c)
			return 0;
	}
	return c->sched_ns + (mono_ns - c->mono_ns);
}
