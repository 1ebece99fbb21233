#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/groups.h"
#include "analysis/locks.h"
#include "model.h"
#include "unit.h"
#include "util/xalloc.h"

/* A process of n sleeping threads (TIDs 100, 101, ...), locks read. */
static void make(struct pi_process *p, size_t n)
{
	memset(p, 0, sizeof *p);
	p->pid = 100;
	p->abi_known = true;
	p->locks_collected = true;
	p->threads = pi_xcalloc(n, sizeof *p->threads);
	p->nthreads = n;
	for (size_t i = 0; i < n; i++) {
		p->threads[i].facts.tid = (pid_t)(100 + i);
		p->threads[i].facts.state = 'S';
		pi_facts_set_comm(&p->threads[i].facts, "w");
		p->threads[i].facts.known |= PI_FACT_STAT | PI_FACT_WCHAN | PI_FACT_TRACER;
		p->threads[i].facts.wchan = "";
	}
}

/* Thread i waits on a glibc mutex at addr held by owner. */
static void waits_mutex(struct pi_process *p, size_t i, uint64_t addr, pid_t owner)
{
	struct pi_futex *f = &p->threads[i].futex;
	f->waiting = true;
	f->addr = addr;
	f->op = FUTEX_WAIT;
	f->private_op = true;
	f->expected = 2;
	f->word = 2;
	f->owner_field = owner;
	f->nusers = 1;
	f->symbol = addr == 0x1000 ? "lock_a" : addr == 0x2000 ? "lock_b" : "lock_c";
}

static const struct pi_finding *only(const struct pi_process *p, enum pi_finding_kind kind)
{
	const struct pi_finding *found = NULL;
	for (size_t i = 0; i < p->nfindings; i++) {
		if (p->findings[i].kind != kind)
			continue;
		ck_assert_msg(!found, "more than one %d finding", kind);
		found = &p->findings[i];
	}
	return found;
}

START_TEST(two_thread_cycle)
{
	struct pi_process p;
	make(&p, 3);
	waits_mutex(&p, 1, 0x2000, 102);
	waits_mutex(&p, 2, 0x1000, 101);
	pi_locks_analyze(&p);
	ck_assert_int_eq(p.threads[1].futex.kind, PI_LOCK_MUTEX);
	ck_assert_int_eq(p.threads[1].futex.owner, 102);
	const struct pi_finding *f = only(&p, PI_FIND_DEADLOCK);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->npids, 2);
	ck_assert_ptr_nonnull(strstr(f->message, "lock_a"));
	ck_assert_ptr_null(only(&p, PI_FIND_WAIT_CHAIN));
	pi_process_free(&p);
}
END_TEST

START_TEST(chain_to_a_thread_in_d)
{
	struct pi_process p;
	make(&p, 4);
	waits_mutex(&p, 1, 0x1000, 102);
	waits_mutex(&p, 2, 0x2000, 103);
	p.threads[3].facts.state = 'D';
	p.threads[3].facts.wchan = "io_schedule";
	waits_mutex(&p, 0, 0x1000, 102);	/* two threads on lock_a */
	pi_locks_analyze(&p);
	ck_assert_ptr_null(only(&p, PI_FIND_DEADLOCK));
	const struct pi_finding *f = only(&p, PI_FIND_WAIT_CHAIN);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->tid, 103);
	ck_assert_uint_eq(f->npids, 3);
	ck_assert_ptr_nonnull(strstr(f->message, "is in D (uninterruptible), waiting in io_schedule"));
	ck_assert_ptr_nonnull(strstr(f->message, "3 threads wait on this chain"));
	pi_process_free(&p);
}
END_TEST

START_TEST(no_false_alarms)
{
	struct pi_process p;
	make(&p, 3);
	/* A condition variable: not 2, no owner. */
	struct pi_futex *f = &p.threads[1].futex;
	f->waiting = true;
	f->op = FUTEX_WAIT_BITSET;
	f->expected = 0;
	f->word = 0;
	f->private_op = true;
	/* Looks like a mutex, but its "owner" is no thread of ours and it
	 * is private: not believed. */
	waits_mutex(&p, 2, 0x1000, 4242);
	/* A mutex word with a __kind no mutex has. */
	pi_locks_analyze(&p);
	ck_assert_int_eq(p.threads[1].futex.kind, PI_LOCK_NOT_MUTEX);
	ck_assert_int_eq(p.threads[2].futex.kind, PI_LOCK_NOT_MUTEX);
	ck_assert_uint_eq(p.nfindings, 0);
	p.threads[2].futex.owner_field = 101;
	p.threads[2].futex.mutex_kind = 0x40000;
	pi_locks_analyze(&p);
	ck_assert_int_eq(p.threads[2].futex.kind, PI_LOCK_NOT_MUTEX);
	/* Unreadable memory is unknown, never a lock. */
	p.threads[2].futex.read_err = -14;
	pi_locks_analyze(&p);
	ck_assert_int_eq(p.threads[2].futex.kind, PI_LOCK_UNKNOWN);
	ck_assert_uint_eq(p.nfindings, 0);
	pi_process_free(&p);
}
END_TEST

START_TEST(priority_inheritance_trap)
{
	/* 101 holds PI lock_a and waits for PI lock_b, held by 102; 102 was
	 * refused lock_a by the kernel and sits in glibc's trap. */
	struct pi_process p;
	make(&p, 3);
	struct pi_futex *f = &p.threads[1].futex;
	f->waiting = true;
	f->op = FUTEX_LOCK_PI;
	f->private_op = true;
	f->addr = 0x2000;
	f->word = 0x80000000u | 102;
	f->symbol = "lock_b";
	f = &p.threads[2].futex;
	f->waiting = true;
	f->op = FUTEX_WAIT_BITSET;
	f->private_op = true;
	f->own_stack = true;
	p.held_locks = pi_xcalloc(2, sizeof *p.held_locks);
	p.nheld_locks = 2;
	p.held_locks[0] = (struct pi_held_lock){ 0x1000, "lock_a", 101, true, 1 };
	p.held_locks[1] = (struct pi_held_lock){ 0x2000, "lock_b", 102, true, 1 };
	pi_locks_analyze(&p);
	ck_assert_int_eq(p.threads[1].futex.kind, PI_LOCK_PI_MUTEX);
	ck_assert_int_eq(p.threads[2].futex.kind, PI_LOCK_DEADLOCK_TRAP);
	ck_assert_int_eq(p.threads[2].futex.owner, 101);
	ck_assert_str_eq(p.threads[2].futex.symbol, "lock_a");
	const struct pi_finding *d = only(&p, PI_FIND_DEADLOCK);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->npids, 2);
	ck_assert_ptr_nonnull(strstr(d->message, "EDEADLK"));
	pi_process_free(&p);
}
END_TEST

START_TEST(groups_rarest_first)
{
	static const char *const kstack_a[] = { "a", NULL }, *const kstack_b[] = { "b", NULL };
	struct pi_process p;
	make(&p, 5);
	for (size_t i = 0; i < 5; i++) {
		p.threads[i].kstack.v = i == 2 ? kstack_b : kstack_a;
		p.threads[i].kstack.n = 1;
	}
	pi_stack_groups_build(&p);
	ck_assert_uint_eq(p.nstack_groups, 2);
	ck_assert_uint_eq(p.stack_groups[0].count, 1);
	ck_assert_int_eq(p.stack_groups[0].tids[0], 102);
	ck_assert_uint_eq(p.stack_groups[1].count, 4);
	ck_assert_int_eq(p.stack_groups[1].tids[3], 104);
	pi_process_free(&p);
}
END_TEST

START_TEST(group_names_in_natural_order)
{
	/* TIDs wrapped at pid_max: the workers started last have the lowest
	 * TIDs. The names shown are the first and last in natural order. */
	static const char *const kstack_a[] = { "a", NULL }, *const kstack_b[] = { "b", NULL };
	static const char *const names[] = { "main", "worker-2", "worker-3", "worker-0", "worker-10" };
	struct pi_process p;
	make(&p, 5);
	for (size_t i = 0; i < 5; i++) {
		p.threads[i].kstack.v = i == 0 ? kstack_b : kstack_a;
		p.threads[i].kstack.n = 1;
		pi_facts_set_comm(&p.threads[i].facts, names[i]);
		p.threads[i].facts.known |= PI_FACT_STAT | PI_FACT_WCHAN | PI_FACT_TRACER;
	}
	pi_stack_groups_build(&p);
	ck_assert_uint_eq(p.nstack_groups, 2);
	const char *first, *last;
	pi_stack_group_names(&p, &p.stack_groups[1], &first, &last);
	ck_assert_str_eq(first, "worker-0");
	ck_assert_str_eq(last, "worker-10");
	pi_stack_group_names(&p, &p.stack_groups[0], &first, &last);
	ck_assert_str_eq(first, "main");
	ck_assert_ptr_eq(first, last);
	/* A thread whose name could not be read. */
	pi_fact_set_known(&p.threads[3].facts, PI_FACT_STAT, false);
	pi_stack_group_names(&p, &p.stack_groups[1], &first, &last);
	ck_assert_str_eq(first, "?");
	ck_assert_str_eq(last, "worker-10");
	pi_process_free(&p);
}
END_TEST

Suite *locks_suite(void)
{
	Suite *s = suite_create("locks");
	TCase *tc = tcase_create("locks");
	tcase_add_test(tc, two_thread_cycle);
	tcase_add_test(tc, chain_to_a_thread_in_d);
	tcase_add_test(tc, no_false_alarms);
	tcase_add_test(tc, priority_inheritance_trap);
	tcase_add_test(tc, groups_rarest_first);
	tcase_add_test(tc, group_names_in_natural_order);
	suite_add_tcase(s, tc);
	return s;
}
