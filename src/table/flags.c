/* Classification of the table: every task through the shared classifier
 * (analysis/classify.h), and the deadlocks handed over
 * (table/deadlocks.h); the flags then add up per process, and the
 * zombies are counted against the parents that hold them. */
#include "table/table.h"

#include <string.h>

#include "analysis/classify.h"
#include "analysis/kinds.h"

struct pi_task_facts pi_table_task_facts(const struct pi_table *t, const struct pi_task *task)
{
	const struct pi_proc *p = &t->procs[task->proc];
	return (struct pi_task_facts){
		.pid = p->pid,
		.tid = task->tid,
		.comm = pi_task_comm(t, task),
		.state = task->state,
		.off_cpu_known = task->off_cpu_known,
		.off_cpu_seconds = task->off_cpu_seconds,
		.wchan = task->wchan_err ? NULL : task->wchan,
		.tracer_pid = task->status_err ? -1 : task->tracer_pid,
		.process_threads = p->nlwp > 0 ? (unsigned)p->nlwp : PI_FACT_NOT_READ,
		.flags = task->flags,
	};
}

int pi_task_flag_rank(unsigned flags)
{
	return pi_kind_rank(flags, false);
}

static void count_state(struct pi_table_counts *c, char state)
{
	switch (state) {
	case 'R': c->running++; break;
	case 'S': c->sleeping++; break;
	case 'D': c->uninterruptible++; break;
	case 'T': c->stopped++; break;
	case 't': c->traced++; break;
	case 'Z': c->zombie++; break;
	case 'I': c->idle++; break;
	default: c->other++; break;
	}
}

/* Is a worse than b? The higher flag, then the longer time off the CPU. */
static bool worse(const struct pi_task *a, const struct pi_task *b)
{
	int ra = pi_task_flag_rank(a->flags), rb = pi_task_flag_rank(b->flags);
	if (ra != rb)
		return ra > rb;
	return a->off_cpu_known && (!b->off_cpu_known || a->off_cpu_seconds > b->off_cpu_seconds);
}

void pi_table_classify(struct pi_table *t)
{
	struct pi_table_counts *c = &t->counts;

	memset(c, 0, sizeof *c);
	c->processes = t->nprocs;
	c->threads = t->ntasks;
	for (size_t i = 0; i < t->nprocs; i++) {
		t->procs[i].flags = 0;
		t->procs[i].zombies = 0;
		t->procs[i].oldest_zombie_seconds = 0;
		t->procs[i].worst_task = t->procs[i].first_task;
	}
	for (size_t i = 0; i < t->ntasks; i++) {
		struct pi_task *task = &t->tasks[i];
		struct pi_task_facts f = pi_table_task_facts(t, task);
		task->flags = pi_classify_task(&f, t->opt.hung_after_seconds);
	}
	pi_table_flag_deadlocks(t);
	c->deadlocks = 0;	/* lock cycles; a cycle of processes is flagged, not counted here */
	for (size_t i = 0; i < t->deadlocks.n; i++)
		c->deadlocks += !t->deadlocks.v[i].across_processes;
	for (size_t i = 0; i < t->ntasks; i++) {
		struct pi_task *task = &t->tasks[i];
		struct pi_proc *p = pi_task_proc(t, task);
		count_state(c, task->state);
		if (task->flags & PI_TASK_HUNG)
			c->hung++;
		if (task->flags & PI_TASK_DEADLOCKED)
			c->deadlocked++;
		p->flags |= task->flags;
		if (worse(task, &t->tasks[p->worst_task]))
			p->worst_task = (uint32_t)i;
	}
	/* A zombie's parent is the one to act on: it must reap it. */
	for (size_t i = 0; i < t->nprocs; i++) {
		struct pi_proc *p = &t->procs[i];
		struct pi_task *main = pi_proc_main_task(t, p);
		if (!main || !(main->flags & PI_TASK_ZOMBIE))
			continue;
		struct pi_proc *parent = pi_table_find_proc(t, p->ppid);
		if (!parent)
			continue;
		if (!parent->zombies++)
			c->zombie_parents++;
		double age = pi_table_age(t, p->starttime);
		if (age > parent->oldest_zombie_seconds)
			parent->oldest_zombie_seconds = age;
	}
}
