#include "table/deadlocks.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/classify.h"
#include "table/table.h"
#include "util/xalloc.h"

static void free_cycle(struct pi_deadlock *d)
{
	free(d->tids);
	free(d->message);
	free(d->cycle_pids);
}

void pi_deadlocks_free(struct pi_deadlocks *d)
{
	for (size_t i = 0; i < d->n; i++)
		free_cycle(&d->v[i]);
	for (size_t i = 0; i < d->nwaiting; i++)
		free_cycle(&d->waiting[i]);
	free(d->v);
	free(d->waiting);
	d->v = d->waiting = NULL;
	d->n = d->nwaiting = 0;
}

static int compare_cycles(const void *a, const void *b)
{
	const struct pi_deadlock *x = a, *y = b;
	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x->tids[0] > y->tids[0]) - (x->tids[0] < y->tids[0]);
}

void pi_table_set_deadlocks(struct pi_table *t, struct pi_deadlock *v, size_t n,
			    size_t not_checked, int64_t checked_ns)
{
	struct pi_deadlocks *d = &t->deadlocks;

	pi_deadlocks_free(d);
	/* A cycle has two threads at least (across processes, one in each);
	 * anything else is not one. */
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].ntids >= 2 || (v[i].across_processes && v[i].ntids == 1))
			v[kept++] = v[i];
		else
			free_cycle(&v[i]);
	}
	if (kept)
		qsort(v, kept, sizeof *v, compare_cycles);
	else {
		free(v);
		v = NULL;
	}
	d->v = v;
	d->n = kept;
	d->handed_at = t->samples;
	d->checked = true;
	d->checked_ns = checked_ns;
	d->not_checked = not_checked;
	d->nunchecked = 0;
}

void pi_table_name_unchecked(struct pi_table *t, const struct pi_unchecked *v, size_t n)
{
	struct pi_deadlocks *d = &t->deadlocks;
	d->nunchecked = n < PI_UNCHECKED_NAMED ? n : PI_UNCHECKED_NAMED;
	for (size_t i = 0; i < d->nunchecked; i++) {
		d->unchecked[i] = v[i];
		d->unchecked[i].comm[sizeof d->unchecked[i].comm - 1] = '\0';
	}
}

static struct pi_task *task_of(struct pi_table *t, const struct pi_proc *p, pid_t tid)
{
	return pi_task_search(t->tasks + p->first_task, p->ntasks, tid);
}

/* Are the cycle's process and every one of its threads in the table? */
static bool still_there(struct pi_table *t, const struct pi_deadlock *d)
{
	const struct pi_proc *p = pi_table_find_proc(t, d->pid);
	if (!p || p->starttime != d->starttime)
		return false;
	for (size_t k = 0; k < d->ntids; k++)
		if (!task_of(t, p, d->tids[k]))
			return false;
	return true;
}

void pi_table_flag_deadlocks(struct pi_table *t)
{
	struct pi_deadlocks *d = &t->deadlocks;
	bool sampled_since = t->samples > d->handed_at;

	/* Those waiting are looked at again with the others. */
	if (d->nwaiting) {
		d->v = pi_xrealloc(d->v, (d->n + d->nwaiting) * sizeof *d->v);
		memcpy(d->v + d->n, d->waiting, d->nwaiting * sizeof *d->v);
		d->n += d->nwaiting;
		free(d->waiting);
		d->waiting = NULL;
		d->nwaiting = 0;
		qsort(d->v, d->n, sizeof *d->v, compare_cycles);
	}
	size_t kept = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (still_there(t, &d->v[i])) {
			d->v[kept++] = d->v[i];
		} else if (!sampled_since) {
			d->waiting = pi_xrealloc(d->waiting, (d->nwaiting + 1) * sizeof *d->waiting);
			d->waiting[d->nwaiting++] = d->v[i];
		} else {
			free_cycle(&d->v[i]);
		}
	}
	d->n = kept;
	for (size_t i = 0; i < d->n; i++) {
		const struct pi_proc *p = pi_table_find_proc(t, d->v[i].pid);
		for (size_t k = 0; k < d->v[i].ntids; k++)
			task_of(t, p, d->v[i].tids[k])->facts.flags |= PI_TASK_DEADLOCKED;
	}
}

const struct pi_deadlock *pi_table_first_deadlock(const struct pi_table *t, pid_t pid)
{
	const struct pi_deadlocks *d = &t->deadlocks;
	size_t lo = 0, hi = d->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->v[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->n && d->v[lo].pid == pid ? &d->v[lo] : NULL;
}

const struct pi_deadlock *pi_table_deadlock_of(const struct pi_table *t,
					       const struct pi_task *task)
{
	if (!(task->facts.flags & PI_TASK_DEADLOCKED))
		return NULL;
	pid_t pid = t->procs[task->proc].pid;
	const struct pi_deadlock *end = t->deadlocks.v + t->deadlocks.n;
	for (const struct pi_deadlock *d = pi_table_first_deadlock(t, pid); d && d < end
	     && d->pid == pid; d++)
		for (size_t k = 0; k < d->ntids; k++)
			if (d->tids[k] == task->facts.tid)
				return d;
	return NULL;
}
