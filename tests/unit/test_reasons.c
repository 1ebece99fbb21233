/* The table of reasons (analysis/reasons.h): every code has a key and
 * words, no two codes share a key, each format asks for what its row
 * says it needs, and the words that depend on the read say the budget
 * that read really had. The renderers all word a reason through the same
 * functions, which these tests call. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyze.h"
#include "analysis/reasons.h"
#include "model.h"
#include "unit.h"

/* Every PI_ERR_* of analysis/reasons.h: a new one goes here too. */
static const int codes[] = {
	PI_ERR_KERNEL_THREAD, PI_ERR_ZOMBIE, PI_ERR_NO_VDSO, PI_ERR_RUNNING, PI_ERR_MOVED,
	PI_ERR_NOT_ASKED, PI_ERR_NO_STACK_MAP, PI_ERR_NOT_X86_64, PI_ERR_TIMEOUT,
	PI_ERR_NO_USER_SAMPLE, PI_ERR_TLS_NOT_CHECKED, PI_ERR_SANDBOX_CRASHED, PI_ERR_SANDBOX_TIMEOUT,
	PI_ERR_SANDBOX_SYSCALL, PI_ERR_SANDBOX_MEMORY, PI_ERR_SANDBOX_REPLY, PI_ERR_SANDBOX_SETUP,
	PI_ERR_THREAD_LIST_LOOP, PI_ERR_THREAD_LIST_LONG, PI_ERR_THREAD_DB_ALTERED,
	PI_ERR_THREAD_DB_BUDGET, PI_ERR_JAVA_FRAMES, PI_ERR_GO_GOROUTINES,
	PI_ERR_GO_VERSION, PI_ERR_GO_STRIPPED, PI_ERR_GO_OLD, PI_ERR_GO_UNREADABLE,
};

static bool valid_key(const char *k)
{
	if (!k || !*k)
		return false;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_'))
			return false;
	return true;
}

START_TEST(every_code_has_a_row)
{
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		const struct pi_reason *r = pi_reason_find(-codes[i], NULL);
		ck_assert_msg(r != NULL, "code %d has no row", codes[i]);
		ck_assert_int_eq(r->code, codes[i]);
		/* A reason beyond errno is above every errno. */
		ck_assert_int_gt(codes[i], 4095);
	}
}
END_TEST

START_TEST(rows_are_complete_and_keys_unique)
{
	for (size_t i = 0; i < pi_nreasons; i++) {
		const struct pi_reason *r = &pi_reasons[i];
		ck_assert_msg(valid_key(r->key), "row %zu: key \"%s\"", i, r->key ? r->key : "(null)");
		ck_assert_msg(r->words && strlen(r->words) > 10, "row %zu (%s): no words", i, r->key);
		/* The words are a sentence's middle: no capital, no full stop. */
		ck_assert_msg(r->words[strlen(r->words) - 1] != '.', "row %zu ends in a full stop", i);
		for (size_t k = 0; k < pi_nreasons; k++) {
			if (k == i)
				continue;
			const struct pi_reason *o = &pi_reasons[k];
			/* A key names one code, whatever the item. */
			ck_assert_msg(strcmp(r->key, o->key) != 0 || r->code == o->code,
				      "key %s names codes %d and %d", r->key, r->code, o->code);
			/* One row per code and item. */
			bool same_item = (!r->item && !o->item)
				|| (r->item && o->item && strcmp(r->item, o->item) == 0);
			ck_assert_msg(!(r->code == o->code && same_item), "code %d twice", r->code);
		}
		ck_assert_ptr_eq(pi_reason_find(r->code, r->item), r);
		ck_assert_str_eq(pi_reason_key(-r->code, r->item), r->key);
	}
}
END_TEST

/* Each format has the one conversion its arg gives it, and no other. */
START_TEST(formats_match_their_args)
{
	static const char *const conversion[] = {
		[PI_REASON_ARG_NONE] = NULL,
		[PI_REASON_ARG_TIMEOUT] = "%g",
		[PI_REASON_ARG_SAMPLE_WAIT] = "%s",
		[PI_REASON_ARG_STOP_WAIT] = "%s",
		[PI_REASON_ARG_THREADS] = "%zu",
	};
	for (size_t i = 0; i < pi_nreasons; i++) {
		const struct pi_reason *r = &pi_reasons[i];
		const char *pct = strchr(r->words, '%');
		const char *want = conversion[r->arg];
		if (!want) {
			ck_assert_msg(pct == NULL, "%s: a %% without an arg", r->key);
			continue;
		}
		ck_assert_msg(pct && strncmp(pct, want, strlen(want)) == 0, "%s: wants %s", r->key, want);
		ck_assert_msg(strchr(pct + 1, '%') == NULL, "%s: two conversions", r->key);
	}
}
END_TEST

/* The waits in the words are those of the read, not the defaults. */
START_TEST(words_say_the_budget_used)
{
	struct pi_reason_ctx ctx = {
		.timeout_seconds = 0.25,
		.sample_wait_seconds = 1.5,
		.stop_wait_seconds = 2,
		.nthreads = 7,
	};
	char *s = pi_reason_text(-PI_ERR_NO_USER_SAMPLE, &ctx);
	ck_assert_msg(strstr(s, "kept running for 1.5 s,"), "%s", s);
	free(s);
	s = pi_reason_text(-PI_ERR_TIMEOUT, &ctx);
	ck_assert_str_eq(s, "not read within --timeout 0.25 s");
	free(s);
	s = pi_reason_text(-ETIMEDOUT, &ctx);
	ck_assert_str_eq(s, "it did not stop within 2 s of being asked to");
	free(s);
	s = pi_reason_text(-PI_ERR_THREAD_LIST_LONG, &ctx);
	ck_assert_msg(strstr(s, "twice its 7 threads"), "%s", s);
	free(s);
	/* Unknown: no made-up zero. */
	ctx.sample_wait_seconds = 0;
	s = pi_reason_text(-PI_ERR_NO_USER_SAMPLE, &ctx);
	ck_assert_msg(!strstr(s, " 0 s"), "%s", s);
	free(s);
}
END_TEST

/* Words for one item come before the general ones; an errno with no row
 * is strerror's, with the key "error". */
START_TEST(items_and_errnos)
{
	struct pi_reason_ctx ctx = { .item = "tls" };
	char *s = pi_reason_text(-ENOENT, &ctx);
	ck_assert_msg(strstr(s, "no thread list"), "%s", s);
	free(s);
	ctx.item = "maps";
	s = pi_reason_text(-ENOENT, &ctx);
	ck_assert_str_eq(s, "the task exited while it was being read");
	free(s);
	ck_assert_str_eq(pi_reason_key(-EPERM, "maps"), "permission_denied");
	ck_assert_str_eq(pi_reason_key(-ENOMEM, "maps"), "error");
	s = pi_reason_text(-ENOMEM, NULL);
	ck_assert_str_eq(s, strerror(ENOMEM));
	free(s);
	ctx.item = "kernel_stack";
	s = pi_reason_text(-EACCES, &ctx);
	ck_assert_msg(strstr(s, "root only"), "%s", s);
	free(s);
}
END_TEST

/* A whole process that could not be read: the command's JSON error code
 * and words, which the live view's snapshot page shows too. */
START_TEST(process_reasons)
{
	ck_assert_str_eq(pi_reason_process_key(-ENOENT), "no_such_process");
	ck_assert_str_eq(pi_reason_process_words(-ENOENT), "no such process");
	ck_assert_str_eq(pi_reason_process_key(-ESRCH), "exited");
	ck_assert_str_eq(pi_reason_process_key(-EPERM), "permission_denied");
	ck_assert_msg(strstr(pi_reason_process_words(-EACCES), "hidepid"), "words");
	ck_assert_str_eq(pi_reason_process_key(-ENOMEM), "failed");
	ck_assert_str_eq(pi_reason_process_words(-ENOMEM), strerror(ENOMEM));
}
END_TEST

/* The snapshot's unavailable list is worded by the table, with its key. */
START_TEST(snapshot_uses_the_table)
{
	struct pi_process p;
	memset(&p, 0, sizeof p);
	p.nthreads = 3;
	p.sample_wait_seconds = 0.75;
	char *s = pi_unavailable_reason(&p, "user_stack", -PI_ERR_NO_USER_SAMPLE);
	struct pi_reason_ctx ctx = { .item = "user_stack", .sample_wait_seconds = 0.75, .nthreads = 3 };
	char *t = pi_reason_text(-PI_ERR_NO_USER_SAMPLE, &ctx);
	ck_assert_str_eq(s, t);
	ck_assert_msg(strstr(s, "0.75 s"), "%s", s);
	free(s);
	free(t);
}
END_TEST

/* Not a failure: a cell says "-", and a parenthesis has its few words. */
START_TEST(not_applicable)
{
	ck_assert(pi_reason_not_applicable(-PI_ERR_KERNEL_THREAD));
	ck_assert(pi_reason_not_applicable(-PI_ERR_ZOMBIE));
	ck_assert(!pi_reason_not_applicable(-EACCES));
	ck_assert(!pi_reason_not_applicable(-PI_ERR_TIMEOUT));
	ck_assert_str_eq(pi_reason_brief(-PI_ERR_KERNEL_THREAD), "a kernel thread");
	ck_assert_ptr_null(pi_reason_brief(-EACCES));
	ck_assert_str_eq(pi_reason_none(-PI_ERR_ZOMBIE), "none (exited)");
	ck_assert_ptr_null(pi_reason_none(-ENOENT));
	for (size_t i = 0; i < pi_nreasons; i++)
		ck_assert_msg(!pi_reasons[i].not_applicable || (pi_reasons[i].brief && pi_reasons[i].none),
			      "%s: not applicable, without a brief or a none", pi_reasons[i].key);
}
END_TEST

Suite *reasons_suite(void)
{
	Suite *s = suite_create("reasons");
	TCase *tc = tcase_create("table");
	tcase_add_test(tc, every_code_has_a_row);
	tcase_add_test(tc, rows_are_complete_and_keys_unique);
	tcase_add_test(tc, formats_match_their_args);
	tcase_add_test(tc, words_say_the_budget_used);
	tcase_add_test(tc, items_and_errnos);
	tcase_add_test(tc, process_reasons);
	tcase_add_test(tc, snapshot_uses_the_table);
	tcase_add_test(tc, not_applicable);
	suite_add_tcase(s, tc);
	return s;
}
