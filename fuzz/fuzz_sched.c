/* /proc/PID/task/TID/sched and schedstat: the first line of sched holds
 * the task's name, the rest is numbers in the scheduler's own formats. */
#include "fuzz.h"
#include "proc/sched.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pi_sched sc;
	struct pi_schedstat ss;
	memset(&sc, 0xa5, sizeof sc);
	if (pi_sched_parse((const char *)data, size, &sc) == 0)
		fz_require(sc.have & PI_SCHED_EXEC_START);
	pi_schedstat_parse((const char *)data, size, &ss);
	return 0;
}
