#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyze.h"
#include "analysis/classify.h"
#include "analysis/findings.h"
#include "analysis/state.h"
#include "model.h"
#include "render/text.h"
#include "unit.h"
#include "util/xalloc.h"

START_TEST(classifier)
{
	struct pi_task_facts t = { .tid = 11, .state = 'D', .off_cpu_seconds = 30,
				  .known = PI_FACT_STAT | PI_FACT_OFF_CPU };
	ck_assert_uint_eq(pi_classify_task(&t, 10, 2, 10), PI_TASK_HUNG);
	ck_assert_uint_eq(pi_classify_task(&t, 10, 2, 60), PI_TASK_UNINTERRUPTIBLE);
	/* Without the time off the CPU, D is D: never guessed to be hung,
	 * whatever value was left in the field. */
	pi_fact_set_known(&t, PI_FACT_OFF_CPU, false);
	ck_assert_uint_eq(pi_classify_task(&t, 10, 2, 0), PI_TASK_UNINTERRUPTIBLE);

	t.state = 'Z';
	t.tid = 10;
	ck_assert_uint_eq(pi_classify_task(&t, 10, 1, 10), PI_TASK_ZOMBIE);
	ck_assert_uint_eq(pi_classify_task(&t, 10, 3, 10), PI_TASK_LEADER_EXITED);

	t.state = 'T';
	ck_assert_uint_eq(pi_classify_task(&t, 10, 1, 10), PI_TASK_STOPPED);
	t.state = 't';
	t.tracer_pid = 99;
	t.known |= PI_FACT_TRACER;
	ck_assert_uint_eq(pi_classify_task(&t, 10, 1, 10), PI_TASK_TRACED);
	t.state = 'S';
	ck_assert_uint_eq(pi_classify_task(&t, 10, 1, 10), PI_TASK_TRACED);
	t.tracer_pid = 0;
	ck_assert_uint_eq(pi_classify_task(&t, 10, 1, 10), 0);
	/* A stat not read is no state: nothing to flag. */
	t.state = 'D';
	pi_fact_set_known(&t, PI_FACT_STAT, false);
	ck_assert_uint_eq(pi_classify_task(&t, 10, 1, 10), 0);
}
END_TEST

START_TEST(state_letters)
{
	ck_assert_str_eq(pi_state_name('D'), "uninterruptible");
	ck_assert_str_eq(pi_state_name('t'), "traced");
	ck_assert_str_eq(pi_state_name('I'), "idle");
	ck_assert_str_eq(pi_state_name('P'), "parked");
	ck_assert_str_eq(pi_state_name('?'), "unknown");
	ck_assert_ptr_nonnull(strstr(pi_state_meaning('Z'), "wait()"));
}
END_TEST

/* A process of nthreads threads, all sleeping, read without errors. */
static void make_process(struct pi_process *p, size_t nthreads)
{
	memset(p, 0, sizeof *p);
	p->pid = 100;
	p->clock_ticks = 100;
	p->uptime_seconds = 1000;
	p->stat.state = 'S';
	strcpy(p->stat.comm, "server");
	p->stat.ppid = 1;
	p->threads = pi_xcalloc(nthreads, sizeof *p->threads);
	p->nthreads = nthreads;
	for (size_t i = 0; i < nthreads; i++) {
		struct pi_thread *t = &p->threads[i];
		t->facts.tid = (pid_t)(100 + i);
		t->facts.state = 'S';
		pi_facts_set_comm(&t->facts, "worker");
		t->facts.known |= PI_FACT_STAT | PI_FACT_WCHAN | PI_FACT_TRACER;
		t->sched.have = PI_SCHED_EXEC_START;
		t->sched.exec_start_ns = 5000000000LL;
		t->sched_clock_ns = 5000000000LL + 1000000000LL * (int64_t)i; /* i seconds off CPU */
		t->status.have = PI_STATUS_CTXT;
		t->facts.nvcsw = 10;
		t->facts.nivcsw = 1;
	}
}

static const struct pi_finding *find(const struct pi_process *p, enum pi_finding_kind kind)
{
	for (size_t i = 0; i < p->nfindings; i++)
		if (p->findings[i].kind == kind)
			return &p->findings[i];
	return NULL;
}

/* The snapshot's text of a process whose names are long or hostile: a
 * name is cut at 4 KiB saying how long it was, the vDSO's soname (which
 * the process can rewrite) is escaped. */
START_TEST(text_of_long_and_hostile_names)
{
	struct pi_process p;
	make_process(&p, 1);
	char *exe = pi_xcalloc(100001, 1);
	memset(exe, 'a', 100000);
	exe[0] = '/';
	p.exe = exe;
	p.vdso.start = 0x7000;
	p.vdso.end = 0x9000;
	snprintf(p.vdso.soname, sizeof p.vdso.soname, "\x1b[2J\n\xe2\x80\xae" "evil");
	struct pi_buf b = PI_BUF_INIT;
	pi_render_text(&b, &p);
	const char *line = strstr(b.data, "\n  Executable    /aaa");
	ck_assert_ptr_nonnull(line);
	const char *end = strchr(line + 1, '\n');
	ck_assert_uint_eq((size_t)(end - line), 1 + 16 + 4096 + strlen(" \xe2\x80\xa6 [100,000 bytes, cut]"));
	ck_assert(strncmp(end - 8, "es, cut]", 8) == 0);
	ck_assert_ptr_nonnull(strstr(b.data, "\\e[2J\\n\\u{202e}evil, build-id none\n"));
	ck_assert_ptr_null(strchr(b.data, '\x1b'));
	pi_buf_free(&b);
	pi_process_free(&p);
}
END_TEST

START_TEST(off_cpu_and_hung_threads)
{
	struct pi_process p;
	make_process(&p, 4);
	p.threads[3].facts.state = 'D';
	p.threads[3].facts.wchan = "io_schedule";
	p.threads[2].facts.state = 'D';
	pi_analyze_process(&p, 2.5);

	ck_assert(pi_fact_known(&p.threads[3].facts, PI_FACT_OFF_CPU));
	ck_assert_double_eq_tol(p.threads[3].facts.off_cpu_seconds, 3.0, 1e-9);
	ck_assert_uint_eq(p.voluntary_ctxt_switches, 40);
	ck_assert_uint_eq(p.ctxt_threads, 4);
	ck_assert_uint_eq(p.nfindings, 2);
	/* Thread 102 is 2 s in D: not yet hung at 2.5 s; 103 is, at 3 s. */
	ck_assert_int_eq(p.findings[0].kind, PI_FIND_UNINTERRUPTIBLE);
	ck_assert_int_eq(p.findings[0].tid, 102);
	ck_assert_int_eq(p.findings[1].kind, PI_FIND_HUNG);
	ck_assert_int_eq(p.findings[1].tid, 103);
	ck_assert_ptr_nonnull(strstr(p.findings[1].message, "io_schedule"));
	ck_assert_str_eq(pi_finding_see(PI_FIND_HUNG), "HUNG TASKS");
	pi_process_free(&p);
}
END_TEST

START_TEST(zombie_and_its_parent)
{
	struct pi_process p;
	make_process(&p, 1);
	p.stat.state = 'Z';
	p.threads[0].facts.state = 'Z';
	p.parent_comm = pi_xstrdup("leaky\x1b");
	pi_analyze_process(&p, 10);
	const struct pi_finding *f = find(&p, PI_FIND_ZOMBIE);
	ck_assert_ptr_nonnull(f);
	/* The parent's name is escaped in the message. */
	ck_assert_ptr_nonnull(strstr(f->message, "parent 1 (leaky\\e)"));
	pi_process_free(&p);

	make_process(&p, 1);
	p.zombies = pi_xcalloc(2, sizeof *p.zombies);
	p.nzombies = 2;
	p.zombies[0].pid = 201;
	p.zombies[0].age_seconds = 5;
	p.zombies[1].pid = 202;
	p.zombies[1].age_seconds = 65;
	pi_analyze_process(&p, 10);
	f = find(&p, PI_FIND_ZOMBIE_PARENT);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->pid, 100);
	ck_assert_uint_eq(f->npids, 2);
	ck_assert_int_eq(f->pids[1], 202);
	ck_assert_double_eq_tol(f->seconds, 65, 1e-9);
	ck_assert_ptr_nonnull(strstr(f->message, "2 unreaped zombie children"));
	pi_process_free(&p);
}
END_TEST

START_TEST(stopped_traced_and_leader_exited)
{
	struct pi_process p;
	make_process(&p, 3);
	for (size_t i = 0; i < 3; i++)
		p.threads[i].facts.state = 'T';
	pi_analyze_process(&p, 10);
	ck_assert_uint_eq(p.nfindings, 1);
	ck_assert_int_eq(p.findings[0].kind, PI_FIND_STOPPED);
	ck_assert_int_eq(p.findings[0].tid, 100); /* the whole process */
	ck_assert_uint_eq(p.findings[0].npids, 3);
	pi_process_free(&p);

	make_process(&p, 3);
	p.tracer_pid = 77;
	p.tracer_comm = pi_xstrdup("strace");
	p.threads[1].facts.tracer_pid = 77;
	p.threads[1].facts.state = 't';
	p.threads[0].facts.state = 'Z';
	pi_analyze_process(&p, 10);
	const struct pi_finding *f = find(&p, PI_FIND_TRACED);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->tid, 101);
	ck_assert_ptr_nonnull(strstr(f->message, "1 of 3 threads are traced by 77 (strace)"));
	ck_assert_ptr_nonnull(find(&p, PI_FIND_LEADER_EXITED));
	ck_assert_ptr_null(find(&p, PI_FIND_ZOMBIE));
	pi_process_free(&p);
}
END_TEST

START_TEST(unavailable_is_explained_once)
{
	struct pi_process p;
	make_process(&p, 3);
	for (size_t i = 0; i < 3; i++)
		p.threads[i].kstack_err = -EACCES;
	p.threads[2].wchan_err = -ESRCH;
	p.maps_err = -EACCES;
	pi_analyze_process(&p, 10);
	ck_assert_uint_eq(p.nunavailable, 3);
	ck_assert_str_eq(p.unavailable[0].item, "maps");
	ck_assert_ptr_nonnull(strstr(p.unavailable[0].reason, "another user's process"));
	ck_assert_str_eq(p.unavailable[1].item, "wchan");
	ck_assert_int_eq(p.unavailable[1].tid, 102);
	ck_assert_str_eq(p.unavailable[2].item, "kernel_stack");
	ck_assert(p.unavailable[2].all_threads);
	ck_assert_ptr_nonnull(strstr(p.unavailable[2].reason, "root only"));

	char *r = pi_unavailable_reason(&p, "maps", -PI_ERR_KERNEL_THREAD);
	ck_assert_str_eq(r, "a kernel thread has no user address space");
	free(r);
	p.tracer_pid = 4242;
	r = pi_unavailable_reason(&p, "user_stack", -EPERM);
	ck_assert_ptr_nonnull(strstr(r, "already traced by 4242"));
	free(r);
	pi_process_free(&p);
}
END_TEST

/* A thread's name is kept as the kernel keeps it (15 bytes), whatever a
 * hostile or long name; a main thread shows its process's, which may be
 * longer (kernel workers'); a name not read is no name. */
START_TEST(task_names_in_the_facts)
{
	struct pi_task_facts f = { .tid = 7 };
	pi_facts_set_comm(&f, "a-very-long-thread-name-\x1b[31m");
	ck_assert_str_eq(f.comm, "a-very-long-thr");
	pi_facts_set_comm(&f, "ab");
	ck_assert_str_eq(f.comm, "ab");
	ck_assert_int_eq(f.comm[sizeof f.comm - 1], 0);

	struct pi_process p;
	make_process(&p, 2);
	strcpy(p.stat.comm, "kworker/u8:1-events_unbound");
	p.threads[0].facts.tid = p.pid;
	pi_facts_set_comm(&p.threads[0].facts, p.stat.comm);
	ck_assert_str_eq(p.threads[0].facts.comm, "kworker/u8:1-ev");
	ck_assert_str_eq(pi_thread_comm(&p, &p.threads[0]), "kworker/u8:1-events_unbound");
	ck_assert_str_eq(pi_thread_comm(&p, &p.threads[1]), "worker");
	pi_fact_set_known(&p.threads[1].facts, PI_FACT_STAT, false);
	ck_assert_ptr_null(pi_thread_comm(&p, &p.threads[1]));
	pi_process_free(&p);
}
END_TEST

Suite *analysis_suite(void)
{
	Suite *s = suite_create("analysis");
	TCase *tc = tcase_create("analysis");
	tcase_add_test(tc, classifier);
	tcase_add_test(tc, task_names_in_the_facts);
	tcase_add_test(tc, state_letters);
	tcase_add_test(tc, off_cpu_and_hung_threads);
	tcase_add_test(tc, zombie_and_its_parent);
	tcase_add_test(tc, stopped_traced_and_leader_exited);
	tcase_add_test(tc, unavailable_is_explained_once);
	tcase_add_test(tc, text_of_long_and_hostile_names);
	suite_add_tcase(s, tc);
	return s;
}
