/* groups — threads with identical stacks, counted.
 *
 * A thousand threads parked in the same place are one story told a
 * thousand times; the one thread that is somewhere else is the news. Stacks
 * are compared by their pooled frames (threads at the same place share one
 * copy, so equal stacks have equal pointers), and groups are ordered rarest
 * first. */
#ifndef PI_ANALYSIS_GROUPS_H
#define PI_ANALYSIS_GROUPS_H

#include "model.h"

void pi_stack_groups_build(struct pi_process *p);

#endif
