/* sample/profile.c and render/sample.c: counting sampled stacks, within
 * bounds, and printing names a target chose without letting them break
 * the folded format or the terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/sample.h"
#include "sample/profile.h"
#include "sample/sampler.h"
#include "unit.h"

static struct pi_profile_record record(pid_t tid, const char *comm, enum pi_sampled_state state,
				       const char *const *frames, size_t n)
{
	return (struct pi_profile_record){ .tid = tid, .comm = comm, .state = state, .frames = frames,
					   .nframes = n, .stopped_us = -1 };
}

START_TEST(identical_stacks_count_once)
{
	struct pi_profile p;
	pi_profile_init(&p);
	const char *a[] = { "spin", "main" }, *b[] = { "read", "main" };
	for (int i = 0; i < 3; i++) {
		struct pi_profile_record r = record(10, "w", PI_SAMPLED_ON_CPU, a, 2);
		pi_profile_add(&p, &r);
		r = record(11, "w", PI_SAMPLED_OFF_CPU, b, 2);
		r.wchan = "pipe_read";
		r.syscall = "read";
		pi_profile_add(&p, &r);
	}
	/* Same frames, another wait: another stack. */
	struct pi_profile_record r = record(11, "w", PI_SAMPLED_OFF_CPU, b, 2);
	r.wchan = "futex_wait_queue";
	pi_profile_add(&p, &r);
	ck_assert_uint_eq(p.samples, 7);
	ck_assert_uint_eq(p.nstacks, 3);
	ck_assert_uint_eq(p.by_state[PI_SAMPLED_ON_CPU], 3);
	ck_assert_uint_eq(p.by_state[PI_SAMPLED_OFF_CPU], 4);
	ck_assert_uint_eq(p.nthreads, 2);
	ck_assert_uint_eq(p.threads[1].samples, 4);
	const struct pi_profile_stack **v = pi_profile_sorted(&p);
	ck_assert_uint_eq(v[0]->count, 3);
	ck_assert_uint_eq(v[2]->count, 1);
	ck_assert_str_eq(v[2]->wchan, "futex_wait_queue");
	free(v);
	pi_profile_free(&p);
}
END_TEST

START_TEST(bounded_whatever_the_target_does)
{
	struct pi_profile p;
	pi_profile_init(&p);
	char name[32];
	const char *f[1] = { name };
	/* A stack per sample, past the cap: the rest are counted as dropped. */
	for (int i = 0; i < PI_PROFILE_MAX_STACKS + 100; i++) {
		snprintf(name, sizeof name, "f%d", i);
		struct pi_profile_record r = record(1, "t", PI_SAMPLED_ON_CPU, f, 1);
		pi_profile_add(&p, &r);
	}
	ck_assert_uint_eq(p.nstacks, PI_PROFILE_MAX_STACKS);
	ck_assert_uint_eq(p.dropped, 100);
	ck_assert_uint_eq(p.samples, PI_PROFILE_MAX_STACKS + 100);
	pi_profile_free(&p);

	/* Deep stacks and long names are cut. */
	pi_profile_init(&p);
	size_t long_len = 100000;
	char *huge = malloc(long_len + 1);
	memset(huge, 'x', long_len);
	huge[long_len] = '\0';
	const char **deep = calloc(1000, sizeof *deep);
	for (int i = 0; i < 1000; i++)
		deep[i] = huge;
	struct pi_profile_record r = record(1, huge, PI_SAMPLED_OFF_CPU, deep, 1000);
	r.wchan = huge;
	pi_profile_add(&p, &r);
	pi_profile_add(&p, &r);
	ck_assert_uint_eq(p.nstacks, 1);
	ck_assert_uint_eq(p.stacks[0].count, 2);
	ck_assert_uint_eq(p.stacks[0].nframes, PI_PROFILE_MAX_FRAMES);
	ck_assert_uint_eq(strlen(p.stacks[0].frames[0]), PI_PROFILE_MAX_NAME);
	ck_assert_uint_eq(strlen(p.stacks[0].comm), PI_PROFILE_MAX_NAME);
	pi_profile_free(&p);

	/* Distinct deep stacks of long names: the bytes kept are capped. */
	pi_profile_init(&p);
	size_t added = 0;
	for (int i = 0; i < 2000; i++) {
		huge[i % 500] = (char)('a' + i % 26);
		huge[500 + i / 500] = (char)('a' + i % 26);
		struct pi_profile_record d = record(1, "t", PI_SAMPLED_ON_CPU, deep, 1000);
		pi_profile_add(&p, &d);
		added++;
	}
	ck_assert_uint_le(p.bytes, PI_PROFILE_MAX_BYTES);
	ck_assert_uint_gt(p.dropped, 0);
	ck_assert_uint_eq(p.samples, added);
	free(deep);
	free(huge);
	pi_profile_free(&p);
}
END_TEST

static struct pi_sample_run hostile_run(void)
{
	struct pi_sample_run run;
	memset(&run, 0, sizeof run);
	run.pid = 42;
	strcpy(run.comm, "evil\x1b[2J");
	run.rate_hz = 20;
	run.ticks_asked = 1;
	pi_profile_init(&run.profile);
	const char *f[] = { "a;b c", "new\nline", "" };
	struct pi_profile_record r = record(7, "x;y\n", PI_SAMPLED_D, f, 3);
	r.wchan = "w;a it\x1b";
	pi_profile_add(&run.profile, &r);
	const char *g[] = { "main" };
	r = record(8, "ok", PI_SAMPLED_ON_CPU, g, 1);
	pi_profile_add(&run.profile, &r);
	run.profile.ticks = 1;
	return run;
}

START_TEST(folded_lines_hold_one_stack_each)
{
	struct pi_sample_run run = hostile_run();
	struct pi_buf b = PI_BUF_INIT;
	pi_render_sample_folded(&b, &run);
	/* Two lines; in each, ';' only between frames, the count after the
	 * last space, no control character. */
	ck_assert_str_eq(b.data, "ok;main 1\n"
				 "x:y\\n;[unknown];new\\nline;a:b c;[D:w:a_it\\e] 1\n");
	pi_buf_free(&b);
	pi_sample_run_free(&run);
}
END_TEST

START_TEST(text_and_json_hold_no_raw_control)
{
	struct pi_sample_run run = hostile_run();
	struct pi_buf b = PI_BUF_INIT;
	pi_render_sample_text(&b, &run, true);
	for (size_t i = 0; i < b.len; i++)
		ck_assert_msg(b.data[i] == '\n' || (unsigned char)b.data[i] >= 0x20, "raw control at %zu", i);
	ck_assert_ptr_nonnull(strstr(b.data, "evil\\e[2J"));
	ck_assert_ptr_nonnull(strstr(b.data, "in D       50.0%      1"));
	pi_buf_free(&b);

	struct pi_jw w;
	pi_jw_init(&w, NULL);
	pi_render_sample_json(&w, &run);
	ck_assert_ptr_nonnull(strstr(w.buf.data, "\"samples\":2"));
	ck_assert_ptr_nonnull(strstr(w.buf.data, "\"state\":\"D\""));
	for (size_t i = 0; i < w.buf.len; i++)
		ck_assert((unsigned char)w.buf.data[i] >= 0x20);
	pi_buf_free(&w.buf);
	pi_sample_run_free(&run);
}
END_TEST

Suite *profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("profile");
	tcase_add_test(tc, identical_stacks_count_once);
	tcase_add_test(tc, bounded_whatever_the_target_does);
	tcase_add_test(tc, folded_lines_hold_one_stack_each);
	tcase_add_test(tc, text_and_json_hold_no_raw_control);
	suite_add_tcase(s, tc);
	return s;
}
