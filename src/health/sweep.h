/* sweep — one pass over every task on the system, for the health scans
 * (--hung, --zombies, --deadlocks, --check, --metrics).
 *
 * What it costs is the point of its shape (doc/design.md, "What
 * things cost"): ps reads stat, status and wchan of every task; a sweep reads
 * only each task's stat, which says its state, and then the few files
 * that state calls for:
 *   - a task in D: everything (pi_collect_thread), for the hung-task
 *     verdict (time off the CPU) and what it waits in (wchan, system call,
 *     kernel stack);
 *   - a task asleep (S) in a user process, when locks are asked for: its
 *     syscall file, and, when it waits in futex(), the futex's words, read
 *     from the target's memory without stopping it.
 * Processes are shared among a few threads of our own, one per CPU.
 *
 * A process that exits while it is read is left out, as ps leaves it out;
 * so is pinspect itself, whose readers would show as running tasks. */
#ifndef PI_HEALTH_SWEEP_H
#define PI_HEALTH_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "analysis/classify.h"
#include "model.h"
#include "util/strpool.h"

/* What to read beyond stat (bits). */
enum pi_sweep_what {
	PI_SWEEP_D_TASKS = 1u << 0,	/* tasks in D, in full */
	PI_SWEEP_LOCKS = 1u << 1,	/* futex waits of sleeping tasks */
};

/* An item the sweep did not try to read (in the *_err fields). */
enum { PI_SWEEP_NOT_READ = 1 };

struct pi_sweep_task {
	/* From its stat: tid, state, comm (PI_FACT_STAT). The rest of a
	 * task in D is in its detail's facts (details[detail].facts), read
	 * in full. */
	struct pi_task_facts facts;
	int syscall_err;		/* its syscall file: 0, -errno or PI_SWEEP_NOT_READ */
	int32_t futex;			/* what it waits on in futex(): index into futexes, or -1 */
	int32_t detail;			/* a task in D: index into details, or -1 */
	pid_t ns_tid;			/* in a process with a PID namespace of its own: the
					 * TID it sees itself as (0: not read) */
};

struct pi_sweep_proc {
	pid_t pid, ppid;
	char state;			/* its main thread's */
	bool kernel_thread;
	uint64_t starttime;		/* clock ticks after boot */
	char comm[PI_COMM_MAX + 1];
	uint32_t first_task, ntasks;	/* its threads in tasks[], by TID */
	/* Were its futex waits read (PI_SWEEP_LOCKS)? 0: all of them;
	 * -errno: not allowed (another user's process, as non-root), so its
	 * locks were not checked; PI_SWEEP_NOT_READ: not asked, or a kernel
	 * thread. */
	int locks_err;
	bool abi_known;
	enum pi_abi abi;
	/* In a PID namespace of its own (a container): the TIDs in its
	 * memory are its own numbers, which its tasks' ns_tid give. */
	bool own_pid_namespace;
};

struct pi_sweep {
	struct pi_sweep_proc *procs;	/* by PID */
	size_t nprocs;
	struct pi_sweep_task *tasks;	/* grouped by process, by TID within */
	size_t ntasks;
	struct pi_futex *futexes;	/* words read; kind and owner not yet judged */
	size_t nfutexes;
	struct pi_thread *details;	/* the tasks in D, read in full */
	size_t ndetails;
	struct pi_strpool strings;	/* the details' names, wait channels, stacks */

	size_t unreadable;		/* processes whose task list or stat was hidden */
	double uptime_seconds;		/* CLOCK_BOOTTIME when it started */
	long clock_ticks;		/* sysconf(_SC_CLK_TCK) */
	int hung_task_timeout_secs;	/* -1: unknown */
	bool root;			/* euid 0: everything is readable */
	double seconds;			/* how long the sweep took */
};

/* Reads every task. Returns 0, or -errno when /proc itself cannot be
 * read. s is to be freed with pi_sweep_free whatever the result. */
int pi_sweep_run(struct pi_sweep *s, unsigned what);
/* The same, of process pid (> 0) alone (--top): nothing of it
 * when it has gone. */
int pi_sweep_run_one(struct pi_sweep *s, unsigned what, pid_t pid);
void pi_sweep_free(struct pi_sweep *s);

/* The process with this PID, or NULL. */
const struct pi_sweep_proc *pi_sweep_find_proc(const struct pi_sweep *s, pid_t pid);
/* The task with this TID in process p, or NULL. */
const struct pi_sweep_task *pi_sweep_find_task(const struct pi_sweep *s,
					       const struct pi_sweep_proc *p, pid_t tid);
/* The task of p that sees itself as ns_tid (a number from its memory):
 * pi_sweep_find_task, unless p has a PID namespace of its own. */
const struct pi_sweep_task *pi_sweep_find_ns_task(const struct pi_sweep *s,
						  const struct pi_sweep_proc *p, pid_t ns_tid);
/* A task read in full (a detail): its name, or for a main thread its
 * process's, which may be longer (kernel workers'). NULL: not read. */
const char *pi_sweep_task_comm(const struct pi_sweep_proc *p, const struct pi_thread *t);
/* How long ago, in seconds, a task that started at starttime started. */
double pi_sweep_age(const struct pi_sweep *s, uint64_t starttime);

#endif
