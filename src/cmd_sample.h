/* cmd_sample — pinspect --sample[=SECONDS] PID: sampled stacks over time
 * (sample/sampler.h), printed as a text report, folded stacks or JSON. */
#ifndef PI_CMD_SAMPLE_H
#define PI_CMD_SAMPLE_H

#include "options.h"

int pi_cmd_sample(const struct pi_options *opt);

#endif
