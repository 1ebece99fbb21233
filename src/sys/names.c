#include "sys/names.h"

#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <strings.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "arch/arch.h"
#include "util/xalloc.h"

/* libseccomp resolves a number by scanning its table; a snapshot asks for
 * the same few numbers over and over, so remember each answer. The live
 * view's deadlock look asks from a thread of its own while the screen
 * asks from the main one: the cache is the mutex's. */
enum { NAME_CACHE = 512 };
static pthread_mutex_t syscall_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *syscall_cache[3][NAME_CACHE];
static char *syscall_cache_owned[3][NAME_CACHE];
static unsigned char syscall_cache_state[3][NAME_CACHE];	/* 0 unknown, 1 resolved */

static void free_syscall_cache(void)
{
	for (int a = 0; a < 3; a++)
		for (int i = 0; i < NAME_CACHE; i++)
			free(syscall_cache_owned[a][i]);
}

const char *pi_syscall_name(enum pi_abi abi, long nr)
{
	/* The native and i386 tables by the architecture table's rows (src/arch);
	 * x32, which has none, by libseccomp's name. */
	const uint32_t arch[] = { pi_arch_host()->seccomp_arch,
				  pi_arch_get(PI_ARCH_I386)->seccomp_arch, SCMP_ARCH_X32 };
	static int registered;
	long index = nr;

	if (abi == PI_ABI_X32)
		index &= ~0x40000000L;	/* __X32_SYSCALL_BIT */
	if (nr < 0 || index >= NAME_CACHE)
		return NULL;
	pthread_mutex_lock(&syscall_cache_lock);
	if (!syscall_cache_state[abi][index]) {
		if (!registered++)
			atexit(free_syscall_cache);
		char *name = seccomp_syscall_resolve_num_arch(arch[abi], (int)nr);
		syscall_cache_owned[abi][index] = name;
		syscall_cache[abi][index] = name;
		syscall_cache_state[abi][index] = 1;
	}
	const char *name = syscall_cache[abi][index];
	pthread_mutex_unlock(&syscall_cache_lock);
	return name;
}

const char *pi_signal_name(int sig, char *out, size_t size)
{
	static const char *const names[] = {
		[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT",
		[SIGILL] = "SIGILL", [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE", [SIGKILL] = "SIGKILL",
		[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
		[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
		[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
		[SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP", [SIGTTIN] = "SIGTTIN",
		[SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU",
		[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
		[SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR",
		[SIGSYS] = "SIGSYS",
	};
	/* The kernel's real-time range starts at 32; glibc keeps 32 and 33
	 * for itself (cancellation, setxid), so its SIGRTMIN is 34. Naming
	 * them from the kernel's 32 keeps the numbers unambiguous. */
	if (sig > 0 && (size_t)sig < sizeof names / sizeof names[0] && names[sig])
		snprintf(out, size, "%s", names[sig]);
	else if (sig >= 32 && sig <= 64)
		snprintf(out, size, "SIGRT%d", sig - 32);
	else
		snprintf(out, size, "signal %d", sig);
	return out;
}

int pi_signal_parse(const char *text)
{
	char name[16], want[24];
	size_t n = 0;
	if (!text)
		return 0;
	while (*text == ' ')
		text++;
	if (*text >= '0' && *text <= '9') {
		char *end;
		long v = strtol(text, &end, 10);
		return *end == '\0' && v >= 1 && v <= 64 ? (int)v : 0;
	}
	if (strncasecmp(text, "SIG", 3) != 0)
		n = (size_t)snprintf(want, sizeof want, "SIG");
	for (; *text && n + 1 < sizeof want; text++)
		want[n++] = (char)toupper((unsigned char)*text);
	want[n] = '\0';
	if (*text)
		return 0;	/* too long to be a name */
	for (int sig = 1; sig <= 64; sig++)
		if (strcmp(pi_signal_name(sig, name, sizeof name), want) == 0)
			return sig;
	/* glibc's names of the real-time range: SIGRTMIN is the kernel's 34. */
	if (strncmp(want, "SIGRTMIN", 8) == 0) {
		long off = want[8] == '+' ? strtol(want + 9, NULL, 10) : want[8] ? -1 : 0;
		return off >= 0 && 34 + off <= 64 ? (int)(34 + off) : 0;
	}
	return 0;
}

void pi_signal_mask_names(uint64_t mask, char *out, size_t size)
{
	size_t used = 0;
	char name[16];

	if (size == 0)
		return;
	out[0] = '\0';
	if (!mask) {
		snprintf(out, size, "none");
		return;
	}
	for (int sig = 1; sig <= 64; sig++) {
		if (!(mask & (1ULL << (sig - 1))))
			continue;
		int n = snprintf(out + used, size - used, "%s%s", used ? " " : "",
				 pi_signal_name(sig, name, sizeof name));
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
}

const char *pi_policy_name(unsigned policy)
{
	static const char *const names[] = {
		"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
		"SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE", "SCHED_EXT",
	};
	return policy < sizeof names / sizeof names[0] ? names[policy] : NULL;
}

bool pi_user_by_name(const char *text, uid_t *uid)
{
	if (*text >= '0' && *text <= '9') {
		char *end;
		unsigned long v = strtoul(text, &end, 10);
		if (*end || v > UINT32_MAX - 1)
			return false;
		*uid = (uid_t)v;
		return true;
	}
	struct passwd pw, *found = NULL;
	char buf[4096];
	if (getpwnam_r(text, &pw, buf, sizeof buf, &found) != 0 || !found)
		return false;
	*uid = found->pw_uid;
	return true;
}

char *pi_user_name(uid_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) != 0 || !res)
		return NULL;
	return pi_xstrdup(res->pw_name);
}

char *pi_group_name(gid_t gid)
{
	struct group gr, *res = NULL;
	char buf[8192];
	if (getgrgid_r(gid, &gr, buf, sizeof buf, &res) != 0 || !res)
		return NULL;
	return pi_xstrdup(res->gr_name);
}

const char *pi_tty_name(int tty_nr, char *out, size_t size)
{
	/* stat's tty_nr packs the device number the way the kernel's old
	 * encoding does: minor bits 31..20 and 7..0, major bits 15..8. */
	unsigned major = ((unsigned)tty_nr >> 8) & 0xfff;
	unsigned minor = ((unsigned)tty_nr & 0xff) | (((unsigned)tty_nr >> 12) & 0xfff00);

	if (tty_nr == 0)
		snprintf(out, size, "%s", "");
	else if (major >= 136 && major <= 143)
		snprintf(out, size, "pts/%u", (major - 136) * 256 + minor);
	else if (major == 4 && minor < 64)
		snprintf(out, size, "tty%u", minor);
	else if (major == 4)
		snprintf(out, size, "ttyS%u", minor - 64);
	else if (major == 5 && minor == 1)
		snprintf(out, size, "console");
	else
		snprintf(out, size, "%u:%u", major, minor);
	return out;
}
