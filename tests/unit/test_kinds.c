/* The table of finding kinds (analysis/kinds.h) and the one builder that
 * runs its detectors (analysis/findings.h): every kind has what the
 * renderers take from it, the metrics are valid Prometheus names, the
 * manual has each kind's section and names the kind there, the ranks
 * order the live view's flags as its cells word them, and one process's
 * facts give every kind a detector finds, in the table's order. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/classify.h"
#include "analysis/findings.h"
#include "analysis/kinds.h"
#include "table/columns.h"
#include "unit.h"

static bool valid_name(const char *s, const char *pattern)
{
	regex_t re;
	ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	bool ok = s && regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

START_TEST(every_kind_once_with_every_field)
{
	for (int kind = 0; kind < PI_FIND_KIND_COUNT; kind++) {
		size_t rows = 0;
		for (size_t i = 0; i < pi_nkinds; i++)
			rows += pi_kinds[i].kind == (enum pi_finding_kind)kind;
		ck_assert_msg(rows == 1, "kind %d has %zu rows", kind, rows);
	}
	ck_assert_uint_eq(pi_nkinds, PI_FIND_KIND_COUNT);
	for (size_t i = 0; i < pi_nkinds; i++) {
		const struct pi_kind *k = &pi_kinds[i];
		ck_assert_msg(valid_name(k->name, "^[a-z][a-z_]*$"), "row %zu: name", i);
		ck_assert_ptr_eq(pi_kind_of(k->kind), k);
		ck_assert_str_eq(pi_finding_kind_name(k->kind), k->name);
		ck_assert_msg(k->see && *k->see, "%s: no section", k->name);
		ck_assert_str_eq(pi_finding_see(k->kind), k->see);
		ck_assert_msg(k->sentence && strlen(k->sentence) > 20, "%s: no sentence", k->name);
		ck_assert_msg(k->where & PI_KIND_SNAPSHOT, "%s: a snapshot finds every kind", k->name);
		for (size_t j = 0; j < i; j++) {
			ck_assert_str_ne(pi_kinds[j].name, k->name);
			if (k->metric && pi_kinds[j].metric)
				ck_assert_str_ne(pi_kinds[j].metric, k->metric);
			if (k->json_count && pi_kinds[j].json_count)
				ck_assert_str_ne(pi_kinds[j].json_count, k->json_count);
		}
		if (k->where & PI_KIND_LIVE) {
			ck_assert_msg(k->flag_word && *k->flag_word, "%s: no flag word", k->name);
			ck_assert_msg(k->rank > 0, "%s: no rank", k->name);
			ck_assert_msg(k->style > PI_STYLE_NORMAL && k->style < PI_STYLE_COUNT,
				      "%s: colour %d", k->name, k->style);
			ck_assert_msg(k->task_flag || k->kind == PI_FIND_ZOMBIE_PARENT,
				      "%s: flags no row", k->name);
		}
		if (k->where & PI_KIND_SCAN) {
			ck_assert_msg(k->metric, "%s: a scan's kind has a metric", k->name);
			ck_assert_msg(k->json_count, "%s: a scan's kind is counted in JSON", k->name);
		}
		if (k->metric) {
			/* The exposition format's metric names, in pinspect's namespace. */
			ck_assert_msg(valid_name(k->metric, "^pinspect_[a-zA-Z0-9_]+$")
				      && valid_name(k->metric, "^[a-zA-Z_:][a-zA-Z0-9_:]*$"),
				      "%s: metric \"%s\"", k->name, k->metric);
			ck_assert_msg(k->metric_help && k->metric_help[0] >= 'A' && k->metric_help[0] <= 'Z'
				      && !strchr(k->metric_help, '\n'), "%s: help", k->name);
		}
		if (k->json_count)
			ck_assert_msg(valid_name(k->json_count, "^[a-z][a-z_]*$"), "%s: JSON key", k->name);
	}
}
END_TEST

/* Reads man/pinspect.1 whole. */
static char *read_manual(void)
{
	FILE *f = fopen(PI_FIXTURES "/../../man/pinspect.1", "r");
	ck_assert_msg(f != NULL, "man/pinspect.1");
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, out);
	fclose(f);
	fclose(out);
	return text;
}

/* Each kind's section exists, and names the kind in bold. */
START_TEST(manual_has_every_section)
{
	char *man = read_manual();
	for (size_t i = 0; i < pi_nkinds; i++) {
		const struct pi_kind *k = &pi_kinds[i];
		char title[128];
		snprintf(title, sizeof title, "\n.SH %s\n", k->see);
		char *start = strstr(man, title);
		ck_assert_msg(start != NULL, "%s: no section %s", k->name, k->see);
		start += strlen(title);
		char *end = strstr(start, "\n.SH ");
		size_t len = end ? (size_t)(end - start) : strlen(start);
		char *section = strndup(start, len);
		char pattern[128];
		snprintf(pattern, sizeof pattern, "(^|\n)\\.(B|BR|RB) (\\( )?%s([ ,.)]|\n|$)", k->name);
		ck_assert_msg(valid_name(section, pattern), "%s: not named in %s", k->name, k->see);
		free(section);
	}
	free(man);
}
END_TEST

/* The live view's flags cell words the highest rank first. */
START_TEST(ranks_order_the_flags)
{
	static const enum pi_finding_kind order[] = {
		PI_FIND_UNINTERRUPTIBLE, PI_FIND_ZOMBIE, PI_FIND_ZOMBIE_PARENT, PI_FIND_STOPPED,
		PI_FIND_TRACED, PI_FIND_LEADER_EXITED,
	};
	ck_assert_int_gt(pi_kind_of(PI_FIND_HUNG)->rank, pi_kind_of(order[0])->rank);
	/* Hung and deadlocked are both stuck: equal. */
	ck_assert_int_eq(pi_kind_of(PI_FIND_HUNG)->rank, pi_kind_of(PI_FIND_DEADLOCK)->rank);
	for (size_t i = 1; i < sizeof order / sizeof order[0]; i++)
		ck_assert_int_gt(pi_kind_of(order[i - 1])->rank, pi_kind_of(order[i])->rank);
	ck_assert_int_eq(pi_kind_rank(0, false), 0);
	ck_assert_int_eq(pi_kind_top(PI_TASK_TRACED | PI_TASK_STOPPED, false), PI_FIND_STOPPED);
	ck_assert_int_eq(pi_kind_top(PI_TASK_TRACED, true), PI_FIND_ZOMBIE_PARENT);
	ck_assert_int_eq(pi_kind_top(PI_TASK_HUNG | PI_TASK_UNINTERRUPTIBLE, false), PI_FIND_HUNG);
	ck_assert_int_eq(pi_kind_top(0, false), PI_FIND_KIND_COUNT);
}
END_TEST

static const char *names(const void *arg, pid_t pid)
{
	(void)arg;
	return pid == 1 ? "init" : pid == 77 ? "gdb" : NULL;
}

/* One process with a thread of every sort: the builder finds each kind
 * with a detector, in the table's order, and only the kinds asked for. */
START_TEST(builder_finds_every_kind)
{
	const pid_t tids[] = { 500, 501 };
	const struct pi_finding_cycle cycle = { "thread 500 waits for 501, which waits for 500", tids, 2 };
	const pid_t zombies[] = { 600, 601 };
	const unsigned stat = PI_FACT_STAT;
	const struct pi_task_facts facts[] = {
		{ .tid = 100, .comm = "main", .state = 'Z', .flags = PI_TASK_LEADER_EXITED, .known = stat },
		{ .tid = 101, .comm = "io", .state = 'D', .flags = PI_TASK_UNINTERRUPTIBLE,
		  .off_cpu_seconds = 2, .wchan = "folio_wait_bit",
		  .known = stat | PI_FACT_OFF_CPU | PI_FACT_WCHAN },
		{ .tid = 102, .comm = "stuck", .state = 'D', .flags = PI_TASK_HUNG,
		  .off_cpu_seconds = 30, .known = stat | PI_FACT_OFF_CPU },
		{ .tid = 103, .comm = "gone", .state = 'Z', .flags = PI_TASK_ZOMBIE, .known = stat },
		{ .tid = 104, .comm = "held", .state = 'T', .flags = PI_TASK_STOPPED, .known = stat },
		{ .tid = 105, .comm = "debugged", .state = 't', .flags = PI_TASK_TRACED, .tracer_pid = 77,
		  .known = stat | PI_FACT_TRACER },
	};
	const struct pi_task_facts *tasks[] = { &facts[0], &facts[1], &facts[2], &facts[3],
						&facts[4], &facts[5] };
	struct pi_finding_proc p = {
		.pid = 100, .comm = "server", .nthreads = 6, .live_threads = 5, .ppid = 1,
		.comm_of = names, .zombies = zombies, .nzombies = 2, .oldest_zombie_seconds = 90,
		.cycles = &cycle, .ncycles = 1, .hung_after_seconds = 10, .hung_task_timeout_secs = -1,
		.tasks = tasks, .ntasks = sizeof tasks / sizeof tasks[0],
	};
	struct pi_finding_list l = { NULL, 0, 0 };
	pi_findings_of(&l, &p, PI_FIND_ALL);

	static const enum pi_finding_kind want[] = {
		PI_FIND_UNINTERRUPTIBLE, PI_FIND_HUNG, PI_FIND_DEADLOCK, PI_FIND_ZOMBIE,
		PI_FIND_LEADER_EXITED, PI_FIND_STOPPED, PI_FIND_TRACED, PI_FIND_ZOMBIE_PARENT,
	};
	ck_assert_uint_eq(l.n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < l.n; i++)
		ck_assert_msg(l.v[i].kind == want[i], "finding %zu is %s", i,
			      pi_finding_kind_name(l.v[i].kind));
	ck_assert_msg(strstr(l.v[0].message, "thread 101 (io) of process 100 (server)"), "%s",
		      l.v[0].message);
	ck_assert_msg(strstr(l.v[1].message, "hung: longer than --hung-after 10"), "%s", l.v[1].message);
	ck_assert_uint_eq(l.v[2].npids, 2);
	ck_assert_int_eq(l.v[2].tid, 500);
	ck_assert_msg(strstr(l.v[3].message, "parent 1 (init)"), "%s", l.v[3].message);
	ck_assert_msg(strstr(l.v[4].message, "4 other threads"), "%s", l.v[4].message);
	ck_assert_msg(strstr(l.v[5].message, "1 of 6 threads of process 100"), "%s", l.v[5].message);
	ck_assert_msg(strstr(l.v[6].message, "traced by 77 (gdb), and held"), "%s", l.v[6].message);
	ck_assert_int_eq(l.v[6].tid, 105);
	ck_assert_msg(strstr(l.v[7].message, "process 100 (server) holds 2 unreaped zombie children"),
		      "%s", l.v[7].message);
	ck_assert_uint_eq(l.v[7].npids, 2);
	ck_assert_double_eq(l.v[7].seconds, 90);
	pi_finding_list_free(&l);

	/* The scans ask for hung tasks only. */
	pi_findings_of(&l, &p, PI_FIND_BIT(PI_FIND_HUNG));
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(l.v[0].kind, PI_FIND_HUNG);
	ck_assert_int_eq(l.v[0].tid, 102);
	pi_finding_list_free(&l);

	/* A snapshot is of the process: its sentences need not name it. */
	p.subject = true;
	pi_findings_of(&l, &p, PI_FIND_BIT(PI_FIND_UNINTERRUPTIBLE) | PI_FIND_BIT(PI_FIND_ZOMBIE_PARENT));
	ck_assert_uint_eq(l.n, 2);
	ck_assert_msg(!strstr(l.v[0].message, "of process"), "%s", l.v[0].message);
	ck_assert_msg(strncmp(l.v[1].message, "holds 2 unreaped", 16) == 0, "%s", l.v[1].message);
	pi_finding_list_free(&l);
}
END_TEST

/* The one zombie rule: a Z main thread is a zombie only when no other
 * thread lives on (the scans once had a rule of their own). */
START_TEST(one_zombie_rule)
{
	struct pi_task_facts v = { .tid = 9, .state = 'Z', .known = PI_FACT_STAT };
	ck_assert_uint_eq(pi_classify_task(&v, 9, 1, 10), PI_TASK_ZOMBIE);
	ck_assert_uint_eq(pi_classify_task(&v, 9, 3, 10), PI_TASK_LEADER_EXITED);
	/* Another thread in Z is a thread that exited, whatever the count. */
	v.tid = 10;
	ck_assert_uint_eq(pi_classify_task(&v, 9, 3, 10), PI_TASK_ZOMBIE);
}
END_TEST

Suite *kinds_suite(void)
{
	Suite *s = suite_create("kinds");
	TCase *tc = tcase_create("table");
	tcase_add_test(tc, every_kind_once_with_every_field);
	tcase_add_test(tc, manual_has_every_section);
	tcase_add_test(tc, ranks_order_the_flags);
	tcase_add_test(tc, builder_finds_every_kind);
	tcase_add_test(tc, one_zombie_rule);
	suite_add_tcase(s, tc);
	return s;
}
