#include "analysis/offcpu.h"

#include "model.h"

bool pi_off_cpu(int64_t now_ns, int64_t exec_start_ns, bool on_cpu, double *seconds)
{
	*seconds = 0;
	if (!now_ns)
		return false;
	int64_t ns = now_ns - exec_start_ns;
	/* A task on a CPU right now has an exec_start a tick or so old: it
	 * is not "off" the CPU at all. A reading a little in the future is
	 * the clocks of two CPUs disagreeing, not time travel. */
	if (ns < 0 || on_cpu)
		ns = 0;
	*seconds = (double)ns / 1e9;
	return true;
}

void pi_thread_off_cpu(struct pi_thread *t)
{
	pi_fact_set_known(&t->facts, PI_FACT_OFF_CPU, false);
	t->facts.off_cpu_seconds = 0;
	if (t->sched_err || !(t->sched.have & PI_SCHED_EXEC_START))
		return;
	bool on_cpu = !t->stat_err && t->facts.state == 'R' && !t->syscall_err
		      && t->syscall.kind == PI_SYSCALL_RUNNING;
	pi_fact_set_known(&t->facts, PI_FACT_OFF_CPU,
			  pi_off_cpu(t->sched_clock_ns, t->sched.exec_start_ns, on_cpu,
				     &t->facts.off_cpu_seconds));
}
