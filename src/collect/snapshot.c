#include "collect/snapshot.h"

#include <errno.h>

#include "analysis/analyze.h"
#include "collect/collect.h"
#include "collect/dwait.h"
#include "collect/locks.h"
#include "collect/stacks.h"
#include "collect/waits.h"
#include "util/deadline.h"

int pi_snapshot_read(pid_t pid, const struct pi_snapshot_options *opt, struct pi_process *p)
{
	/* One budget for the whole read: what it leaves no time for is
	 * reported as such, and the snapshot is still shown. */
	struct pi_deadline deadline;
	if (opt->deadline)
		deadline = *opt->deadline;
	else
		pi_deadline_start(&deadline, opt->timeout_seconds);
	int err = pi_collect_process_within(pid, p, &deadline);
	pid_t selected = 0;

	if (err == -EINVAL && opt->follow_thread && p->status.tgid > 0) {
		/* A TID: /proc shows threads as hidden PIDs. Its process is
		 * read, that thread selected. */
		pid_t tgid = p->status.tgid;
		pi_process_free(p);
		selected = pid;
		err = pi_collect_process_within(tgid, p, &deadline);
		p->pid = tgid;	/* what a failure names */
	}
	p->selected_tid = selected;
	if (err)
		return err;

	struct pi_stacks_pending *stacks = NULL;
	switch (opt->depth) {
	case PI_SNAPSHOT_STACKS:
		/* Decoded in the sandbox while the waits are read. */
		err = pi_collect_stacks_start(p, &opt->stacks, &stacks);
		break;
	case PI_SNAPSHOT_NAMED_LOCKS:
		err = pi_collect_named_locks(p);
		break;
	case PI_SNAPSHOT_LOCKS:
		/* A kernel thread has no lock words, nor a lone zombie. */
		if (!p->kernel_thread && !(p->stat.state == 'Z' && p->nthreads < 2))
			pi_collect_locks(p, NULL);
		break;
	}
	if (err == -ESRCH)
		return err;
	if (opt->waits)
		pi_collect_waits(p);
	pi_collect_stacks_finish(stacks);
	pi_collect_finish(p);
	if (opt->d_waits)
		pi_collect_d_waits(p);
	pi_analyze_process(p, opt->hung_after_seconds);
	return 0;
}
