/* check — the system-wide health scans: hung tasks, zombies held by
 * their parents, deadlocked processes.
 *
 * One sweep (health/sweep.h) reads every task; the verdicts come from the
 * same rules as a snapshot's: pi_classify_task for hung tasks, and for
 * locks the snapshot itself. The sweep's futex words only pick the
 * suspects, cheaply: a process can hold a lock cycle only if some thread
 * waits for a mutex whose owner, in the same process, waits in futex()
 * too. Each suspect is then read again as `pinspect PID --no-ptrace`
 * would read it (never stopping a thread), and its lock analysis decides;
 * the second read also confirms that the cycle did not come and go
 * between two reads of the first. */
#ifndef PI_HEALTH_CHECK_H
#define PI_HEALTH_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "collect/waits.h"
#include "health/sweep.h"
#include "model.h"

/* The scans (bits): --hung, --zombies, --deadlocks; --check is all. */
enum pi_check_scan {
	PI_CHECK_HUNG = 1u << 0,
	PI_CHECK_ZOMBIES = 1u << 1,
	PI_CHECK_DEADLOCKS = 1u << 2,
	PI_CHECK_ALL = (1u << 3) - 1,
};

/* A zombie, for its parent's finding. */
struct pi_check_zombie {
	pid_t pid;
	const char *comm;		/* in the sweep */
	double age_seconds;		/* since it started */
};

/* A finding, and the facts behind it that the renderers show. */
struct pi_check_item {
	struct pi_finding finding;
	const struct pi_sweep_proc *proc;	/* the process it is about */
	const struct pi_thread *task;		/* hung: the task in D, read in full */
	struct pi_check_zombie *zombies;	/* zombie_parent: oldest first */
	size_t nzombies;
	const struct pi_process *snapshot;	/* deadlock: the process as read again */
	const struct pi_cross_deadlock *cross;	/* process_deadlock: its processes, in order */
};

/* Tasks by state, over the whole system. */
struct pi_check_states {
	size_t running, sleeping, disk_sleep, stopped, traced, zombie, dead, idle, parked, other;
};

struct pi_check {
	unsigned scans;
	double hung_after_seconds;
	bool locks_only;	/* suspects read again without their stacks (the
				 * live view: it needs the cycle, not where each
				 * thread waits) */
	double timeout_seconds;	/* --timeout: the budget for reading a suspect
				 * again (0: none); with locks_only, for reading
				 * them all, so that the live view never waits
				 * longer */
	struct pi_sweep sweep;

	struct pi_check_item *items;	/* hung, then zombie parents, then deadlocks; by PID */
	size_t nitems, items_cap;

	struct pi_check_states states;
	size_t hung;			/* tasks in D past the threshold */
	size_t uninterruptible;		/* tasks in D, hung or not */
	double longest_d_seconds;	/* the longest a task in D has been off the CPU; -1: none known */
	size_t zombies, zombie_parents;
	size_t deadlocks;		/* lock cycles */
	size_t deadlocked_threads;
	size_t suspects;		/* processes read again for their locks */
	pid_t *locks_unchecked;		/* processes whose locks could not be read, by PID */
	size_t nlocks_unchecked;
	int locks_unchecked_err;	/* why (the first reason met) */
	pid_t *locks_timed_out;		/* suspects not read again within the budget, and
					 * no cycle found in what was read, by PID */
	size_t nlocks_timed_out;

	/* Deadlocks across processes (collect/waits.c's scan). */
	struct pi_waits_scan waits;
	size_t process_deadlocks;

	struct pi_process **snapshots;	/* the deadlocked processes */
	size_t nsnapshots;
	double seconds;			/* the whole scan */
};

/* Runs the scans. Returns 0, or -errno when /proc cannot be read. c is
 * to be freed with pi_check_free whatever the result. */
int pi_check_run(struct pi_check *c, unsigned scans, double hung_after_seconds,
		 double timeout_seconds);
void pi_check_free(struct pi_check *c);

/* Pure: the counts, hung tasks and zombie parents of c->sweep (filled by
 * pi_check_run, or by hand), with c->scans and c->hung_after_seconds set
 * and the rest zero. */
void pi_check_analyze(struct pi_check *c);

/* The deadlocks of c->sweep (filled by pi_sweep_run with
 * PI_SWEEP_LOCKS, or by hand), with c->scans, c->hung_after_seconds and
 * c->timeout_seconds set: reads its suspects again. pi_check_run's last step, apart for a
 * caller that runs the sweep on a thread of its own and the rest where
 * reading a process is safe (the live view). */
void pi_check_find_deadlocks(struct pi_check *c);

/* The cycles of processes waiting for each other (process_deadlock
 * items, c->waits), within c->timeout_seconds; among_sweep: looking only
 * at the processes c->sweep saw with every thread asleep (the live view,
 * whose sweep is of every process). pi_check_run looks at them all. */
void pi_check_find_process_deadlocks(struct pi_check *c, bool among_sweep);

/* Pure: the suspects of a sweep, the processes that may hold a lock
 * cycle (see above). Returns how many; *out (to free) lists their
 * indices in s->procs. */
size_t pi_check_lock_suspects(const struct pi_sweep *s, size_t **out);

#endif
