/* live — the live view: a loop of samples, keys and frames over a
 * monitor (monitor.h), on the screen (screen.h). The table page is drawn
 * by draw.c; the snapshot page is snapview.c, the column chooser
 * chooser.c; the keys are on the help
 * page (help.c) and in pinspect(1), LIVE VIEW. */
#ifndef PI_TUI_LIVE_H
#define PI_TUI_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monitor.h"
#include "options.h"
#include "tui/chooser.h"
#include "tui/snapview.h"
#include "tui/prompt.h"
#include "tui/screen.h"

enum pi_page { PI_PAGE_TABLE, PI_PAGE_DETAIL, PI_PAGE_HELP, PI_PAGE_COLUMNS };

struct pi_live {
	struct pi_monitor *m;
	const struct pi_options *opt;
	struct pi_screen screen;
	double delay_seconds;
	long iterations;		/* quit after this many refreshes; 0: never */
	long refreshes;
	bool paused;
	bool gone;			/* the process watched has exited */
	enum pi_page page;
	enum pi_page help_from;		/* where the help page returns to */
	int help_top;
	struct pi_snapview snap;
	struct pi_chooser chooser;	/* the columns page */
	struct pi_prompt prompt;
	char search[128];		/* the last search, for n */
	size_t search_from;		/* where the selection was when it began */
	pid_t signal_pid;		/* the process the signal prompt is for */

	/* The selection follows its task across refreshes; a new sort order
	 * starts at its top. */
	pid_t sel_tid, sel_pid;
	size_t sel, top;		/* row selected, first row on screen */
	size_t hscroll;
	char message[256];		/* one line at the bottom, until the next key */
	int64_t next_sample_ns;
	bool quit;
};

/* Runs the live view until q, -n refreshes, or a signal. The monitor
 * has taken its first sample. Returns the exit status: 0, or 128 plus
 * the signal that ended it. */
int pi_live_run(struct pi_monitor *m, const struct pi_options *opt);

/* draw.c: the table page. */
size_t pi_live_body_rows(const struct pi_live *l);
void pi_live_draw_table(struct pi_live *l);

#endif
