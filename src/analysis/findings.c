#include "analysis/findings.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/classify.h"
#include "analysis/detectors.h"
#include "analysis/finding_text.h"
#include "analysis/kinds.h"
#include "util/buf.h"
#include "util/xalloc.h"

const char *pi_finding_kind_name(enum pi_finding_kind kind)
{
	const struct pi_kind *k = pi_kind_of(kind);
	return k ? k->name : "unknown";
}

const char *pi_finding_see(enum pi_finding_kind kind)
{
	const struct pi_kind *k = pi_kind_of(kind);
	return k ? k->see : "PROCESS STATES";
}

struct pi_finding *pi_finding_list_add(struct pi_finding_list *l, enum pi_finding_kind kind,
				       pid_t pid, pid_t tid, double seconds, struct pi_buf *msg)
{
	pi_xgrow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
	struct pi_finding *f = &l->v[l->n++];
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->pid = pid;
	f->tid = tid;
	f->seconds = seconds;
	f->message = pi_buf_steal(msg);
	return f;
}

void pi_finding_add_pid(struct pi_finding *f, pid_t pid)
{
	f->pids = pi_xrealloc(f->pids, (f->npids + 1) * sizeof *f->pids);
	f->pids[f->npids++] = pid;
}

void pi_finding_list_free(struct pi_finding_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].message);
		free(l->v[i].pids);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

static const char *comm_of(const struct pi_finding_proc *p, pid_t pid)
{
	return p->comm_of && pid > 0 ? p->comm_of(p->comm_of_arg, pid) : NULL;
}

/* A task's name: a main thread's is its process's, which may be longer
 * than a thread's (kernel workers'). NULL: not read. */
static const char *task_comm(const struct pi_finding_proc *p, const struct pi_task_facts *t)
{
	if (t->tid == p->pid && p->comm)
		return p->comm;
	return pi_fact_known(t, PI_FACT_STAT) ? t->comm : NULL;
}

/* ---- The detectors, one per kind (or pair), named by the table. ---- */

void pi_detect_d(struct pi_finding_list *l, const struct pi_finding_proc *p, unsigned kinds)
{
	for (size_t i = 0; i < p->ntasks; i++) {
		const struct pi_task_facts *t = p->tasks[i];
		bool hung = t->flags & PI_TASK_HUNG;
		enum pi_finding_kind kind = hung ? PI_FIND_HUNG : PI_FIND_UNINTERRUPTIBLE;
		if (!(t->flags & (PI_TASK_HUNG | PI_TASK_UNINTERRUPTIBLE)) || !(kinds & PI_FIND_BIT(kind)))
			continue;
		struct pi_buf m = PI_BUF_INIT;
		struct pi_d_task_text d = {
			.tid = t->tid,
			.comm = task_comm(p, t),
			.pid = p->pid,
			.process_comm = p->subject ? NULL : p->comm,
			.off_cpu_known = pi_fact_known(t, PI_FACT_OFF_CPU),
			.off_cpu_seconds = t->off_cpu_seconds,
			.wchan = pi_fact_known(t, PI_FACT_WCHAN) ? t->wchan : NULL,
			.hung = hung,
			.hung_after_seconds = p->hung_after_seconds,
			.hung_task_timeout_secs = p->hung_task_timeout_secs,
		};
		pi_text_d_task(&m, &d);
		pi_finding_list_add(l, kind, p->pid, t->tid,
				    pi_fact_known(t, PI_FACT_OFF_CPU) ? t->off_cpu_seconds : -1, &m);
	}
}

void pi_detect_cycles(struct pi_finding_list *l, const struct pi_finding_proc *p, unsigned kinds)
{
	if (!(kinds & PI_FIND_BIT(PI_FIND_DEADLOCK)))
		return;
	for (size_t i = 0; i < p->ncycles; i++) {
		const struct pi_finding_cycle *c = &p->cycles[i];
		struct pi_buf m = PI_BUF_INIT;
		pi_buf_puts(&m, c->message);
		struct pi_finding *f = pi_finding_list_add(l, PI_FIND_DEADLOCK, p->pid,
							   c->ntids ? c->tids[0] : 0, -1, &m);
		for (size_t k = 0; k < c->ntids; k++)
			pi_finding_add_pid(f, c->tids[k]);
	}
}

/* A handed-over list: each entry's sentence, and its PIDs or TIDs. */
static void handed_over(struct pi_finding_list *l, enum pi_finding_kind kind, pid_t pid,
			const struct pi_finding_cycle *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct pi_buf m = PI_BUF_INIT;
		pi_buf_puts(&m, v[i].message);
		struct pi_finding *f = pi_finding_list_add(l, kind, pid, v[i].ntids ? v[i].tids[0] : 0, -1, &m);
		for (size_t k = 0; k < v[i].ntids; k++)
			pi_finding_add_pid(f, v[i].tids[k]);
	}
}

void pi_detect_process_cycles(struct pi_finding_list *l, const struct pi_finding_proc *p, unsigned kinds)
{
	if (kinds & PI_FIND_BIT(PI_FIND_PROCESS_DEADLOCK))
		handed_over(l, PI_FIND_PROCESS_DEADLOCK, p->pid, p->process_cycles, p->nprocess_cycles);
}

void pi_detect_mutex_owner_died(struct pi_finding_list *l, const struct pi_finding_proc *p,
				unsigned kinds)
{
	if (kinds & PI_FIND_BIT(PI_FIND_MUTEX_OWNER_DIED))
		handed_over(l, PI_FIND_MUTEX_OWNER_DIED, p->pid, p->owner_died_chains, p->nowner_died_chains);
}

void pi_detect_waits_on_stopped(struct pi_finding_list *l, const struct pi_finding_proc *p,
				unsigned kinds)
{
	if (kinds & PI_FIND_BIT(PI_FIND_WAITS_ON_STOPPED))
		handed_over(l, PI_FIND_WAITS_ON_STOPPED, p->pid, p->stopped_chains, p->nstopped_chains);
}

/* The process's main thread's flags (a zombie, a main thread that
 * exited: pi_classify_task's one rule decides which). */
static unsigned main_flags(const struct pi_finding_proc *p)
{
	unsigned flags = 0;
	for (size_t i = 0; i < p->ntasks; i++)
		flags |= p->tasks[i]->flags;
	return flags;
}

void pi_detect_zombie(struct pi_finding_list *l, const struct pi_finding_proc *p, unsigned kinds)
{
	if (!(kinds & PI_FIND_BIT(PI_FIND_ZOMBIE)) || !(main_flags(p) & PI_TASK_ZOMBIE))
		return;
	struct pi_buf m = PI_BUF_INIT;
	const char *parent = p->parent_comm ? p->parent_comm : comm_of(p, p->ppid);
	pi_text_zombie(&m, p->pid, p->comm, p->ppid, parent);
	pi_finding_list_add(l, PI_FIND_ZOMBIE, p->pid, p->pid, -1, &m);
}

void pi_detect_leader_exited(struct pi_finding_list *l, const struct pi_finding_proc *p,
			     unsigned kinds)
{
	if (!(kinds & PI_FIND_BIT(PI_FIND_LEADER_EXITED)) || !(main_flags(p) & PI_TASK_LEADER_EXITED))
		return;
	struct pi_buf m = PI_BUF_INIT;
	pi_text_leader_exited(&m, p->pid, p->live_threads > 0 ? p->live_threads - 1 : 0);
	pi_finding_list_add(l, PI_FIND_LEADER_EXITED, p->pid, p->pid, -1, &m);
}

/* Stopped and traced are usually true of every thread at once (a group
 * stop, strace -f): then one finding speaks for the process. */
static void stopped_or_traced(struct pi_finding_list *l, const struct pi_finding_proc *p,
			      unsigned which)
{
	struct pi_stop_text st = {
		.traced = which == PI_TASK_TRACED,
		.pid = p->pid,
		.comm = p->comm,
		.nthreads = p->nthreads,
		.name_process = !p->subject,
		.tracer = p->tracer_pid,
	};
	for (size_t i = 0; i < p->ntasks; i++) {
		const struct pi_task_facts *t = p->tasks[i];
		if (!(t->flags & which))
			continue;
		st.hit++;
		if (!st.tracer && t->tracer_pid > 0)
			st.tracer = t->tracer_pid;
		st.held |= t->state == 't';
	}
	if (!st.hit)
		return;
	if (st.tracer > 0)
		st.tracer_comm = p->tracer_comm && st.tracer == p->tracer_pid ? p->tracer_comm
									      : comm_of(p, st.tracer);
	bool all = st.hit == p->nthreads;
	struct pi_buf m = PI_BUF_INIT;
	pi_text_stopped(&m, &st);
	struct pi_finding *f = pi_finding_list_add(l, st.traced ? PI_FIND_TRACED : PI_FIND_STOPPED,
						   p->pid, all ? p->pid : 0, -1, &m);
	for (size_t i = 0; i < p->ntasks; i++)
		if (p->tasks[i]->flags & which)
			pi_finding_add_pid(f, p->tasks[i]->tid);
	if (!all && f->npids)
		f->tid = f->pids[0];
}

void pi_detect_stopped(struct pi_finding_list *l, const struct pi_finding_proc *p, unsigned kinds)
{
	if (kinds & PI_FIND_BIT(PI_FIND_STOPPED))
		stopped_or_traced(l, p, PI_TASK_STOPPED);
}

void pi_detect_traced(struct pi_finding_list *l, const struct pi_finding_proc *p, unsigned kinds)
{
	if (kinds & PI_FIND_BIT(PI_FIND_TRACED))
		stopped_or_traced(l, p, PI_TASK_TRACED);
}

void pi_detect_zombie_parent(struct pi_finding_list *l, const struct pi_finding_proc *p,
			     unsigned kinds)
{
	if (!(kinds & PI_FIND_BIT(PI_FIND_ZOMBIE_PARENT)) || !p->nzombies)
		return;
	struct pi_buf m = PI_BUF_INIT;
	pi_text_zombie_parent(&m, p->pid, p->subject ? NULL : p->comm ? p->comm : "?", p->zombies,
			      p->nzombies, p->oldest_zombie_seconds);
	struct pi_finding *f = pi_finding_list_add(l, PI_FIND_ZOMBIE_PARENT, p->pid, p->pid,
						   p->oldest_zombie_seconds, &m);
	f->pids = pi_xcalloc(p->nzombies, sizeof *f->pids);
	memcpy(f->pids, p->zombies, p->nzombies * sizeof *f->pids);
	f->npids = p->nzombies;
}

/* ---- The builder. ---- */

void pi_findings_of(struct pi_finding_list *l, const struct pi_finding_proc *p, unsigned kinds)
{
	for (size_t i = 0; i < pi_nkinds; i++)
		if (pi_kinds[i].detect)
			pi_kinds[i].detect(l, p, kinds);
}

/* ---- The snapshot's facts. ---- */

struct pi_finding *pi_findings_add(struct pi_process *p, enum pi_finding_kind kind, pid_t tid,
				   double seconds, struct pi_buf *msg)
{
	struct pi_finding_list l = { p->findings, p->nfindings, p->findings_cap };
	struct pi_finding *f = pi_finding_list_add(&l, kind, p->pid, tid, seconds, msg);
	p->findings = l.v;
	p->nfindings = l.n;
	p->findings_cap = l.cap;
	return f;
}

/* The chains of waits across processes (collect/waits.c) as the
 * detectors' facts: each distinct cycle once, and each stopped process
 * once with the threads that wait on it. */
struct chain_facts {
	struct pi_finding_cycle *cycles, *stopped;
	size_t ncycles, nstopped, cycles_cap, stopped_cap;
	struct pi_finding_cycle *owner_died;	/* a thread each */
	size_t nowner_died, owner_died_cap;
	pid_t **lists;			/* the pid lists to free */
	size_t nlists, lists_cap;
	size_t *stopped_threads;	/* per stopped entry */
	const struct pi_wait_for **stopped_first;
};

static pid_t *keep_list(struct chain_facts *cf, size_t n)
{
	pi_xgrow(&cf->lists, &cf->lists_cap, cf->nlists + 1, sizeof *cf->lists);
	return cf->lists[cf->nlists++] = pi_xcalloc(n ? n : 1, sizeof(pid_t));
}

static bool same_members(const struct pi_finding_cycle *c, const struct pi_wait_step *steps, size_t n)
{
	if (c->ntids != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool in = false;
		for (size_t k = 0; k < n; k++)
			in |= c->tids[k] == steps[i].pid;
		if (!in)
			return false;
	}
	return true;
}

static void chain_facts(const struct pi_process *p, struct chain_facts *cf)
{
	memset(cf, 0, sizeof *cf);
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct pi_wait_for *w = p->threads[i].wait;
		/* (A dead owner ends a chain of one: the thread's own wait.) */
		if (!w || w->nchain < 1 || (w->nchain < 2 && w->chain_end != PI_CHAIN_OWNER_DIED))
			continue;
		if (w->chain_end == PI_CHAIN_DEADLOCK) {
			/* The last step is a process met before: the cycle is from there. */
			size_t from = 0;
			while (from + 1 < w->nchain && w->chain[from].pid != w->chain[w->nchain - 1].pid)
				from++;
			const struct pi_wait_step *steps = &w->chain[from];
			size_t n = w->nchain - 1 - from;
			bool seen = false;
			for (size_t k = 0; k < cf->ncycles; k++)
				seen |= same_members(&cf->cycles[k], steps, n);
			if (seen || n == 0)
				continue;
			struct pi_buf m = PI_BUF_INIT;
			pi_text_process_cycle(&m, steps, n);
			pid_t *pids = keep_list(cf, n);
			for (size_t k = 0; k < n; k++)
				pids[k] = steps[k].pid;
			pi_xgrow(&cf->cycles, &cf->cycles_cap, cf->ncycles + 1, sizeof *cf->cycles);
			cf->cycles[cf->ncycles++] = (struct pi_finding_cycle){ m.data, pids, n };
		} else if (w->chain_end == PI_CHAIN_OWNER_DIED) {
			/* The dead owner's TID is known when the wait is this
			 * thread's own; further down a chain, only the step. */
			pid_t owner = w->nchain == 1 && w->nobjects ? w->objects[0].owner_tid : 0;
			struct pi_buf m = PI_BUF_INIT;
			pi_text_mutex_owner_died(&m, w->chain, w->nchain, owner);
			pid_t *pids = keep_list(cf, w->nchain);
			pids[0] = p->threads[i].facts.tid;
			for (size_t s = 1; s < w->nchain; s++)
				pids[s] = w->chain[s].pid;
			pi_xgrow(&cf->owner_died, &cf->owner_died_cap, cf->nowner_died + 1, sizeof *cf->owner_died);
			cf->owner_died[cf->nowner_died++] = (struct pi_finding_cycle){ m.data, pids, w->nchain };
		} else if (w->chain_end == PI_CHAIN_STOPPED) {
			pid_t stopped = w->chain[w->nchain - 1].pid;
			size_t k = 0;
			while (k < cf->nstopped && cf->stopped[k].tids[cf->stopped[k].ntids - 1] != stopped)
				k++;
			if (k < cf->nstopped) {
				cf->stopped_threads[k]++;
				continue;
			}
			size_t cap = cf->stopped_cap;
			pi_xgrow(&cf->stopped, &cf->stopped_cap, cf->nstopped + 1, sizeof *cf->stopped);
			if (cf->stopped_cap != cap) {
				cf->stopped_threads = pi_xrealloc(cf->stopped_threads,
								  cf->stopped_cap * sizeof *cf->stopped_threads);
				cf->stopped_first = pi_xrealloc(cf->stopped_first,
								cf->stopped_cap * sizeof *cf->stopped_first);
			}
			/* The waiting thread first, then the processes of its chain. */
			pid_t *pids = keep_list(cf, w->nchain);
			pids[0] = p->threads[i].facts.tid;
			for (size_t s = 1; s < w->nchain; s++)
				pids[s] = w->chain[s].pid;
			cf->stopped[cf->nstopped] = (struct pi_finding_cycle){ NULL, pids, w->nchain };
			cf->stopped_threads[cf->nstopped] = 1;
			cf->stopped_first[cf->nstopped++] = w;
		}
	}
	for (size_t k = 0; k < cf->nstopped; k++) {
		struct pi_buf m = PI_BUF_INIT;
		const struct pi_wait_for *w = cf->stopped_first[k];
		pi_text_waits_on_stopped(&m, w->chain, w->nchain, cf->stopped_threads[k]);
		cf->stopped[k].message = m.data;
	}
}

static void chain_facts_free(struct chain_facts *cf)
{
	for (size_t i = 0; i < cf->ncycles; i++)
		free((char *)cf->cycles[i].message);
	for (size_t i = 0; i < cf->nstopped; i++)
		free((char *)cf->stopped[i].message);
	for (size_t i = 0; i < cf->nowner_died; i++)
		free((char *)cf->owner_died[i].message);
	free(cf->owner_died);
	for (size_t i = 0; i < cf->nlists; i++)
		free(cf->lists[i]);
	free(cf->lists);
	free(cf->cycles);
	free(cf->stopped);
	free(cf->stopped_threads);
	free(cf->stopped_first);
}

void pi_findings_build(struct pi_process *p)
{
	struct chain_facts cf;
	chain_facts(p, &cf);
	const struct pi_task_facts **tasks = pi_xcalloc(p->nthreads ? p->nthreads : 1, sizeof *tasks);
	pid_t *zombies = pi_xcalloc(p->nzombies ? p->nzombies : 1, sizeof *zombies);
	size_t n = 0;
	double oldest = 0;

	/* Each thread classified in place; one whose stat could not be
	 * read has no state to judge. */
	for (size_t i = 0; i < p->nthreads; i++) {
		struct pi_task_facts *f = &p->threads[i].facts;
		f->flags = (uint8_t)pi_classify_task(f, p->pid, (unsigned)p->nthreads,
						     p->hung_after_seconds);
		if (pi_fact_known(f, PI_FACT_STAT))
			tasks[n++] = f;
	}
	for (size_t i = 0; i < p->nzombies; i++) {
		zombies[i] = p->zombies[i].pid;
		if (p->zombies[i].age_seconds > oldest)
			oldest = p->zombies[i].age_seconds;
	}
	struct pi_finding_proc fp = {
		.pid = p->pid,
		.comm = p->stat.comm,
		.subject = true,
		.nthreads = p->nthreads,
		.live_threads = p->nthreads,
		.ppid = p->stat.ppid,
		.parent_comm = p->parent_comm,
		.tracer_pid = p->tracer_pid,
		.tracer_comm = p->tracer_comm,
		.zombies = zombies,
		.nzombies = p->nzombies,
		.oldest_zombie_seconds = oldest,
		.hung_after_seconds = p->hung_after_seconds,
		.hung_task_timeout_secs = p->hung_task_timeout_secs,
		.tasks = tasks,
		.ntasks = n,
		.process_cycles = cf.cycles,
		.nprocess_cycles = cf.ncycles,
		.stopped_chains = cf.stopped,
		.nstopped_chains = cf.nstopped,
		.owner_died_chains = cf.owner_died,
		.nowner_died_chains = cf.nowner_died,
		.go = &p->go,
	};
	struct pi_finding_list l = { p->findings, p->nfindings, p->findings_cap };
	pi_findings_of(&l, &fp, PI_FIND_ALL);
	chain_facts_free(&cf);
	p->findings = l.v;
	p->nfindings = l.n;
	p->findings_cap = l.cap;
	free(tasks);
	free(zombies);
}
