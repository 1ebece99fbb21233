#include "proc/sched.h"

#include <errno.h>
#include <string.h>

#include "proc/scan.h"

int pi_sched_parse(const char *text, size_t len, struct pi_sched *out)
{
	struct pi_scan s = pi_scan_of(text, len), line;
	bool have_vol = false, have_invol = false;

	memset(out, 0, sizeof *out);
	/* The first line is "comm (pid, #threads: n)", and comm is chosen by
	 * the task: it could mimic a key line, so it is never parsed. */
	if (!pi_scan_line(&s, &line))
		return -EINVAL;
	while (pi_scan_line(&s, &line)) {
		struct pi_scan key, val = line;
		if (!pi_scan_token(&val, &key))
			continue;
		pi_scan_blank(&val);
		if (!pi_scan_char(&val, ':'))
			continue;
		if (pi_scan_equals(&key, "se.exec_start")) {
			if (pi_scan_ms_as_ns(&val, &out->exec_start_ns))
				out->have |= PI_SCHED_EXEC_START;
		} else if (pi_scan_equals(&key, "se.sum_exec_runtime")) {
			if (pi_scan_ms_as_ns(&val, &out->sum_exec_runtime_ns))
				out->have |= PI_SCHED_RUNTIME;
		} else if (pi_scan_equals(&key, "se.nr_migrations")) {
			if (pi_scan_u64(&val, &out->nr_migrations))
				out->have |= PI_SCHED_MIGRATIONS;
		} else if (pi_scan_equals(&key, "nr_switches")) {
			pi_scan_u64(&val, &out->nr_switches);
		} else if (pi_scan_equals(&key, "nr_voluntary_switches")) {
			have_vol = pi_scan_u64(&val, &out->nr_voluntary_switches);
		} else if (pi_scan_equals(&key, "nr_involuntary_switches")) {
			have_invol = pi_scan_u64(&val, &out->nr_involuntary_switches);
		} else if (pi_scan_equals(&key, "policy")) {
			if (pi_scan_u64(&val, &out->policy))
				out->have |= PI_SCHED_POLICY;
		} else if (pi_scan_equals(&key, "prio")) {
			if (pi_scan_i64(&val, &out->prio))
				out->have |= PI_SCHED_PRIO;
		}
	}
	if (have_vol && have_invol)
		out->have |= PI_SCHED_SWITCHES;
	return (out->have & PI_SCHED_EXEC_START) ? 0 : -EINVAL;
}

int pi_schedstat_parse(const char *text, size_t len, struct pi_schedstat *out)
{
	struct pi_scan s = pi_scan_of(text, len);

	memset(out, 0, sizeof *out);
	if (!pi_scan_u64(&s, &out->run_ns) || !pi_scan_u64(&s, &out->wait_ns)
	    || !pi_scan_u64(&s, &out->timeslices)) {
		memset(out, 0, sizeof *out);
		return -EINVAL;
	}
	return 0;
}
