/* Classification of the table: every task through the shared classifier
 * (analysis/classify.h), and the deadlocks handed over
 * (table/deadlocks.h); the flags then add up per process, and the
 * zombies are counted against the parents that hold them. */
#include "table/table.h"

#include <string.h>

#include "analysis/classify.h"
#include "analysis/kinds.h"

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
	int ra = pi_task_flag_rank(a->facts.flags), rb = pi_task_flag_rank(b->facts.flags);
	if (ra != rb)
		return ra > rb;
	return pi_fact_known(&a->facts, PI_FACT_OFF_CPU)
	       && (!pi_fact_known(&b->facts, PI_FACT_OFF_CPU) || a->facts.off_cpu_seconds > b->facts.off_cpu_seconds);
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
		const struct pi_proc *p = pi_task_proc(t, task);
		task->facts.flags = (uint8_t)pi_classify_task(&task->facts, p->pid,
							      p->nlwp > 0 ? (unsigned)p->nlwp : 0,
							      t->opt.hung_after_seconds);
	}
	pi_table_flag_deadlocks(t);
	c->deadlocks = 0;	/* lock cycles; a cycle of processes is flagged, not counted here */
	for (size_t i = 0; i < t->deadlocks.n; i++)
		c->deadlocks += !t->deadlocks.v[i].across_processes;
	for (size_t i = 0; i < t->ntasks; i++) {
		struct pi_task *task = &t->tasks[i];
		struct pi_proc *p = pi_task_proc(t, task);
		count_state(c, task->facts.state);
		if (task->facts.flags & PI_TASK_HUNG)
			c->hung++;
		if (task->facts.flags & PI_TASK_DEADLOCKED)
			c->deadlocked++;
		p->flags |= task->facts.flags;
		if (worse(task, &t->tasks[p->worst_task]))
			p->worst_task = (uint32_t)i;
	}
	/* A zombie's parent is the one to act on: it must reap it. */
	for (size_t i = 0; i < t->nprocs; i++) {
		struct pi_proc *p = &t->procs[i];
		struct pi_task *main = pi_proc_main_task(t, p);
		if (!main || !(main->facts.flags & PI_TASK_ZOMBIE))
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
