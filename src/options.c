#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/classify.h"
#include "health/check.h"
#include "render/jsonw.h"
#include "table/columns.h"
#include "unwind/symbolize.h"
#include "util/xalloc.h"

enum { OPT_NO_PTRACE = 256, OPT_HUNG_AFTER, OPT_STOP_BLOCKED, OPT_CONSISTENT, OPT_MAX_FRAMES,
       OPT_LINES, OPT_TOP, OPT_PROBLEMS, OPT_HUNG, OPT_ZOMBIES, OPT_DEADLOCKS, OPT_CHECK,
       OPT_METRICS, OPT_TIMEOUT, OPT_NO_WAITS, OPT_LIST_COLUMNS, OPT_SECTIONS, OPT_FULL,
       OPT_NO_MAPS, OPT_NO_THREADS, OPT_NO_STACKS, OPT_SAMPLE, OPT_RATE, OPT_FOLDED,
       OPT_RECORD, OPT_REPLAY, OPT_BEGIN, OPT_END };

static const struct option long_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "no-ptrace", no_argument, NULL, OPT_NO_PTRACE },
	{ "no-waits", no_argument, NULL, OPT_NO_WAITS },
	{ "hung-after", required_argument, NULL, OPT_HUNG_AFTER },
	{ "stop-blocked", no_argument, NULL, OPT_STOP_BLOCKED },
	{ "consistent", no_argument, NULL, OPT_CONSISTENT },
	{ "max-frames", required_argument, NULL, OPT_MAX_FRAMES },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "lines", required_argument, NULL, OPT_LINES },
	{ "sections", required_argument, NULL, OPT_SECTIONS },
	{ "full", no_argument, NULL, OPT_FULL },
	{ "no-maps", no_argument, NULL, OPT_NO_MAPS },
	{ "no-threads", no_argument, NULL, OPT_NO_THREADS },
	{ "no-stacks", no_argument, NULL, OPT_NO_STACKS },
	{ "batch", no_argument, NULL, 'b' },
	{ "iterations", required_argument, NULL, 'n' },
	{ "delay", required_argument, NULL, 'd' },
	{ "threads", no_argument, NULL, 'H' },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "problems", no_argument, NULL, OPT_PROBLEMS },
	{ "output", required_argument, NULL, 'o' },
	{ "list-columns", no_argument, NULL, OPT_LIST_COLUMNS },
	{ "hung", no_argument, NULL, OPT_HUNG },
	{ "zombies", no_argument, NULL, OPT_ZOMBIES },
	{ "deadlocks", no_argument, NULL, OPT_DEADLOCKS },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "metrics", no_argument, NULL, OPT_METRICS },
	{ "sample", optional_argument, NULL, OPT_SAMPLE },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "folded", no_argument, NULL, OPT_FOLDED },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "begin", required_argument, NULL, OPT_BEGIN },
	{ "end", required_argument, NULL, OPT_END },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: pinspect [OPTION]... PID...\n"
		"  or:  pinspect [OPTION]...             live view of every task\n"
		"  or:  pinspect --top=PID [OPTION]...   live view of one process's threads\n"
		"  or:  pinspect --batch [OPTION]...     the live view's table, printed\n"
		"  or:  pinspect --replay=FILE [OPTION]... a recording, in the live view or printed\n"
		"  or:  pinspect --check [OPTION]...     scan every task for trouble\n"
		"Show what a Linux process is doing and why it is stuck: its identity, state,\n"
		"scheduling, signals, memory map, threads with their system calls and kernel\n"
		"stacks, and findings such as hung (D) threads, zombies and stopped tasks.\n"
		"Without a PID, a top-style view of every task flags the hung, zombie,\n"
		"stopped and traced ones (press ? in it for its keys).\n"
		"\n"
		"  -j, --json              print one JSON document per process, one per line\n"
		"                          (without a PID: one per refresh; implies --batch;\n"
		"                          with a scan: one document)\n"
		"      --hung-after=SECONDS\n"
		"                          call a task hung after SECONDS in D without running\n"
		"                          (default %g; the kernel's own limit is in\n"
		"                          /proc/sys/kernel/hung_task_timeout_secs)\n"
		"      --timeout=SECONDS   spend at most SECONDS reading one process (default %g;\n"
		"                          0: no limit): what is left is reported as not read\n"
		"                          within the time, and the snapshot still exits 0\n"
		"                          (a scan: each process it reads in full; the live\n"
		"                          view: each snapshot page and deadlock look)\n"
		"      --no-waits          do not look for what blocked threads wait for in\n"
		"                          other processes (pipes, sockets, file locks,\n"
		"                          children, shared mutexes): skips the pass over\n"
		"                          every process's descriptors\n"
		"\n"
		"The snapshot opens with a summary: the state, each finding in one line, and\n"
		"what to do. On a terminal the memory map and the thread list are cut to\n"
		"their first entries (a pipe or file gets them whole).\n"
		"      --sections=LIST     print only these sections, comma-separated: summary,\n"
		"                          identity, state, scheduling, signals, memory, maps,\n"
		"                          threads, stacks, locks, waits, findings,\n"
		"                          unavailable, or all; +NAME adds to the default\n"
		"                          (every section),\n"
		"                          -NAME leaves one out; a section named is printed\n"
		"                          whole (--sections=+maps: the whole memory map)\n"
		"      --full              print every section whole, even on a terminal\n"
		"      --no-maps, --no-threads, --no-stacks\n"
		"                          short for --sections=-maps (-threads, -stacks)\n"
		"\n"
		"User call stacks. No thread is stopped: a thread blocked in a system call has\n"
		"its stack copied while it waits; one running in user space is sampled with a\n"
		"perf event. Only where perf events are denied is a running thread stopped,\n"
		"for microseconds, to read its registers.\n"
		"      --no-ptrace         never stop any thread (where perf events are denied,\n"
		"                          running threads get no stack)\n"
		"      --stop-blocked      also stop blocked threads whose stack could not be\n"
		"                          followed to its end. Not the default: a stop makes\n"
		"                          a thread in epoll_wait() or sigwaitinfo() return\n"
		"                          EINTR to the program\n"
		"      --consistent        stop all threads together, for one coherent instant\n"
		"                          (every blocked thread may see EINTR, as above)\n"
		"      --max-frames=N      show at most N frames of a stack (default %d)\n"
		"      --lines=WHICH       whose source lines and inlined calls to show:\n"
		"                          program (default: the executable and libraries\n"
		"                          outside the system's library directories), all\n"
		"                          (system libraries too, when their debug information\n"
		"                          is installed: slower, and tens of MB more), none\n"
		"\n"
		"Sampling: where a process spends its wall-clock time, on and off the CPU.\n"
		"      --sample[=SECONDS]  sample every thread of one PID for SECONDS (default\n"
		"                          %g): its state, wait channel, system call, kernel and\n"
		"                          user stack, read as a snapshot reads them (no thread\n"
		"                          stopped); then report the hottest stacks by state\n"
		"                          and by thread group. Ctrl-C ends it early, with the\n"
		"                          report; a progress line shows on a terminal\n"
		"      --rate=HZ           ticks per second (default %g, at most %g)\n"
		"      --folded            print folded stacks (flamegraph.pl, inferno,\n"
		"                          speedscope) instead of the report; --json: as data\n"
		"\n"
		"Live view and batch mode:\n"
		"  -b, --batch             print the table every -d seconds instead of the live\n"
		"                          view, for logs and scripts (like top -b)\n"
		"  -d, --delay=SECONDS     refresh every SECONDS (default %g, at least %g)\n"
		"  -n, --iterations=COUNT  exit after COUNT refreshes\n"
		"  -H, --threads           one row per thread (the H key in the live view)\n"
		"      --problems          only problems: D, Z, T, t, deadlocks, zombie parents\n"
		"      --top=PID           watch one process: its threads, live\n"
		"  -o, --output=LIST       show these columns, in this order (comma-separated\n"
		"                          names, any case); +LIST adds them to the defaults.\n"
		"                          The live view's chooser is F2 (or C); its choice can\n"
		"                          be saved, and is read at start unless -o is given\n"
		"      --list-columns      list the columns, with what each shows, and exit\n"
		"                          (with --json: their JSON keys and types too)\n"
		"      --record=FILE       with --batch: also append each refresh to FILE, a\n"
		"                          compressed recording (every row's values, the\n"
		"                          header figures, the findings)\n"
		"      --replay=FILE       show a recording in the live view (t/T: a refresh\n"
		"                          back/forward, b: go to a time, Home/End: first/last),\n"
		"                          or with --batch/--json print it as batch mode did\n"
		"      --begin=TIME, --end=TIME\n"
		"                          replay only the refreshes from/until TIME: HH:MM[:SS],\n"
		"                          'YYYY-MM-DD HH:MM[:SS]', YYYYMMDDhhmm or @SECONDS\n"
		"\n"
		"Health scans of every task on the system. Exit status 0: nothing found,\n"
		"1: something found. They never stop a thread.\n"
		"      --hung              tasks in D without running for longer than\n"
		"                          --hung-after: what they wait in, their kernel stack\n"
		"      --zombies           zombies, by the parent that has not reaped them\n"
		"      --deadlocks         threads waiting for each other's mutexes, in a cycle\n"
		"      --check             all of the above\n"
		"      --metrics           the scans' facts as Prometheus metrics, for\n"
		"                          node_exporter's textfile collector (exits 0)\n"
		"\n"
		"  -h, --help              show this help and exit\n"
		"  -V, --version           show the version and exit\n"
		"\n"
		"Exit status: 0 success (a scan: nothing found), 1 a scan found something,\n"
		"2 usage error, 3 no such process (or it exited while being read),\n"
		"4 permission denied, 5 other failure, 6 a recording that cannot be read.\n"
		"\n"
		"Full documentation, and what each finding means: man pinspect\n",
		PI_HUNG_AFTER_DEFAULT, PI_TIMEOUT_DEFAULT, PI_MAX_FRAMES_DEFAULT, PI_SAMPLE_SECONDS_DEFAULT,
		PI_SAMPLE_RATE_DEFAULT, PI_SAMPLE_RATE_MAX, PI_DELAY_DEFAULT, PI_DELAY_MIN);
}

static void write_stdout(const char *data, size_t len)
{
	fwrite(data, 1, len, stdout);
}

/* --list-columns: a line per column (name, title, what it shows), or
 * with --json an array of them with their JSON keys and types. */
static void print_columns(bool json)
{
	struct pi_buf b = PI_BUF_INIT;
	if (json) {
		struct pi_jw w;
		pi_jw_init(&w, write_stdout);
		pi_columns_list_json(&w);
		pi_jw_finish(&w);
		return;
	}
	pi_columns_list_text(&b);
	fwrite(b.data, 1, b.len, stdout);
	pi_buf_free(&b);
}

bool pi_parse_pid(const char *s, pid_t *out)
{
	long v = 0;
	if (!*s || strlen(s) > 8)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > (1L << 22))
		return false;
	*out = (pid_t)v;
	return true;
}

bool pi_parse_seconds(const char *s, double *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	double v = strtod(s, &end);
	if (*end || !isfinite(v) || v < 0)
		return false;
	*out = v;
	return true;
}

static bool bad_value(const char *option, const char *value, const char *what)
{
	fprintf(stderr, "pinspect: %s: '%s' is not %s\n", option, value, what);
	fprintf(stderr, "Try 'pinspect --help' for more information.\n");
	return false;
}

/* The options of the live view and batch mode. *given remembers one of
 * them, to name it if PIDs follow (they ask for snapshots instead). */
static bool monitor_option(int c, const char *arg, struct pi_options *o, const char **given)
{
	char *end;

	switch (c) {
	case 'b':
		o->mode = PI_MODE_BATCH;
		*given = "--batch";
		break;
	case 'n':
		errno = 0;
		o->iterations = strtol(arg, &end, 10);
		if (!*arg || *end || errno || o->iterations < 1)
			return bad_value("--iterations", arg, "a count of refreshes (1 or more)");
		*given = "--iterations";
		break;
	case 'd':
		if (!pi_parse_seconds(arg, &o->delay_seconds) || o->delay_seconds < PI_DELAY_MIN
		    || o->delay_seconds > 86400)
			return bad_value("--delay", arg, "a number of seconds from 0.1 to 86400");
		o->delay_given = true;
		*given = "--delay";
		break;
	case 'H':
		o->threads = true;
		*given = "--threads";
		break;
	case OPT_TOP:
		if (!pi_parse_pid(arg, &o->top_pid))
			return bad_value("--top", arg, "a process ID");
		*given = "--top";
		break;
	case OPT_PROBLEMS:
		o->problems_only = true;
		*given = "--problems";
		break;
	case 'o': {
		struct pi_buf why = PI_BUF_INIT;
		if (pi_columns_parse(arg, pi_columns_default(), &o->columns, &why) != 0) {
			fprintf(stderr, "pinspect: --output: %s\n", why.data);
			fprintf(stderr, "Try 'pinspect --list-columns' for what each column shows.\n");
			pi_buf_free(&why);
			return false;
		}
		pi_buf_free(&why);
		o->columns_given = true;
		o->columns_added = arg[0] == '+';
		*given = "--output";
		break;
	}
	}
	return true;
}

/* The options that shape the text snapshot. */
static bool sections_option(int c, const char *arg, struct pi_options *o)
{
	char err[512];
	const char *list = c == OPT_NO_MAPS	 ? "-maps"
			   : c == OPT_NO_THREADS ? "-threads"
			   : c == OPT_NO_STACKS	 ? "-stacks"
						 : arg;
	if (!o->sections_given)
		o->sections_given = c == OPT_SECTIONS	? "--sections"
				    : c == OPT_FULL	? "--full"
				    : c == OPT_NO_MAPS	? "--no-maps"
				    : c == OPT_NO_THREADS ? "--no-threads"
							  : "--no-stacks";
	if (c == OPT_FULL) {
		o->full = true;
		return true;
	}
	if (!pi_sections_apply(&o->sections, list, err, sizeof err)) {
		fprintf(stderr, "pinspect: --sections: %s\n", err);
		fprintf(stderr, "Try 'pinspect --help' for more information.\n");
		return false;
	}
	return true;
}

/* --sections and its short-hands shape the text of a snapshot: the JSON
 * document always has every key, and the other modes print no snapshot. */
static bool sections_fit(const struct pi_options *o)
{
	const char *why = NULL;
	if (!o->sections_given)
		return true;
	if (o->mode == PI_MODE_SAMPLE && o->full && strcmp(o->sections_given, "--full") == 0)
		return true;	/* --sample --full: every stack of the report */
	if (o->mode != PI_MODE_SNAPSHOT)
		why = "is for the snapshot (pinspect PID...)";
	else if (o->json)
		why = "chooses what the text snapshot prints: --json always has every key";
	if (!why)
		return true;
	fprintf(stderr, "pinspect: %s %s\n", o->sections_given, why);
	fprintf(stderr, "Try 'pinspect --help' for more information.\n");
	return false;
}

/* --sample[=SECONDS], --rate=HZ, --folded. */
static bool sample_option(int c, const char *arg, struct pi_options *o)
{
	switch (c) {
	case OPT_SAMPLE:
		o->sample = true;
		if (arg && (!pi_parse_seconds(arg, &o->sample_seconds) || o->sample_seconds <= 0
			    || o->sample_seconds > PI_SAMPLE_SECONDS_MAX))
			return bad_value("--sample", arg, "a number of seconds above 0, up to 86400");
		break;
	case OPT_RATE:
		if (!pi_parse_seconds(arg, &o->sample_rate_hz) || o->sample_rate_hz < 0.1
		    || o->sample_rate_hz > PI_SAMPLE_RATE_MAX)
			return bad_value("--rate", arg, "a rate from 0.1 to 1000 per second");
		o->sample_rate_given = true;
		break;
	case OPT_FOLDED:
		o->folded = true;
		break;
	}
	return true;
}

/* --sample takes one process, and none of the other modes' options. */
static bool sample_fits(const struct pi_options *o, const char *monitor_given, int npids)
{
	const char *why = NULL;
	if (!o->sample)
		why = o->folded ? "--folded is for --sample" : "--rate is for --sample";
	else if (o->scans || o->metrics)
		why = "--sample reads one process; a scan reads every task: choose one";
	else if (monitor_given)
		why = "the live view's options do not apply to --sample";
	else if (npids != 1)
		why = "--sample takes one process ID";
	else if (o->folded && o->json)
		why = "--folded and --json are two formats: choose one";
	else if (o->stop_blocked || o->consistent)
		why = "--sample never stops blocked threads (--stop-blocked, --consistent)";
	if (!why)
		return true;
	fprintf(stderr, "pinspect: %s\n", why);
	fprintf(stderr, "Try 'pinspect --help' for more information.\n");
	return false;
}

/* --record FILE, --replay FILE, --begin, --end: options of the live
 * view and batch mode (a PID after them is refused as theirs are). */
static void record_option(int c, const char *arg, struct pi_options *o, const char **given)
{
	switch (c) {
	case OPT_RECORD:
		o->record_path = arg;
		*given = "--record";
		break;
	case OPT_REPLAY:
		o->replay_path = arg;
		*given = "--replay";
		break;
	case OPT_BEGIN:
		o->replay_begin = arg;
		*given = "--begin";
		break;
	case OPT_END:
		o->replay_end = arg;
		*given = "--end";
		break;
	}
}

/* --record writes batch mode's refreshes; --replay shows a recording,
 * whose process and refreshes were chosen when it was made. */
static bool record_fits(const struct pi_options *o, bool batch_asked)
{
	const char *why = NULL;
	if (o->record_path && o->replay_path)
		why = "--record and --replay: one run records or replays, not both";
	else if (o->record_path && !batch_asked)
		why = "--record is for batch mode: add --batch (or --json), with -d and -n as wanted";
	else if (o->record_path && !o->record_path[0])
		why = "--record: give a file name";
	else if ((o->replay_begin || o->replay_end) && !o->replay_path)
		why = "--begin and --end choose the refreshes of a --replay";
	else if (o->replay_path && o->top_pid)
		why = "--replay shows what was recorded: --top was chosen when recording";
	else if (o->replay_path && o->delay_given)
		why = "--replay shows the recorded refreshes: -d was chosen when recording "
		      "(t and T step through them)";
	else if ((o->record_path || o->replay_path) && (o->scans || o->metrics || o->sample))
		why = "--record and --replay are for the live view and batch mode";
	if (!why)
		return true;
	fprintf(stderr, "pinspect: %s\n", why);
	fprintf(stderr, "Try 'pinspect --help' for more information.\n");
	return false;
}

/* No PID: the live view, or batch mode when asked for (--json has no
 * live view, so it means batch mode). */
static enum pi_options_result choose_monitor_mode(struct pi_options *o)
{
	if (o->mode != PI_MODE_BATCH)
		o->mode = o->json ? PI_MODE_BATCH : PI_MODE_LIVE;
	return PI_OPTIONS_RUN;
}

/* A scan looks at every task, once: no PID, no refreshes, nothing that
 * would stop a thread. */
static enum pi_options_result choose_check_mode(struct pi_options *o, const char *monitor_given,
						 const char *pid)
{
	const char *why = NULL;

	if (pid)
		why = "a scan looks at every task on the system: it takes no PID";
	else if (monitor_given)
		why = "the live view's options do not apply to a scan";
	else if (o->metrics && o->json)
		why = "--metrics and --json are two formats: choose one";
	else if (o->stop_blocked || o->consistent)
		why = "a scan never stops a thread";
	if (why) {
		fprintf(stderr, "pinspect: %s\n", why);
		fprintf(stderr, "Try 'pinspect --help' for more information.\n");
		return PI_OPTIONS_USAGE;
	}
	if (!o->scans)
		o->scans = PI_CHECK_ALL;	/* --metrics alone: every scan */
	o->mode = PI_MODE_CHECK;
	return PI_OPTIONS_RUN;
}

enum pi_options_result pi_options_parse(int argc, char **argv, struct pi_options *o)
{
	const char *monitor_given = NULL;
	bool list_columns = false;
	int c;

	memset(o, 0, sizeof *o);
	pi_sections_default(&o->sections);
	o->hung_after_seconds = PI_HUNG_AFTER_DEFAULT;
	o->max_frames = PI_MAX_FRAMES_DEFAULT;
	o->timeout_seconds = PI_TIMEOUT_DEFAULT;
	opterr = 0;
	optind = 1;
	o->delay_seconds = PI_DELAY_DEFAULT;
	o->sample_seconds = PI_SAMPLE_SECONDS_DEFAULT;
	o->sample_rate_hz = PI_SAMPLE_RATE_DEFAULT;
	while ((c = getopt_long(argc, argv, ":jhVbn:d:Ho:", long_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case OPT_NO_PTRACE:
			o->no_ptrace = true;
			break;
		case OPT_NO_WAITS:
			o->no_waits = true;
			break;
		case OPT_HUNG_AFTER:
			if (!pi_parse_seconds(optarg, &o->hung_after_seconds)) {
				fprintf(stderr, "pinspect: --hung-after: '%s' is not a number of seconds\n",
					optarg);
				return PI_OPTIONS_USAGE;
			}
			break;
		case OPT_TIMEOUT:
			if (!pi_parse_seconds(optarg, &o->timeout_seconds)
			    || o->timeout_seconds > PI_TIMEOUT_MAX) {
				bad_value("--timeout", optarg, "a number of seconds from 0 to 86400");
				return PI_OPTIONS_USAGE;
			}
			break;
		case OPT_STOP_BLOCKED:
			o->stop_blocked = true;
			break;
		case OPT_CONSISTENT:
			o->consistent = true;
			break;
		case OPT_MAX_FRAMES: {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || n < 1 || n > 100000) {
				fprintf(stderr, "pinspect: --max-frames: '%s' is not a number from 1 to 100000\n",
					optarg);
				return PI_OPTIONS_USAGE;
			}
			o->max_frames = (unsigned)n;
			break;
		}
		case OPT_LINES:
			if (strcmp(optarg, "program") == 0)
				o->lines = PI_LINES_PROGRAM;
			else if (strcmp(optarg, "all") == 0)
				o->lines = PI_LINES_ALL;
			else if (strcmp(optarg, "none") == 0)
				o->lines = PI_LINES_NONE;
			else {
				fprintf(stderr, "pinspect: --lines: '%s' is not program, all or none\n", optarg);
				return PI_OPTIONS_USAGE;
			}
			break;
		case OPT_SECTIONS:
		case OPT_FULL:
		case OPT_NO_MAPS:
		case OPT_NO_THREADS:
		case OPT_NO_STACKS:
			if (!sections_option(c, optarg, o))
				return PI_OPTIONS_USAGE;
			break;
		case 'b':
		case 'n':
		case 'd':
		case 'H':
		case OPT_TOP:
		case OPT_PROBLEMS:
		case 'o':
			if (!monitor_option(c, optarg, o, &monitor_given))
				return PI_OPTIONS_USAGE;
			break;
		case OPT_HUNG:
			o->scans |= PI_CHECK_HUNG;
			break;
		case OPT_ZOMBIES:
			o->scans |= PI_CHECK_ZOMBIES;
			break;
		case OPT_DEADLOCKS:
			o->scans |= PI_CHECK_DEADLOCKS;
			break;
		case OPT_CHECK:
			o->scans |= PI_CHECK_ALL;
			break;
		case OPT_METRICS:
			o->metrics = true;
			break;
		case OPT_LIST_COLUMNS:
			list_columns = true;
			break;
		case OPT_RECORD:
		case OPT_REPLAY:
		case OPT_BEGIN:
		case OPT_END:
			record_option(c, optarg, o, &monitor_given);
			break;
		case OPT_SAMPLE:
		case OPT_RATE:
		case OPT_FOLDED:
			if (!sample_option(c, optarg, o))
				return PI_OPTIONS_USAGE;
			break;
		case 'h':
			usage(stdout);
			return PI_OPTIONS_EXIT_OK;
		case 'V':
			printf("pinspect %s\n", PACKAGE_VERSION);
			return PI_OPTIONS_EXIT_OK;
		case ':':
			fprintf(stderr, "pinspect: option '%s' needs an argument\n", argv[optind - 1]);
			fprintf(stderr, "Try 'pinspect --help' for more information.\n");
			return PI_OPTIONS_USAGE;
		default:
			if (optopt)
				fprintf(stderr, "pinspect: unknown option '-%c'\n", optopt);
			else
				fprintf(stderr, "pinspect: unknown option '%s'\n", argv[optind - 1]);
			fprintf(stderr, "Try 'pinspect --help' for more information.\n");
			return PI_OPTIONS_USAGE;
		}
	}
	if (list_columns) {
		print_columns(o->json);
		return PI_OPTIONS_EXIT_OK;
	}
	if (o->no_ptrace && (o->stop_blocked || o->consistent)) {
		fprintf(stderr, "pinspect: --no-ptrace forbids stopping threads, which --%s asks for\n",
			o->consistent ? "consistent" : "stop-blocked");
		return PI_OPTIONS_USAGE;
	}
	if ((o->record_path || o->replay_path || o->replay_begin || o->replay_end)
	    && !record_fits(o, o->mode == PI_MODE_BATCH || o->json))
		return PI_OPTIONS_USAGE;
	if (o->sample || o->sample_rate_given || o->folded) {
		if (!sample_fits(o, monitor_given, argc - optind))
			return PI_OPTIONS_USAGE;
	}
	if (o->scans || o->metrics) {
		enum pi_options_result r = choose_check_mode(o, monitor_given,
							     optind < argc ? argv[optind] : NULL);
		return r == PI_OPTIONS_RUN && !sections_fit(o) ? PI_OPTIONS_USAGE : r;
	}
	if (optind >= argc) {
		choose_monitor_mode(o);
		return sections_fit(o) ? PI_OPTIONS_RUN : PI_OPTIONS_USAGE;
	}
	if (monitor_given) {
		fprintf(stderr, "pinspect: %s is for the live view and batch mode, which watch every "
			"task or, with --top=PID, one process: they take no PID (pinspect PID... "
			"shows snapshots)\n", monitor_given);
		fprintf(stderr, "Try 'pinspect --help' for more information.\n");
		return PI_OPTIONS_USAGE;
	}
	o->pids = pi_xcalloc((size_t)(argc - optind), sizeof *o->pids);
	for (int i = optind; i < argc; i++) {
		if (!pi_parse_pid(argv[i], &o->pids[o->npids])) {
			fprintf(stderr, "pinspect: '%s' is not a process ID (a number from 1 to %ld)\n",
				argv[i], 1L << 22);
			pi_options_free(o);
			return PI_OPTIONS_USAGE;
		}
		o->npids++;
	}
	if (o->sample)
		o->mode = PI_MODE_SAMPLE;
	if (!sections_fit(o)) {
		pi_options_free(o);
		return PI_OPTIONS_USAGE;
	}
	return PI_OPTIONS_RUN;
}

void pi_options_free(struct pi_options *o)
{
	free(o->pids);
	o->pids = NULL;
	o->npids = 0;
}
