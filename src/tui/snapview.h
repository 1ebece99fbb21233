/* snapview — the selected task's full snapshot inside the live view: the
 * very model `pinspect PID` prints (collect/, analysis/), rendered by
 * render/text.c and shown as a scrollable page with its sections,
 * kernel stacks, memory map, and user stacks on a key. */
#ifndef PI_TUI_SNAPVIEW_H
#define PI_TUI_SNAPVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "collect/stacks.h"
#include "proc/lists.h"
#include "tui/samplepage.h"
#include "tui/screen.h"

struct pi_snapview {
	pid_t pid, tid;			/* the process, and the thread selected */
	double hung_after_seconds;
	double timeout_seconds;		/* --timeout: the budget of each read (0: none) */
	struct pi_stack_options stack_options;	/* from the command line */
	bool stacks;			/* user stacks asked for (u) */
	int perf_err;			/* why running threads could not be sampled (0: they were) */
	struct pi_strv lines;		/* the snapshot's text, a line each */
	unsigned char *section;		/* per line: which section it is in */
	size_t top;			/* the first line on screen */
	size_t hscroll;
	char message[256];		/* at the bottom: what just happened */
	/* S: a sample of the process under way, or its report; shown
	 * instead of the snapshot while it is open (NULL: none). */
	struct pi_samplepage *sample;
};

/* QUIT: the user quit the live view from a sample's page (q). */
enum pi_snapview_result { PI_SNAPVIEW_STAY, PI_SNAPVIEW_CLOSE, PI_SNAPVIEW_QUIT };

/* Reads and renders process pid (tid: the thread to show first, or 0),
 * with its locks (their words are read without stopping anything: a
 * deadlock is named from the start) but without user stacks: reading
 * them costs more, and may stop running threads for a moment where perf
 * events are denied, so they wait for the u key (with stack_options, as
 * the command line gave them). Each read (this one, r and u) keeps to the
 * budget timeout_seconds, the keys waiting for it no longer: what it
 * leaves unread is said so on the page. Returns 0, or
 * -errno with the reason in d->message. */
int pi_snapview_open(struct pi_snapview *d, pid_t pid, pid_t tid, double hung_after_seconds,
		     double timeout_seconds, const struct pi_stack_options *stack_options);
void pi_snapview_close(struct pi_snapview *d);

void pi_snapview_draw(struct pi_snapview *d, struct pi_screen *s);
/* Is a sample under way (the caller then calls poll every tenth of a
 * second or so)? poll: true when the page changed (its countdown, or the
 * report came). */
bool pi_snapview_sampling(const struct pi_snapview *d);
bool pi_snapview_poll(struct pi_snapview *d);
enum pi_snapview_result pi_snapview_key(struct pi_snapview *d, struct pi_screen *s, int key);

#endif
