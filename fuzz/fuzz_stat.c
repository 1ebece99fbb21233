/* /proc/PID/stat: the name field holds whatever the task named itself,
 * parentheses, spaces and newlines included. */
#include "fuzz.h"
#include "proc/stat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pi_stat st;
	memset(&st, 0xa5, sizeof st);
	if (pi_stat_parse((const char *)data, size, &st) != 0)
		return 0;
	fz_require(st.comm_len <= PI_COMM_MAX);
	fz_require(st.comm[st.comm_len] == '\0');
	fz_require(st.nfields >= PI_STAT_MIN_FIELDS && st.nfields <= PI_STAT_FIELDS);
	return 0;
}
