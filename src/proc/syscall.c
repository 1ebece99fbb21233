#include "proc/syscall.h"

#include <errno.h>
#include <string.h>

#include "proc/scan.h"

int pi_syscall_parse(const char *text, size_t len, struct pi_syscall *out)
{
	struct pi_scan s = pi_scan_of(text, len);
	int64_t nr;

	memset(out, 0, sizeof *out);
	pi_scan_blank(&s);
	if (pi_scan_prefix(&s, "running")) {
		out->kind = PI_SYSCALL_RUNNING;
		out->nr = -1;
		return 0;
	}
	if (!pi_scan_i64(&s, &nr) || nr < -1 || nr > INT32_MAX)
		return -EINVAL;
	out->nr = (long)nr;
	if (nr == -1) {
		out->kind = PI_SYSCALL_NONE;
	} else {
		out->kind = PI_SYSCALL_IN;
		for (int i = 0; i < 6; i++)
			if (!pi_scan_hex(&s, &out->args[i]))
				goto invalid;
	}
	if (!pi_scan_hex(&s, &out->sp) || !pi_scan_hex(&s, &out->pc))
		goto invalid;
	return 0;
invalid:
	memset(out, 0, sizeof *out);
	return -EINVAL;
}
