#include "analysis/classify.h"

unsigned pi_classify_task(const struct pi_task_facts *t, double hung_after_seconds)
{
	unsigned flags = 0;

	switch (t->state) {
	case 'D':
		if (t->off_cpu_known && t->off_cpu_seconds > hung_after_seconds)
			flags |= PI_TASK_HUNG;
		else
			flags |= PI_TASK_UNINTERRUPTIBLE;
		break;
	case 'Z':
		/* A main thread that called pthread_exit() stays Z until the
		 * last thread exits: the process is not a zombie. */
		if (t->tid == t->pid && t->process_threads > 1)
			flags |= PI_TASK_LEADER_EXITED;
		else
			flags |= PI_TASK_ZOMBIE;
		break;
	case 'T':
		flags |= PI_TASK_STOPPED;
		break;
	case 't':
		flags |= PI_TASK_TRACED;
		break;
	}
	if (t->tracer_pid > 0)
		flags |= PI_TASK_TRACED;
	return flags;
}
