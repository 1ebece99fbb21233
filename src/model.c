#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "collect/collect.h"

static void wait_free(struct pi_wait_for *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->nobjects; i++)
		free(w->objects[i].peers);
	free(w->objects);
	free(w->chain);
	free(w);
}

void pi_process_free(struct pi_process *p)
{
	/* A decoder never waited for is reaped all the same. */
	pi_collect_finish(p);
	pi_strv_free(&p->cmdline);
	pi_strv_free(&p->cgroup);
	free(p->exe);
	free(p->parent_comm);
	free(p->tracer_comm);
	for (int i = 0; i < 4; i++) {
		free(p->user_name[i]);
		free(p->group_name[i]);
	}
	for (size_t i = 0; i < p->nthreads; i++) {
		if (p->threads[i].tls.owns_vars)
			free(p->threads[i].tls.vars);
		free(p->threads[i].regs.all);
		wait_free(p->threads[i].wait);
	}
	free(p->waits_netns);
	for (size_t i = 0; i < p->nlocks_wanted; i++)
		free(p->locks_wanted[i].waiters);
	free(p->locks_wanted);
	free(p->threads);
	free(p->go.goroutines);
	free(p->go.frames);
	pi_vmas_free(p->vmas, p->nvmas);
	pi_strv_free(&p->vdso.symbols);
	free(p->vdso.image);
	free(p->tls_modules);
	free(p->held_locks);
	free(p->other_tasks);
	pi_strpool_free(&p->strings);
	free(p->zombies);
	for (size_t i = 0; i < p->nfindings; i++) {
		free(p->findings[i].message);
		free(p->findings[i].pids);
	}
	free(p->findings);
	for (size_t i = 0; i < p->nstack_groups; i++)
		free(p->stack_groups[i].tids);
	free(p->stack_groups);
	for (size_t i = 0; i < p->nunavailable; i++)
		free(p->unavailable[i].reason);
	free(p->unavailable);
	free(p->files_unread);
	free(p->d_waits);
	memset(p, 0, sizeof *p);
}

const struct pi_thread *pi_process_main_thread(const struct pi_process *p)
{
	return pi_process_find_thread(p, p->pid);
}

pid_t pi_process_global_tid(const struct pi_process *p, pid_t ns_tid)
{
	bool own_namespace = !p->status_err && p->status.nspid_levels > 1;
	if (!own_namespace || ns_tid <= 0)
		return ns_tid;
	for (size_t i = 0; i < p->nthreads; i++)
		if (!p->threads[i].status_err && p->threads[i].status.ns_tid == ns_tid)
			return p->threads[i].facts.tid;
	return 0;
}

const struct pi_thread *pi_process_find_thread(const struct pi_process *p, pid_t tid)
{
	/* The threads are the main thread, then the others by TID (as
	 * collect/ reads them): a binary search finds them, so that asking
	 * for each of ten thousand threads does not cost a hundred million
	 * steps. An array built in another order is searched in full. */
	if (p->nthreads && p->threads[0].facts.tid == tid)
		return &p->threads[0];
	size_t lo = 1, hi = p->nthreads;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->threads[mid].facts.tid == tid)
			return &p->threads[mid];
		if (p->threads[mid].facts.tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].facts.tid == tid)
			return &p->threads[i];
	return NULL;
}

const struct pi_d_wait *pi_process_d_wait(const struct pi_process *p, pid_t tid)
{
	for (size_t i = 0; i < p->nd_waits; i++)
		if (p->d_waits[i].tid == tid)
			return &p->d_waits[i];
	return NULL;
}
