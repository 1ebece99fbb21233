/* lists — parsers for the /proc files that are lists: cmdline (NUL
 * separated), the kernel stack, cgroup lines, children PIDs, and auxv. */
#ifndef PI_PROC_LISTS_H
#define PI_PROC_LISTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A list of strings, each NUL-terminated (arguments cannot hold NUL). */
struct pi_strv {
	char **v;
	size_t n;
};

void pi_strv_push(struct pi_strv *sv, const char *s, size_t len);
void pi_strv_free(struct pi_strv *sv);

/* /proc/PID/cmdline: arguments separated by NUL. A process that rewrote
 * its argument area (setproctitle) may leave no final NUL, or pad with
 * NULs; both are handled. */
int pi_cmdline_parse(const char *text, size_t len, struct pi_strv *out);

/* /proc/PID/task/TID/stack: "[<0>] func+0x1a/0x40" per line; keeps
 * "func+0x1a/0x40" (the address is hidden as 0 for everybody). */
int pi_kstack_parse(const char *text, size_t len, struct pi_strv *out);

/* /proc/PID/cgroup: one "hierarchy:controllers:path" line each; keeps the
 * lines as they are. */
int pi_cgroup_parse(const char *text, size_t len, struct pi_strv *out);

/* /proc/PID/task/TID/children: PIDs separated by spaces. Appends to the
 * array (*pids, *count, *cap). */
int pi_children_parse(const char *text, size_t len, pid_t **pids, size_t *count, size_t *cap);

/* /proc/PID/wchan: a kernel symbol, or "0" when the task is not blocked
 * (or the reader may not see it). Copies the symbol, or "" for "0". */
int pi_wchan_parse(const char *text, size_t len, char *out, size_t size);

/* The auxiliary vector entries pinspect uses. */
struct pi_auxv {
	bool have_sysinfo_ehdr;
	uint64_t sysinfo_ehdr;	/* AT_SYSINFO_EHDR: where the vDSO is mapped */
	uint64_t pagesz, hwcap, entry, base, execfn, platform;
	bool secure;		/* AT_SECURE: setuid-style exec */
};

/* /proc/PID/auxv: binary (type, value) pairs of word_size bytes each (8
 * for 64-bit processes, 4 for 32-bit ones), ending with AT_NULL. Returns 0,
 * or -EINVAL for an empty or misaligned vector. */
int pi_auxv_parse(const void *data, size_t len, unsigned word_size, struct pi_auxv *out);

/* The largest entry type the kernel writes is in the fifties; anything
 * above this is no auxv entry. */
#define PI_AUXV_TYPE_MAX 255
/* Pure: the word size (8 or 4) the vector is written in, told from the
 * vector alone (a 32-bit process's pairs read as 64-bit ones have huge
 * types), or 0 when it reads as neither. */
unsigned pi_auxv_word_size(const void *data, size_t len);

#endif
