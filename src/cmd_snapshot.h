/* cmd_snapshot — `pinspect PID...`: read, analyze and print each process. */
#ifndef PI_CMD_SNAPSHOT_H
#define PI_CMD_SNAPSHOT_H

#include "options.h"

/* Returns the exit status (see exitcodes.h). */
int pi_cmd_snapshot(const struct pi_options *opt);

#endif
