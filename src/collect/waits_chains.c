/* The second half of collect/waits: from the objects a thread waits on
 * (waits.c) to the processes that can wake it, process after process;
 * the stuck set and its cycles; the scans' look at every process; and a
 * session for the live view's column. See waits.h and waits_run.h. */
#include "collect/waits.h"
#include "collect/waits_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/fdscan.h"
#include "proc/lists.h"
#include "proc/reader.h"
#include "proc/system.h"
#include "sys/abi.h"
#include "util/xalloc.h"

/* --- Peers and the processes a chain goes through. ------------------------- */

static const struct peer_info *peer_info(struct run *r, pid_t pid)
{
	for (size_t i = 0; i < r->npeers; i++)
		if (r->peers[i].pid == pid)
			return &r->peers[i];
	pi_xgrow(&r->peers, &r->peers_cap, r->npeers + 1, sizeof *r->peers);
	struct peer_info *pi = &r->peers[r->npeers++];
	memset(pi, 0, sizeof *pi);
	pi->pid = pid;
	pi->state = '?';
	int fd = pi_proc_open(pid);
	if (fd < 0)
		return pi;
	struct pi_stat st;
	if (pi_read_at(fd, "stat", &r->buf) == 0 && pi_stat_parse(r->buf.data, r->buf.len, &st) == 0) {
		memcpy(pi->comm, st.comm, sizeof pi->comm);
		pi->state = st.state;
	}
	char wchan[PI_WCHAN_MAX];
	if (pi_read_at(fd, "wchan", &r->buf) == 0 && pi_wchan_parse(r->buf.data, r->buf.len, wchan, sizeof wchan) == 0)
		pi->wchan = pi_strpool_intern(&r->target->strings, wchan);
	close(fd);
	return pi;
}

static void fill_peers(struct run *r, struct pi_wait_for *w, pid_t own)
{
	for (size_t j = 0; w && j < w->nobjects; j++) {
		struct pi_wait_object *o = &w->objects[j];
		for (size_t k = 0; k < o->npeers; k++) {
			/* A mutex's owner is a thread: its own state, not its
			 * process's main thread's (a TID's /proc entry is its). */
			pid_t who = o->need == PI_NEED_OWNER && o->peers[k].tid > 0 ? o->peers[k].tid : o->peers[k].pid;
			const struct peer_info *pi = peer_info(r, who);
			memcpy(o->peers[k].comm, pi->comm, sizeof o->peers[k].comm);
			o->peers[k].state = pi->state;
			o->peers[k].wchan = pi->wchan;
			o->peers[k].same_process = o->peers[k].pid == own;
		}
	}
}

/* Reads the waits of every thread of a process (its threads already
 * read: the target's). */
static void read_waits(struct run *r, struct visited *v, int procfd, enum pi_abi abi)
{
	struct ctx c = { .r = r, .pid = v->pid, .procfd = procfd, .abi = abi };
	for (size_t i = 0; i < v->nthreads; i++) {
		if (pi_deadline_passed(&r->target->deadline)) {
			r->target->waits_err = -PI_ERR_TIMEOUT;
			break;
		}
		struct pi_thread *t = &v->threads[i];
		t->wait = pi_waits_thread(&c, t, v->threads, v->nthreads);
		fill_peers(r, t->wait, v->pid);
	}
	pi_waits_ctx_free(&c);
}

/* A peer's threads, read lightly: what chains need. */
static int read_light_threads(struct run *r, int procfd, struct visited *v)
{
	int *tids = NULL;
	size_t n, cap = 0;
	bool cut;
	int err = pi_proc_list_ids(procfd, "task", MAX_CHAIN_THREADS, &tids, &n, &cap, &cut);
	if (err) {
		free(tids);
		return err;
	}
	v->threads = pi_xcalloc(n ? n : 1, sizeof *v->threads);
	v->owned = true;
	for (size_t i = 0; i < n; i++) {
		struct pi_thread *t = &v->threads[v->nthreads];
		char name[64], wchan[PI_WCHAN_MAX];
		if (i % 256 == 255 && pi_deadline_passed(&r->target->deadline)) {
			free(tids);
			return -PI_ERR_TIMEOUT;	/* not all read: not called stuck */
		}
		t->facts.tid = tids[i];
		snprintf(name, sizeof name, "task/%d/stat", tids[i]);
		struct pi_stat st;
		t->stat_err = pi_read_at(procfd, name, &r->buf);
		if (!t->stat_err)
			t->stat_err = pi_stat_parse(r->buf.data, r->buf.len, &st);
		if (t->stat_err)
			continue;	/* it exited: not a thread any more */
		pi_facts_set_comm(&t->facts, st.comm);
		t->facts.state = st.state;
		t->facts.known |= PI_FACT_STAT;
		snprintf(name, sizeof name, "task/%d/syscall", tids[i]);
		t->syscall_err = pi_read_at(procfd, name, &r->buf);
		if (!t->syscall_err)
			t->syscall_err = pi_syscall_parse(r->buf.data, r->buf.len, &t->syscall);
		snprintf(name, sizeof name, "task/%d/wchan", tids[i]);
		t->wchan_err = pi_read_at(procfd, name, &r->buf);
		if (!t->wchan_err)
			t->wchan_err = pi_wchan_parse(r->buf.data, r->buf.len, wchan, sizeof wchan);
		t->facts.wchan = t->wchan_err ? NULL : pi_strpool_intern(&r->target->strings, wchan);
		pi_fact_set_known(&t->facts, PI_FACT_WCHAN, !t->wchan_err);
		v->nthreads++;
	}
	free(tids);
	if (cut)
		return -E2BIG;	/* too many threads to call it stuck */
	return v->nthreads ? 0 : -ESRCH;
}

/* The process pid, its waits read (once per run). NULL when the run has
 * read as many as it may. */
static struct visited *visit(struct run *r, pid_t pid)
{
	for (size_t i = 0; i < r->nprocs; i++)
		if (r->procs[i].pid == pid)
			return &r->procs[i];
	if (r->nprocs >= r->max_procs)
		return NULL;
	pi_xgrow(&r->procs, &r->procs_cap, r->nprocs + 1, sizeof *r->procs);
	struct visited *v = &r->procs[r->nprocs++];
	memset(v, 0, sizeof *v);
	v->pid = pid;
	int procfd = pi_proc_open(pid);
	if (procfd < 0) {
		v->err = procfd;
		return v;
	}
	enum pi_abi abi = PI_ABI_NATIVE;
	if (pi_exe_abi(procfd, &abi) != 0)
		abi = PI_ABI_NATIVE;
	v->err = read_light_threads(r, procfd, v);
	if (!v->err || v->err == -E2BIG)
		read_waits(r, v, procfd, abi);
	close(procfd);
	return v;
}

/* --- Chains and deadlocks. ------------------------------------------------- */

/* A shared mutex whose owner is not shown to map it: never followed. */
static bool owner_unverified(const struct pi_wait_object *o)
{
	return o->need == PI_NEED_OWNER && o->owner_check == PI_OWNER_UNVERIFIED;
}

/* The one process (other than own) that can wake w, or 0 when none or
 * several or unknown (*end says which). *tid: the thread of it that
 * must act, when one is known (a mutex's owner), else 0. */
static pid_t next_process(const struct pi_wait_for *w, pid_t own, enum pi_chain_end *end, pid_t *tid)
{
	pid_t next = 0;
	*tid = 0;
	if (!w->forever || w->err) {
		*end = w->err ? PI_CHAIN_UNKNOWN : PI_CHAIN_OTHER_WAIT;
		return 0;
	}
	for (size_t i = 0; i < w->nobjects; i++) {
		const struct pi_wait_object *o = &w->objects[i];
		if (o->err || o->peers_partial || o->peers_total > o->npeers || o->need == PI_NEED_NOBODY
		    || o->need == PI_NEED_CLIENT || o->need == PI_NEED_KERNEL_LOCK || owner_unverified(o)) {
			*end = PI_CHAIN_UNKNOWN;
			return 0;
		}
		if (o->need == PI_NEED_OWNER && o->owner_check == PI_OWNER_DIED && w->nobjects == 1) {
			*end = PI_CHAIN_OWNER_DIED;
			return 0;
		}
		for (size_t k = 0; k < o->npeers; k++) {
			if (o->peers[k].pid == own)
				continue;
			if (next && next != o->peers[k].pid) {
				*end = PI_CHAIN_SEVERAL;
				return 0;
			}
			next = o->peers[k].pid;
			*tid = o->need == PI_NEED_OWNER ? o->peers[k].tid : 0;
		}
	}
	if (!next)
		*end = PI_CHAIN_UNKNOWN;
	if (w->objects_total > w->nobjects) {
		*end = PI_CHAIN_UNKNOWN;
		return 0;
	}
	return next;
}

/* Is every wait of every thread of v one that lasts for ever unless a
 * process in the stuck set acts? (One round of the fixed point.) */
static bool all_waits_on_stuck(struct run *r, const struct visited *v)
{
	if (v->err || v->nthreads == 0)
		return false;
	for (size_t i = 0; i < v->nthreads; i++) {
		const struct pi_wait_for *w = v->threads[i].wait;
		char state = v->threads[i].stat_err ? '?' : v->threads[i].facts.state;
		/* A stopped or traced thread is not waiting: it is the cause. */
		if (state != 'S' && state != 'D')
			return false;
		if (!w || !w->forever || w->err || w->objects_total > w->nobjects || w->nobjects == 0)
			return false;
		for (size_t j = 0; j < w->nobjects; j++) {
			const struct pi_wait_object *o = &w->objects[j];
			if (o->err || o->peers_partial || o->peers_total > o->npeers
			    || o->need == PI_NEED_NOBODY || o->need == PI_NEED_CLIENT
			    || o->need == PI_NEED_KERNEL_LOCK	/* a guess never makes a deadlock */
			    || owner_unverified(o))
				return false;
			for (size_t k = 0; k < o->npeers; k++) {
				const struct visited *u = NULL;
				for (size_t m = 0; m < r->nprocs; m++)
					if (r->procs[m].pid == o->peers[k].pid)
						u = &r->procs[m];
				if (!u || !u->stuck)
					return false;
			}
		}
	}
	return true;
}

/* The stuck set: the largest set of visited processes each of whose
 * threads waits, with no timeout, only on processes of the set. Nothing
 * outside it can end those waits: that is a deadlock. */
static void find_stuck(struct run *r)
{
	for (size_t i = 0; i < r->nprocs; i++)
		r->procs[i].stuck = true;
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < r->nprocs; i++)
			if (r->procs[i].stuck && !all_waits_on_stuck(r, &r->procs[i])) {
				r->procs[i].stuck = false;
				changed = true;
			}
	}
}

static void set_step(struct run *r, struct pi_wait_step *s, pid_t pid, const struct pi_thread *t)
{
	const struct peer_info *pi = peer_info(r, pid);
	memset(s, 0, sizeof *s);
	s->pid = pid;
	s->tid = t ? t->facts.tid : pid;
	snprintf(s->comm, sizeof s->comm, "%s", t && !t->stat_err ? t->facts.comm : pi->comm);
	s->state = t && !t->stat_err ? t->facts.state : pi->state;
	s->wchan = t ? t->facts.wchan : pi->wchan;
	if (t && t->wait) {
		s->syscall = t->wait->syscall;
		s->what = t->wait->nobjects ? t->wait->objects[0].what : NULL;
	}
}

/* The thread of v a chain goes on with: one in a wait pinspect follows
 * (the first; or want, the owner of a mutex, when it is one of v's),
 * else NULL; *end says why not. *shown: the thread to name where the
 * chain ends (want's, when found; NULL: the process). */
static const struct pi_thread *chain_thread(const struct visited *v, pid_t want, const struct pi_thread **shown,
					    enum pi_chain_end *end)
{
	const struct pi_thread *waiting = NULL, *wanted = NULL;
	bool stopped = false, running = false;
	for (size_t i = 0; i < v->nthreads; i++) {
		const struct pi_thread *t = &v->threads[i];
		char st = t->stat_err ? '?' : t->facts.state;
		stopped |= st == 'T' || st == 't';
		running |= st == 'R';
		if (!waiting && t->wait)
			waiting = t;
		if (want && t->facts.tid == want)
			wanted = t;
	}
	*shown = wanted;
	if (stopped) {
		*end = PI_CHAIN_STOPPED;
		return NULL;
	}
	if (wanted) {
		/* Only the owner can unlock it: its own state decides. */
		char st = wanted->stat_err ? '?' : wanted->facts.state;
		if (st == 'R')
			*end = PI_CHAIN_RUNNING;
		else if (!wanted->wait)
			*end = PI_CHAIN_OTHER_WAIT;
		return st == 'R' ? NULL : wanted->wait ? wanted : NULL;
	}
	if (running) {
		*end = PI_CHAIN_RUNNING;
		return NULL;
	}
	if (!waiting)
		*end = PI_CHAIN_OTHER_WAIT;
	return waiting;
}

static void follow_chain(struct run *r, struct pi_thread *start)
{
	struct pi_wait_for *w = start->wait;
	struct pi_wait_step steps[PI_WAIT_MAX_CHAIN];
	size_t n = 0;
	enum pi_chain_end end = PI_CHAIN_TOO_LONG;
	pid_t pid = r->target->pid;
	const struct pi_thread *t = start;

	for (;;) {
		set_step(r, &steps[n++], pid, t);
		pid_t next_tid;
		pid_t next = next_process(t->wait, pid, &end, &next_tid);
		if (!next)
			break;
		bool seen = false;
		for (size_t i = 0; i < n; i++)
			seen |= steps[i].pid == next;
		if (seen) {
			/* A deadlock when every process of the cycle is stuck:
			 * nothing outside it can wake any of them. */
			bool all_stuck = true;
			bool in_cycle = false;
			for (size_t i = 0; i < n; i++) {
				in_cycle |= steps[i].pid == next;
				const struct visited *v = in_cycle ? visit(r, steps[i].pid) : NULL;
				if (in_cycle && (!v || !v->stuck))
					all_stuck = false;
			}
			end = all_stuck ? PI_CHAIN_DEADLOCK : PI_CHAIN_CYCLE;
			if (n < PI_WAIT_MAX_CHAIN)
				set_step(r, &steps[n++], next, NULL);
			break;
		}
		if (n == PI_WAIT_MAX_CHAIN) {
			end = PI_CHAIN_TOO_LONG;
			break;
		}
		const struct visited *v = visit(r, next);
		if (!v) {
			end = PI_CHAIN_TOO_LONG;
			break;
		}
		if (v->err && v->err != -E2BIG) {
			set_step(r, &steps[n++], next, NULL);
			end = pi_err_gone(v->err) ? PI_CHAIN_GONE : PI_CHAIN_UNKNOWN;
			break;
		}
		const struct pi_thread *shown;
		t = chain_thread(v, next_tid, &shown, &end);
		if (!t) {
			set_step(r, &steps[n++], next, shown);
			break;
		}
		pid = next;
	}
	w->chain = pi_xmalloc(n * sizeof *w->chain);
	memcpy(w->chain, steps, n * sizeof *steps);
	w->nchain = n;
	w->chain_end = end;
	if (end == PI_CHAIN_DEADLOCK)
		r->target->waits_deadlock = true;
}

/* Every peer a chain could pass through is visited first (breadth-first,
 * bounded), so that the stuck set is known before chains are named. */
static void visit_peers(struct run *r)
{
	for (size_t i = 0; i < r->nprocs; i++) {
		/* visit() may move the array: keep what is needed of it. */
		pid_t own = r->procs[i].pid;
		const struct pi_thread *threads = r->procs[i].threads;
		size_t nthreads = r->procs[i].nthreads;
		for (size_t j = 0; j < nthreads && r->nprocs < r->max_procs; j++) {
			const struct pi_wait_for *w = threads[j].wait;
			if (!w || !w->forever)
				continue;	/* a wait with a timeout ends any chain */
			for (size_t k = 0; k < w->nobjects; k++)
				for (size_t m = 0; m < w->objects[k].npeers; m++)
					if (w->objects[k].peers[m].pid != own)
						visit(r, w->objects[k].peers[m].pid);
		}
	}
}

static void run_free(struct run *r, size_t keep);

int pi_collect_waits(struct pi_process *p)
{
	struct run r = { .target = p, .max_procs = MAX_CHAIN_PROCESSES };

	p->waits_collected = true;
	int procfd = pi_proc_open(p->pid);
	if (procfd < 0) {
		p->waits_err = procfd;
		return procfd;
	}
	pi_xgrow(&r.procs, &r.procs_cap, 1, sizeof *r.procs);
	r.procs[0] = (struct visited){ .pid = p->pid, .threads = p->threads, .nthreads = p->nthreads };
	r.nprocs = 1;
	read_waits(&r, &r.procs[0], procfd, p->abi_known ? p->abi : PI_ABI_NATIVE);
	pi_waits_locks_wanted(&r, procfd);
	close(procfd);
	for (size_t i = 0; i < p->nlocks_wanted; i++) {
		struct pi_lock_wanted *lw = &p->locks_wanted[i];
		for (size_t k = 0; k < lw->nwaiters; k++) {
			const struct peer_info *pi = peer_info(&r, lw->waiters[k].pid);
			memcpy(lw->waiters[k].comm, pi->comm, sizeof lw->waiters[k].comm);
			lw->waiters[k].state = pi->state;
			lw->waiters[k].wchan = pi->wchan;
			lw->waiters[k].same_process = lw->waiters[k].pid == p->pid;
		}
	}

	visit_peers(&r);
	find_stuck(&r);
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].wait)
			follow_chain(&r, &p->threads[i]);
	if (r.index_err && !p->waits_err)
		p->waits_err = r.index_err;
	run_free(&r, 1);
	return 0;
}

/* Frees what a run read; the first `keep` processes' threads are not its
 * own (the target's). */
static void run_free(struct run *r, size_t keep)
{
	for (size_t i = keep; i < r->nprocs; i++) {
		for (size_t j = 0; j < r->procs[i].nthreads; j++) {
			struct pi_wait_for *w = r->procs[i].threads[j].wait;
			if (!w)
				continue;
			for (size_t k = 0; k < w->nobjects; k++)
				free(w->objects[k].peers);
			free(w->objects);
			free(w->chain);
			free(w);
		}
		free(r->procs[i].threads);
	}
	free(r->procs);
	pi_buf_free(&r->buf);
	pi_buf_free(&r->link);
	free(r->index);
	free(r->locks);
	free(r->peers);
	pi_sockdiag_close(r->diag);
	for (size_t i = 0; i < r->nnetns_diags; i++)
		pi_sockdiag_close(r->netns_diags[i].diag);
	free(r->netns_diags);
}

/* --- The scan of every process. -------------------------------------------- */

/* Might every thread of process pid be waiting, with no timeout, on
 * another process? A quick look (each thread's syscall file, and only
 * until one is not) that most processes fail at their first thread; the
 * few that pass are read in full. */
static bool might_be_stuck(struct run *r, pid_t pid, int **tids, size_t *tids_cap)
{
	int procfd = pi_proc_open(pid);
	size_t n;
	bool cut, maybe = false;
	if (procfd < 0)
		return false;
	if (pi_proc_list_ids(procfd, "task", MAX_CHAIN_THREADS, tids, &n, tids_cap, &cut) == 0 && !cut && n) {
		maybe = true;
		for (size_t i = 0; maybe && i < n; i++) {
			char name[48];
			struct pi_syscall sc;
			snprintf(name, sizeof name, "task/%d/syscall", (*tids)[i]);
			maybe = pi_read_at(procfd, name, &r->buf) == 0
				&& pi_syscall_parse(r->buf.data, r->buf.len, &sc) == 0
				&& pi_waits_blocks_forever(&sc);
		}
	}
	close(procfd);
	return maybe;
}

/* Tarjan's strongly connected components over the stuck processes, each
 * waiting on its wait objects' peers. */
struct tarjan {
	struct run *r;
	int *index, *low, *stack;
	bool *on_stack;
	size_t nstack;
	int next;
	struct pi_waits_scan *out;
};

static size_t proc_slot(const struct run *r, pid_t pid)
{
	for (size_t i = 0; i < r->nprocs; i++)
		if (r->procs[i].pid == pid)
			return i;
	return SIZE_MAX;
}

static void add_cycle(struct tarjan *tj, const size_t *members, size_t n)
{
	struct pi_waits_scan *out = tj->out;
	pi_xgrow(&out->deadlocks, &out->deadlocks_cap, out->ndeadlocks + 1, sizeof *out->deadlocks);
	struct pi_cross_deadlock *d = &out->deadlocks[out->ndeadlocks++];
	d->steps = pi_xcalloc(n, sizeof *d->steps);
	d->nsteps = n;
	for (size_t i = 0; i < n; i++) {
		const struct visited *v = &tj->r->procs[members[n - 1 - i]];
		const struct pi_thread *t = NULL;
		for (size_t j = 0; !t && j < v->nthreads; j++)
			if (v->threads[j].wait)
				t = &v->threads[j];
		set_step(tj->r, &d->steps[i], v->pid, t);
	}
}

/* Recursion depth is bounded by the number of stuck processes, each a
 * frame of a few words. */
static void strongconnect(struct tarjan *tj, size_t v)
{
	struct run *r = tj->r;
	tj->index[v] = tj->low[v] = tj->next++;
	tj->stack[tj->nstack++] = (int)v;
	tj->on_stack[v] = true;
	const struct visited *p = &r->procs[v];
	bool self_loop = false;
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct pi_wait_for *w = p->threads[i].wait;
		for (size_t j = 0; w && j < w->nobjects; j++)
			for (size_t k = 0; k < w->objects[j].npeers; k++) {
				size_t u = proc_slot(r, w->objects[j].peers[k].pid);
				if (u == SIZE_MAX || !r->procs[u].stuck)
					continue;
				if (u == v) {
					self_loop = true;
				} else if (tj->index[u] < 0) {
					strongconnect(tj, u);
					if (tj->low[u] < tj->low[v])
						tj->low[v] = tj->low[u];
				} else if (tj->on_stack[u] && tj->index[u] < tj->low[v]) {
					tj->low[v] = tj->index[u];
				}
			}
	}
	if (tj->low[v] != tj->index[v])
		return;
	size_t start = tj->nstack;
	do
		start--;
	while ((size_t)tj->stack[start] != v);
	size_t n = tj->nstack - start;
	size_t *members = pi_xmalloc(n * sizeof *members);
	for (size_t i = 0; i < n; i++) {
		members[i] = (size_t)tj->stack[start + i];
		tj->on_stack[members[i]] = false;
	}
	tj->nstack = start;
	if (n > 1 || self_loop)
		add_cycle(tj, members, n);
	free(members);
}

int pi_scan_waits(const struct pi_deadline *deadline, struct pi_waits_scan *out)
{
	return pi_scan_waits_among(NULL, 0, deadline, out);
}

int pi_scan_waits_among(const pid_t *among, size_t namong, const struct pi_deadline *deadline,
			struct pi_waits_scan *out)
{
	struct pi_process scratch;
	memset(&scratch, 0, sizeof scratch);
	memset(out, 0, sizeof *out);
	scratch.pid = -1;
	if (deadline)
		scratch.deadline = *deadline;
	struct run r = { .target = &scratch, .max_procs = MAX_PROCESSES };

	int root = pi_proc_open_root();
	if (root < 0)
		return root;
	int *pids = NULL, *tids = NULL;
	size_t npids = 0, pids_cap = 0, tids_cap = 0;
	bool cut;
	int err = 0;
	if (among) {
		pids = pi_xmalloc((namong ? namong : 1) * sizeof *pids);
		for (size_t i = 0; i < namong; i++)
			pids[npids++] = among[i];
	} else {
		err = pi_proc_list_ids(root, ".", MAX_PROCESSES, &pids, &npids, &pids_cap, &cut);
	}
	close(root);
	pid_t self = getpid();
	for (size_t i = 0; !err && i < npids; i++) {
		if (pi_deadline_passed(&scratch.deadline)) {
			out->err = -PI_ERR_TIMEOUT;
			break;
		}
		if (pids[i] != self && might_be_stuck(&r, pids[i], &tids, &tids_cap))
			visit(&r, pids[i]);
	}
	free(pids);
	free(tids);
	out->processes_read = r.nprocs;
	if (!out->err && r.index_err)
		out->err = r.index_err;

	find_stuck(&r);
	struct tarjan tj = { .r = &r, .out = out };
	size_t n = r.nprocs;
	tj.index = pi_xmalloc((n ? n : 1) * sizeof *tj.index);
	tj.low = pi_xmalloc((n ? n : 1) * sizeof *tj.low);
	tj.stack = pi_xmalloc((n ? n : 1) * sizeof *tj.stack);
	tj.on_stack = pi_xcalloc(n ? n : 1, sizeof *tj.on_stack);
	for (size_t i = 0; i < n; i++)
		tj.index[i] = -1;
	for (size_t i = 0; i < n; i++)
		if (r.procs[i].stuck && tj.index[i] < 0)
			strongconnect(&tj, i);
	free(tj.index);
	free(tj.low);
	free(tj.stack);
	free(tj.on_stack);

	run_free(&r, 0);
	out->strings = scratch.strings;	/* the steps' strings */
	free(scratch.waits_netns);
	return err;
}

void pi_waits_scan_free(struct pi_waits_scan *s)
{
	for (size_t i = 0; i < s->ndeadlocks; i++)
		free(s->deadlocks[i].steps);
	free(s->deadlocks);
	pi_strpool_free(&s->strings);
	memset(s, 0, sizeof *s);
}

/* --- One task at a time, for a table's column. ----------------------------- */

struct pi_waits_session {
	struct pi_process scratch;	/* the strings, the budget */
	struct run r;
	struct ctx c;			/* the last process asked about (-1: none) */
	struct pi_thread *tasks;	/* the tasks asked about, their waits kept */
	size_t ntasks, tasks_cap;
	/* The threads of c's process, by TID alone: a wait4 in any of them
	 * reaps the children of all (each thread's children file lists only
	 * those it forked). */
	struct pi_thread *siblings;
	size_t nsiblings;
};

struct pi_waits_session *pi_waits_session_new(double timeout_seconds)
{
	struct pi_waits_session *s = pi_xcalloc(1, sizeof *s);
	s->scratch.pid = -1;
	pi_deadline_start(&s->scratch.deadline, timeout_seconds);
	s->r.target = &s->scratch;
	s->r.max_procs = MAX_CHAIN_PROCESSES;
	s->c.procfd = -1;
	return s;
}

static void session_leave_process(struct pi_waits_session *s)
{
	if (s->c.procfd >= 0)
		close(s->c.procfd);
	pi_waits_ctx_free(&s->c);
	memset(&s->c, 0, sizeof s->c);
	s->c.procfd = -1;
	free(s->siblings);
	s->siblings = NULL;
	s->nsiblings = 0;
}

/* The threads of the session's process, by TID (bounded; none when the
 * list cannot be read: then the thread asked about stands alone). */
static void read_siblings(struct pi_waits_session *s)
{
	int *tids = NULL;
	size_t n = 0, cap = 0;
	bool cut;
	if (pi_proc_list_ids(s->c.procfd, "task", MAX_CHAIN_THREADS, &tids, &n, &cap, &cut) == 0 && n) {
		s->siblings = pi_xcalloc(n, sizeof *s->siblings);
		for (size_t i = 0; i < n; i++)
			s->siblings[i].facts.tid = tids[i];
		s->nsiblings = n;
	}
	free(tids);
}

void pi_waits_session_free(struct pi_waits_session *s)
{
	if (!s)
		return;
	session_leave_process(s);
	for (size_t i = 0; i < s->ntasks; i++) {
		struct pi_wait_for *w = s->tasks[i].wait;
		if (!w)
			continue;
		for (size_t k = 0; k < w->nobjects; k++)
			free(w->objects[k].peers);
		free(w->objects);
		free(w);
	}
	free(s->tasks);
	run_free(&s->r, 0);
	pi_strpool_free(&s->scratch.strings);
	free(s->scratch.waits_netns);
	free(s);
}

const struct pi_wait_for *pi_waits_session_task(struct pi_waits_session *s, pid_t pid, pid_t tid)
{
	for (size_t i = 0; i < s->ntasks; i++)
		if (s->tasks[i].facts.tid == tid)
			return s->tasks[i].wait;
	if (s->ntasks >= MAX_SESSION_TASKS)
		return NULL;
	/* Rows come grouped by process: one process's directory and socket
	 * tables serve all its threads. */
	if (s->c.procfd < 0 || s->c.pid != pid) {
		session_leave_process(s);
		int procfd = pi_proc_open(pid);
		if (procfd < 0)
			return NULL;
		s->c.r = &s->r;
		s->c.pid = pid;
		s->c.procfd = procfd;
		s->c.abi = PI_ABI_NATIVE;
		if (pi_exe_abi(procfd, &s->c.abi) != 0)
			s->c.abi = PI_ABI_NATIVE;
		read_siblings(s);
	}
	pi_xgrow(&s->tasks, &s->tasks_cap, s->ntasks + 1, sizeof *s->tasks);
	struct pi_thread *t = &s->tasks[s->ntasks++];
	memset(t, 0, sizeof *t);
	t->facts.tid = tid;
	struct pi_stat st;
	char wchan[PI_WCHAN_MAX];
	struct run *r = &s->r;
	int taskfd = pi_proc_open_task(pid, tid);
	if (taskfd < 0)
		return NULL;
	t->stat_err = pi_read_at(taskfd, "stat", &r->buf);
	if (!t->stat_err)
		t->stat_err = pi_stat_parse(r->buf.data, r->buf.len, &st);
	if (!t->stat_err) {
		t->facts.state = st.state;
		pi_facts_set_comm(&t->facts, st.comm);
		t->facts.known |= PI_FACT_STAT;
	}
	t->syscall_err = pi_read_at(taskfd, "syscall", &r->buf);
	if (!t->syscall_err)
		t->syscall_err = pi_syscall_parse(r->buf.data, r->buf.len, &t->syscall);
	t->wchan_err = pi_read_at(taskfd, "wchan", &r->buf);
	if (!t->wchan_err)
		t->wchan_err = pi_wchan_parse(r->buf.data, r->buf.len, wchan, sizeof wchan);
	t->facts.wchan = t->wchan_err ? NULL : pi_strpool_intern(&s->scratch.strings, wchan);
	pi_fact_set_known(&t->facts, PI_FACT_WCHAN, !t->wchan_err);
	close(taskfd);
	t->wait = s->nsiblings ? pi_waits_thread(&s->c, t, s->siblings, s->nsiblings) : pi_waits_thread(&s->c, t, t, 1);
	fill_peers(r, t->wait, pid);
	return t->wait;
}
