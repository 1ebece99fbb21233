/* cmd_check — pinspect --hung, --zombies, --deadlocks, --check and
 * --metrics: the system-wide health scans, printed as text, JSON or
 * Prometheus metrics, with an exit status a monitoring script can act
 * on. */
#ifndef PI_CMD_CHECK_H
#define PI_CMD_CHECK_H

#include "options.h"

/* Returns the exit status: PI_EXIT_OK when nothing was found (and always
 * for --metrics, once they are written), PI_EXIT_FOUND when something
 * was, PI_EXIT_FAILURE when /proc or stdout failed. */
int pi_cmd_check(const struct pi_options *opt);

#endif
