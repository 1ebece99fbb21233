#include "cmd_sample.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analysis/reasons.h"
#include "exitcodes.h"
#include "output.h"
#include "render/json.h"
#include "render/sample.h"
#include "sample/sampler.h"

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* SIGINT (Ctrl-C) and SIGTERM end the sampling early; the report of
 * what was taken is still printed. No SA_RESTART: the wait between ticks
 * wakes at once. */
static void catch_stop_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

struct progress {
	bool shown;
	int64_t last_ns;
};

/* On a terminal: "sampling PID: 3.2 s left, 64 ticks, 320 samples", a
 * few times a second, on one line that the report replaces. */
static void show_progress(void *arg, double seconds_left, size_t ticks, size_t samples)
{
	struct progress *pr = arg;
	int64_t now = pi_monotonic_ns();
	if (pr->shown && now - pr->last_ns < 250000000)
		return;
	pr->last_ns = now;
	pr->shown = true;
	fprintf(stderr, "\rpinspect: sampling: %.1f s left, %zu ticks, %zu samples   ",
		seconds_left > 0 ? seconds_left : 0, ticks, samples);
	fflush(stderr);
}

static int failure(const struct pi_options *opt, pid_t pid, int err)
{
	if (err == -EINVAL) {
		fprintf(stderr, "pinspect: --sample: %d is a thread, not a process: give its process's PID\n",
			(int)pid);
		return PI_EXIT_USAGE;
	}
	int status = pi_exit_for_read_error(err);
	fprintf(stderr, "pinspect: PID %d: %s\n", (int)pid, pi_reason_process_words(err));
	(void)opt;
	return status;
}

int pi_cmd_sample(const struct pi_options *opt)
{
	pid_t pid = opt->pids[0];
	struct progress pr = { 0 };
	struct pi_sample_config cfg = {
		.pid = pid,
		.seconds = opt->sample_seconds,
		.rate_hz = opt->sample_rate_hz,
		.allow_stop = !opt->no_ptrace,
		.max_frames = opt->max_frames,
		.lines = (enum pi_lines)opt->lines,
		.timeout_seconds = opt->timeout_seconds,
		.stop = &stop_requested,
	};
	if (isatty(STDERR_FILENO)) {
		cfg.progress = show_progress;
		cfg.progress_arg = &pr;
	}
	catch_stop_signals();

	struct pi_sample_run run;
	int err = pi_sample_process(&cfg, &run);
	if (pr.shown)
		fputs("\r\033[K", stderr);
	if (err) {
		pi_sample_run_free(&run);
		return failure(opt, pid, err);
	}
	if (run.end == PI_SAMPLE_INTERRUPTED)
		fprintf(stderr, "pinspect: sampling interrupted after %.1f s: reporting the %zu ticks taken\n",
			run.seconds_taken, run.profile.ticks);
	else if (run.end == PI_SAMPLE_TARGET_EXITED)
		fprintf(stderr, "pinspect: process %d exited after %.1f s of sampling: reporting the %zu "
			"ticks taken\n", (int)pid, run.seconds_taken, run.profile.ticks);

	struct pi_buf b = PI_BUF_INIT;
	if (opt->json) {
		struct pi_jw w;
		pi_jw_init(&w, pi_output_write);
		pi_render_sample_json(&w, &run);
		pi_jw_finish(&w);
	} else {
		if (opt->folded)
			pi_render_sample_folded(&b, &run);
		else
			pi_render_sample_text(&b, &run, opt->full);
		pi_output_write(b.data, b.len);
	}
	pi_buf_free(&b);
	int status = run.end == PI_SAMPLE_TARGET_EXITED ? PI_EXIT_NOPROC : PI_EXIT_OK;
	pi_sample_run_free(&run);
	return pi_output_flush() ? PI_EXIT_FAILURE : status;
}
