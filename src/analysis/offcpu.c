#include "analysis/offcpu.h"

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
