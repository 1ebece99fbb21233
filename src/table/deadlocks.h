/* deadlocks — the lock cycles the table was told of, and the threads
 * they flag.
 *
 * Finding a cycle takes a scan of every sleeping task's lock word
 * (health/check.h), about four times what a refresh costs: the monitor
 * (monitor.h) runs one now and then and hands its cycles over here,
 * where they are kept until the next one. Each classification matches
 * them against the sample: a cycle whose process is gone, whose PID now
 * names another process, or one of whose threads has exited, is dropped,
 * so that nothing flags a task that is not there. A cycle does not come
 * undone by itself (each of its threads waits for good), so one that is
 * still there is still a deadlock, however old the scan.
 *
 * Only a sample taken after the cycles were handed over can say that one
 * is gone: the live view takes a look's cycles between two samples, and
 * a process that deadlocked since the last one is not in it yet. Such a
 * cycle waits, unflagged and uncounted, for the next sample. */
#ifndef PI_TABLE_DEADLOCKS_H
#define PI_TABLE_DEADLOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pi_table;
struct pi_task;

struct pi_deadlock {
	pid_t pid;
	uint64_t starttime;	/* the process's; with pid, names it */
	pid_t *tids;		/* the cycle: each waits for the next, the last for the first */
	size_t ntids;
	char *message;		/* the snapshot's finding, one sentence */
	/* A cycle of processes (pipes, sockets, file locks, children): this
	 * process's waiting thread alone in tids, waiting for process
	 * waits_for_pid, itself in the cycle. */
	bool across_processes;
	pid_t waits_for_pid;
	pid_t *cycle_pids;	/* every process of that cycle, in order (owned) */
	size_t ncycle_pids;
};

struct pi_deadlocks {
	bool checked;		/* a scan has been handed over */
	int64_t checked_ns;	/* when it began (CLOCK_MONOTONIC) */
	struct pi_deadlock *v;	/* by PID: the cycles in the table, flagged */
	size_t n;
	struct pi_deadlock *waiting;	/* not in the table's sample yet */
	size_t nwaiting;
	unsigned handed_at;	/* the table's sample count when handed over */
	size_t not_checked;	/* processes whose locks it could not read */
	/* The first of them, named in the header (PI_UNCHECKED_NAMED). */
	struct pi_unchecked { pid_t pid; char comm[16]; } unchecked[3];
	size_t nunchecked;
};
enum { PI_UNCHECKED_NAMED = 3 };

/* Replaces the table's cycles with v[0..n) (taken over, tids and
 * messages too), from a scan begun at checked_ns that could not read the
 * locks of not_checked processes (another user's, when not root). Call
 * pi_table_classify afterwards. */
void pi_table_set_deadlocks(struct pi_table *t, struct pi_deadlock *v, size_t n,
			    size_t not_checked, int64_t checked_ns);
void pi_deadlocks_free(struct pi_deadlocks *d);
/* Names the first processes whose locks were not read (after
 * pi_table_set_deadlocks): v[0..n), of which the first few are kept. */
void pi_table_name_unchecked(struct pi_table *t, const struct pi_unchecked *v, size_t n);

/* For pi_table_classify: adds PI_TASK_DEADLOCKED to the threads of the
 * cycles in the table; drops those gone from a sample taken since they
 * were handed over, and keeps waiting those not seen by one yet. */
void pi_table_flag_deadlocks(struct pi_table *t);

/* The cycle a task of the table is in, or NULL. */
const struct pi_deadlock *pi_table_deadlock_of(const struct pi_table *t,
					       const struct pi_task *task);
/* The first of a process's cycles (the others follow it in t->deadlocks.v),
 * or NULL. */
const struct pi_deadlock *pi_table_first_deadlock(const struct pi_table *t, pid_t pid);

#endif
