#include "table/problems.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/classify.h"
#include "analysis/findings.h"
#include "util/xalloc.h"

static const char *proc_comm(const void *arg, pid_t pid)
{
	const struct pi_proc *p = pi_table_find_proc(arg, pid);
	return p ? p->comm : NULL;
}

/* The table's facts of one process, for the one findings builder
 * (analysis/findings.h). */
static void process_findings(struct pi_finding_list *l, struct pi_table *t, const struct pi_proc *p)
{
	const struct pi_task_facts **tasks = pi_xcalloc(p->ntasks ? p->ntasks : 1, sizeof *tasks);
	for (uint32_t k = 0; k < p->ntasks; k++)
		tasks[k] = &t->tasks[p->first_task + k].facts;

	/* Its unreaped children, in PID order. */
	pid_t *zombies = NULL;
	size_t nzombies = 0, cap = 0;
	for (size_t i = 0; p->zombies && i < t->nprocs; i++) {
		const struct pi_proc *z = &t->procs[i];
		const struct pi_task *main = pi_proc_main_task(t, z);
		if (z->ppid != p->pid || !main || !(main->facts.flags & PI_TASK_ZOMBIE))
			continue;
		pi_xgrow(&zombies, &cap, nzombies + 1, sizeof *zombies);
		zombies[nzombies++] = z->pid;
	}

	/* Its lock cycles, as the deadlock scan's snapshot found them. */
	struct pi_finding_cycle *cycles = NULL, *pcycles = NULL;
	size_t ncycles = 0, ccap = 0, npcycles = 0, pcap = 0;
	const struct pi_deadlock *end = t->deadlocks.v + t->deadlocks.n;
	for (const struct pi_deadlock *d = (p->flags & PI_TASK_DEADLOCKED) ? pi_table_first_deadlock(t, p->pid) : NULL;
	     d && d < end && d->pid == p->pid; d++) {
		if (d->across_processes) {	/* a cycle of processes: process_deadlock, once, with its first */
			if (!d->ncycle_pids || d->cycle_pids[0] != p->pid)
				continue;
			pi_xgrow(&pcycles, &pcap, npcycles + 1, sizeof *pcycles);
			pcycles[npcycles++] = (struct pi_finding_cycle){ d->message, d->cycle_pids, d->ncycle_pids };
			continue;
		}
		pi_xgrow(&cycles, &ccap, ncycles + 1, sizeof *cycles);
		cycles[ncycles++] = (struct pi_finding_cycle){ d->message, d->tids, d->ntids };
	}

	struct pi_finding_proc fp = {
		.pid = p->pid,
		.comm = p->comm,
		.nthreads = p->ntasks,
		.live_threads = p->nlwp > 0 ? (size_t)p->nlwp : 0,
		.ppid = p->ppid,
		.comm_of = proc_comm,
		.comm_of_arg = t,
		.zombies = zombies,
		.nzombies = nzombies,
		.oldest_zombie_seconds = p->oldest_zombie_seconds,
		.cycles = cycles,
		.ncycles = ncycles,
		.process_cycles = pcycles,
		.nprocess_cycles = npcycles,
		.hung_after_seconds = t->opt.hung_after_seconds,
		.hung_task_timeout_secs = t->hung_task_timeout_secs,
		.tasks = tasks,
		.ntasks = p->ntasks,
	};
	pi_findings_of(l, &fp, PI_FIND_ALL);
	free(tasks);
	free(zombies);
	free(cycles);
	free(pcycles);
}

size_t pi_table_findings(struct pi_table *t, struct pi_finding **out)
{
	struct pi_finding_list l = { NULL, 0, 0 };

	for (size_t i = 0; i < t->nprocs; i++) {
		const struct pi_proc *p = &t->procs[i];
		if (p->flags || p->zombies)
			process_findings(&l, t, p);
	}
	*out = l.v;
	return l.n;
}

void pi_table_findings_free(struct pi_finding *f, size_t n)
{
	struct pi_finding_list l = { f, n, n };
	pi_finding_list_free(&l);
}
