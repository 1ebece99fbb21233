#include "analysis/locks.h"

#include <inttypes.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/findings.h"
#include "util/escape.h"
#include "util/xalloc.h"

enum {
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

static long index_of(const struct pi_process *p, pid_t tid)
{
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].tid == tid)
			return (long)i;
	return -1;
}

static const struct pi_other_task *other_task(const struct pi_process *p, pid_t tid)
{
	for (size_t i = 0; i < p->nother_tasks; i++)
		if (p->other_tasks[i].tid == tid && !p->other_tasks[i].err)
			return &p->other_tasks[i];
	return NULL;
}

/* An owner field is believed only when it names a thread that lives: in
 * this process, or (for a shared lock) in another one. */
static bool live_owner(const struct pi_process *p, pid_t tid, bool shared)
{
	long i = tid > 0 ? index_of(p, tid) : -1;
	if (i >= 0)
		return p->threads[i].stat_err || p->threads[i].stat.state != 'Z';
	const struct pi_other_task *o = shared && tid > 0 ? other_task(p, tid) : NULL;
	return o && o->state != 'Z' && o->state != 'X';
}

static bool holds_pi_lock(const struct pi_process *p, pid_t tid)
{
	for (size_t i = 0; i < p->nheld_locks; i++)
		if (p->held_locks[i].pi && p->held_locks[i].owner == tid)
			return true;
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct pi_futex *f = &p->threads[i].futex;
		if (f->kind == PI_LOCK_PI_MUTEX && f->owner == tid)
			return true;
	}
	return false;
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
static void classify(const struct pi_process *p, struct pi_thread *t)
{
	struct pi_futex *f = &t->futex;
	/* The words hold the owner's number as the process sees it. */
	pid_t owner = pi_process_global_tid(p, pi_futex_named_owner(f, &f->kind));
	bool alive = owner > 0 && live_owner(p, owner, !f->private_op);

	f->owner = alive ? owner : 0;
	/* A mutex whose __owner names no live thread is not believed to be
	 * one (a PI word's TID is the kernel's, so the lock stays a lock). */
	if (f->kind == PI_LOCK_MUTEX && !alive)
		f->kind = PI_LOCK_NOT_MUTEX;
}

/* glibc answers the kernel's EDEADLK on a priority-inheritance lock by
 * parking the thread for good: a wait on a zero word of its own stack.
 * That thread holds a priority-inheritance lock somebody waits for. */
static void find_deadlock_traps(struct pi_process *p)
{
	for (size_t i = 0; i < p->nthreads; i++) {
		struct pi_thread *t = &p->threads[i];
		struct pi_futex *f = &t->futex;
		if (f->kind == PI_LOCK_NOT_MUTEX && f->own_stack && f->expected == 0 && f->word == 0
		    && holds_pi_lock(p, t->tid))
			f->kind = PI_LOCK_DEADLOCK_TRAP;
	}
}

/* The wait-for graph: each thread waits for at most one other. */
static long next_of(const struct pi_process *p, size_t i)
{
	const struct pi_futex *f = &p->threads[i].futex;
	if ((f->kind == PI_LOCK_MUTEX || f->kind == PI_LOCK_PI_MUTEX || f->kind == PI_LOCK_DEADLOCK_TRAP)
	    && f->owner > 0)
		return index_of(p, f->owner);
	return -1;
}

/* A trapped thread wanted a priority-inheritance lock whose holder waits,
 * directly or not, for it (that is what the kernel found): such a lock. */
static void resolve_traps(struct pi_process *p)
{
	for (size_t i = 0; i < p->nthreads; i++) {
		struct pi_futex *f = &p->threads[i].futex;
		if (f->kind != PI_LOCK_DEADLOCK_TRAP)
			continue;
		for (size_t k = 0; k < p->nheld_locks && !f->owner; k++) {
			const struct pi_held_lock *h = &p->held_locks[k];
			/* It wanted a lock someone else holds. */
			long at = h->pi && h->owner != p->threads[i].tid ? index_of(p, h->owner) : -1;
			for (size_t steps = 0; at >= 0 && steps <= p->nthreads; steps++) {
				if ((size_t)at == i) {
					f->owner = h->owner;
					f->symbol = h->symbol;
					f->addr = h->addr;
					break;
				}
				at = next_of(p, (size_t)at);
			}
		}
	}
}

static void put_thread(struct pi_buf *b, const struct pi_thread *t)
{
	pi_buf_printf(b, "thread %d (", (int)t->tid);
	if (t->stat.comm)
		pi_escape_text(b, t->stat.comm, strlen(t->stat.comm));
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
	switch (t->stat.state) {
	case 'D':
		pi_buf_puts(b, "is in D (uninterruptible)");
		if (t->wchan && *t->wchan)
			pi_buf_printf(b, ", waiting in %s", t->wchan);
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
		pi_buf_printf(b, "waits on a futex at %#" PRIx64 " that is not a mutex (a condition "
			      "variable, semaphore or the like)", t->futex.addr);
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

static void report_cycle(struct pi_process *p, const long *cycle, size_t n)
{
	struct pi_buf m = PI_BUF_INIT;
	pi_buf_printf(&m, "%zu threads wait for each other: ", n);
	for (size_t k = 0; k < n; k++) {
		const struct pi_thread *t = &p->threads[cycle[k]];
		const struct pi_thread *owner = &p->threads[cycle[(k + 1) % n]];
		if (k)
			pi_buf_puts(&m, "; ");
		put_thread(&m, t);
		if (t->futex.kind == PI_LOCK_DEADLOCK_TRAP) {
			pi_buf_puts(&m, " was refused ");
			put_lock(&m, &t->futex);
			pi_buf_puts(&m, ", held by ");
			put_thread(&m, owner);
			pi_buf_puts(&m, ", by the kernel (EDEADLK), and glibc parks it for good");
		} else {
			pi_buf_puts(&m, " waits for ");
			put_lock(&m, &t->futex);
			pi_buf_puts(&m, ", held by ");
			put_thread(&m, owner);
		}
	}
	struct pi_finding *f = pi_findings_add(p, PI_FIND_DEADLOCK, p->threads[cycle[0]].tid, -1, &m);
	for (size_t k = 0; k < n; k++)
		pi_finding_add_pid(f, p->threads[cycle[k]].tid);
}

/* A thread that waits for a lock held outside the process (or by a thread
 * that could not be read). */
static bool waits_outside(const struct pi_process *p, size_t i)
{
	return p->threads[i].futex.owner > 0 && next_of(p, i) < 0;
}

/* The chain from thread start to its end (the longest one that ends at
 * root), and how many threads wait on it. */
static void report_chain(struct pi_process *p, size_t start, size_t root, const long *feeds)
{
	struct pi_buf m = PI_BUF_INIT;
	size_t waiting = 0;
	for (size_t i = 0; i < p->nthreads; i++)
		if (feeds[i] == (long)root && (i != root || waits_outside(p, root)))
			waiting++;

	put_thread(&m, &p->threads[start]);
	for (size_t at = start;;) {
		const struct pi_thread *t = &p->threads[at];
		pi_buf_puts(&m, " waits for ");
		put_lock(&m, &t->futex);
		pi_buf_puts(&m, " held by ");
		long next = next_of(p, at);
		if (next < 0) {
			const struct pi_other_task *o = other_task(p, t->futex.owner);
			if (o)
				put_other_doing(&m, p, o);
			else
				pi_buf_printf(&m, "thread %d, which could not be read", (int)t->futex.owner);
			break;
		}
		put_thread(&m, &p->threads[next]);
		pi_buf_puts(&m, ", which");
		if (!waits_outside(p, (size_t)next) && next_of(p, (size_t)next) < 0) {
			pi_buf_putc(&m, ' ');
			put_doing(&m, p, &p->threads[next]);
			break;
		}
		at = (size_t)next;
	}
	if (waiting > 1)
		pi_buf_printf(&m, " (%zu threads wait on this chain)", waiting);
	struct pi_finding *f = pi_findings_add(p, PI_FIND_WAIT_CHAIN, p->threads[root].tid, -1, &m);
	for (size_t i = 0; i < p->nthreads; i++)
		if (feeds[i] == (long)root && (i != root || waits_outside(p, root)))
			pi_finding_add_pid(f, p->threads[i].tid);
}

void pi_locks_analyze(struct pi_process *p)
{
	size_t n = p->nthreads;
	if (!p->locks_collected || !n)
		return;
	for (size_t i = 0; i < n; i++)
		classify(p, &p->threads[i]);
	find_deadlock_traps(p);
	resolve_traps(p);

	/* Cycles: follow each thread's single edge; a walk that comes back
	 * to a thread of its own walk has found one. */
	int *color = pi_xcalloc(n, sizeof *color);	/* 0 new, 1 on this walk, 2 done */
	bool *in_cycle = pi_xcalloc(n, sizeof *in_cycle);
	long *walk = pi_xcalloc(n + 1, sizeof *walk);
	for (size_t s = 0; s < n; s++) {
		size_t len = 0;
		long at = (long)s;
		while (at >= 0 && color[at] == 0) {
			color[at] = 1;
			walk[len++] = at;
			at = next_of(p, (size_t)at);
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

	/* Chains: each waiting thread outside a cycle ends at a root that
	 * waits for nobody (or for a thread of another process). */
	long *feeds = pi_xcalloc(n, sizeof *feeds);	/* the root a thread ends at, or -1 */
	size_t *depth = pi_xcalloc(n, sizeof *depth);
	for (size_t i = 0; i < n; i++) {
		feeds[i] = -1;
		if (in_cycle[i] || p->threads[i].futex.owner <= 0
		    || (p->threads[i].futex.kind != PI_LOCK_MUTEX
			&& p->threads[i].futex.kind != PI_LOCK_PI_MUTEX))
			continue;
		long at = (long)i, last = (long)i;
		size_t d = 0;
		while (at >= 0 && !in_cycle[at] && d <= n) {
			last = at;
			at = next_of(p, (size_t)at);
			d++;
		}
		if (at >= 0)	/* it waits, through others, on a cycle */
			continue;
		feeds[i] = last;
		depth[i] = d;
	}
	for (size_t root = 0; root < n; root++) {
		size_t longest = n;
		for (size_t i = 0; i < n; i++)
			if (feeds[i] == (long)root && (i != root || waits_outside(p, root))
			    && (longest == n || depth[i] > depth[longest]))
				longest = i;
		if (longest != n)
			report_chain(p, longest, root, feeds);
	}
	free(color);
	free(in_cycle);
	free(walk);
	free(feeds);
	free(depth);
}
