/* options — the command line, parsed into one struct. */
#ifndef PI_OPTIONS_H
#define PI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "table/view.h"
#include "render/sections.h"

/* What pinspect was asked to do. */
enum pi_mode {
	PI_MODE_SNAPSHOT,	/* pinspect PID...: one snapshot per process */
	PI_MODE_LIVE,		/* pinspect [--top PID]: the full-screen live view */
	PI_MODE_BATCH,		/* pinspect --batch: the live view's table, printed */
	PI_MODE_CHECK,		/* pinspect --hung/--zombies/--deadlocks/--check/--metrics */
	PI_MODE_SAMPLE,		/* pinspect --sample[=SECONDS] PID: stacks sampled over time */
};

struct pi_options {
	enum pi_mode mode;
	bool json;
	bool no_ptrace;		/* never stop a thread */
	bool no_waits;		/* no waits across processes (collect/waits.c) */
	bool stop_blocked;	/* stop blocked threads whose stack was cut short */
	bool consistent;	/* stop every thread together */
	unsigned max_frames;
	int lines;		/* enum pi_lines: whose source lines to read */
	double hung_after_seconds;
	double timeout_seconds;	/* --timeout: the budget for reading one process; 0: none */
	pid_t *pids;
	size_t npids;

	/* The text snapshot: which sections (--sections, --no-maps...), and
	 * --full: every long section whole, even on a terminal. */
	struct pi_sections sections;
	const char *sections_given;	/* the first such option, for messages */
	bool full;

	/* The live view and batch mode. */
	bool threads;		/* -H: every thread, not one row per process */
	bool problems_only;	/* --problems: only tasks in D, Z, T, t and zombie parents */
	pid_t top_pid;		/* --top PID: that process's threads; 0: every task */
	double delay_seconds;	/* -d: between refreshes */
	bool delay_given;
	long iterations;	/* -n: refreshes before exiting; 0: until quit */
	bool columns_given;	/* -o: these columns (else the defaults, or the config file's) */
	bool columns_added;	/* -o +LIST: the defaults and these */
	struct pi_column_set columns;

	/* --record FILE (batch mode) writes each refresh to FILE; --replay
	 * FILE shows a recording instead of the system, from --begin to
	 * --end (record/). */
	const char *record_path;
	const char *replay_path;
	const char *replay_begin, *replay_end;

	/* The health scans. */
	unsigned scans;		/* enum pi_check_scan bits (health/check.h) */
	bool metrics;		/* --metrics: print them as Prometheus metrics */

	/* --sample[=SECONDS] PID, at --rate=HZ; --folded: folded stacks. */
	bool sample;
	double sample_seconds;
	double sample_rate_hz;
	bool sample_rate_given;
	bool folded;
};

/* The default -d, and the shortest one allowed (below it pinspect would
 * spend its time measuring itself). */
#define PI_DELAY_DEFAULT 2.0
#define PI_DELAY_MIN 0.1

/* --sample's defaults, and --rate's limits. */
#define PI_SAMPLE_SECONDS_DEFAULT 5.0
#define PI_SAMPLE_SECONDS_MAX 86400.0
#define PI_SAMPLE_RATE_DEFAULT 20.0
#define PI_SAMPLE_RATE_MAX 1000.0

enum pi_options_result {
	PI_OPTIONS_RUN,		/* go on */
	PI_OPTIONS_EXIT_OK,	/* --help, --version or --list-columns was printed */
	PI_OPTIONS_USAGE,	/* a message was printed; exit with PI_EXIT_USAGE */
};

enum pi_options_result pi_options_parse(int argc, char **argv, struct pi_options *out);
void pi_options_free(struct pi_options *o);

/* Parses a PID: decimal digits only, 1 to 2^22 (the kernel's PID_MAX_LIMIT). */
bool pi_parse_pid(const char *s, pid_t *out);
/* The default --max-frames, as eu-stack's. */
#define PI_MAX_FRAMES_DEFAULT 256

/* The default --timeout, and the longest one allowed. */
#define PI_TIMEOUT_DEFAULT 5.0
#define PI_TIMEOUT_MAX 86400.0

/* Parses a non-negative number of seconds ("10", "0.5"). */
bool pi_parse_seconds(const char *s, double *out);

#endif
