/* cmd_live — `pinspect` with no PID (or --top PID): the full-screen live
 * view. It needs a terminal; anything else is pointed to --batch. */
#ifndef PI_CMD_LIVE_H
#define PI_CMD_LIVE_H

#include "options.h"

/* Returns the exit status (see exitcodes.h). */
int pi_cmd_live(const struct pi_options *opt);

#endif
