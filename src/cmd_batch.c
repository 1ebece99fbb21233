#include "cmd_batch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "collect/sched_clock.h"
#include "exitcodes.h"
#include "monitor.h"
#include "output.h"
#include "record/replay.h"
#include "record/writer.h"
#include "render/table_json.h"
#include "render/table_text.h"
#include "table/problems.h"

static void sleep_until(int64_t deadline_ns)
{
	for (;;) {
		int64_t left = deadline_ns - pi_monotonic_ns();
		if (left <= 0)
			return;
		struct timespec ts = { (time_t)(left / 1000000000), (long)(left % 1000000000) };
		if (nanosleep(&ts, NULL) == 0)
			return;
		if (errno != EINTR)
			return;
	}
}

static void print(struct pi_monitor *m, const struct pi_options *opt, long iteration)
{
	if (opt->json) {
		struct pi_finding *f;
		struct pi_jw w;
		size_t nf = pi_table_findings(&m->table, &f);
		pi_jw_init(&w, pi_output_write);
		pi_render_table_json(&w, &m->table, &m->view, &m->vo, f, nf);
		pi_jw_finish(&w);
		pi_table_findings_free(f, nf);
		return;
	}
	struct pi_buf b = PI_BUF_INIT;
	if (iteration > 1)
		pi_buf_putc(&b, '\n');
	pi_render_table_text(&b, &m->table, &m->view, &m->vo);
	pi_output_write(b.data, b.len);
	pi_buf_free(&b);
}

/* --replay FILE --batch: each refresh of the recording printed as it
 * was live, from the same table by the same code. */
static int replay(const struct pi_options *opt)
{
	struct pi_monitor m;
	struct pi_replay r;
	size_t first, last;
	int status = pi_monitor_replay_open(&m, &r, opt, &first, &last);
	if (status)
		return status;
	for (size_t i = first; i <= last; i++) {
		long n = (long)(i - first) + 1;
		if (opt->iterations && n > opt->iterations)
			break;
		/* Each run's rows as it printed them (an appended run may
		 * have had -H where the first had not). */
		const struct pi_record_header *h = &r.headers[r.frames[i].header];
		m.vo.threads = opt->threads || h->threads || h->top_pid;
		status = pi_monitor_replay_load(&m, &r, i, NULL);
		if (status) {
			fprintf(stderr, "pinspect: %s\n", m.error);
			break;
		}
		print(&m, opt, n);
		if (pi_output_flush()) {
			status = PI_EXIT_FAILURE;
			break;
		}
	}
	pi_monitor_done(&m);
	pi_replay_close(&r);
	return status;
}

/* --record FILE: everything about every task is read, so that a replay
 * can show any column of any row (reading it costs a few file reads a
 * task); then the refresh as printed is appended. */
static int record(struct pi_monitor *m, struct pi_record_writer *w, struct pi_meters *meters,
		  const char *path)
{
	pi_meters_read(meters);
	int err = pi_record_write(w, &m->table, meters);
	if (!err)
		return 0;
	fprintf(stderr, "pinspect: --record: writing %s failed: %s\n", path, strerror(-err));
	return PI_EXIT_FAILURE;
}

int pi_cmd_batch(const struct pi_options *opt)
{
	if (opt->replay_path)
		return replay(opt);

	struct pi_monitor m;
	struct pi_record_writer w = { .fd = -1 };
	struct pi_meters meters;
	memset(&meters, 0, sizeof meters);
	int status = pi_monitor_init(&m, opt);
	if (status)
		return status;
	if (opt->record_path) {
		status = pi_record_open(&w, opt->record_path, m.table.opt.only_pid, m.vo.threads);
		if (status) {
			pi_monitor_done(&m);
			return status;
		}
		pi_meters_read(&meters);
	}

	int64_t start = pi_monotonic_ns();
	for (long i = 1; !opt->iterations || i <= opt->iterations; i++) {
		if (i > 1)
			sleep_until(start + (int64_t)((double)(i - 1) * opt->delay_seconds * 1e9));
		status = pi_monitor_sample(&m);
		if (status) {
			fprintf(stderr, "pinspect: %s\n", m.error);
			break;
		}
		if (opt->record_path) {
			pi_table_read_all(&m.table, PI_DETAIL_ALL);
			pi_table_classify(&m.table);
		}
		pi_monitor_build(&m);
		/* Every row is printed, so every row is read. */
		pi_monitor_read_rows(&m, 0, m.view.n, false);
		print(&m, opt, i);
		if (pi_output_flush()) {
			status = PI_EXIT_FAILURE;
			break;
		}
		if (opt->record_path && (status = record(&m, &w, &meters, opt->record_path)))
			break;
	}
	if (opt->record_path)
		pi_record_close(&w);
	pi_monitor_done(&m);
	return status;
}
