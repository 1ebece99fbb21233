#include "cmd_snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analyze.h"
#include "analysis/reasons.h"
#include "collect/collect.h"
#include "collect/snapshot.h"
#include "collect/dwait.h"
#include "collect/stacks.h"
#include "collect/waits.h"
#include "exitcodes.h"
#include "output.h"
#include "render/json.h"
#include "render/text.h"
#include "util/deadline.h"

/* Turns a failed read of a whole process into a message and an exit
 * status; in JSON mode scripts also get a document saying what failed. */
static int report_failure(const struct pi_options *opt, pid_t pid, int err)
{
	const char *code, *msg;
	int status = pi_exit_for_read_error(err);

	code = pi_reason_process_key(err);
	msg = pi_reason_process_words(err);
	fprintf(stderr, "pinspect: PID %d: %s\n", (int)pid, msg);
	if (opt->json) {
		struct pi_jw w;
		pi_jw_init(&w, pi_output_write);
		pi_jw_object(&w);
		pi_jw_ki64(&w, "schema_version", PI_JSON_SCHEMA_VERSION);
		pi_jw_ki64(&w, "pid", pid);
		pi_jw_key(&w, "error");
		pi_jw_object(&w);
		pi_jw_kstring(&w, "code", code);
		pi_jw_kstring(&w, "message", msg);
		pi_jw_object_end(&w);
		pi_jw_object_end(&w);
		pi_jw_finish(&w);
	}
	return status;
}

static int snapshot_one(const struct pi_options *opt, pid_t pid, bool first)
{
	struct pi_process p;
	/* One budget (--timeout) for the whole read: what it does not leave
	 * time for is reported as such, and the snapshot is still printed
	 * (exit 0). A TID shows its process, that thread first. */
	struct pi_snapshot_options so = {
		.timeout_seconds = opt->timeout_seconds,
		.hung_after_seconds = opt->hung_after_seconds,
		.depth = PI_SNAPSHOT_STACKS,
		.stacks = {
			.allow_stop = !opt->no_ptrace,
			.sample_running = true,
			.stop_blocked = opt->stop_blocked,
			.consistent = opt->consistent,
			.max_frames = opt->max_frames,
			.stop_timeout_seconds = 5,
			.lines = (enum pi_lines)opt->lines,
		},
		.waits = !opt->no_waits,
		.d_waits = true,
		.follow_thread = true,
	};
	int err = pi_snapshot_read(pid, &so, &p);
	if (p.selected_tid)
		fprintf(stderr, "pinspect: %d is a thread of process %d; showing the process, "
			"that thread first\n", (int)pid, (int)p.pid);
	if (err) {
		pid_t which = p.selected_tid ? p.pid : pid;
		pi_process_free(&p);
		return report_failure(opt, which, err);
	}
	if (opt->json) {
		struct pi_jw w;
		pi_jw_init(&w, pi_output_write);
		pi_render_json(&w, &p);
		pi_jw_finish(&w);
	} else {
		struct pi_buf b = PI_BUF_INIT;
		if (!first)
			pi_buf_putc(&b, '\n');
		struct pi_text_view view;
		pi_text_view_init(&view, &opt->sections, isatty(STDOUT_FILENO), opt->full);
		view.selected_tid = p.selected_tid;
		pi_render_text_view(&b, &p, &view);
		pi_output_write(b.data, b.len);
		pi_buf_free(&b);
	}
	pi_process_free(&p);
	return PI_EXIT_OK;
}

int pi_cmd_snapshot(const struct pi_options *opt)
{
	int status = PI_EXIT_OK;
	for (size_t i = 0; i < opt->npids; i++) {
		int s = snapshot_one(opt, opt->pids[i], i == 0);
		if (s > status)
			status = s;
	}
	return pi_output_flush() ? PI_EXIT_FAILURE : status;
}
