/* The lock analysis on many threads, and against a reference: the
 * straightforward analysis (a linear search per lookup, every chain walked
 * from every thread), kept here to check the linear one gives the same
 * verdicts on random wait-for graphs. And the time budget: util/deadline,
 * --timeout, and an analysis cut short by it. */
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/analyze.h"
#include "analysis/locks.h"
#include "model.h"
#include "options.h"
#include "unit.h"
#include "util/deadline.h"
#include "util/xalloc.h"

/* A process of n sleeping threads (TIDs 100, 101, ...), locks read. */
static void make(struct pi_process *p, size_t n)
{
	memset(p, 0, sizeof *p);
	p->pid = 100;
	p->abi_known = true;
	p->locks_collected = true;
	p->threads = pi_xcalloc(n ? n : 1, sizeof *p->threads);
	p->nthreads = n;
	for (size_t i = 0; i < n; i++) {
		p->threads[i].facts.tid = (pid_t)(100 + i);
		p->threads[i].facts.state = 'S';
		pi_facts_set_comm(&p->threads[i].facts, "w");
		p->threads[i].facts.known |= PI_FACT_STAT | PI_FACT_WCHAN | PI_FACT_TRACER;
		p->threads[i].facts.wchan = "";
	}
}

static void waits_mutex(struct pi_process *p, size_t i, uint64_t addr, pid_t owner, bool shared)
{
	struct pi_futex *f = &p->threads[i].futex;
	f->waiting = true;
	f->addr = addr;
	f->op = FUTEX_WAIT;
	f->private_op = !shared;
	f->expected = 2;
	f->word = 2;
	f->owner_field = owner;
	f->nusers = 1;
}

static void waits_pi(struct pi_process *p, size_t i, uint64_t addr, pid_t owner)
{
	struct pi_futex *f = &p->threads[i].futex;
	f->waiting = true;
	f->addr = addr;
	f->op = FUTEX_LOCK_PI;
	f->private_op = true;
	f->word = 0x80000000u | (uint32_t)owner;
}

/* What glibc's EDEADLK trap looks like: a wait on a zero word of its own
 * stack. */
static void trapped(struct pi_process *p, size_t i)
{
	struct pi_futex *f = &p->threads[i].futex;
	f->waiting = true;
	f->addr = 0x7000 + i;
	f->op = FUTEX_WAIT_BITSET;
	f->private_op = true;
	f->own_stack = true;
}

/* ---- The reference: the analysis as it was first written. ---- */

struct ref_finding {
	enum pi_finding_kind kind;
	pid_t tid;
	pid_t start;		/* a chain: the farthest thread from its root */
	pid_t pids[64];
	size_t npids;
};

struct ref {
	struct pi_thread *t;	/* a copy of the threads, analysed here */
	size_t n;
	struct ref_finding f[64];
	size_t nf;
};

static long ref_index(const struct ref *r, pid_t tid)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->t[i].facts.tid == tid)
			return (long)i;
	return -1;
}

static bool ref_live(const struct pi_process *p, const struct ref *r, pid_t tid, bool shared)
{
	long i = tid > 0 ? ref_index(r, tid) : -1;
	if (i >= 0)
		return r->t[i].stat_err || r->t[i].facts.state != 'Z';
	for (size_t k = 0; shared && tid > 0 && k < p->nother_tasks; k++)
		if (p->other_tasks[k].tid == tid && !p->other_tasks[k].err)
			return p->other_tasks[k].state != 'Z' && p->other_tasks[k].state != 'X';
	return false;
}

static bool ref_holds_pi(const struct pi_process *p, const struct ref *r, pid_t tid)
{
	for (size_t i = 0; i < p->nheld_locks; i++)
		if (p->held_locks[i].pi && p->held_locks[i].owner == tid)
			return true;
	for (size_t i = 0; i < r->n; i++)
		if (r->t[i].futex.kind == PI_LOCK_PI_MUTEX && r->t[i].futex.owner == tid)
			return true;
	return false;
}

static long ref_next(const struct ref *r, size_t i)
{
	const struct pi_futex *f = &r->t[i].futex;
	if ((f->kind == PI_LOCK_MUTEX || f->kind == PI_LOCK_PI_MUTEX || f->kind == PI_LOCK_DEADLOCK_TRAP)
	    && f->owner > 0)
		return ref_index(r, f->owner);
	return -1;
}

static bool ref_outside(const struct ref *r, size_t i)
{
	return r->t[i].futex.owner > 0 && ref_next(r, i) < 0;
}

static void ref_analyze(const struct pi_process *p, struct ref *r)
{
	size_t n = r->n;
	for (size_t i = 0; i < n; i++) {
		struct pi_futex *f = &r->t[i].futex;
		pid_t owner = pi_process_global_tid(p, pi_futex_named_owner(f, &f->kind));
		bool alive = owner > 0 && ref_live(p, r, owner, !f->private_op);
		f->owner = alive ? owner : 0;
		if (f->kind == PI_LOCK_MUTEX && !alive)
			f->kind = PI_LOCK_NOT_MUTEX;
	}
	for (size_t i = 0; i < n; i++) {
		struct pi_futex *f = &r->t[i].futex;
		if (f->kind == PI_LOCK_NOT_MUTEX && f->own_stack && f->expected == 0 && f->word == 0
		    && ref_holds_pi(p, r, r->t[i].facts.tid))
			f->kind = PI_LOCK_DEADLOCK_TRAP;
	}
	for (size_t i = 0; i < n; i++) {
		struct pi_futex *f = &r->t[i].futex;
		if (f->kind != PI_LOCK_DEADLOCK_TRAP)
			continue;
		for (size_t k = 0; k < p->nheld_locks && !f->owner; k++) {
			const struct pi_held_lock *h = &p->held_locks[k];
			long at = h->pi && h->owner != r->t[i].facts.tid ? ref_index(r, h->owner) : -1;
			for (size_t steps = 0; at >= 0 && steps <= n; steps++) {
				if ((size_t)at == i) {
					f->owner = h->owner;
					break;
				}
				at = ref_next(r, (size_t)at);
			}
		}
	}
	int color[64] = { 0 };
	bool in_cycle[64] = { false };
	long walk[65];
	for (size_t s = 0; s < n; s++) {
		size_t len = 0;
		long at = (long)s;
		while (at >= 0 && color[at] == 0) {
			color[at] = 1;
			walk[len++] = at;
			at = ref_next(r, (size_t)at);
		}
		if (at >= 0 && color[at] == 1) {
			size_t first = 0;
			while (walk[first] != at)
				first++;
			struct ref_finding *d = &r->f[r->nf++];
			d->kind = PI_FIND_DEADLOCK;
			d->tid = r->t[walk[first]].facts.tid;
			for (size_t k = first; k < len; k++) {
				in_cycle[walk[k]] = true;
				d->pids[d->npids++] = r->t[walk[k]].facts.tid;
			}
		}
		for (size_t k = 0; k < len; k++)
			color[walk[k]] = 2;
	}
	long feeds[64];
	size_t depth[64];
	for (size_t i = 0; i < n; i++) {
		feeds[i] = -1;
		depth[i] = 0;
		const struct pi_futex *f = &r->t[i].futex;
		if (in_cycle[i] || f->owner <= 0 || (f->kind != PI_LOCK_MUTEX && f->kind != PI_LOCK_PI_MUTEX))
			continue;
		long at = (long)i, last = (long)i;
		size_t d = 0;
		while (at >= 0 && !in_cycle[at] && d <= n) {
			last = at;
			at = ref_next(r, (size_t)at);
			d++;
		}
		if (at >= 0)
			continue;
		feeds[i] = last;
		depth[i] = d;
	}
	for (size_t root = 0; root < n; root++) {
		size_t longest = n;
		for (size_t i = 0; i < n; i++)
			if (feeds[i] == (long)root && (i != root || ref_outside(r, root))
			    && (longest == n || depth[i] > depth[longest]))
				longest = i;
		if (longest == n)
			continue;
		struct ref_finding *c = &r->f[r->nf++];
		c->kind = PI_FIND_WAIT_CHAIN;
		c->tid = r->t[root].facts.tid;
		c->start = r->t[longest].facts.tid;
		for (size_t i = 0; i < n; i++)
			if (feeds[i] == (long)root && (i != root || ref_outside(r, root)))
				c->pids[c->npids++] = r->t[i].facts.tid;
	}
}

/* A small random number generator of our own: the same graphs on every
 * run and every libc. */
static uint32_t rng_state;
static uint32_t rnd(uint32_t below)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 8) % below;
}

START_TEST(same_verdicts_as_the_reference)
{
	rng_state = 42;
	for (int round = 0; round < 3000; round++) {
		struct pi_process p;
		size_t n = 1 + rnd(40);
		make(&p, n);
		/* TIDs in a shuffled order (the main thread first, as
		 * collect/ has them, only sometimes). */
		for (size_t i = n; i > 1; i--) {
			size_t j = rnd((uint32_t)i);
			pid_t t = p.threads[i - 1].facts.tid;
			p.threads[i - 1].facts.tid = p.threads[j].facts.tid;
			p.threads[j].facts.tid = t;
		}
		/* Some threads of other processes, holding shared locks. */
		size_t nothers = rnd(3);
		p.other_tasks = pi_xcalloc(nothers + 1, sizeof *p.other_tasks);
		p.nother_tasks = nothers;
		for (size_t k = 0; k < nothers; k++) {
			p.other_tasks[k].tid = (pid_t)(500 + k);
			p.other_tasks[k].tgid = 499;
			p.other_tasks[k].state = rnd(4) ? 'S' : 'Z';
			p.other_tasks[k].comm[0] = 'o';
			p.other_tasks[k].wchan = "";
			p.other_tasks[k].syscall_nr = -1;
		}
		for (size_t i = 0; i < n; i++) {
			/* An owner: mostly a thread of ours, sometimes nobody's
			 * or another process's. */
			uint32_t pick = rnd(10);
			pid_t owner = pick < 8 ? (pid_t)(100 + rnd((uint32_t)n))
				      : pick == 8 ? (pid_t)(500 + rnd(3)) : (pid_t)(900 + rnd(5));
			switch (rnd(7)) {
			case 0:
			case 1:
			case 2:
				waits_mutex(&p, i, 0x1000 + 0x40 * rnd(8), owner, pick == 8);
				break;
			case 3:
				waits_pi(&p, i, 0x4000 + 0x40 * rnd(8), owner);
				break;
			case 4:
				trapped(&p, i);
				break;
			case 5:
				if (rnd(2))
					p.threads[i].facts.state = 'Z';
				break;
			default:
				break;	/* not waiting */
			}
		}
		/* Sometimes in a PID namespace of its own: its memory holds
		 * its own numbers (TID - 99), which some threads' status
		 * files do not give. */
		if (rnd(4) == 0) {
			p.status.nspid_levels = 2;
			for (size_t i = 0; i < n; i++) {
				struct pi_thread *t = &p.threads[i];
				t->status.ns_tid = t->facts.tid - 99;
				t->status_err = rnd(10) ? 0 : -13;
				if (t->futex.op == FUTEX_LOCK_PI)
					t->futex.word = 0x80000000u | ((t->futex.word & 0x3fffffff) - 99);
				else if (t->futex.owner_field)
					t->futex.owner_field -= 99;
			}
		}
		size_t nheld = rnd(4);
		p.held_locks = pi_xcalloc(nheld + 1, sizeof *p.held_locks);
		p.nheld_locks = nheld;
		for (size_t k = 0; k < nheld; k++)
			p.held_locks[k] = (struct pi_held_lock){ 0x4000 + 0x40 * k, "h",
								 (pid_t)(100 + rnd((uint32_t)n)), rnd(4) != 0, 1 };

		struct ref r = { .n = n };
		r.t = pi_xcalloc(n, sizeof *r.t);
		memcpy(r.t, p.threads, n * sizeof *r.t);
		ref_analyze(&p, &r);
		pi_locks_analyze(&p);

		for (size_t i = 0; i < n; i++) {
			ck_assert_msg(p.threads[i].futex.kind == r.t[i].futex.kind, "round %d: thread %zu's kind",
				      round, i);
			ck_assert_msg(p.threads[i].futex.owner == r.t[i].futex.owner,
				      "round %d: thread %zu's owner", round, i);
		}
		ck_assert_msg(p.nfindings == r.nf, "round %d: %zu findings, the reference %zu", round,
			      p.nfindings, r.nf);
		for (size_t k = 0; k < r.nf; k++) {
			const struct pi_finding *f = &p.findings[k];
			ck_assert_msg(f->kind == r.f[k].kind && f->tid == r.f[k].tid && f->npids == r.f[k].npids,
				      "round %d: finding %zu", round, k);
			if (f->kind == PI_FIND_WAIT_CHAIN) {
				char head[32];
				snprintf(head, sizeof head, "thread %d (", (int)r.f[k].start);
				ck_assert_msg(strncmp(f->message, head, strlen(head)) == 0,
					      "round %d: chain %zu starts at %d: %s", round, k, (int)r.f[k].start,
					      f->message);
			}
			for (size_t m = 0; m < f->npids; m++)
				ck_assert_msg(f->pids[m] == r.f[k].pids[m], "round %d: finding %zu, pid %zu",
					      round, k, m);
		}
		free(r.t);
		pi_process_free(&p);
	}
}
END_TEST

/* Twenty thousand threads: each waits for the next (a chain), or the
 * last for the first too (a cycle). The analysis that walked every chain
 * from every thread took hours here; Check's time limit bounds this one. */
static void long_graph(struct pi_process *p, size_t n, bool cycle)
{
	make(p, n);
	for (size_t i = 0; i + 1 < n; i++)
		waits_mutex(p, i, 0x10000 + 0x40 * i, (pid_t)(100 + i + 1), false);
	if (cycle)
		waits_mutex(p, n - 1, 0x10000 + 0x40 * (n - 1), 100, false);
}

START_TEST(twenty_thousand_in_a_chain)
{
	struct pi_process p;
	size_t n = 20000;
	long_graph(&p, n, false);
	pi_locks_analyze(&p);
	ck_assert_uint_eq(p.nfindings, 1);
	ck_assert_int_eq(p.findings[0].kind, PI_FIND_WAIT_CHAIN);
	ck_assert_int_eq(p.findings[0].tid, (pid_t)(100 + n - 1));
	ck_assert_uint_eq(p.findings[0].npids, n - 1);
	ck_assert(!p.locks_cut);
	pi_process_free(&p);
}
END_TEST

START_TEST(twenty_thousand_in_a_cycle)
{
	struct pi_process p;
	size_t n = 20000;
	long_graph(&p, n, true);
	pi_locks_analyze(&p);
	ck_assert_uint_eq(p.nfindings, 1);
	ck_assert_int_eq(p.findings[0].kind, PI_FIND_DEADLOCK);
	ck_assert_uint_eq(p.findings[0].npids, n);
	pi_process_free(&p);
}
END_TEST

/* Many chains into one root, and many roots: each root once. */
START_TEST(a_star_of_waiters)
{
	struct pi_process p;
	size_t n = 20000;
	make(&p, n);
	/* Threads 1..9999 wait for thread 0; 10000..19999 pair up. */
	for (size_t i = 1; i < 10000; i++)
		waits_mutex(&p, i, 0x1000, 100, false);
	for (size_t i = 10000; i < n; i += 2)
		waits_mutex(&p, i, 0x2000 + i, (pid_t)(100 + i + 1), false);
	pi_locks_analyze(&p);
	ck_assert_uint_eq(p.nfindings, 1 + 5000);
	ck_assert_int_eq(p.findings[0].tid, 100);
	ck_assert_uint_eq(p.findings[0].npids, 9999);
	ck_assert_ptr_nonnull(strstr(p.findings[0].message, "9999 threads wait on this chain"));
	pi_process_free(&p);
}
END_TEST

/* Out of time before it starts: nothing is made up, and it says so. */
START_TEST(analysis_cut_by_the_budget)
{
	struct pi_process p;
	long_graph(&p, 100, true);
	pi_deadline_start(&p.deadline, 1e-9);
	struct timespec ts = { 0, 1000000 };
	nanosleep(&ts, NULL);
	pi_analyze_process(&p, 10);
	ck_assert(p.locks_cut);
	ck_assert_uint_eq(p.nfindings, 0);
	bool said = false;
	for (size_t i = 0; i < p.nunavailable; i++)
		if (strcmp(p.unavailable[i].item, "lock_analysis") == 0)
			said = strstr(p.unavailable[i].reason, "not finished within --timeout 1e-09 s") != NULL;
	ck_assert_msg(said, "the cut is listed as unavailable");
	pi_process_free(&p);
}
END_TEST

/* Threads whose lock words the budget left unread: one line for all. */
START_TEST(unread_lock_words_are_one_line)
{
	struct pi_process p;
	make(&p, 4);
	pi_deadline_start(&p.deadline, 0.5);
	for (size_t i = 1; i < 4; i++) {
		waits_mutex(&p, i, 0x1000, 100, false);
		p.threads[i].futex.read_err = -PI_ERR_TIMEOUT;
	}
	pi_analyze_process(&p, 10);
	size_t lines = 0;
	for (size_t i = 0; i < p.nunavailable; i++) {
		if (strcmp(p.unavailable[i].item, "locks") != 0)
			continue;
		lines++;
		ck_assert_str_eq(p.unavailable[i].reason, "not read within --timeout 0.5 s for 3 of 4 threads");
	}
	ck_assert_uint_eq(lines, 1);
	ck_assert_int_eq(p.threads[1].futex.kind, PI_LOCK_UNKNOWN);
	ck_assert_uint_eq(p.nfindings, 0);
	pi_process_free(&p);
}
END_TEST

START_TEST(deadline)
{
	struct pi_deadline d;
	/* No limit: never passes, no time left to speak of. */
	pi_deadline_start(&d, 0);
	ck_assert(!pi_deadline_passed(&d));
	ck_assert(pi_deadline_remaining(&d) < 0);
	ck_assert(!pi_deadline_passed(NULL));
	struct pi_deadline zero;
	memset(&zero, 0, sizeof zero);
	ck_assert(!pi_deadline_passed(&zero));
	pi_deadline_start(&d, -3);
	ck_assert(!pi_deadline_passed(&d));
	/* An hour: not passed, and at most an hour left. */
	pi_deadline_start(&d, 3600);
	ck_assert(!pi_deadline_passed(&d));
	double left = pi_deadline_remaining(&d);
	ck_assert(left > 0 && left <= 3600);
	/* A nanosecond: passed once a millisecond has gone by, nothing left. */
	pi_deadline_start(&d, 1e-9);
	struct timespec ts = { 0, 1000000 };
	nanosleep(&ts, NULL);
	ck_assert(pi_deadline_passed(&d));
	ck_assert(pi_deadline_remaining(&d) == 0);
	/* Absurdly long: no overflow into the past. */
	pi_deadline_start(&d, 1e300);
	ck_assert(!pi_deadline_passed(&d));
	ck_assert(pi_deadline_remaining(&d) > 0);
}
END_TEST

static enum pi_options_result parse(struct pi_options *o, const char *a1, const char *a2)
{
	char *argv[] = { "pinspect", (char *)a1, (char *)a2, NULL };
	int argc = a2 ? 3 : 2;
	return pi_options_parse(argc, argv, o);
}

START_TEST(timeout_option)
{
	struct pi_options o;
	ck_assert_int_eq(parse(&o, "1", NULL), PI_OPTIONS_RUN);
	ck_assert(o.timeout_seconds == PI_TIMEOUT_DEFAULT);
	pi_options_free(&o);
	ck_assert_int_eq(parse(&o, "--timeout=0.05", "1"), PI_OPTIONS_RUN);
	ck_assert(o.timeout_seconds == 0.05);
	pi_options_free(&o);
	ck_assert_int_eq(parse(&o, "--timeout=0", "1"), PI_OPTIONS_RUN);
	ck_assert(o.timeout_seconds == 0);
	pi_options_free(&o);
	static const char *const bad[] = { "--timeout=-1", "--timeout=", "--timeout=x", "--timeout=nan",
					   "--timeout=inf", "--timeout=86401", "--timeout=5s" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		ck_assert_int_eq(parse(&o, bad[i], "1"), PI_OPTIONS_USAGE);
		pi_options_free(&o);
	}
}
END_TEST

Suite *lock_bounds_suite(void)
{
	Suite *s = suite_create("lock_bounds");
	TCase *tc = tcase_create("lock_bounds");
	tcase_add_test(tc, same_verdicts_as_the_reference);
	tcase_add_test(tc, twenty_thousand_in_a_chain);
	tcase_add_test(tc, twenty_thousand_in_a_cycle);
	tcase_add_test(tc, a_star_of_waiters);
	tcase_add_test(tc, analysis_cut_by_the_budget);
	tcase_add_test(tc, unread_lock_words_are_one_line);
	tcase_add_test(tc, deadline);
	tcase_add_test(tc, timeout_option);
	suite_add_tcase(s, tc);
	return s;
}
