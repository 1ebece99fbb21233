#include "proc/status.h"

#include <errno.h>
#include <string.h>

#include "proc/scan.h"

static bool scan_u32(struct pi_scan *s, uint32_t *v)
{
	uint64_t x;
	if (!pi_scan_u64(s, &x) || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

static bool scan_pid(struct pi_scan *s, pid_t *v)
{
	uint64_t x;
	if (!pi_scan_u64(s, &x) || x > INT32_MAX)
		return false;
	*v = (pid_t)x;
	return true;
}

static bool scan_kb(struct pi_scan *s, uint64_t *bytes)
{
	uint64_t kb;
	if (!pi_scan_u64(s, &kb) || kb > UINT64_MAX / 1024)
		return false;
	*bytes = kb * 1024;
	return true;
}

/* The Vm* and Rss* lines, by name. */
static bool parse_vm_line(struct pi_scan *key, struct pi_scan *val, struct pi_status_vm *vm)
{
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {
		{ "VmPeak", offsetof(struct pi_status_vm, peak) },
		{ "VmSize", offsetof(struct pi_status_vm, size) },
		{ "VmLck", offsetof(struct pi_status_vm, locked) },
		{ "VmHWM", offsetof(struct pi_status_vm, hwm) },
		{ "VmRSS", offsetof(struct pi_status_vm, rss) },
		{ "RssAnon", offsetof(struct pi_status_vm, rss_anon) },
		{ "RssFile", offsetof(struct pi_status_vm, rss_file) },
		{ "RssShmem", offsetof(struct pi_status_vm, rss_shmem) },
		{ "VmData", offsetof(struct pi_status_vm, data) },
		{ "VmStk", offsetof(struct pi_status_vm, stack) },
		{ "VmExe", offsetof(struct pi_status_vm, exe) },
		{ "VmLib", offsetof(struct pi_status_vm, lib) },
		{ "VmPTE", offsetof(struct pi_status_vm, pte) },
		{ "VmSwap", offsetof(struct pi_status_vm, swap) },
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if (pi_scan_equals(key, fields[i].name))
			return scan_kb(val, (uint64_t *)((char *)vm + fields[i].offset));
	}
	return false;
}

int pi_status_parse(const char *text, size_t len, struct pi_status *out)
{
	struct pi_scan s = pi_scan_of(text, len), line;
	bool have_vcsw = false, have_nvcsw = false;

	memset(out, 0, sizeof *out);
	while (pi_scan_line(&s, &line)) {
		struct pi_scan key = line, val;
		const char *colon = memchr(line.p, ':', pi_scan_left(&line));
		if (!colon)
			continue;
		key.end = colon;
		val.p = colon + 1;
		val.end = line.end;
		pi_scan_blank(&val);

		switch (key.p[0]) {
		case 'S':
			if (pi_scan_equals(&key, "State")) {
				if (!pi_scan_done(&val)) {
					out->state = *val.p;
					out->have |= PI_STATUS_STATE;
				}
			} else if (pi_scan_equals(&key, "SigPnd")) {
				if (pi_scan_hex(&val, &out->sig_pending))
					out->have |= PI_STATUS_SIGPND;
			} else if (pi_scan_equals(&key, "ShdPnd")) {
				if (pi_scan_hex(&val, &out->sig_shared_pending))
					out->have |= PI_STATUS_SHDPND;
			} else if (pi_scan_equals(&key, "SigBlk")) {
				pi_scan_hex(&val, &out->sig_blocked);
			} else if (pi_scan_equals(&key, "SigIgn")) {
				pi_scan_hex(&val, &out->sig_ignored);
			} else if (pi_scan_equals(&key, "SigCgt")) {
				if (pi_scan_hex(&val, &out->sig_caught))
					out->have |= PI_STATUS_SIGMASKS;
			} else if (pi_scan_equals(&key, "Seccomp")) {
				uint64_t v;
				if (pi_scan_u64(&val, &v) && v <= 2) {
					out->seccomp = (int)v;
					out->have |= PI_STATUS_SECCOMP;
				}
			}
			break;
		case 'T':
			if (pi_scan_equals(&key, "Tgid")) {
				if (scan_pid(&val, &out->tgid))
					out->have |= PI_STATUS_TGID;
			} else if (pi_scan_equals(&key, "TracerPid")) {
				if (scan_pid(&val, &out->tracer_pid))
					out->have |= PI_STATUS_TRACER;
			} else if (pi_scan_equals(&key, "Threads")) {
				if (scan_u32(&val, &out->threads))
					out->have |= PI_STATUS_THREADS;
			}
			break;
		case 'P':
			if (pi_scan_equals(&key, "Pid"))
				scan_pid(&val, &out->pid);
			else if (pi_scan_equals(&key, "PPid") && scan_pid(&val, &out->ppid))
				out->have |= PI_STATUS_PPID;
			break;
		case 'U':
		case 'G':
			if (pi_scan_equals(&key, "Uid") || pi_scan_equals(&key, "Gid")) {
				bool uid = key.p[0] == 'U';
				uint32_t ids[4];
				int n = 0;
				while (n < 4 && scan_u32(&val, &ids[n]))
					n++;
				if (n == 4) {
					for (int i = 0; i < 4; i++) {
						if (uid)
							out->uid[i] = ids[i];
						else
							out->gid[i] = ids[i];
					}
					out->have |= uid ? PI_STATUS_UID : PI_STATUS_GID;
				}
			}
			break;
		case 'N':
			if (pi_scan_equals(&key, "NSpid")) {
				/* Namespaces nest 32 deep: past the last slot,
				 * each deeper PID replaces the one before, so
				 * that the last slot holds the task's own. */
				pid_t p;
				out->nspid_levels = 0;
				out->have &= ~PI_STATUS_NSPID;
				while (scan_pid(&val, &p)) {
					if (out->nspid_levels < PI_NS_LEVELS_MAX)
						out->nspid_levels++;
					out->nspid[out->nspid_levels - 1] = p;
				}
				if (out->nspid_levels)
					out->have |= PI_STATUS_NSPID;
			} else if (pi_scan_equals(&key, "NSsid")) {
				/* The last number is the session as the task's own
				 * namespace sees it. */
				pid_t p;
				while (scan_pid(&val, &p)) {
					out->nssid_inner = p;
					out->have |= PI_STATUS_NSSID;
				}
			} else if (pi_scan_equals(&key, "NoNewPrivs")) {
				uint64_t v;
				if (pi_scan_u64(&val, &v))
					out->no_new_privs = v != 0;
			}
			break;
		case 'K':
			if (pi_scan_equals(&key, "Kthread")) {
				uint64_t v;
				if (pi_scan_u64(&val, &v)) {
					out->kthread = v != 0;
					out->have |= PI_STATUS_KTHREAD;
				}
			}
			break;
		case 'V':
		case 'R':
			if (parse_vm_line(&key, &val, &out->vm) && pi_scan_equals(&key, "VmSize"))
				out->have |= PI_STATUS_VM;
			break;
		case 'C':
			if (pi_scan_equals(&key, "Cpus_allowed_list")) {
				pi_scan_rtrim(&val);
				pi_scan_copy(&val, out->cpus_allowed_list, sizeof out->cpus_allowed_list);
				out->have |= PI_STATUS_CPUS;
			} else if (pi_scan_equals(&key, "CapEff")) {
				if (pi_scan_hex(&val, &out->cap_effective))
					out->have |= PI_STATUS_CAPS;
			}
			break;
		case 'v':
			if (pi_scan_equals(&key, "voluntary_ctxt_switches"))
				have_vcsw = pi_scan_u64(&val, &out->voluntary_ctxt_switches);
			break;
		case 'n':
			if (pi_scan_equals(&key, "nonvoluntary_ctxt_switches"))
				have_nvcsw = pi_scan_u64(&val, &out->nonvoluntary_ctxt_switches);
			break;
		}
	}
	if (have_vcsw && have_nvcsw)
		out->have |= PI_STATUS_CTXT;
	return (out->have & PI_STATUS_STATE) ? 0 : -EINVAL;
}
