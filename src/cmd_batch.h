/* cmd_batch — `pinspect --batch`: the live view's table, printed every
 * -d seconds (text, or with --json one document per line), like top -b. */
#ifndef PI_CMD_BATCH_H
#define PI_CMD_BATCH_H

#include "options.h"

/* Returns the exit status (see exitcodes.h). */
int pi_cmd_batch(const struct pi_options *opt);

#endif
