/* samplepage — a short --sample of one process from the live view's
 * snapshot page (S), and its report as a scrollable page.
 *
 * The sampling (sample/sampler.h) runs on a thread of its own, with every
 * signal blocked there (a resize or an interrupt stays the main thread's),
 * so that the view keeps answering keys: the page shows a countdown, the
 * ticks and samples taken; Esc cancels, q quits the view. Either way the
 * sampler is told to stop and is waited for before the page goes: it
 * stops after the tick under way, which stops no thread beyond it (a
 * running thread is sampled by perf, or held for microseconds where perf
 * is denied, and always let go before the tick ends). The report is the
 * text of pinspect --sample (render/sample.h), escaped there. */
#ifndef PI_TUI_SAMPLEPAGE_H
#define PI_TUI_SAMPLEPAGE_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc/lists.h"
#include "sample/sampler.h"
#include "tui/screen.h"

/* The live view's sample: 5 s at --sample's default rate. */
#define PI_SAMPLEPAGE_SECONDS 5.0

struct pi_samplepage {
	pid_t pid;
	struct pi_sample_config cfg;
	struct pi_sample_run run;
	int err;			/* the sampler's result, once done */

	pthread_t thread;
	bool started;			/* the thread runs (or ran) and is not joined yet */
	atomic_bool done;		/* the thread has finished */
	volatile sig_atomic_t stop;	/* asks the sampler to stop after its tick */

	int64_t started_ns;		/* the countdown runs from here, tick or not */
	pthread_mutex_t lock;		/* guards the progress below */
	size_t ticks, samples;

	bool finished;			/* joined: lines hold the report */
	struct pi_strv lines;
	size_t top, hscroll;
};

enum pi_samplepage_result {
	PI_SAMPLEPAGE_STAY,
	PI_SAMPLEPAGE_CLOSE,	/* back to the snapshot */
	PI_SAMPLEPAGE_QUIT,	/* quit the live view */
};

/* Starts sampling pid for seconds at rate_hz (allow_stop false with
 * --no-ptrace; timeout_seconds: --timeout, for each tick). 0, or -errno when the thread could not be started (the
 * page then says so). */
int pi_samplepage_start(struct pi_samplepage *sp, pid_t pid, double seconds, double rate_hz,
			bool allow_stop, size_t max_frames, enum pi_lines lines, double timeout_seconds);
/* Is the sampling still under way? */
bool pi_samplepage_busy(const struct pi_samplepage *sp);
/* Takes the report once the sampling is done. True when the page
 * changed since the last call (the countdown moves while sampling). */
bool pi_samplepage_poll(struct pi_samplepage *sp);
/* Stops the sampling (if under way), waits for it, frees everything. */
void pi_samplepage_close(struct pi_samplepage *sp);

void pi_samplepage_draw(struct pi_samplepage *sp, struct pi_screen *s);
enum pi_samplepage_result pi_samplepage_key(struct pi_samplepage *sp, struct pi_screen *s, int key);

#endif
