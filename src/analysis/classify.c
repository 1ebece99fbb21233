#include "analysis/classify.h"

#include <string.h>

void pi_facts_set_comm(struct pi_task_facts *f, const char *comm)
{
	size_t n = strnlen(comm, sizeof f->comm - 1);
	memcpy(f->comm, comm, n);
	memset(f->comm + n, 0, sizeof f->comm - n);
}

unsigned pi_classify_task(const struct pi_task_facts *t, pid_t pid, unsigned process_threads,
			  double hung_after_seconds)
{
	unsigned flags = 0;

	switch (pi_fact_known(t, PI_FACT_STAT) ? t->state : 0) {
	case 'D':
		if (pi_fact_known(t, PI_FACT_OFF_CPU) && t->off_cpu_seconds > hung_after_seconds)
			flags |= PI_TASK_HUNG;
		else
			flags |= PI_TASK_UNINTERRUPTIBLE;
		break;
	case 'Z':
		/* A main thread that called pthread_exit() stays Z until the
		 * last thread exits: the process is not a zombie. */
		if (t->tid == pid && process_threads > 1)
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
	if (pi_fact_known(t, PI_FACT_TRACER) && t->tracer_pid > 0)
		flags |= PI_TASK_TRACED;
	return flags;
}
