/* maps — parser for /proc/PID/maps and /proc/PID/smaps.
 *
 * smaps is maps with a block of "Key: N kB" lines after each mapping; the
 * same parser reads both, so a smaps read gives the VMA list and each VMA's
 * resident size at once. */
#ifndef PI_PROC_MAPS_H
#define PI_PROC_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What a mapping is, decided by analysis/vma.c (the parser leaves
 * PI_VMA_UNCLASSIFIED). */
enum pi_vma_kind {
	PI_VMA_UNCLASSIFIED,
	PI_VMA_TEXT,		/* executable code of the program or a library */
	PI_VMA_DATA,		/* other mappings of an ELF object: rodata, data, relro, bss */
	PI_VMA_HEAP,		/* [heap], the brk area */
	PI_VMA_MAIN_STACK,	/* [stack] */
	PI_VMA_THREAD_STACK,	/* anonymous memory holding a thread's stack pointer */
	PI_VMA_GUARD,		/* inaccessible anonymous pages, e.g. below a thread stack */
	PI_VMA_ANON,		/* other anonymous memory: malloc arenas, mmap */
	PI_VMA_FILE,		/* a file mapped as data */
	PI_VMA_SHM,		/* shared memory: MAP_SHARED anonymous, /dev/shm, memfd, SysV */
	PI_VMA_VDSO,
	PI_VMA_VVAR,		/* the vDSO's data pages */
	PI_VMA_VSYSCALL,
	PI_VMA_OTHER,		/* other kernel-named areas, e.g. [uprobes] */
	PI_VMA_KIND_COUNT
};

struct pi_vma {
	uint64_t start, end, offset;
	char perms[5];		/* "r-xp" */
	unsigned dev_major, dev_minor;
	uint64_t inode;
	char *path;		/* NULL when anonymous; the kernel escapes '\n' as "\012" */
	bool deleted;		/* the file was unlinked: " (deleted)" is cut from path */
	bool have_smaps;	/* the sizes below were read */
	uint64_t rss, pss, swap;	/* bytes */
	uint64_t vmflags;	/* smaps VmFlags: bit n set for pi_vmflag_names[n] */

	/* Filled by analysis/vma.c. */
	enum pi_vma_kind kind;
	pid_t stack_tid;	/* for a thread or main stack: the thread whose SP lies here (first found) */
};

/* The two-letter VmFlags codes, in bit order ("rd" is bit 0); NULL ends. */
extern const char *const pi_vmflag_names[];

/* Parses maps or smaps text into a new array (*out, *count), which the
 * caller frees with pi_vmas_free. Lines that are not mappings are skipped.
 * Returns 0 (an empty file gives an empty array). */
int pi_maps_parse(const char *text, size_t len, struct pi_vma **out, size_t *count);
void pi_vmas_free(struct pi_vma *vmas, size_t count);

/* The same, fed in pieces: smaps of a process with thousands of threads is
 * megabytes, and need not be held whole. Each piece must end at a line
 * boundary. */
struct pi_maps_parser {
	struct pi_vma *vmas;
	size_t count, cap;
};
void pi_maps_feed(struct pi_maps_parser *p, const char *text, size_t len);

#endif
