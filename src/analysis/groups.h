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

/* The names a group's threads go by, for "worker-0 ... worker-299": the
 * first and the last in natural order (strverscmp: worker-2 before
 * worker-10), not by TID, since TIDs wrap at pid_max and the thread
 * started last may have the lowest. *first == *last when every thread has
 * the same name; "?" stands for a thread without one; NULL for an empty
 * group. */
void pi_stack_group_names(const struct pi_process *p, const struct pi_stack_group *g,
			  const char **first, const char **last);

#endif
