#include "collect/sched_clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/system.h"
#include "proc/reader.h"
#include "proc/sched.h"
#include "util/xalloc.h"

enum { CPU_UNKNOWN, CPU_KNOWN, CPU_FAILED };

struct pi_sched_clock_cpu {
	int state;		/* read and written atomically */
	int64_t sched_ns;	/* the CPU's scheduler clock ... */
	int64_t mono_ns;	/* ... at this CLOCK_MONOTONIC time */
};

void pi_sched_clock_init(struct pi_sched_clock *clock)
{
	memset(clock, 0, sizeof *clock);
	long n = sysconf(_SC_NPROCESSORS_CONF);
	clock->ncpus = n > 0 ? (int)n : 1;
	clock->cpus = pi_xcalloc((size_t)clock->ncpus, sizeof *clock->cpus);
	pthread_mutex_init(&clock->lock, NULL);
}

void pi_sched_clock_done(struct pi_sched_clock *clock)
{
	pthread_mutex_destroy(&clock->lock);
	free(clock->cpus);
	memset(clock, 0, sizeof *clock);
}

static int read_own_exec_start(int64_t *ns)
{
	struct pi_buf buf = PI_BUF_INIT;
	struct pi_sched self;
	int err = pi_proc_read_self("thread-self/sched", &buf);
	if (!err)
		err = pi_sched_parse(buf.data, buf.len, &self);
	if (!err)
		*ns = self.exec_start_ns;
	pi_buf_free(&buf);
	return err;
}

/* Moves the calling thread onto cpu and back: being scheduled in there
 * sets its exec_start to that CPU's clock, which its sched file shows.
 * Called with the lock held. */
static void learn_cpu(struct pi_sched_clock *clock, int cpu)
{
	struct pi_sched_clock_cpu *c = &clock->cpus[cpu];
	size_t size = CPU_ALLOC_SIZE(clock->ncpus);
	cpu_set_t *set = CPU_ALLOC(clock->ncpus), *saved = CPU_ALLOC(clock->ncpus);
	int state = CPU_FAILED;

	if (set && saved && sched_getaffinity(0, size, saved) == 0) {
		CPU_ZERO_S(size, set);
		CPU_SET_S((size_t)cpu, size, set);
		/* A CPU outside our cpuset cannot be visited; the caller
		 * falls back to another CPU's clock, off by that CPU's drift. */
		if (sched_setaffinity(0, size, set) == 0) {
			if (sched_getcpu() == cpu && read_own_exec_start(&c->sched_ns) == 0) {
				c->mono_ns = pi_monotonic_ns();
				state = CPU_KNOWN;
			}
			sched_setaffinity(0, size, saved);
		}
	}
	__atomic_store_n(&c->state, state, __ATOMIC_RELEASE);
	if (set)
		CPU_FREE(set);
	if (saved)
		CPU_FREE(saved);
}

static int state_of(struct pi_sched_clock *clock, int cpu)
{
	return __atomic_load_n(&clock->cpus[cpu].state, __ATOMIC_ACQUIRE);
}

static void learn_once(struct pi_sched_clock *clock, int cpu)
{
	pthread_mutex_lock(&clock->lock);
	if (state_of(clock, cpu) == CPU_UNKNOWN)
		learn_cpu(clock, cpu);
	pthread_mutex_unlock(&clock->lock);
}

int64_t pi_sched_clock_at(struct pi_sched_clock *clock, int cpu, int64_t mono_ns)
{
	if (cpu < 0 || cpu >= clock->ncpus)
		cpu = 0;
	if (state_of(clock, cpu) == CPU_UNKNOWN)
		learn_once(clock, cpu);
	int use = cpu;
	if (state_of(clock, use) != CPU_KNOWN) {
		/* Any CPU we could learn is better than nothing. */
		use = -1;
		for (int i = 0; i < clock->ncpus && use < 0; i++)
			if (state_of(clock, i) == CPU_KNOWN)
				use = i;
		int here = sched_getcpu();
		if (use < 0 && here >= 0 && here < clock->ncpus) {
			learn_once(clock, here);
			if (state_of(clock, here) == CPU_KNOWN)
				use = here;
		}
		if (use < 0)
			return 0;
	}
	const struct pi_sched_clock_cpu *c = &clock->cpus[use];
	return c->sched_ns + (mono_ns - c->mono_ns);
}
