/* /proc/PID/task/TID/syscall: numbers only, but read while the task moves
 * on, so cut anywhere. */
#include "fuzz.h"
#include "proc/syscall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pi_syscall sc;
	if (pi_syscall_parse((const char *)data, size, &sc) != 0)
		return 0;
	fz_require(sc.kind == PI_SYSCALL_RUNNING || sc.kind == PI_SYSCALL_NONE
		   || sc.kind == PI_SYSCALL_IN);
	return 0;
}
