/* snapshot — the one sequence that reads a process as a snapshot, for
 * the command (`pinspect PID`), the live view's snapshot page and the
 * scans' second read of a suspect: the process, a thread's process when
 * given a TID, its stacks or locks, its waits across processes and its
 * D waits, then the analysis. Each caller says what it wants read; the
 * order, and what a process that exits midway costs, are the same for
 * all three. */
#ifndef PI_COLLECT_SNAPSHOT_H
#define PI_COLLECT_SNAPSHOT_H

#include <stdbool.h>
#include <sys/types.h>

#include "collect/stacks.h"
#include "model.h"

/* What is read beyond the process's own files. */
enum pi_snapshot_depth {
	PI_SNAPSHOT_STACKS,		/* every thread's user stack (and the locks, named) */
	PI_SNAPSHOT_LOCKS,		/* the lock words only (no symbols, no stacks) */
	PI_SNAPSHOT_NAMED_LOCKS,	/* the lock words, named from the symbols (no stacks) */
};

struct pi_snapshot_options {
	double timeout_seconds;		/* the whole read's budget (0: none) */
	const struct pi_deadline *deadline;	/* or one already running (a scan's) */
	double hung_after_seconds;
	enum pi_snapshot_depth depth;
	struct pi_stack_options stacks;	/* with PI_SNAPSHOT_STACKS */
	bool waits;			/* what threads wait for in other processes */
	bool d_waits;			/* the vfork child, and whether a D wait is killable */
	bool follow_thread;		/* a TID reads its process, that thread selected */
};

/* Reads pid into *p (which the caller frees with pi_process_free in every
 * case). Returns 0; or the -errno of pi_collect_process (see collect.h),
 * or -ESRCH when the process exited while its stacks or locks were read.
 * With follow_thread, p->selected_tid is the TID asked for (0 for a PID)
 * and p->pid its process, even when reading that process failed. */
int pi_snapshot_read(pid_t pid, const struct pi_snapshot_options *opt, struct pi_process *p);

#endif
