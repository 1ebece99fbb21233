#include "analysis/locks.h"

#include <inttypes.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/findings.h"
#include "util/deadline.h"
#include "util/escape.h"
#include "util/xalloc.h"

enum {
	/* struct pthread is smaller than this (2,368 bytes in Debian 12's glibc,
	 * its tid field at 720, says its _thread_db_sizeof_pthread):
	 * a join's futex (its tid field) lies within it. */
	PTHREAD_DESCRIPTOR_MAX = 4096,
	FUTEX_TID = 0x3fffffff,
	/* pthread_mutex_t.__kind: the type (2 bits) and these flags. */
	MUTEX_ROBUST = 16,
	MUTEX_PRIO_INHERIT = 32,
	MUTEX_PRIO_PROTECT = 64,
	MUTEX_PSHARED = 128,
	MUTEX_ELISION = 256,
	MUTEX_NO_ELISION = 512,
};

const char *pi_lock_kind_name(enum pi_lock_kind kind)
{
	switch (kind) {
	case PI_LOCK_MUTEX: return "mutex";
	case PI_LOCK_PI_MUTEX: return "pi_mutex";
	case PI_LOCK_NOT_MUTEX: return "not_a_mutex";
	case PI_LOCK_DEADLOCK_TRAP: return "deadlock_trap";
	case PI_LOCK_UNKNOWN: return "unknown";
	case PI_LOCK_JOIN: return "join";
	default: return "none";
	}
}

const char *pi_futex_op_name(unsigned op)
{
	switch (op) {
	case FUTEX_WAIT: return "FUTEX_WAIT";
	case FUTEX_WAIT_BITSET: return "FUTEX_WAIT_BITSET";
	case FUTEX_LOCK_PI: return "FUTEX_LOCK_PI";
	case FUTEX_LOCK_PI2: return "FUTEX_LOCK_PI2";
	case FUTEX_WAIT_REQUEUE_PI: return "FUTEX_WAIT_REQUEUE_PI";
	default: return "FUTEX_?";
	}
}

static bool valid_mutex_kind(int32_t kind)
{
	const int32_t flags = 3 | MUTEX_ROBUST | MUTEX_PRIO_INHERIT | MUTEX_PRIO_PROTECT
			      | MUTEX_PSHARED | MUTEX_ELISION | MUTEX_NO_ELISION;
	return kind >= 0 && (kind & ~flags) == 0;
}

/* Numbers to indices, looked up by binary search: the analysis asks
 * "which thread is TID x?" once or twice per thread, and a linear search
 * each time made ten thousand threads cost minutes. */
struct tid_entry {
	pid_t key;
	uint32_t index;
};

struct tid_index {
	struct tid_entry *v;
	size_t n;
};

static int by_key_then_index(const void *a, const void *b)
{
	const struct tid_entry *x = a, *y = b;
	if (x->key != y->key)
		return (x->key > y->key) - (x->key < y->key);
	return (x->index > y->index) - (x->index < y->index);
}

static void index_sort(struct tid_index *ix)
{
	if (ix->n)
		qsort(ix->v, ix->n, sizeof *ix->v, by_key_then_index);
}

/* The first index (as a linear search would find it) with this key, or
 * -1. */
static long index_find(const struct tid_index *ix, pid_t key)
{
	size_t lo = 0, hi = ix->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->v[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n && ix->v[lo].key == key ? (long)ix->v[lo].index : -1;
}

/* What one analysis looks up, built once. */
struct lookup {
	struct tid_index threads;	/* TID -> index in p->threads */
	struct tid_index ns_threads;	/* in a PID namespace of its own: its number -> index */
	bool own_namespace;
	struct tid_index others;	/* TID -> index in p->other_tasks (those read) */
	struct tid_index pi_holders;	/* TIDs holding a priority-inheritance lock */
	long *next;			/* the wait-for graph: the thread each one waits for, or -1 */
};

static void lookup_build(struct lookup *l, const struct pi_process *p)
{
	size_t n = p->nthreads;
	memset(l, 0, sizeof *l);
	l->threads.v = pi_xcalloc(n ? n : 1, sizeof *l->threads.v);
	for (size_t i = 0; i < n; i++)
		l->threads.v[l->threads.n++] = (struct tid_entry){ p->threads[i].facts.tid, (uint32_t)i };
	index_sort(&l->threads);
	/* As pi_process_global_tid decides it. */
	l->own_namespace = !p->status_err && p->status.nspid_levels > 1;
	if (l->own_namespace) {
		l->ns_threads.v = pi_xcalloc(n ? n : 1, sizeof *l->ns_threads.v);
		for (size_t i = 0; i < n; i++)
			if (!p->threads[i].status_err)
				l->ns_threads.v[l->ns_threads.n++] =
					(struct tid_entry){ p->threads[i].status.ns_tid, (uint32_t)i };
		index_sort(&l->ns_threads);
	}
	l->others.v = pi_xcalloc(p->nother_tasks ? p->nother_tasks : 1, sizeof *l->others.v);
	for (size_t i = 0; i < p->nother_tasks; i++)
		if (!p->other_tasks[i].err)
			l->others.v[l->others.n++] = (struct tid_entry){ p->other_tasks[i].tid, (uint32_t)i };
	index_sort(&l->others);
	l->next = pi_xcalloc(n ? n : 1, sizeof *l->next);
}

static void lookup_free(struct lookup *l)
{
	free(l->threads.v);
	free(l->ns_threads.v);
	free(l->others.v);
	free(l->pi_holders.v);
	free(l->next);
}

static long index_of(const struct lookup *l, pid_t tid)
{
	return index_find(&l->threads, tid);
}

/* pi_process_global_tid, by lookup. */
static pid_t global_tid(const struct pi_process *p, const struct lookup *l, pid_t ns_tid)
{
	if (!l->own_namespace || ns_tid <= 0)
		return ns_tid;
	long i = index_find(&l->ns_threads, ns_tid);
	return i >= 0 ? p->threads[i].facts.tid : 0;
}

static const struct pi_other_task *other_task(const struct pi_process *p, const struct lookup *l,
					      pid_t tid)
{
	long i = index_find(&l->others, tid);
	return i >= 0 ? &p->other_tasks[i] : NULL;
}

/* An owner field is believed only when it names a thread that lives: in
 * this process, or (for a shared lock) in another one. */
static bool live_owner(const struct pi_process *p, const struct lookup *l, pid_t tid, bool shared)
{
	long i = tid > 0 ? index_of(l, tid) : -1;
	if (i >= 0)
		return p->threads[i].stat_err || p->threads[i].facts.state != 'Z';
	const struct pi_other_task *o = shared && tid > 0 ? other_task(p, l, tid) : NULL;
	return o && o->state != 'Z' && o->state != 'X';
}

/* The TIDs that hold a priority-inheritance lock: a named one, or one a
 * thread waits for. */
static void find_pi_holders(const struct pi_process *p, struct lookup *l)
{
	size_t cap = 0;
	for (size_t i = 0; i < p->nheld_locks; i++)
		if (p->held_locks[i].pi) {
			pi_xgrow(&l->pi_holders.v, &cap, l->pi_holders.n + 1, sizeof *l->pi_holders.v);
			l->pi_holders.v[l->pi_holders.n++] = (struct tid_entry){ p->held_locks[i].owner, 0 };
		}
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct pi_futex *f = &p->threads[i].futex;
		if (f->kind == PI_LOCK_PI_MUTEX) {
			pi_xgrow(&l->pi_holders.v, &cap, l->pi_holders.n + 1, sizeof *l->pi_holders.v);
			l->pi_holders.v[l->pi_holders.n++] = (struct tid_entry){ f->owner, 0 };
		}
	}
	index_sort(&l->pi_holders);
}

static bool holds_pi_lock(const struct lookup *l, pid_t tid)
{
	return index_find(&l->pi_holders, tid) >= 0;
}

pid_t pi_futex_named_owner(const struct pi_futex *f, enum pi_lock_kind *kind)
{
	*kind = PI_LOCK_NONE;
	if (!f->waiting)
		return 0;
	if (f->read_err) {
		*kind = PI_LOCK_UNKNOWN;
		return 0;
	}
	switch (f->op) {
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
		/* The kernel keeps the owner's TID in the word itself. */
		*kind = PI_LOCK_PI_MUTEX;
		return (pid_t)(f->word & FUTEX_TID);
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		/* A glibc mutex waiter sets the word to 2 ("locked, with
		 * waiters") and sleeps while it stays 2; the holder's TID is
		 * in __owner, and the mutex's type and flags in __kind. A
		 * condition variable or a semaphore has none of this. */
		if (f->expected == 2 && (f->word == 1 || f->word == 2) && f->nusers >= 1
		    && valid_mutex_kind(f->mutex_kind) && !(f->mutex_kind & MUTEX_PRIO_INHERIT)
		    && f->owner_field > 0) {
			*kind = PI_LOCK_MUTEX;
			return f->owner_field;
		}
		*kind = PI_LOCK_NOT_MUTEX;
		return 0;
	default:
		*kind = PI_LOCK_NOT_MUTEX;
		return 0;
	}
}

/* What a futex wait is: the words' verdict, and an owner only when it is
 * a thread that lives. */
static void classify(const struct pi_process *p, const struct lookup *l, struct pi_thread *t)
{
	struct pi_futex *f = &t->futex;
	/* The words hold the owner's number as the process sees it. */
	pid_t owner = global_tid(p, l, pi_futex_named_owner(f, &f->kind));
	bool alive = owner > 0 && live_owner(p, l, owner, !f->private_op);

	f->owner = alive ? owner : 0;
	/* A mutex whose __owner names no live thread is not believed to be
	 * one (a PI word's TID is the kernel's, so the lock stays a lock). */
	if (f->kind == PI_LOCK_MUTEX && !alive)
		f->kind = PI_LOCK_NOT_MUTEX;
	/* pthread_join sleeps on the joined thread's TID field, which the
	 * kernel clears (and wakes, shared) when that thread exits: a shared
	 * wait whose word and expected value are the TID of another live
	 * thread of the process, at an address inside that thread's own
	 * descriptor (struct pthread, which its thread pointer points at).
	 * Without the thread pointer (no stacks read) a small shared futex
	 * value that happens to be a TID is not taken for a join. */
	if (f->kind == PI_LOCK_NOT_MUTEX && !f->private_op && (f->op == FUTEX_WAIT || f->op == FUTEX_WAIT_BITSET)
	    && f->word == f->expected && f->word > 0 && f->word <= INT32_MAX) {
		pid_t joined = global_tid(p, l, (pid_t)f->word);
		long at = joined != t->facts.tid ? index_of(l, joined) : -1;
		const struct pi_tls *tls = at >= 0 ? &p->threads[at].tls : NULL;
		if (tls && !tls->err && tls->fs_base && f->addr > tls->fs_base
		    && f->addr - tls->fs_base < PTHREAD_DESCRIPTOR_MAX) {
			f->kind = PI_LOCK_JOIN;
			f->owner = joined;
		}
	}
}

/* glibc answers the kernel's EDEADLK on a priority-inheritance lock by
 * parking the thread for good: a wait on a zero word of its own stack.
 * That thread holds a priority-inheritance lock somebody waits for. */
static void find_deadlock_traps(struct pi_process *p, const struct lookup *l)
{
	for (size_t i = 0; i < p->nthreads; i++) {
		struct pi_thread *t = &p->threads[i];
		struct pi_futex *f = &t->futex;
		if (f->kind == PI_LOCK_NOT_MUTEX && f->own_stack && f->expected == 0 && f->word == 0
		    && holds_pi_lock(l, t->facts.tid))
			f->kind = PI_LOCK_DEADLOCK_TRAP;
	}
}

/* The wait-for graph: each thread waits for at most one other. */
static long next_of(const struct pi_process *p, const struct lookup *l, size_t i)
{
	const struct pi_futex *f = &p->threads[i].futex;
	if ((f->kind == PI_LOCK_MUTEX || f->kind == PI_LOCK_PI_MUTEX || f->kind == PI_LOCK_DEADLOCK_TRAP
	     || f->kind == PI_LOCK_JOIN)
	    && f->owner > 0)
		return index_of(l, f->owner);
	return -1;
}

static void build_graph(const struct pi_process *p, struct lookup *l)
{
	for (size_t i = 0; i < p->nthreads; i++)
		l->next[i] = next_of(p, l, i);
}

/* Where each thread's walk along the graph ends: the last thread of the
 * walk (end[i], at depth[i] threads from i, counting both), or -1 when
 * it comes to a cycle. Each thread is walked once: a walk stops at a
 * thread already known. */
static void find_ends(const struct pi_process *p, const struct lookup *l, long *end, size_t *depth)
{
	size_t n = p->nthreads;
	unsigned char *state = pi_xcalloc(n ? n : 1, 1);	/* 0 new, 1 on this walk, 2 known */
	long *walk = pi_xcalloc(n ? n : 1, sizeof *walk);
	for (size_t s = 0; s < n; s++) {
		size_t len = 0;
		long at = (long)s;
		while (at >= 0 && state[at] == 0) {
			state[at] = 1;
			walk[len++] = at;
			at = l->next[at];
		}
		long e;
		size_t d;
		if (at < 0) {		/* the walk's last thread waits for nobody here */
			e = walk[len - 1];
			d = 0;
		} else if (state[at] == 1) {	/* it came back onto itself */
			e = -1;
			d = 0;
		} else {
			e = end[at];
			d = depth[at];
		}
		while (len > 0) {
			long k = walk[--len];
			end[k] = e;
			depth[k] = ++d;
			state[k] = 2;
		}
	}
	free(state);
	free(walk);
}

/* A trapped thread wanted a priority-inheritance lock whose holder waits,
 * directly or not, for it (that is what the kernel found): such a lock.
 * A trapped thread waits for nobody yet, so a walk that reaches it ends
 * there; and giving it its lock closes a cycle through the walks that
 * ended at it, which leaves every other walk's end as it was. So the ends
 * are found once, before any trap is resolved. */
static void resolve_traps(struct pi_process *p, const struct lookup *l)
{
	size_t n = p->nthreads;
	bool any = false;
	for (size_t i = 0; i < n && !any; i++)
		any = p->threads[i].futex.kind == PI_LOCK_DEADLOCK_TRAP;
	if (!any)
		return;
	long *end = pi_xcalloc(n, sizeof *end);
	size_t *depth = pi_xcalloc(n, sizeof *depth);
	find_ends(p, l, end, depth);
	for (size_t i = 0; i < n; i++) {
		struct pi_futex *f = &p->threads[i].futex;
		if (f->kind != PI_LOCK_DEADLOCK_TRAP)
			continue;
		for (size_t k = 0; k < p->nheld_locks && !f->owner; k++) {
			const struct pi_held_lock *h = &p->held_locks[k];
			/* It wanted a lock someone else holds. */
			long at = h->pi && h->owner != p->threads[i].facts.tid ? index_of(l, h->owner) : -1;
			if (at >= 0 && end[at] == (long)i) {
				f->owner = h->owner;
				f->symbol = h->symbol;
				f->addr = h->addr;
			}
		}
	}
	free(end);
	free(depth);
}

static void put_thread(struct pi_buf *b, const struct pi_process *p, const struct pi_thread *t)
{
	const char *comm = pi_thread_comm(p, t);
	pi_buf_printf(b, "thread %d (", (int)t->facts.tid);
	if (comm)
		pi_escape_text(b, comm, strlen(comm));
	pi_buf_puts(b, ")");
}

static void put_lock(struct pi_buf *b, const struct pi_futex *f)
{
	pi_buf_puts(b, f->kind == PI_LOCK_PI_MUTEX || f->kind == PI_LOCK_DEADLOCK_TRAP
			       ? "priority-inheritance mutex " : "mutex ");
	if (f->symbol)
		pi_escape_text(b, f->symbol, strlen(f->symbol));
	else
		pi_buf_printf(b, "%#" PRIx64, f->addr);
	if (!f->private_op)
		pi_buf_puts(b, " (shared between processes)");
}

/* What the thread at the end of a chain is doing. */
static void put_doing(struct pi_buf *b, const struct pi_process *p, const struct pi_thread *t)
{
	const char *name = !t->syscall_err && t->syscall.kind == PI_SYSCALL_IN && p->abi_known
				   ? pi_syscall_name(p->abi, t->syscall.nr) : NULL;
	if (t->stat_err) {
		pi_buf_puts(b, "whose state is unknown");
		return;
	}
	switch (t->facts.state) {
	case 'D':
		pi_buf_puts(b, "is in D (uninterruptible)");
		if (t->facts.wchan && *t->facts.wchan)
			pi_buf_printf(b, ", waiting in %s", t->facts.wchan);
		return;
	case 'R':
		pi_buf_puts(b, "is running");
		return;
	case 'T':
	case 't':
		pi_buf_puts(b, "is stopped");
		return;
	case 'Z':
		pi_buf_puts(b, "has exited");
		return;
	}
	if (t->futex.kind == PI_LOCK_NOT_MUTEX)
		pi_buf_printf(b, "waits on a futex at %#" PRIx64 " that records no owner (a condition "
			      "variable, a semaphore, or a lock that keeps none)", t->futex.addr);
	else if (name)
		pi_buf_printf(b, "is asleep in %s()", name);
	else
		pi_buf_puts(b, "is asleep");
}

static void put_other_doing(struct pi_buf *b, const struct pi_process *p,
			    const struct pi_other_task *o)
{
	const char *name = o->syscall_nr >= 0 && p->abi_known ? pi_syscall_name(p->abi, o->syscall_nr) : NULL;
	pi_buf_printf(b, "thread %d (", (int)o->tid);
	pi_escape_text(b, o->comm, strlen(o->comm));
	pi_buf_printf(b, ") of process %d, which ", (int)o->tgid);
	if (o->state == 'D')
		pi_buf_printf(b, "is in D (uninterruptible)%s%s", *o->wchan ? ", waiting in " : "", o->wchan);
	else if (o->state == 'R')
		pi_buf_puts(b, "is running");
	else if (name)
		pi_buf_printf(b, "is asleep in %s()", name);
	else
		pi_buf_printf(b, "is in state %c", o->state);
}

/* The finding's threads, given by index (as size_t or long), added in
 * one allocation rather than one per thread. */
static void set_pids(struct pi_finding *f, const struct pi_process *p, const size_t *by_size,
		     const long *by_long, size_t n)
{
	if (!n)
		return;
	f->pids = pi_xrealloc(f->pids, (f->npids + n) * sizeof *f->pids);
	for (size_t k = 0; k < n; k++)
		f->pids[f->npids++] = p->threads[by_size ? by_size[k] : (size_t)by_long[k]].facts.tid;
}

static void report_cycle(struct pi_process *p, const long *cycle, size_t n)
{
	struct pi_buf m = PI_BUF_INIT;
	pi_buf_printf(&m, "%zu threads wait for each other: ", n);
	for (size_t k = 0; k < n; k++) {
		const struct pi_thread *t = &p->threads[cycle[k]];
		const struct pi_thread *owner = &p->threads[cycle[(k + 1) % n]];
		if (k)
			pi_buf_puts(&m, "; ");
		put_thread(&m, p, t);
		if (t->futex.kind == PI_LOCK_JOIN) {
			pi_buf_puts(&m, " joins ");
			put_thread(&m, p, owner);
			pi_buf_puts(&m, " (pthread_join: waits for it to exit)");
		} else if (t->futex.kind == PI_LOCK_DEADLOCK_TRAP) {
			pi_buf_puts(&m, " was refused ");
			put_lock(&m, &t->futex);
			pi_buf_puts(&m, ", held by ");
			put_thread(&m, p, owner);
			pi_buf_puts(&m, ", by the kernel (EDEADLK), and glibc parks it for good");
		} else {
			pi_buf_puts(&m, " waits for ");
			put_lock(&m, &t->futex);
			pi_buf_puts(&m, ", held by ");
			put_thread(&m, p, owner);
		}
	}
	struct pi_finding *f = pi_findings_add(p, PI_FIND_DEADLOCK, p->threads[cycle[0]].facts.tid, -1, &m);
	/* In one allocation: thousands of threads may be in it. */
	set_pids(f, p, (const size_t *)NULL, cycle, n);
}

/* A thread that waits for a lock held outside the process (or by a thread
 * that could not be read). */
static bool waits_outside(const struct pi_process *p, const struct lookup *l, size_t i)
{
	return p->threads[i].futex.owner > 0 && l->next[i] < 0;
}

/* The chain from thread start to its end (the longest one that ends at
 * root), and the threads waiting on it (members[0..nmembers), by index). */
static void report_chain(struct pi_process *p, const struct lookup *l, size_t start, size_t root,
			 const size_t *members, size_t nmembers)
{
	struct pi_buf m = PI_BUF_INIT;

	put_thread(&m, p, &p->threads[start]);
	for (size_t at = start;;) {
		const struct pi_thread *t = &p->threads[at];
		if (t->futex.kind == PI_LOCK_JOIN) {
			pi_buf_puts(&m, " joins (waits in pthread_join for the exit of) ");
		} else {
			pi_buf_puts(&m, " waits for ");
			put_lock(&m, &t->futex);
			pi_buf_puts(&m, " held by ");
		}
		long next = l->next[at];
		if (next < 0) {
			const struct pi_other_task *o = other_task(p, l, t->futex.owner);
			if (o)
				put_other_doing(&m, p, o);
			else
				pi_buf_printf(&m, "thread %d, which could not be read", (int)t->futex.owner);
			break;
		}
		put_thread(&m, p, &p->threads[next]);
		pi_buf_puts(&m, ", which");
		if (!waits_outside(p, l, (size_t)next) && l->next[next] < 0) {
			pi_buf_putc(&m, ' ');
			put_doing(&m, p, &p->threads[next]);
			break;
		}
		at = (size_t)next;
	}
	if (nmembers > 1)
		pi_buf_printf(&m, " (%zu threads wait on this chain)", nmembers);
	struct pi_finding *f = pi_findings_add(p, PI_FIND_WAIT_CHAIN, p->threads[root].facts.tid, -1, &m);
	set_pids(f, p, members, NULL, nmembers);
}

/* The budget (--timeout) ran out: what is left is not analysed, and the
 * snapshot says so. */
static bool out_of_time(struct pi_process *p)
{
	if (!pi_deadline_passed(&p->deadline))
		return false;
	p->locks_cut = true;
	return true;
}

/* Cycles: follow each thread's single edge; a walk that comes back to a
 * thread of its own walk has found one. */
static void find_cycles(struct pi_process *p, const struct lookup *l, bool *in_cycle)
{
	size_t n = p->nthreads;
	unsigned char *color = pi_xcalloc(n, 1);	/* 0 new, 1 on this walk, 2 done */
	long *walk = pi_xcalloc(n + 1, sizeof *walk);
	for (size_t s = 0; s < n && !out_of_time(p); s++) {
		size_t len = 0;
		long at = (long)s;
		while (at >= 0 && color[at] == 0) {
			color[at] = 1;
			walk[len++] = at;
			at = l->next[at];
		}
		if (at >= 0 && color[at] == 1) {
			size_t first = 0;
			while (walk[first] != at)
				first++;
			for (size_t k = first; k < len; k++)
				in_cycle[walk[k]] = true;
			report_cycle(p, walk + first, len - first);
		}
		for (size_t k = 0; k < len; k++)
			color[walk[k]] = 2;
	}
	free(color);
	free(walk);
}

/* Chains: each waiting thread outside a cycle ends at a root that waits
 * for nobody (or for a thread of another process). Each root is reported
 * once, from the farthest thread that waits on it. */
static void find_chains(struct pi_process *p, const struct lookup *l)
{
	size_t n = p->nthreads;
	long *end = pi_xcalloc(n, sizeof *end);
	size_t *depth = pi_xcalloc(n, sizeof *depth);
	long *feeds = pi_xcalloc(n, sizeof *feeds);	/* the root a thread ends at, or -1 */
	size_t *count = pi_xcalloc(n + 1, sizeof *count);
	size_t *longest = pi_xcalloc(n, sizeof *longest);
	size_t *members = pi_xcalloc(n, sizeof *members);

	find_ends(p, l, end, depth);
	for (size_t i = 0; i < n; i++)
		longest[i] = n;
	for (size_t i = 0; i < n; i++) {
		const struct pi_futex *f = &p->threads[i].futex;
		feeds[i] = -1;
		if (f->owner <= 0 || (f->kind != PI_LOCK_MUTEX && f->kind != PI_LOCK_PI_MUTEX))
			continue;
		/* A walk that ends at -1 waits, through others, on a cycle. */
		long root = end[i];
		if (root < 0 || ((size_t)root == i && !waits_outside(p, l, i)))
			continue;
		feeds[i] = root;
		count[root]++;
		if (longest[root] == n || depth[i] > depth[longest[root]])
			longest[root] = i;
	}
	/* Each root's waiters, in thread order. */
	size_t *at = pi_xcalloc(n + 1, sizeof *at);
	for (size_t r = 0; r < n; r++)
		at[r + 1] = at[r] + count[r];
	size_t *fill = pi_xcalloc(n, sizeof *fill);
	for (size_t i = 0; i < n; i++)
		if (feeds[i] >= 0)
			members[at[feeds[i]] + fill[feeds[i]]++] = i;
	for (size_t root = 0; root < n && !out_of_time(p); root++)
		if (longest[root] != n)
			report_chain(p, l, longest[root], root, members + at[root], count[root]);
	free(end);
	free(depth);
	free(feeds);
	free(count);
	free(longest);
	free(members);
	free(at);
	free(fill);
}

void pi_locks_analyze(struct pi_process *p)
{
	size_t n = p->nthreads;
	if (!p->locks_collected || !n)
		return;
	struct lookup l;
	lookup_build(&l, p);
	for (size_t i = 0; i < n; i++)
		classify(p, &l, &p->threads[i]);
	find_pi_holders(p, &l);
	find_deadlock_traps(p, &l);
	build_graph(p, &l);
	resolve_traps(p, &l);
	/* The traps given their lock now wait for someone. */
	build_graph(p, &l);

	bool *in_cycle = pi_xcalloc(n, sizeof *in_cycle);
	if (!out_of_time(p))
		find_cycles(p, &l, in_cycle);
	if (!out_of_time(p))
		find_chains(p, &l);
	free(in_cycle);
	lookup_free(&l);
}
