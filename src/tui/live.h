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
#include "record/reader.h"
#include "tui/chooser.h"
#include "tui/meters.h"
#include "tui/snapview.h"
#include "tui/prompt.h"
#include "tui/screen.h"

enum pi_page { PI_PAGE_TABLE, PI_PAGE_DETAIL, PI_PAGE_HELP, PI_PAGE_COLUMNS, PI_PAGE_SORT };

/* A process tagged (space, c) for k and the renice keys: its PID and
 * start time, so that a PID reused by another process is not signalled. */
struct pi_tag {
	pid_t pid;
	uint64_t starttime;
};

/* Where the table's columns were drawn, for the mouse: column i of the
 * screen line spans [x[i], x[i] + w[i]) before sideways scrolling. */
struct pi_hit_layout {
	unsigned n;
	enum pi_column id[PI_COL_COUNT];
	int x[PI_COL_COUNT], w[PI_COL_COUNT];	/* w 0: to the end of the line */
	int titles_y, rows_y;	/* the screen lines of the titles and the first row */
	size_t body, top, nrows;	/* rows on screen, the first, and how many there are */
	size_t hscroll;
};

enum pi_hit_kind { PI_HIT_NONE, PI_HIT_TITLE, PI_HIT_ROW };
struct pi_hit {
	enum pi_hit_kind kind;
	enum pi_column column;	/* PI_HIT_TITLE */
	size_t row;		/* PI_HIT_ROW */
};
/* What a click at screen cell (x, y) falls on. Pure. */
struct pi_hit pi_live_hit(const struct pi_hit_layout *h, int x, int y);

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
	char search[128];		/* the search kept, for n and N ("": none) */
	size_t search_from;		/* where the selection was when it began */
	pid_t signal_pid;		/* the process the signal prompt is for (0: the tagged ones) */
	uint64_t signal_starttime;	/* its start time, so that a PID reused meanwhile is not signalled */
	struct pi_tag *tags;		/* by PID */
	size_t ntags, tags_cap;
	int sort_cursor, sort_top;	/* the sort menu (F6) */
	struct pi_hit_layout hits;	/* the table as last drawn */
	struct pi_meters meters;	/* CPUs, memory and swap at the top */

	/* The selection follows its task across refreshes; a new sort order
	 * starts at its top. */
	pid_t sel_tid, sel_pid;
	bool sel_chosen;		/* a key chose it; else the top row stays selected */
	size_t sel, top;		/* row selected, first row on screen */
	size_t hscroll;
	char message[256];		/* one line at the bottom, until the next key */
	int64_t next_sample_ns;
	bool quit;

	/* --replay: the recording shown, its refresh on screen, and the
	 * first and last of those chosen (--begin, --end); NULL live. */
	struct pi_replay *replay;
	size_t frame, first_frame, last_frame;
};

/* Runs the live view until q, -n refreshes, or a signal. The monitor
 * has taken its first sample. Returns the exit status: 0, or 128 plus
 * the signal that ended it. */
int pi_live_run(struct pi_monitor *m, const struct pi_options *opt);
/* The same over a recording (tui/replay.h): refreshes first..last of r,
 * the first shown first. */
int pi_live_run_replay(struct pi_monitor *m, const struct pi_options *opt, struct pi_replay *r,
		       size_t first, size_t last);

/* draw.c: the table page, and the sort menu (F6). */
size_t pi_live_body_rows(const struct pi_live *l);
void pi_live_draw_table(struct pi_live *l);
void pi_live_draw_sort_menu(struct pi_live *l);
/* The lines above the rows: the meters, the summary, what is shown and
 * the titles. */
int pi_live_rows_above(const struct pi_live *l);
/* Is the process tagged? */
bool pi_live_tagged(const struct pi_live *l, const struct pi_proc *p);

#endif
