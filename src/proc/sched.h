/* sched — parsers for /proc/PID/task/TID/sched and .../schedstat.
 *
 * `sched` is the scheduler's debug view of one task. pinspect needs its
 * se.exec_start: the scheduler clock when the task last started or stopped
 * running. Read beside the inspector's own exec_start (doc/design.md,
 * "Time off the CPU from one snapshot"), it tells how long a sleeping task
 * has been off the CPU, from one snapshot.
 * `schedstat` holds the run time, the run-queue wait and the number of
 * timeslices, even on kernels without CONFIG_SCHEDSTATS. */
#ifndef PI_PROC_SCHED_H
#define PI_PROC_SCHED_H

#include <stddef.h>
#include <stdint.h>

enum {
	PI_SCHED_EXEC_START = 1u << 0,
	PI_SCHED_RUNTIME = 1u << 1,
	PI_SCHED_MIGRATIONS = 1u << 2,
	PI_SCHED_SWITCHES = 1u << 3,	/* nr_voluntary_switches and nr_involuntary_switches */
	PI_SCHED_POLICY = 1u << 4,
	PI_SCHED_PRIO = 1u << 5,
};

struct pi_sched {
	unsigned have;
	int64_t exec_start_ns;		/* scheduler clock, ns */
	int64_t sum_exec_runtime_ns;
	uint64_t nr_migrations;
	uint64_t nr_switches, nr_voluntary_switches, nr_involuntary_switches;
	uint64_t policy;
	int64_t prio;
};

struct pi_schedstat {
	uint64_t run_ns;	/* time spent on a CPU */
	uint64_t wait_ns;	/* time spent runnable, waiting in a run queue */
	uint64_t timeslices;	/* how many times it was scheduled in */
};

/* Returns 0, or -EINVAL when the text holds no se.exec_start. */
int pi_sched_parse(const char *text, size_t len, struct pi_sched *out);
/* Returns 0, or -EINVAL unless the text starts with three numbers. */
int pi_schedstat_parse(const char *text, size_t len, struct pi_schedstat *out);

#endif
