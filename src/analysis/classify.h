/* classify — the one rule book for "is this task in trouble?".
 *
 * The snapshot, the live monitor and the system-wide scans all ask it, so
 * that a task flagged hung in one is flagged hung in all. It works on the
 * few facts every mode has for a task, wherever they were read from: one
 * struct, pi_task_facts, that each mode fills from its own model (a
 * snapshot's pi_thread, the live table's pi_task, a sweep's
 * pi_sweep_task) and that the findings builder (analysis/findings.h)
 * reads too. */
#ifndef PI_ANALYSIS_CLASSIFY_H
#define PI_ANALYSIS_CLASSIFY_H

#include <stdbool.h>
#include <sys/types.h>

/* What every mode knows of a task. One convention for what was not
 * read: each fact has its own "unknown" value, named beside it, and none
 * of them is a value a task can have. */
enum { PI_FACT_NOT_READ = 0 };	/* state, process_threads: not read */

struct pi_task_facts {
	pid_t pid, tid;
	const char *comm;		/* NULL: not read */
	char state;			/* the stat letter; PI_FACT_NOT_READ */
	bool off_cpu_known;		/* false: off_cpu_seconds not read */
	double off_cpu_seconds;		/* since it last ran */
	const char *wchan;		/* NULL: not read; "": not waiting in the kernel */
	pid_t tracer_pid;		/* 0: not traced; -1: not read */
	unsigned process_threads;	/* live threads in its process; PI_FACT_NOT_READ */
	unsigned flags;			/* pi_classify_task's, once asked */
};

enum pi_task_flag {
	PI_TASK_HUNG = 1u << 0,		/* D and off the CPU longer than the threshold */
	PI_TASK_UNINTERRUPTIBLE = 1u << 1,	/* D, not (known to be) hung */
	PI_TASK_ZOMBIE = 1u << 2,
	PI_TASK_STOPPED = 1u << 3,
	PI_TASK_TRACED = 1u << 4,
	PI_TASK_LEADER_EXITED = 1u << 5,	/* a Z main thread whose process lives on */
	/* In a lock cycle: waits for a mutex whose owner waits, directly or
	 * not, for one this thread holds. Not one of pi_classify_task's
	 * letter rules: the monitor sets it from a deadlock scan
	 * (health/check.h), which reads the lock words the letters lack. */
	PI_TASK_DEADLOCKED = 1u << 6,
};

/* The kernel's khungtaskd rule: a task in D whose context-switch count did
 * not change for longer than the threshold. Time off the CPU, measured in
 * one snapshot, is the same fact: a task that has not run has not switched. */
unsigned pi_classify_task(const struct pi_task_facts *t, double hung_after_seconds);

/* The default --hung-after: long enough that ordinary disk I/O does not
 * trip it, short enough to flag a stuck task while someone is looking. */
#define PI_HUNG_AFTER_DEFAULT 10.0

#endif
