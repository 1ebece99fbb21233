#include "analysis/groups.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* What makes two threads' stacks the same. */
struct key {
	char state;
	int kind;			/* syscall kind, -1 if unknown */
	long nr;
	const char *wchan;
	const void *kstack;
	size_t nkstack;
	const void *frames;
	size_t nframes;
	int ustack_err;
};

static struct key key_of(const struct pi_thread *t)
{
	struct key k;
	memset(&k, 0, sizeof k);
	k.state = t->stat_err ? '?' : t->facts.state;
	k.kind = t->syscall_err ? -1 : (int)t->syscall.kind;
	k.nr = t->syscall_err ? -1 : t->syscall.nr;
	k.wchan = t->wchan_err ? NULL : t->facts.wchan;
	k.kstack = t->kstack_err ? NULL : (const void *)t->kstack.v;
	k.nkstack = t->kstack_err ? 0 : t->kstack.n;
	k.frames = t->ustack.err ? NULL : (const void *)t->ustack.frames;
	k.nframes = t->ustack.err ? 0 : t->ustack.nframes;
	k.ustack_err = t->ustack.err;
	return k;
}

static bool same(const struct key *a, const struct key *b)
{
	return a->state == b->state && a->kind == b->kind && a->nr == b->nr && a->wchan == b->wchan
	       && a->kstack == b->kstack && a->nkstack == b->nkstack && a->frames == b->frames
	       && a->nframes == b->nframes && a->ustack_err == b->ustack_err;
}

static int rarest_first(const void *a, const void *b)
{
	const struct pi_stack_group *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	return (x->tids[0] > y->tids[0]) - (x->tids[0] < y->tids[0]);
}

static int by_tid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

void pi_stack_groups_build(struct pi_process *p)
{
	size_t n = p->nthreads, ngroups = 0;
	struct key *keys = pi_xcalloc(n ? n : 1, sizeof *keys);
	size_t *group_of = pi_xcalloc(n ? n : 1, sizeof *group_of);
	size_t *firsts = pi_xcalloc(n ? n : 1, sizeof *firsts);

	/* Few distinct stacks in practice: compare with each group's first. */
	for (size_t i = 0; i < n; i++) {
		keys[i] = key_of(&p->threads[i]);
		size_t g = 0;
		while (g < ngroups && !same(&keys[firsts[g]], &keys[i]))
			g++;
		if (g == ngroups)
			firsts[ngroups++] = i;
		group_of[i] = g;
	}
	p->stack_groups = pi_xcalloc(ngroups ? ngroups : 1, sizeof *p->stack_groups);
	p->nstack_groups = ngroups;
	for (size_t g = 0; g < ngroups; g++)
		p->stack_groups[g].first = firsts[g];
	for (size_t i = 0; i < n; i++)
		p->stack_groups[group_of[i]].count++;
	for (size_t g = 0; g < ngroups; g++)
		p->stack_groups[g].tids = pi_xcalloc(p->stack_groups[g].count, sizeof(pid_t));
	for (size_t g = 0; g < ngroups; g++)
		p->stack_groups[g].count = 0;
	for (size_t i = 0; i < n; i++) {
		struct pi_stack_group *grp = &p->stack_groups[group_of[i]];
		grp->tids[grp->count++] = p->threads[i].facts.tid;
	}
	for (size_t g = 0; g < ngroups; g++)
		if (p->stack_groups[g].count > 1)
			qsort(p->stack_groups[g].tids, p->stack_groups[g].count, sizeof(pid_t), by_tid);
	if (ngroups > 1)
		qsort(p->stack_groups, ngroups, sizeof *p->stack_groups, rarest_first);
	free(keys);
	free(group_of);
	free(firsts);
}

void pi_stack_group_names(const struct pi_process *p, const struct pi_stack_group *g,
			  const char **first, const char **last)
{
	*first = *last = NULL;
	for (size_t i = 0; i < g->count; i++) {
		const struct pi_thread *t = pi_process_find_thread(p, g->tids[i]);
		const char *name = t && pi_thread_comm(p, t) ? pi_thread_comm(p, t) : "?";
		if (!*first) {
			*first = *last = name;
			continue;
		}
		if (strverscmp(name, *first) < 0)
			*first = name;
		if (strverscmp(name, *last) > 0)
			*last = name;
	}
}
