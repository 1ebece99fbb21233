/* pinspect — what a Linux process is doing, and why it is stuck. */
#include <signal.h>
#include <stdlib.h>

#include "cmd_batch.h"
#include "cmd_check.h"
#include "cmd_live.h"
#include "cmd_sample.h"
#include "cmd_snapshot.h"
#include "exitcodes.h"
#include "options.h"

int main(int argc, char **argv)
{
	struct pi_options opt;
	int status;

	/* A reader that goes away (pinspect ... | head) is not an error:
	 * EPIPE ends the output quietly instead of a signal killing us
	 * half-way through cleaning up. */
	signal(SIGPIPE, SIG_IGN);

	switch (pi_options_parse(argc, argv, &opt)) {
	case PI_OPTIONS_EXIT_OK:
		return PI_EXIT_OK;
	case PI_OPTIONS_USAGE:
		return PI_EXIT_USAGE;
	case PI_OPTIONS_RUN:
		break;
	}
	switch (opt.mode) {
	case PI_MODE_LIVE:
		status = pi_cmd_live(&opt);
		break;
	case PI_MODE_BATCH:
		status = pi_cmd_batch(&opt);
		break;
	case PI_MODE_CHECK:
		status = pi_cmd_check(&opt);
		break;
	case PI_MODE_SAMPLE:
		status = pi_cmd_sample(&opt);
		break;
	case PI_MODE_SNAPSHOT:
	default:
		status = pi_cmd_snapshot(&opt);
		break;
	}
	pi_options_free(&opt);
	return status;
}
