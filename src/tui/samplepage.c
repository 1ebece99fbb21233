#include "tui/samplepage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/reasons.h"
#include "render/sample.h"
#include "tui/line.h"
#include "util/buf.h"
#include "util/deadline.h"
#include "util/thread.h"

/* Called by the sampler after each tick, on its thread. */
static void on_progress(void *arg, double seconds_left, size_t ticks, size_t samples)
{
	struct pi_samplepage *sp = arg;
	(void)seconds_left;	/* the page counts down by the clock */
	pthread_mutex_lock(&sp->lock);
	sp->ticks = ticks;
	sp->samples = samples;
	pthread_mutex_unlock(&sp->lock);
}

static void *sample_thread(void *arg)
{
	struct pi_samplepage *sp = arg;
	sp->err = pi_sample_process(&sp->cfg, &sp->run);
	atomic_store(&sp->done, true);
	return NULL;
}

static void say(struct pi_samplepage *sp, const char *text)
{
	pi_strv_push(&sp->lines, text, strlen(text));
}

int pi_samplepage_start(struct pi_samplepage *sp, pid_t pid, double seconds, double rate_hz,
			bool allow_stop, size_t max_frames, enum pi_lines lines, double timeout_seconds)
{
	memset(sp, 0, sizeof *sp);
	sp->pid = pid;
	pthread_mutex_init(&sp->lock, NULL);
	sp->started_ns = pi_monotonic_ns();
	sp->cfg = (struct pi_sample_config){
		.pid = pid,
		.seconds = seconds,
		.rate_hz = rate_hz,
		.allow_stop = allow_stop,
		.max_frames = max_frames,
		.lines = lines,
		.timeout_seconds = timeout_seconds,
		.stop = &sp->stop,
		.progress = on_progress,
		.progress_arg = sp,
	};
	atomic_store(&sp->done, false);
	/* Signals stay the main thread's (a terminal's resize, an
	 * interrupt, SIGCHLD). */
	int err = pi_thread_start_quiet(&sp->thread, sample_thread, sp);
	if (err) {
		sp->finished = true;
		char text[128];
		snprintf(text, sizeof text, "sampling could not start: %s", strerror(err));
		say(sp, text);
		return -err;
	}
	sp->started = true;
	return 0;
}

bool pi_samplepage_busy(const struct pi_samplepage *sp)
{
	return sp->started && !sp->finished;
}

/* The report, a line each. */
static void take_report(struct pi_samplepage *sp)
{
	char text[256];
	if (sp->err) {
		snprintf(text, sizeof text, "process %d: %s", (int)sp->pid, pi_reason_process_words(sp->err));
		say(sp, text);
		return;
	}
	if (sp->run.end == PI_SAMPLE_INTERRUPTED) {
		snprintf(text, sizeof text, "sampling cancelled after %.1f s: the report of the %zu ticks taken",
			 sp->run.seconds_taken, sp->run.profile.ticks);
		say(sp, text);
	} else if (sp->run.end == PI_SAMPLE_TARGET_EXITED) {
		snprintf(text, sizeof text, "process %d exited after %.1f s of sampling: the report of the "
			 "%zu ticks taken", (int)sp->pid, sp->run.seconds_taken, sp->run.profile.ticks);
		say(sp, text);
	}
	struct pi_buf b = PI_BUF_INIT;
	pi_render_sample_text(&b, &sp->run, false);
	const char *s = b.data ? b.data : "";
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		pi_strv_push(&sp->lines, s, n);
		s += n + (nl ? 1 : 0);
	}
	pi_buf_free(&b);
}

static void join(struct pi_samplepage *sp)
{
	if (!sp->started || sp->finished)
		return;
	pthread_join(sp->thread, NULL);
	sp->finished = true;
}

bool pi_samplepage_poll(struct pi_samplepage *sp)
{
	if (!pi_samplepage_busy(sp))
		return false;
	if (atomic_load(&sp->done)) {
		join(sp);
		take_report(sp);
	}
	/* Sampling: the countdown moved. */
	return true;
}

void pi_samplepage_close(struct pi_samplepage *sp)
{
	sp->stop = 1;
	join(sp);
	pi_sample_run_free(&sp->run);
	pi_strv_free(&sp->lines);
	pthread_mutex_destroy(&sp->lock);
	memset(sp, 0, sizeof *sp);
}

static size_t page(const struct pi_screen *s)
{
	return s->rows > 3 ? (size_t)s->rows - 2 : 1;
}

void pi_samplepage_draw(struct pi_samplepage *sp, struct pi_screen *s)
{
	struct pi_line l = { 0 };
	char bar[256];
	bool busy = pi_samplepage_busy(sp);

	erase();
	snprintf(bar, sizeof bar, busy ? "Sampling process %d   Esc: cancel  q: quit"
				       : "Sample of process %d   Esc: back to the snapshot  q: quit",
		 (int)sp->pid);
	pi_line_add(&l, bar, pi_screen_bar(s));
	pi_line_draw(&l, 0, 0, s->cols, pi_screen_bar(s));

	if (busy) {
		size_t ticks, samples;
		/* By the clock: a slow first tick (a machine under load) does
		 * not hold the countdown back. */
		double left = sp->cfg.seconds - (double)(pi_monotonic_ns() - sp->started_ns) / 1e9;
		if (left < 0)
			left = 0;
		pthread_mutex_lock(&sp->lock);
		ticks = sp->ticks;
		samples = sp->samples;
		pthread_mutex_unlock(&sp->lock);
		snprintf(bar, sizeof bar, "sampling process %d for %.0f s at %.0f Hz: %.1f s left, %zu ticks, "
			 "%zu samples", (int)sp->pid, sp->cfg.seconds, sp->cfg.rate_hz, left, ticks, samples);
		pi_line_reset(&l);
		pi_line_add(&l, bar, A_BOLD);
		pi_line_draw(&l, 2, 0, s->cols, A_NORMAL);
		pi_line_reset(&l);
		pi_line_add(&l, sp->cfg.allow_stop
				? "blocked threads are copied while they wait, running ones sampled by perf: "
				  "none is stopped (where perf is denied, for microseconds)"
				: "blocked threads are copied while they wait, running ones sampled by perf: "
				  "none is stopped (--no-ptrace)",
			    A_NORMAL);
		pi_line_draw(&l, 3, 0, s->cols, A_NORMAL);
		pi_line_free(&l);
		return;
	}

	size_t body = page(s);
	for (size_t y = 0; y < body && sp->top + y < sp->lines.n; y++) {
		size_t i = sp->top + y;
		const char *line = sp->lines.v[i];
		/* Titles (no indent) stand out, as in the snapshot. */
		attr_t a = line[0] && line[0] != ' ' ? A_BOLD : A_NORMAL;
		pi_line_reset(&l);
		pi_line_add(&l, line, a);
		pi_line_draw(&l, (int)y + 1, sp->hscroll, s->cols, A_NORMAL);
	}
	size_t at = sp->top < sp->lines.n ? sp->top : 0;
	snprintf(bar, sizeof bar, "lines %zu-%zu of %zu of the sample's report", at + 1,
		 at + body < sp->lines.n ? at + body : sp->lines.n, sp->lines.n);
	pi_line_reset(&l);
	pi_line_add(&l, bar, A_NORMAL);
	pi_line_draw(&l, s->rows - 1, 0, s->cols, A_NORMAL);
	pi_line_free(&l);
}

static void scroll_to(struct pi_samplepage *sp, struct pi_screen *s, long line)
{
	long last = (long)sp->lines.n - (long)page(s);
	if (line > last)
		line = last;
	if (line < 0)
		line = 0;
	sp->top = (size_t)line;
}

enum pi_samplepage_result pi_samplepage_key(struct pi_samplepage *sp, struct pi_screen *s, int key)
{
	long page_len = (long)page(s);
	long top = (long)sp->top;

	switch (key) {
	case 'q':
	case KEY_F(10):
		return PI_SAMPLEPAGE_QUIT;
	case 27:	/* Esc */
	case KEY_BACKSPACE:
		return PI_SAMPLEPAGE_CLOSE;
	default:
		break;
	}
	if (pi_samplepage_busy(sp))
		return PI_SAMPLEPAGE_STAY;
	switch (key) {
	case KEY_UP:
		scroll_to(sp, s, top - 1);
		break;
	case KEY_DOWN:
		scroll_to(sp, s, top + 1);
		break;
	case KEY_PPAGE:
	case 'b':
		scroll_to(sp, s, top - page_len);
		break;
	case KEY_NPAGE:
	case ' ':
		scroll_to(sp, s, top + page_len);
		break;
	case KEY_HOME:
	case 'g':
		scroll_to(sp, s, 0);
		break;
	case KEY_END:
	case 'G':
		scroll_to(sp, s, (long)sp->lines.n);
		break;
	case KEY_LEFT:
		sp->hscroll = sp->hscroll > 8 ? sp->hscroll - 8 : 0;
		break;
	case KEY_RIGHT:
		sp->hscroll += 8;
		break;
	default:
		break;
	}
	return PI_SAMPLEPAGE_STAY;
}
