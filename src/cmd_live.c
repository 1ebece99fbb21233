#include "cmd_live.h"

#include <stdio.h>
#include <unistd.h>

#include "exitcodes.h"
#include "monitor.h"
#include "record/replay.h"
#include "tui/live.h"

int pi_cmd_live(const struct pi_options *opt)
{
	/* Curses on a pipe or a file would write escape sequences into it:
	 * scripts want batch mode. */
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		fprintf(stderr, "pinspect: the live view needs a terminal, and standard %s is not one.\n"
			"For logs and scripts, use batch mode: pinspect --batch (add -n COUNT, -d SECONDS,\n"
			"--json); to look at one process, give its PID: pinspect PID\n",
			isatty(STDOUT_FILENO) ? "input" : "output");
		return PI_EXIT_USAGE;
	}
	struct pi_monitor m;
	if (opt->replay_path) {
		struct pi_replay r;
		size_t first, last;
		int status = pi_monitor_replay_open(&m, &r, opt, &first, &last);
		if (status)
			return status;
		status = pi_live_run_replay(&m, opt, &r, first, last);
		pi_monitor_done(&m);
		pi_replay_close(&r);
		return status;
	}
	int status = pi_monitor_init(&m, opt);
	if (status)
		return status;
	/* The first sample before the screen: a PID that does not exist is
	 * said on a plain terminal. */
	status = pi_monitor_sample(&m);
	if (status)
		fprintf(stderr, "pinspect: %s\n", m.error);
	else
		status = pi_live_run(&m, opt);
	pi_monitor_done(&m);
	return status;
}
