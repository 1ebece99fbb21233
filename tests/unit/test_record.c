/* Recordings (record/): a table encoded and decoded renders the very
 * same text and JSON; every prefix of a chunk, and chunks forged to
 * break each invariant the view relies on, are refused with a reason;
 * a file of gzip members is indexed, a member cut short or damaged
 * costs only its refresh; the times --begin, --end and b take. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exitcodes.h"
#include "record/codec.h"
#include "record/reader.h"
#include "record/writer.h"
#include "render/table_json.h"
#include "render/table_text.h"
#include "table/problems.h"
#include "table_fixture.h"
#include "unit.h"

/* The batch text and JSON of a table, every column, a row per thread. */
static char *render(struct pi_table *t)
{
	struct pi_view v = { 0 };
	struct pi_view_options o = { .sort = PI_COL_PID, .threads = true,
				     .columns = pi_columns_all() };
	struct pi_buf out = PI_BUF_INIT;
	struct pi_finding *f;
	struct pi_jw w;

	pi_view_build(&v, t, &o);
	pi_render_table_text(&out, t, &v, &o);
	size_t n = pi_table_findings(t, &f);
	pi_jw_init(&w, NULL);
	pi_render_table_json(&w, t, &v, &o, f, n);
	pi_buf_append(&out, w.buf.data, w.buf.len);
	pi_buf_free(&w.buf);
	pi_table_findings_free(f, n);
	pi_view_free(&v);
	return pi_buf_steal(&out);
}

static void encode(struct pi_table *t, struct pi_buf *out)
{
	struct pi_meters m;
	memset(&m, 0, sizeof m);
	m.stat_known = m.mem_known = true;
	m.ncpus = 2;
	m.all_percent = 12.5;
	m.cpu_percent[0] = NAN;
	m.cpu_percent[1] = 25;
	m.mem_total = 1 << 30;
	m.mem_used = 1 << 20;
	pi_record_encode_frame(out, t, &m);
}

/* Decoding bytes that must be refused: refused, with a reason. */
static void refused(const struct pi_buf *b, const char *reason)
{
	struct pi_table t;
	char why[256] = "";
	ck_assert_int_eq(pi_record_decode_frame((const uint8_t *)b->data, b->len, &t, NULL, why,
						sizeof why), -1);
	pi_table_done(&t);
	ck_assert_msg(strstr(why, reason), "refused for '%s', not '%s'", why, reason);
}

START_TEST(round_trip)
{
	struct pi_table t, back;
	struct pi_buf b = PI_BUF_INIT;
	struct pi_meters m;
	char why[256] = "";

	make_table(&t);
	t.realtime_seconds = 1795962711.5;
	t.uptime_seconds = 3600;
	t.load_known = true;
	t.load[0] = 1.25;
	pi_table_classify(&t);	/* (a zombie's age follows the uptime) */
	encode(&t, &b);
	ck_assert_int_eq(pi_record_decode_frame((const uint8_t *)b.data, b.len, &back, &m, why,
						sizeof why), 0);
	char *a = render(&t), *z = render(&back);
	if (strcmp(a, z) != 0) {
		size_t i = 0;
		while (a[i] == z[i])
			i++;
		ck_abort_msg("they differ at byte %zu: '%.60s' against '%.60s'", i, a + (i > 20 ? i - 20 : 0),
			     z + (i > 20 ? i - 20 : 0));
	}
	ck_assert_uint_eq(m.ncpus, 2);
	ck_assert(isnan(m.cpu_percent[0]));
	ck_assert(m.cpu_percent[1] == 25 && m.all_percent == 12.5 && m.mem_used == 1 << 20);
	free(a);
	free(z);
	pi_table_done(&back);
	pi_table_done(&t);
	pi_buf_free(&b);
}
END_TEST

START_TEST(every_prefix_refused)
{
	struct pi_table t;
	struct pi_buf b = PI_BUF_INIT;
	make_table(&t);
	encode(&t, &b);
	for (size_t n = 0; n < b.len; n++) {
		struct pi_table back;
		char why[256] = "";
		ck_assert_int_eq(pi_record_decode_frame((const uint8_t *)b.data, n, &back, NULL, why,
							sizeof why), -1);
		ck_assert(why[0]);
		pi_table_done(&back);
	}
	/* And a byte more than the refresh. */
	pi_buf_putc(&b, 0);
	refused(&b, "follow the refresh");
	pi_table_done(&t);
	pi_buf_free(&b);
}
END_TEST

/* A table broken one way, encoded as the writer would: the decoder
 * must refuse it. */
static void broken(void (*breakit)(struct pi_table *), const char *reason)
{
	struct pi_table t;
	struct pi_buf b = PI_BUF_INIT;
	make_table(&t);
	breakit(&t);
	encode(&t, &b);
	refused(&b, reason);
	pi_table_done(&t);
	pi_buf_free(&b);
}

static void worst_outside(struct pi_table *t) { t->procs[1].worst_task = 9999; }
static void wrong_proc(struct pi_table *t) { t->tasks[2].proc = 0; }
static void first_task_off(struct pi_table *t) { t->procs[1].first_task++; }
static void pids_unsorted(struct pi_table *t) { t->procs[1].pid = 0; }
static void tids_unsorted(struct pi_table *t) { t->tasks[t->procs[1].first_task + 1].facts.tid = 1; }
static void control_state(struct pi_table *t) { t->tasks[0].facts.state = '\033'; }
static void nan_time(struct pi_table *t) { t->tasks[0].facts.off_cpu_seconds = NAN; }
static void huge_time(struct pi_table *t) { t->uptime_seconds = 1e300; }
static void no_hz(struct pi_table *t) { t->hz = 0; }
static void huge_ticks(struct pi_table *t) { t->procs[0].ticks = UINT64_MAX / 2; }
static void huge_ns(struct pi_table *t) { t->sample_ns = INT64_MIN; }
static void bad_abi(struct pi_table *t) { t->procs[0].abi = 77; }
static void bad_syscall_kind(struct pi_table *t) { t->tasks[0].facts.syscall_kind = 9; }
static void one_thread_cycle(struct pi_table *t)
{
	pid_t *tids = malloc(sizeof *tids);
	tids[0] = 11;
	struct pi_deadlock *v = calloc(1, sizeof *v);
	*v = (struct pi_deadlock){ 10, t->procs[1].starttime, tids, 1, strdup("x"), false, 0, NULL, 0 };
	pi_deadlocks_free(&t->deadlocks);
	t->deadlocks.v = v;
	t->deadlocks.n = 1;
}

START_TEST(invariants)
{
	broken(worst_outside, "worst thread");
	broken(wrong_proc, "not in its process's place");
	broken(first_task_off, "not where the table says");
	broken(pids_unsorted, "out of order");
	broken(tids_unsorted, "out of order");
	broken(control_state, "no state letter");
	broken(nan_time, "out of range");
	broken(huge_time, "out of range");
	broken(no_hz, "clock ticks");
	broken(huge_ticks, "CPU time is out of range");
	broken(huge_ns, "out of range");
	broken(bad_abi, "system call table");
	broken(bad_syscall_kind, "system-call state");
	broken(one_thread_cycle, "has 1 threads");
}
END_TEST

/* Counts and flags follow from the facts: forged ones are not taken (a
 * count of zombie parents once sized an array of the summary). */
START_TEST(derived_not_trusted)
{
	struct pi_table t, back;
	struct pi_buf b = PI_BUF_INIT;
	char why[256] = "";
	make_table(&t);
	struct pi_table_counts real = t.counts;
	t.counts.zombie_parents = (size_t)1 << 40;
	t.counts.hung = 12345;
	t.tasks[0].facts.flags = PI_TASK_HUNG;
	t.procs[0].zombies = 99;
	encode(&t, &b);
	ck_assert_int_eq(pi_record_decode_frame((const uint8_t *)b.data, b.len, &back, NULL, why,
						sizeof why), 0);
	ck_assert_uint_eq(back.counts.zombie_parents, real.zombie_parents);
	ck_assert_uint_eq(back.counts.hung, real.hung);
	ck_assert_uint_eq(back.tasks[0].facts.flags, 0);
	ck_assert_uint_eq(back.procs[0].zombies, 0);
	free(render(&back));
	pi_table_done(&back);
	pi_table_done(&t);
	pi_buf_free(&b);
}
END_TEST

START_TEST(forged_bytes)
{
	struct pi_table t;
	struct pi_buf b = PI_BUF_INIT;
	make_table(&t);
	encode(&t, &b);

	/* Not a chunk; a newer version; a kind unknown. */
	struct pi_buf x = PI_BUF_INIT;
	pi_buf_append(&x, "PIRX", 4);
	pi_buf_append(&x, b.data + 4, b.len - 4);
	refused(&x, "not a pinspect recording");
	x.data[3] = 'C';
	x.data[5] = 2;
	refused(&x, "format version 2");
	x.data[5] = 1;
	x.data[4] = 'Q';
	refused(&x, "unknown kind");

	/* A NUL inside the first process's name, and a name longer than
	 * the table keeps: found by their bytes. */
	pi_buf_reset(&x);
	pi_buf_append(&x, b.data, b.len);
	char *init = memmem(x.data, x.len, "init", 4);
	ck_assert_ptr_nonnull(init);
	init[1] = '\0';
	refused(&x, "NUL");
	pi_buf_reset(&x);
	pi_buf_append(&x, b.data, b.len);
	init = memmem(x.data, x.len, "init", 4);
	init[-4] = (char)0xff;
	refused(&x, "more than");
	pi_buf_free(&x);
	pi_table_done(&t);
	pi_buf_free(&b);
}
END_TEST

/* A file in memory: gzip members of the chunks given. */
static int memfile(const struct pi_buf *chunks, size_t n, size_t cut_last)
{
	int fd = memfd_create("rec", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	for (size_t i = 0; i < n; i++) {
		struct pi_buf z = PI_BUF_INIT;
		pi_record_gzip(chunks[i].data, chunks[i].len, &z);
		size_t len = i + 1 == n && cut_last ? z.len - cut_last : z.len;
		ck_assert_int_eq(write(fd, z.data, len), (ssize_t)len);
		pi_buf_free(&z);
	}
	return fd;
}

START_TEST(file_index)
{
	struct pi_table t;
	struct pi_buf c[4] = { PI_BUF_INIT, PI_BUF_INIT, PI_BUF_INIT, PI_BUF_INIT };
	struct pi_record_header h = { .page_size = 4096, .hz = 100, .started = 1e9 };
	struct pi_replay r;
	char why[256];

	strcpy(h.host, "box");
	make_table(&t);
	pi_record_encode_header(&c[0], &h);
	for (int i = 1; i < 4; i++) {
		t.realtime_seconds = 1e9 + i;
		pi_record_encode_frame(&c[i], &t, NULL);
	}
	/* Whole: three refreshes, each read back. */
	ck_assert_int_eq(pi_replay_open_fd(&r, memfile(c, 4, 0), why, sizeof why), 0);
	ck_assert_uint_eq(r.nframes, 3);
	ck_assert_uint_eq(r.damaged, 0);
	ck_assert_str_eq(r.headers[0].host, "box");
	struct pi_table back;
	ck_assert_int_eq(pi_replay_load(&r, 2, &back, NULL, why, sizeof why), 0);
	ck_assert(back.realtime_seconds == 1e9 + 3);
	pi_table_done(&back);
	ck_assert_uint_eq(pi_replay_at_or_after(&r, 1e9 + 1.5), 1);
	ck_assert_uint_eq(pi_replay_at_or_before(&r, 1e9 + 1.5), 0);
	pi_replay_close(&r);
	/* The last member cut: two refreshes, the cut said. */
	ck_assert_int_eq(pi_replay_open_fd(&r, memfile(c, 4, 30), why, sizeof why), 0);
	ck_assert_uint_eq(r.nframes, 2);
	ck_assert(r.cut);
	pi_replay_close(&r);
	/* A header alone: no refresh. */
	ck_assert_int_eq(pi_replay_open_fd(&r, memfile(c, 1, 0), why, sizeof why), PI_EXIT_BADFILE);
	ck_assert(strstr(why, "no complete refresh"));
	pi_replay_close(&r);
	/* A refresh without a header first. */
	ck_assert_int_eq(pi_replay_open_fd(&r, memfile(c + 1, 2, 0), why, sizeof why), PI_EXIT_BADFILE);
	ck_assert(strstr(why, "header"));
	pi_replay_close(&r);
	for (int i = 0; i < 4; i++)
		pi_buf_free(&c[i]);
	pi_table_done(&t);
}
END_TEST

START_TEST(times)
{
	double t;
	double ref = 1795962711;	/* a time of the recording */
	ck_assert(pi_replay_parse_time("@1795962711.5", ref, &t) && t == 1795962711.5);
	ck_assert(pi_replay_parse_time("14:02", ref, &t));
	double hm = t;
	ck_assert(pi_replay_parse_time("14:02:30", ref, &t) && t == hm + 30);
	ck_assert(pi_replay_parse_time("2026-11-29 14:02:30", ref, &t));
	ck_assert(pi_replay_parse_time("202611291402", ref, &t));
	static const char *bad[] = { "", "soon", "25:00", "14:60", "14:02:30x", "@", "@-5", "@1e300",
				     "2026-13-01 10:00", "1402", "14", "@nan" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_msg(!pi_replay_parse_time(bad[i], ref, &t), "'%s' is no time", bad[i]);
}
END_TEST

Suite *record_suite(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("record");
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, every_prefix_refused);
	tcase_add_test(tc, invariants);
	tcase_add_test(tc, derived_not_trusted);
	tcase_add_test(tc, forged_bytes);
	tcase_add_test(tc, file_index);
	tcase_add_test(tc, times);
	suite_add_tcase(s, tc);
	return s;
}
