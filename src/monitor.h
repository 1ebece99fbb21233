/* monitor — what the live view and batch mode share: the table and the
 * view made from the options, what to read before sorting and for the
 * rows shown, the deadlock scans, and a failed sample turned into a
 * message and an exit status. */
#ifndef PI_MONITOR_H
#define PI_MONITOR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "health/check.h"
#include "options.h"
#include "table/columns.h"
#include "table/table.h"
#include "table/view.h"

/* How often deadlocks are looked for (table/deadlocks.h): after the
 * first sample's look, at the first sample this long after the last look
 * ended. A look reads every sleeping task's syscall file
 * and lock word: about 0.1 s of CPU at 10,000 tasks, four refreshes'
 * worth. A lock cycle lasts for good, so flagging it seconds late loses
 * nothing, where looking at every refresh would cost more than the rest
 * of the refresh. (The help page and pinspect(1) say 10 s.) */
#define PI_DEADLOCK_SCAN_SECONDS 10.0

/* One look for deadlocks: the sweep of every task (health/sweep.h),
 * then the suspects read again (pi_check_find_deadlocks). */
struct pi_deadlock_scan {
	bool background;	/* the sweep on a thread of its own (the live view) */
	double timeout_seconds;	/* --timeout: for reading the suspects again */
	pid_t only_pid;		/* --top: sweep that process alone (0: all) */
	bool running;		/* that thread is under way */
	/* PINSPECT_TEST_LOOK_GATE, for the tests alone: while this file
	 * exists (60 s at most), a look on its own thread waits before its
	 * look across processes, so that a test can see the keys answered
	 * while a look runs. NULL: none. */
	const char *test_gate;
	atomic_bool done;	/* ... and has finished: join it */
	pthread_t thread;
	int err;		/* the sweep's */
	struct pi_check check;
	int64_t started_ns;
	int64_t next_ns;	/* when the next look is due */
};

struct pi_monitor {
	struct pi_table table;
	struct pi_view view;
	struct pi_view_options vo;
	struct pi_column_set columns;	/* vo.columns points here */
	unsigned row_detail;	/* what a row shown needs read (PI_DETAIL_*): its
				 * columns' files, so a column not shown costs nothing;
				 * everything for JSON, whose findings say it all */
	char *filter;		/* vo.filter points here */
	struct pi_deadlock_scan deadlocks;
	bool gone;		/* the process watched with --top has exited */
	/* A recording's refreshes (record/replay.h): nothing is sampled or
	 * read; each table was classified from its recorded facts. */
	bool replay;
	char error[256];	/* why the last sample failed, for stderr */
};

/* Returns 0, or the exit status after saying why it cannot start. */
int pi_monitor_init(struct pi_monitor *m, const struct pi_options *opt);
void pi_monitor_done(struct pi_monitor *m);

/* Takes a sample, with the deadlocks of the last look, and starts the
 * next look when it is due. Returns 0, or the exit status with the
 * reason in m->error: the process watched does not exist (or has exited:
 * then m->gone is set too), or /proc cannot be read. */
int pi_monitor_sample(struct pi_monitor *m);

/* Is a look for deadlocks under way on its own thread (the live view)? */
bool pi_monitor_looking(const struct pi_monitor *m);
/* When that look has finished: its deadlocks handed to the table, which
 * is classified again (build the view again), and true. The next sample
 * would take it anyway; this is for not waiting for it. */
bool pi_monitor_take_deadlocks(struct pi_monitor *m);

/* Builds the view, reading first what sorting by its column needs. */
void pi_monitor_build(struct pi_monitor *m);

/* Reads the expensive files of the rows [from, from + n), and with
 * cmdlines their command lines again, then classifies again. */
void pi_monitor_read_rows(struct pi_monitor *m, size_t from, size_t n, bool cmdlines);

/* The view the options ask for: threads or processes, problems only,
 * sorted by %CPU, and -o's columns or the defaults (JSON's rows hold
 * every column unless told otherwise; +LIST adds to every column:
 * nothing). The live view, batch mode and a replay start from it. */
void pi_monitor_view_from_options(struct pi_monitor *m, const struct pi_options *opt, bool threads);
/* The columns the options ask for (see pi_monitor_view_from_options). */
const struct pi_column_set *pi_monitor_columns_asked(const struct pi_options *opt);

/* Shows these columns (the live view's chooser, its config file). */
void pi_monitor_set_columns(struct pi_monitor *m, const struct pi_column_set *set);

/* Replaces the filter (NULL or "" for none). */
void pi_monitor_set_filter(struct pi_monitor *m, const char *text);

#endif
