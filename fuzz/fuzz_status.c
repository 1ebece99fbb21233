/* /proc/PID/status: every line but the numbers is kernel-written, yet Name
 * is the task's own choice and a file read while the task exits ends
 * anywhere. */
#include "fuzz.h"
#include "proc/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pi_status st;
	memset(&st, 0xa5, sizeof st);	/* the parser must not rely on a zeroed struct */
	if (pi_status_parse((const char *)data, size, &st) == 0)
		fz_require(st.have & PI_STATUS_STATE);
	if (st.have & PI_STATUS_NSPID)
		fz_require(st.nspid_levels >= 1 && st.nspid_levels <= PI_NS_LEVELS_MAX);
	if (st.have & PI_STATUS_CPUS)
		fz_require(fz_terminated(st.cpus_allowed_list, sizeof st.cpus_allowed_list));
	return 0;
}
