#include "record/replay.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "exitcodes.h"
#include "util/escape.h"

static void say(const char *path, const char *what, const char *why)
{
	struct pi_buf b = PI_BUF_INIT;
	pi_escape_text(&b, path, strlen(path));
	fprintf(stderr, "pinspect: --replay %s: %s%s\n", b.data ? b.data : "", what, why ? why : "");
	pi_buf_free(&b);
}

void pi_replay_format_time(double realtime, char *out, size_t size)
{
	time_t t = (time_t)realtime;
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(out, size, "@%.0f", realtime);
}

static int choose_range(const struct pi_replay *r, const struct pi_options *opt, size_t *first,
			size_t *last)
{
	double ref = r->frames[0].realtime;
	double t;
	*first = 0;
	*last = r->nframes - 1;
	if (opt->replay_begin) {
		if (!pi_replay_parse_time(opt->replay_begin, ref, &t)) {
			fprintf(stderr, "pinspect: --begin: not a time: give HH:MM[:SS], "
				"'YYYY-MM-DD HH:MM[:SS]', YYYYMMDDhhmm or @SECONDS\n");
			return PI_EXIT_USAGE;
		}
		*first = pi_replay_at_or_after(r, t);
		if (r->frames[*first].realtime < t) {
			fprintf(stderr, "pinspect: --begin: the recording ends before that time\n");
			return PI_EXIT_USAGE;
		}
	}
	if (opt->replay_end) {
		if (!pi_replay_parse_time(opt->replay_end, ref, &t)) {
			fprintf(stderr, "pinspect: --end: not a time: give HH:MM[:SS], "
				"'YYYY-MM-DD HH:MM[:SS]', YYYYMMDDhhmm or @SECONDS\n");
			return PI_EXIT_USAGE;
		}
		/* A time in whole seconds takes in that whole second. */
		if (t == (double)(long long)t)
			t += 0.999999;
		*last = pi_replay_at_or_before(r, t);
		if (r->frames[*last].realtime > t || *last < *first) {
			fprintf(stderr, "pinspect: --end: no refresh between --begin and --end\n");
			return PI_EXIT_USAGE;
		}
	}
	return 0;
}

int pi_monitor_replay_open(struct pi_monitor *m, struct pi_replay *r, const struct pi_options *opt,
			   size_t *first, size_t *last)
{
	char why[512];
	memset(m, 0, sizeof *m);
	int status = pi_replay_open(r, opt->replay_path, why, sizeof why);
	if (status) {
		say(opt->replay_path, "", why);
		pi_replay_close(r);
		return status;
	}
	if (r->damaged) {
		snprintf(why, sizeof why, "%zu damaged stretch%s skipped%s; the %zu complete refreshes "
			 "are replayed", r->damaged, r->damaged == 1 ? "" : "es",
			 r->cut ? " (the last refresh was cut short: pinspect killed while writing it?)"
				: "", r->nframes);
		say(opt->replay_path, "warning: ", why);
	}
	status = choose_range(r, opt, first, last);
	if (status) {
		pi_replay_close(r);
		return status;
	}
	m->replay = true;
	const struct pi_record_header *h = &r->headers[r->frames[*first].header];
	/* As pi_monitor_init: what the recording watched, and the columns. */
	pi_monitor_view_from_options(m, opt, h->threads || h->top_pid);
	struct pi_column_set set = *pi_monitor_columns_asked(opt);
	if (pi_replay_columns(&set) && opt->columns_given)
		fprintf(stderr, "pinspect: --replay: the WAITS FOR column is not recorded (it looks at "
			"the processes now): left out\n");
	pi_monitor_set_columns(m, &set);
	return 0;
}

bool pi_replay_columns(struct pi_column_set *set)
{
	unsigned k = 0;
	for (unsigned i = 0; i < set->n; i++)
		if (set->ids[i] != PI_COL_WAITS)
			set->ids[k++] = set->ids[i];
	bool dropped = k != set->n;
	set->n = k;
	return dropped;
}

int pi_monitor_replay_load(struct pi_monitor *mon, struct pi_replay *r, size_t i,
			   struct pi_meters *meters)
{
	struct pi_table t;
	char why[200];
	if (pi_replay_load(r, i, &t, meters, why, sizeof why) != 0) {
		pi_table_done(&t);
		snprintf(mon->error, sizeof mon->error, "--replay: %s", why);
		return PI_EXIT_BADFILE;
	}
	pi_table_done(&mon->table);
	mon->table = t;
	pi_view_build(&mon->view, &mon->table, &mon->vo);
	return 0;
}
