#include "cmd_batch.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "collect/sched_clock.h"
#include "exitcodes.h"
#include "monitor.h"
#include "output.h"
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

int pi_cmd_batch(const struct pi_options *opt)
{
	struct pi_monitor m;
	int status = pi_monitor_init(&m, opt);
	if (status)
		return status;

	int64_t start = pi_monotonic_ns();
	for (long i = 1; !opt->iterations || i <= opt->iterations; i++) {
		if (i > 1)
			sleep_until(start + (int64_t)((double)(i - 1) * opt->delay_seconds * 1e9));
		status = pi_monitor_sample(&m);
		if (status) {
			fprintf(stderr, "pinspect: %s\n", m.error);
			break;
		}
		pi_monitor_build(&m);
		/* Every row is printed, so every row is read. */
		pi_monitor_read_rows(&m, 0, m.view.n, false);
		print(&m, opt, i);
		if (pi_output_flush()) {
			status = PI_EXIT_FAILURE;
			break;
		}
	}
	pi_monitor_done(&m);
	return status;
}
