/* The snapshot for people: --sections lists, the killable verdict on a
 * wait in D, and the text of the summary, the cut memory map and a vfork
 * child whose name is hostile. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dwait.h"
#include "render/sections.h"
#include "render/text.h"
#include "util/fmt.h"
#include "util/xalloc.h"
#include "unit.h"

#define BIT(s) PI_SECTION_BIT(PI_SECTION_##s)

START_TEST(sections_lists)
{
	struct pi_sections s;
	char err[512];

	pi_sections_default(&s);
	ck_assert_uint_eq(s.shown, PI_SECTIONS_ALL);
	ck_assert_uint_eq(s.whole, 0);

	/* A bare list replaces the default; names given are whole. */
	ck_assert(pi_sections_apply(&s, "summary,maps", err, sizeof err));
	ck_assert_uint_eq(s.shown, BIT(SUMMARY) | BIT(MAPS));
	ck_assert_uint_eq(s.whole, BIT(SUMMARY) | BIT(MAPS));

	/* Signs change the default. */
	pi_sections_default(&s);
	ck_assert(pi_sections_apply(&s, "-maps,-signals", err, sizeof err));
	ck_assert_uint_eq(s.shown, PI_SECTIONS_ALL & ~(BIT(MAPS) | BIT(SIGNALS)));
	ck_assert(pi_sections_apply(&s, "+maps", err, sizeof err));
	ck_assert(s.shown & BIT(MAPS));
	ck_assert_uint_eq(s.whole, BIT(MAPS));

	/* Without the threads there are no stacks; stacks bring the rows. */
	pi_sections_default(&s);
	ck_assert(pi_sections_apply(&s, "-threads", err, sizeof err));
	ck_assert(!(s.shown & (BIT(THREADS) | BIT(STACKS))));
	ck_assert(pi_sections_apply(&s, "summary,stacks", err, sizeof err));
	ck_assert_uint_eq(s.shown, BIT(SUMMARY) | BIT(STACKS) | BIT(THREADS));

	ck_assert(pi_sections_apply(&s, "all", err, sizeof err));
	ck_assert_uint_eq(s.shown, PI_SECTIONS_ALL);
	ck_assert_uint_eq(s.whole, PI_SECTIONS_ALL);

	/* Unknown, empty, and signs alone: refused, nothing changed, the
	 * valid names said. */
	pi_sections_default(&s);
	const char *bad[] = { "bogus", "", "summary,", ",summary", "+", "-", "maps,threadz", "MAPS",
			      "summary maps" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		ck_assert_msg(!pi_sections_apply(&s, bad[i], err, sizeof err), "accepted '%s'", bad[i]);
		ck_assert_ptr_nonnull(strstr(err, "valid: all, summary, identity"));
		ck_assert_uint_eq(s.shown, PI_SECTIONS_ALL);
	}
	ck_assert(!pi_sections_apply(&s, "threadz", err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "'threadz' is not a section"));

	/* A name of megabytes is cut in the message. */
	char *huge = pi_xcalloc(100001, 1);
	memset(huge, 'x', 100000);
	ck_assert(!pi_sections_apply(&s, huge, err, sizeof err));
	ck_assert_uint_lt(strlen(err), 400);
	free(huge);
}
END_TEST

START_TEST(view_on_a_terminal)
{
	struct pi_sections s;
	struct pi_text_view v;
	char err[128];

	pi_sections_default(&s);
	pi_text_view_init(&v, &s, true, false);
	ck_assert_uint_eq(v.whole & PI_SECTIONS_LONG, 0);	/* cut */
	pi_text_view_init(&v, &s, false, false);
	ck_assert_uint_eq(v.whole, PI_SECTIONS_ALL);	/* a pipe: whole */
	pi_text_view_init(&v, &s, true, true);
	ck_assert_uint_eq(v.whole, PI_SECTIONS_ALL);	/* --full */
	ck_assert(pi_sections_apply(&s, "+maps", err, sizeof err));
	pi_text_view_init(&v, &s, true, false);
	ck_assert(v.whole & BIT(MAPS));
	ck_assert(!(v.whole & BIT(THREADS)));
}
END_TEST

static struct pi_strlist frames(const char *const *v, size_t n)
{
	struct pi_strlist l = { v, n };
	return l;
}

START_TEST(killable_verdicts)
{
	const char *ev;
	static const char *const vfork_stack[] = { "kernel_clone+0x1af/0x3e0", "__do_sys_vfork+0x43/0x70" };
	static const char *const nfs_stack[] = { "__rpc_wait_for_completion_task+0x2a/0x30",
						 "rpc_wait_bit_killable+0x11/0x70", "nfs4_run_open_task+0x150/0x1f0" };
	static const char *const io_stack[] = { "io_schedule+0x46/0x70", "folio_wait_bit_common+0x136/0x330",
						"filemap_fault+0x5a2/0x9f0" };
	static const char *const deep_stack[] = { "a+0x1/0x2", "b+0x1/0x2", "c+0x1/0x2", "d+0x1/0x2",
						  "e+0x1/0x2", "f+0x1/0x2", "g+0x1/0x2", "h+0x1/0x2",
						  "i_killable+0x1/0x2" };
	struct pi_strlist l;

	/* The vfork wait, by wchan or by its innermost frame. */
	ck_assert(pi_d_wait_is_vfork("kernel_clone", NULL));
	ck_assert(pi_d_wait_is_vfork("wait_for_vfork_done", NULL));
	ck_assert(pi_d_wait_is_vfork("_do_fork", NULL));
	l = frames(vfork_stack, 2);
	ck_assert(pi_d_wait_is_vfork("", &l));
	ck_assert(pi_d_wait_is_vfork(NULL, &l));
	ck_assert(!pi_d_wait_is_vfork("kernel_clone_extra", NULL));
	ck_assert(!pi_d_wait_is_vfork("io_schedule", NULL));
	ck_assert(!pi_d_wait_is_vfork(NULL, NULL));

	/* Killable outright only with the child found. */
	ck_assert_int_eq(pi_d_wait_killable("kernel_clone", NULL, true, true, &ev), PI_KILLABLE_YES);
	ck_assert_str_eq(ev, "vfork");
	ck_assert_int_eq(pi_d_wait_killable("kernel_clone", NULL, true, false, &ev), PI_KILLABLE_LIKELY);

	/* Waits named killable: likely. */
	ck_assert_int_eq(pi_d_wait_killable("rpc_wait_bit_killable", NULL, false, false, &ev),
			 PI_KILLABLE_LIKELY);
	ck_assert_str_eq(ev, "rpc_wait_bit_killable");
	ck_assert_int_eq(pi_d_wait_killable("request_wait_answer", NULL, false, false, &ev),
			 PI_KILLABLE_LIKELY);
	ck_assert_int_eq(pi_d_wait_killable("folio_wait_bit_killable.constprop.0", NULL, false, false, &ev),
			 PI_KILLABLE_LIKELY);
	l = frames(nfs_stack, 3);
	ck_assert_int_eq(pi_d_wait_killable("__rpc_wait_for_completion_task", &l, false, false, &ev),
			 PI_KILLABLE_LIKELY);
	ck_assert_str_eq(ev, "rpc_wait_bit_killable+0x11/0x70");

	/* Anything else: unknown, never "not killable". */
	l = frames(io_stack, 3);
	ck_assert_int_eq(pi_d_wait_killable("io_schedule", &l, false, false, &ev), PI_KILLABLE_UNKNOWN);
	ck_assert_ptr_null(ev);
	ck_assert_int_eq(pi_d_wait_killable(NULL, NULL, false, false, &ev), PI_KILLABLE_UNKNOWN);
	ck_assert_int_eq(pi_d_wait_killable("", NULL, false, false, &ev), PI_KILLABLE_UNKNOWN);
	/* "killable" past the function's name (an offset) is not a name. */
	ck_assert_int_eq(pi_d_wait_killable("x.killable", NULL, false, false, &ev), PI_KILLABLE_UNKNOWN);
	/* Only the innermost eight frames are the wait. */
	l = frames(deep_stack, 9);
	ck_assert_int_eq(pi_d_wait_killable("a", &l, false, false, &ev), PI_KILLABLE_UNKNOWN);

	ck_assert_str_eq(pi_killable_name(PI_KILLABLE_YES), "yes");
	ck_assert_str_eq(pi_killable_name(PI_KILLABLE_LIKELY), "likely");
	ck_assert_str_eq(pi_killable_name(PI_KILLABLE_UNKNOWN), "unknown");
}
END_TEST

START_TEST(counts)
{
	char out[32];
	ck_assert_str_eq(pi_fmt_count(out, sizeof out, 0), "0");
	ck_assert_str_eq(pi_fmt_count(out, sizeof out, 999), "999");
	ck_assert_str_eq(pi_fmt_count(out, sizeof out, 1081), "1,081");
	ck_assert_str_eq(pi_fmt_count(out, sizeof out, 1234567), "1,234,567");
	char small[4];
	ck_assert_uint_lt(strlen(pi_fmt_count(small, sizeof small, 1234567)), sizeof small);
}
END_TEST

/* A vfork parent in D whose child is named with escape sequences, and a
 * map of 100 mappings. */
static void make_vfork_parent(struct pi_process *p)
{
	memset(p, 0, sizeof *p);
	p->pid = 100;
	p->clock_ticks = 100;
	p->abi_known = true;
	p->abi = PI_ABI_NATIVE;
	p->stat.state = 'D';
	strcpy(p->stat.comm, "parent");
	p->threads = pi_xcalloc(1, sizeof *p->threads);
	p->nthreads = 1;
	p->threads[0].facts.tid = 100;
	p->threads[0].facts.state = 'D';
	pi_facts_set_comm(&p->threads[0].facts, "parent");
	p->threads[0].facts.known |= PI_FACT_STAT | PI_FACT_WCHAN | PI_FACT_TRACER;
	p->threads[0].facts.wchan = "kernel_clone";
	p->vmas = pi_xcalloc(100, sizeof *p->vmas);
	p->nvmas = 100;
	for (size_t i = 0; i < 100; i++) {
		p->vmas[i].start = 0x1000 * (i + 1);
		p->vmas[i].end = p->vmas[i].start + 0x1000;
		strcpy(p->vmas[i].perms, "r--p");
	}
	p->d_waits = pi_xcalloc(1, sizeof *p->d_waits);
	p->nd_waits = 1;
	struct pi_d_wait *w = &p->d_waits[0];
	w->tid = 100;
	w->vfork = true;
	w->child_found = true;
	w->child.pid = 101;
	strcpy(w->child.comm, "\x1b]0;owned\x07\n");
	w->child.state = 'S';
	strcpy(w->child.wchan, "hrtimer_nanosleep");
	w->child.syscall.kind = PI_SYSCALL_IN;
	w->child.syscall.nr = 35;
	w->child.shares_memory = true;
	w->killable = PI_KILLABLE_YES;
	w->evidence = "vfork";
}

START_TEST(summary_first_and_hostile_child)
{
	struct pi_process p;
	struct pi_sections s;
	struct pi_text_view v;
	struct pi_buf b = PI_BUF_INIT;

	make_vfork_parent(&p);
	pi_sections_default(&s);
	pi_text_view_init(&v, &s, true, false);
	pi_render_text_view(&b, &p, &v);

	const char *summary = strstr(b.data, "\nSUMMARY\n");
	const char *identity = strstr(b.data, "\nIDENTITY\n");
	ck_assert_ptr_nonnull(summary);
	ck_assert_ptr_nonnull(identity);
	ck_assert(summary < identity);
	ck_assert_ptr_nonnull(strstr(b.data, "killable: SIGKILL ends the wait"));
	ck_assert_ptr_nonnull(strstr(b.data, "101 (\\e]0;owned\\x07\\n), its vfork child (it runs in the parent's memory): "
					   "S sleeping in nanosleep(), waiting in hrtimer_nanosleep"));
	ck_assert_ptr_nonnull(strstr(b.data, "look at the vfork child: pinspect 101"));
	for (size_t i = 0; i < b.len; i++)
		ck_assert_msg(b.data[i] == '\n' || (unsigned char)b.data[i] >= 0x20, "raw control byte");

	/* On a terminal, 16 mappings and the count of the rest. */
	ck_assert_ptr_nonnull(strstr(b.data, "\xe2\x80\xa6 84 more mappings: --sections=+maps or --full\n"));
	ck_assert_ptr_null(strstr(b.data, "0000000000012000"));	/* the 17th ends there */

	/* Whole, and only what was asked for. */
	char err[128];
	ck_assert(pi_sections_apply(&s, "maps", err, sizeof err));
	pi_text_view_init(&v, &s, true, false);
	pi_buf_reset(&b);
	pi_render_text_view(&b, &p, &v);
	ck_assert_ptr_nonnull(strstr(b.data, "0000000000064000"));	/* the 100th */
	ck_assert_ptr_null(strstr(b.data, "more mappings"));
	ck_assert_ptr_null(strstr(b.data, "SUMMARY"));
	ck_assert_ptr_null(strstr(b.data, "THREADS"));
	ck_assert_ptr_null(strstr(b.data, "Resident"));

	/* A vfork child not looked for says why, and is not called killable
	 * outright. */
	struct pi_d_wait *w = &p.d_waits[0];
	memset(&w->child, 0, sizeof w->child);
	w->child_found = false;
	w->children_err = -E2BIG;
	w->killable = pi_d_wait_killable("kernel_clone", NULL, true, false, &w->evidence);
	ck_assert(pi_sections_apply(&s, "summary", err, sizeof err));
	pi_text_view_init(&v, &s, true, false);
	pi_buf_reset(&b);
	pi_render_text_view(&b, &p, &v);
	ck_assert_ptr_nonnull(strstr(b.data, "Waits for     not looked for: only 64 threads' vfork children are\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "likely killable (the vfork wait, but its vfork child was not confirmed)"));
	ck_assert_ptr_null(strstr(b.data, "look at the vfork child"));
	ck_assert_ptr_nonnull(strstr(b.data, "kill -KILL 100 (its wait in D likely accepts SIGKILL)"));

	pi_buf_free(&b);
	pi_process_free(&p);
}
END_TEST

Suite *snapshot_view_suite(void)
{
	Suite *s = suite_create("snapshot_view");
	TCase *tc = tcase_create("snapshot_view");
	tcase_add_test(tc, sections_lists);
	tcase_add_test(tc, view_on_a_terminal);
	tcase_add_test(tc, killable_verdicts);
	tcase_add_test(tc, counts);
	tcase_add_test(tc, summary_first_and_hostile_child);
	suite_add_tcase(s, tc);
	return s;
}
