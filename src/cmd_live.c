#include "cmd_live.h"

#include <stdio.h>
#include <unistd.h>

#include "exitcodes.h"

int pi_cmd_live(const struct pi_options *opt)
{
	(void)opt;
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		fprintf(stderr, "pinspect: the live view needs a terminal\n");
		return PI_EXIT_USAGE;
	}
	return PI_EXIT_OK;
}
