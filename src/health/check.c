#include "health/check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/analyze.h"
#include "analysis/classify.h"
#include "analysis/finding_text.h"
#include "analysis/findings.h"
#include "analysis/locks.h"
#include "analysis/offcpu.h"
#include "collect/collect.h"
#include "collect/snapshot.h"
#include "collect/stacks.h"
#include "options.h"
#include "util/xalloc.h"

static double monotonic_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Moves the findings of l to the scan's items, about proc. */
static void take_findings(struct pi_check *c, struct pi_finding_list *l,
					   const struct pi_sweep_proc *proc)
{
	pi_xgrow(&c->items, &c->items_cap, c->nitems + l->n + 1, sizeof *c->items);
	for (size_t i = 0; i < l->n; i++) {
		struct pi_check_item *it = &c->items[c->nitems++];
		memset(it, 0, sizeof *it);
		it->finding = l->v[i];
		it->proc = proc;
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

static void count_states(struct pi_check *c)
{
	struct pi_check_states *n = &c->states;
	for (size_t i = 0; i < c->sweep.ntasks; i++) {
		switch (c->sweep.tasks[i].facts.state) {
		case 'R': n->running++; break;
		case 'S': n->sleeping++; break;
		case 'D': n->disk_sleep++; break;
		case 'T': n->stopped++; break;
		case 't': n->traced++; break;
		case 'Z': n->zombie++; break;
		case 'X': n->dead++; break;
		case 'I': n->idle++; break;
		case 'P': n->parked++; break;
		default: n->other++; break;
		}
	}
}

/* Tasks in D: time off the CPU, and the shared rule for "hung"; the
 * hung ones through the one findings builder. */
static void find_hung(struct pi_check *c)
{
	struct pi_sweep *s = &c->sweep;

	c->longest_d_seconds = -1;
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct pi_sweep_proc *p = &s->procs[i];
		const struct pi_task_facts **tasks = NULL;
		struct pi_thread **details = NULL;
		size_t n = 0, cap = 0, dcap = 0;
		for (uint32_t k = 0; k < p->ntasks; k++) {
			const struct pi_sweep_task *t = &s->tasks[p->first_task + k];
			if (t->detail < 0)
				continue;
			struct pi_thread *d = &s->details[t->detail];
			if (d->stat_err || d->facts.state != 'D')
				continue;	/* it left D before it was read in full */
			pi_thread_off_cpu(d);
			d->facts.flags = (uint8_t)pi_classify_task(&d->facts, p->pid, p->ntasks,
								   c->hung_after_seconds);
			c->uninterruptible++;
			if (pi_fact_known(&d->facts, PI_FACT_OFF_CPU)
			    && d->facts.off_cpu_seconds > c->longest_d_seconds)
				c->longest_d_seconds = d->facts.off_cpu_seconds;
			if (!(d->facts.flags & PI_TASK_HUNG))
				continue;
			c->hung++;
			pi_xgrow(&tasks, &cap, n + 1, sizeof *tasks);
			pi_xgrow(&details, &dcap, n + 1, sizeof *details);
			details[n] = d;
			tasks[n++] = &d->facts;
		}
		if (n && (c->scans & PI_CHECK_HUNG)) {
			struct pi_finding_proc fp = {
				.pid = p->pid,
				.comm = p->comm,
				.nthreads = p->ntasks,
				.hung_after_seconds = c->hung_after_seconds,
				.hung_task_timeout_secs = s->hung_task_timeout_secs,
				.tasks = tasks,
				.ntasks = n,
			};
			struct pi_finding_list l = { NULL, 0, 0 };
			pi_findings_of(&l, &fp, PI_FIND_BIT(PI_FIND_HUNG));
			size_t from = c->nitems;
			take_findings(c, &l, p);
			/* Each item keeps the task read in full, for its details. */
			for (size_t j = from; j < c->nitems; j++)
				for (size_t k = 0; k < n; k++)
					if (details[k]->facts.tid == c->items[j].finding.tid)
						c->items[j].task = details[k];
		}
		free(tasks);
		free(details);
	}
}

/* A process is a zombie by the one rule (pi_classify_task): its main
 * thread is Z and no other thread lives on (a main thread that exited
 * while other threads run on is not one: its parent cannot reap it yet). */
static bool is_zombie(const struct pi_sweep *s, const struct pi_sweep_proc *p)
{
	unsigned live = 1;	/* the main thread itself */
	for (uint32_t k = 0; k < p->ntasks; k++) {
		const struct pi_sweep_task *t = &s->tasks[p->first_task + k];
		live += t->facts.tid != p->pid && t->facts.state != 'Z' && t->facts.state != 'X';
	}
	/* The sweep keeps no process without its main thread. */
	const struct pi_sweep_task *leader = pi_sweep_find_task(s, p, p->pid);
	return leader && (pi_classify_task(&leader->facts, p->pid, live, 0) & PI_TASK_ZOMBIE);
}

struct zombie_ref {
	pid_t ppid;
	size_t proc;
	double age;
};

static int by_parent_then_age(const void *a, const void *b)
{
	const struct zombie_ref *x = a, *y = b;
	if (x->ppid != y->ppid)
		return (x->ppid > y->ppid) - (x->ppid < y->ppid);
	return (x->age < y->age) - (x->age > y->age);	/* oldest first */
}

static int compare_pids(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

/* Zombies, one finding per parent that holds them. */
static void find_zombies(struct pi_check *c)
{
	const struct pi_sweep *s = &c->sweep;
	struct zombie_ref *refs = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < s->nprocs; i++) {
		if (!is_zombie(s, &s->procs[i]))
			continue;
		pi_xgrow(&refs, &cap, n + 1, sizeof *refs);
		refs[n].ppid = s->procs[i].ppid;
		refs[n].proc = i;
		refs[n].age = pi_sweep_age(s, s->procs[i].starttime);
		n++;
	}
	c->zombies = n;
	if (n)
		qsort(refs, n, sizeof *refs, by_parent_then_age);
	for (size_t first = 0; first < n;) {
		size_t end = first;
		while (end < n && refs[end].ppid == refs[first].ppid)
			end++;
		size_t count = end - first;
		const struct pi_sweep_proc *parent = pi_sweep_find_proc(s, refs[first].ppid);
		struct pi_check_zombie *zombies = pi_xcalloc(count, sizeof *zombies);
		pid_t *pids = pi_xcalloc(count, sizeof *pids);
		for (size_t k = 0; k < count; k++) {
			const struct pi_sweep_proc *z = &s->procs[refs[first + k].proc];
			zombies[k].pid = z->pid;
			zombies[k].comm = z->comm;
			zombies[k].age_seconds = refs[first + k].age;
			pids[k] = z->pid;
		}
		qsort(pids, count, sizeof *pids, compare_pids);
		c->zombie_parents++;
		if (c->scans & PI_CHECK_ZOMBIES) {
			struct pi_finding_proc fp = {
				.pid = refs[first].ppid,
				.comm = parent ? parent->comm : NULL,
				.zombies = pids,
				.nzombies = count,
				.oldest_zombie_seconds = zombies[0].age_seconds,
			};
			struct pi_finding_list l = { NULL, 0, 0 };
			pi_findings_of(&l, &fp, PI_FIND_BIT(PI_FIND_ZOMBIE_PARENT));
			size_t at = c->nitems;
			take_findings(c, &l, parent);
			if (c->nitems > at) {
				c->items[at].zombies = zombies;
				c->items[at].nzombies = count;
			} else {
				free(zombies);
			}
		} else {
			free(zombies);
		}
		free(pids);
		first = end;
	}
	free(refs);
}

size_t pi_check_lock_suspects(const struct pi_sweep *s, size_t **out)
{
	size_t n = 0, cap = 0;

	*out = NULL;
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct pi_sweep_proc *p = &s->procs[i];
		if (p->locks_err)
			continue;
		for (uint32_t k = 0; k < p->ntasks; k++) {
			const struct pi_sweep_task *t = &s->tasks[p->first_task + k];
			if (t->futex < 0)
				continue;
			enum pi_lock_kind kind;
			pid_t owner = pi_futex_named_owner(&s->futexes[t->futex], &kind);
			const struct pi_sweep_task *o = owner > 0 ? pi_sweep_find_ns_task(s, p, owner) : NULL;
			if (o && o->futex >= 0) {
				pi_xgrow(out, &cap, n + 1, sizeof **out);
				(*out)[n++] = i;
				break;
			}
		}
	}
	return n;
}

/* A suspect read again, as pinspect --no-ptrace PID reads it (without
 * the stacks, locks_only), for its lock analysis to decide. NULL when it
 * exited meanwhile. */
static struct pi_process *read_again(pid_t pid, double hung_after_seconds, bool locks_only,
				     const struct pi_deadline *deadline)
{
	struct pi_process *p = pi_xcalloc(1, sizeof *p);
	struct pi_snapshot_options so = {
		.hung_after_seconds = hung_after_seconds,
		.depth = locks_only ? PI_SNAPSHOT_NAMED_LOCKS : PI_SNAPSHOT_STACKS,
		.stacks = {
			.allow_stop = false,
			.max_frames = PI_MAX_FRAMES_DEFAULT,
			.stop_timeout_seconds = 5,
			.lines = PI_LINES_NONE,
		},
	};
	so.deadline = deadline;	/* the scan's, already running */
	if (pi_snapshot_read(pid, &so, p) != 0) {
		pi_process_free(p);
		free(p);
		return NULL;
	}
	return p;
}

static bool has_deadlock(const struct pi_process *p)
{
	for (size_t k = 0; k < p->nfindings; k++)
		if (p->findings[k].kind == PI_FIND_DEADLOCK)
			return true;
	return false;
}

/* Did the budget leave its locks half read or half analysed? (Stacks cut
 * short do not matter here: the lock words decide.) */
static bool locks_cut(const struct pi_process *p)
{
	if (p->locks_cut)
		return true;
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].futex.read_err == -PI_ERR_TIMEOUT)
			return true;
	return false;
}

void pi_check_find_deadlocks(struct pi_check *c)
{
	const struct pi_sweep *s = &c->sweep;
	size_t *suspects;

	for (size_t i = 0; i < s->nprocs; i++) {
		int err = s->procs[i].locks_err;
		if (err >= 0)
			continue;
		if (!c->locks_unchecked_err)
			c->locks_unchecked_err = err;
		c->locks_unchecked = pi_xrealloc(c->locks_unchecked,
						 (c->nlocks_unchecked + 1) * sizeof *c->locks_unchecked);
		c->locks_unchecked[c->nlocks_unchecked++] = s->procs[i].pid;
	}
	c->suspects = pi_check_lock_suspects(s, &suspects);
	/* The budget: per process read in full; in the live view (locks
	 * only), one for them all, which the keys wait for. */
	struct pi_deadline all;
	pi_deadline_start(&all, c->timeout_seconds);
	for (size_t i = 0; i < c->suspects; i++) {
		const struct pi_sweep_proc *proc = &s->procs[suspects[i]];
		struct pi_deadline own;
		if (c->locks_only)
			own = all;
		else
			pi_deadline_start(&own, c->timeout_seconds);
		struct pi_process *p = NULL;
		if (!pi_deadline_passed(&own))
			p = read_again(proc->pid, c->hung_after_seconds, c->locks_only, &own);
		/* Not read in time, or read without a cycle but not in
		 * full: not checked, rather than called clean. */
		if (!p || (!has_deadlock(p) && locks_cut(p))) {
			if (p || pi_deadline_passed(&own)) {
				c->locks_timed_out = pi_xrealloc(c->locks_timed_out, (c->nlocks_timed_out + 1)
								 * sizeof *c->locks_timed_out);
				c->locks_timed_out[c->nlocks_timed_out++] = proc->pid;
			}
			if (p) {
				pi_process_free(p);
				free(p);
			}
			continue;
		}
		/* The snapshot's cycles become the scan's, through the builder. */
		struct pi_finding_cycle *cycles = pi_xcalloc(p->nfindings + 1, sizeof *cycles);
		size_t found = 0;
		for (size_t k = 0; k < p->nfindings; k++) {
			const struct pi_finding *f = &p->findings[k];
			if (f->kind != PI_FIND_DEADLOCK)
				continue;
			cycles[found++] = (struct pi_finding_cycle){ f->message, f->pids, f->npids };
			c->deadlocks++;
			c->deadlocked_threads += f->npids;
		}
		struct pi_finding_proc fp = { .pid = p->pid, .cycles = cycles, .ncycles = found };
		struct pi_finding_list l = { NULL, 0, 0 };
		pi_findings_of(&l, &fp, PI_FIND_BIT(PI_FIND_DEADLOCK));
		free(cycles);
		size_t from = c->nitems;
		take_findings(c, &l, proc);
		for (size_t k = from; k < c->nitems; k++)
			c->items[k].snapshot = p;
		if (!found) {
			pi_process_free(p);
			free(p);
			continue;
		}
		c->snapshots = pi_xrealloc(c->snapshots, (c->nsnapshots + 1) * sizeof *c->snapshots);
		c->snapshots[c->nsnapshots++] = p;
	}
	free(suspects);
}

/* Cycles of processes waiting for each other through pipes, sockets,
 * file locks and children: one scan of every process, within the
 * budget; among_sweep: only those the sweep saw with every thread asleep
 * (S or D), as the live view looks. */
static void find_process_deadlocks(struct pi_check *c, bool among_sweep)
{
	struct pi_deadline d;
	pi_deadline_start(&d, c->timeout_seconds);
	if (among_sweep) {
		pid_t *among = pi_xcalloc(c->sweep.nprocs ? c->sweep.nprocs : 1, sizeof *among);
		size_t n = 0;
		for (size_t i = 0; i < c->sweep.nprocs; i++) {
			const struct pi_sweep_proc *p = &c->sweep.procs[i];
			bool asleep = !p->kernel_thread && p->ntasks > 0;
			for (uint32_t k = 0; asleep && k < p->ntasks; k++) {
				char st = c->sweep.tasks[p->first_task + k].facts.state;
				asleep = st == 'S' || st == 'D';
			}
			if (asleep)
				among[n++] = p->pid;
		}
		pi_scan_waits_among(among, n, &d, &c->waits);
		free(among);
	} else {
		pi_scan_waits(&d, &c->waits);
	}
	for (size_t i = 0; i < c->waits.ndeadlocks; i++) {
		const struct pi_cross_deadlock *x = &c->waits.deadlocks[i];
		struct pi_buf m = PI_BUF_INIT;
		pi_text_process_cycle(&m, x->steps, x->nsteps);
		pid_t *pids = pi_xcalloc(x->nsteps, sizeof *pids);
		for (size_t k = 0; k < x->nsteps; k++)
			pids[k] = x->steps[k].pid;
		struct pi_finding_cycle cycle = { m.data, pids, x->nsteps };
		struct pi_finding_proc fp = { .pid = pids[0], .process_cycles = &cycle, .nprocess_cycles = 1 };
		struct pi_finding_list l = { NULL, 0, 0 };
		pi_findings_of(&l, &fp, PI_FIND_BIT(PI_FIND_PROCESS_DEADLOCK));
		free(m.data);
		free(pids);
		size_t from = c->nitems;
		take_findings(c, &l, pi_sweep_find_proc(&c->sweep, x->steps[0].pid));
		for (size_t k = from; k < c->nitems; k++)
			c->items[k].cross = x;
		c->process_deadlocks++;
	}
}

void pi_check_find_process_deadlocks(struct pi_check *c, bool among_sweep)
{
	find_process_deadlocks(c, among_sweep);
}

void pi_check_analyze(struct pi_check *c)
{
	count_states(c);
	find_hung(c);
	find_zombies(c);
}

int pi_check_run(struct pi_check *c, unsigned scans, double hung_after_seconds,
		 double timeout_seconds)
{
	double started = monotonic_seconds();

	memset(c, 0, sizeof *c);
	c->scans = scans;
	c->hung_after_seconds = hung_after_seconds;
	c->timeout_seconds = timeout_seconds;
	c->longest_d_seconds = -1;
	/* Tasks in D are read in full whatever the scans: the metrics and
	 * the summary count the hung ones. Locks cost a read per sleeping
	 * task, so only when asked. */
	unsigned what = PI_SWEEP_D_TASKS | ((scans & PI_CHECK_DEADLOCKS) ? PI_SWEEP_LOCKS : 0);
	int err = pi_sweep_run(&c->sweep, what);
	if (err)
		return err;
	pi_check_analyze(c);
	if (scans & PI_CHECK_DEADLOCKS) {
		pi_check_find_deadlocks(c);
		find_process_deadlocks(c, false);
	}
	c->seconds = monotonic_seconds() - started;
	return 0;
}

void pi_check_free(struct pi_check *c)
{
	for (size_t i = 0; i < c->nitems; i++) {
		free(c->items[i].finding.message);
		free(c->items[i].finding.pids);
		free(c->items[i].zombies);
	}
	free(c->items);
	for (size_t i = 0; i < c->nsnapshots; i++) {
		pi_process_free(c->snapshots[i]);
		free(c->snapshots[i]);
	}
	free(c->snapshots);
	free(c->locks_unchecked);
	free(c->locks_timed_out);
	pi_waits_scan_free(&c->waits);
	pi_sweep_free(&c->sweep);
	memset(c, 0, sizeof *c);
}
