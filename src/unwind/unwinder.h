/* unwinder — user call stacks from registers and a copy of the stack.
 *
 * One libdwfl session per process: its modules (the program, its
 * libraries, the vDSO) are reported from the maps pinspect already read
 * and opened once: the mapping itself, or its path inside the process's
 * root (proc/target_open), so that a process in a container gets its own
 * files and never the host's. Debug files are looked for in that root
 * too (unwind/debugfile), never by elfutils' own searches. Unwinding never touches a live thread: libdwfl is
 * attached with pinspect's own callbacks (not dwfl_linux_proc_attach, which
 * would ptrace-stop every thread for its whole unwind), and reads stack
 * memory from the copy it is given. */
#ifndef PI_UNWIND_UNWINDER_H
#define PI_UNWIND_UNWINDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "arch/arch.h"
#include "proc/maps.h"

/* Where an unwind starts: the target's architecture (src/arch), the
 * registers that are known, by the row's DWARF numbers (its program
 * counter at dwarf_pc), and the copy of the stack the unwinder may read. */
struct pi_unwind_start {
	const struct pi_arch *arch;
	uint64_t regs[PI_ARCH_MAX_REGS];
	uint64_t known;			/* bit n: regs[n] is known */
	const uint8_t *stack;
	uint64_t stack_start;
	size_t stack_len;
};

/* One physical frame. */
struct pi_raw_frame {
	uint64_t pc;
	uint64_t sp;		/* the frame's stack pointer, when known */
	bool sp_known;
	bool activation;	/* pc is exact (the innermost frame, or after a
				 * signal frame), not a return address */
};

struct pi_unwind_result {
	struct pi_raw_frame *frames;
	size_t nframes;
	const char *stop_reason;	/* NULL: reached the outermost frame */
	bool needs_rbp;		/* it stopped where the frame pointer was needed */
};

struct pi_unwinder;
struct stat;

/* How a session gets at the target's files and memory. */
struct pi_unwind_access {
	/* Opens the file of the module whose first mapping is v (exactly
	 * that file, by device and inode): an fd with *st filled, or
	 * -errno. */
	int (*open_module)(void *arg, const struct pi_vma *v, struct stat *st);
	/* Opens a candidate separate debug file, path in the target's root
	 * (unwind/debugfile). */
	int (*open_debug)(void *arg, const char *path, struct stat *st);
	void *arg;
	/* The target's memory outside the stack copies: pread on this
	 * /proc/PID/mem descriptor, or process_vm_readv when it is -1. */
	int memfd;
	/* libelf may map the files (faster). Only where a SIGBUS costs
	 * nothing but the item: a file the target truncates while it is
	 * mapped raises one on the next read. Else libelf uses pread. */
	bool map_files;
	/* debuginfod may be asked (DEBUGINFOD_URLS), which needs network. */
	bool debuginfod;
	/* Without network: the debug file debuginfod has for the module
	 * whose first mapping is v and whose build-id (read here, from the
	 * module's own ELF) is build_id, fetched by whoever has network (an
	 * fd, or -errno). NULL: none. */
	int (*fetch_debuginfo)(void *arg, const struct pi_vma *v, const unsigned char *build_id,
			       size_t build_id_len);
};

/* pinspect's own process: the module through /proc/PID/map_files, else
 * its path inside the process's root (proc/target_open); debug files in
 * that root; no mapped files; debuginfod when DEBUGINFOD_URLS asks. */
int pi_unwinder_new(pid_t pid, const struct pi_vma *vmas, size_t nvmas,
		    const void *vdso_image, size_t vdso_size, struct pi_unwinder **out);

/* Starts a session for process pid, whose mappings are vmas, with the
 * given access (copied). vdso_image (may be NULL) is a copy of its [vdso]
 * mapping, which must outlive the session. Returns 0 or -errno. */
int pi_unwinder_new_with(pid_t pid, const struct pi_vma *vmas, size_t nvmas,
			 const void *vdso_image, size_t vdso_size,
			 const struct pi_unwind_access *access, struct pi_unwinder **out);

/* The direct opener of pi_unwinder_new, for a broker policy: the file
 * mapped at v of process pid (map_files, else v's path in rootfd), or
 * -errno; it must be v's file by device and inode. */
int pi_unwind_open_mapped(pid_t pid, int rootfd, const struct pi_vma *v, struct stat *st);
/* The same through tf (proc/target_open.h), so that a file on a mount
 * that does not answer costs at most tf's wait (-ETIMEDOUT), once. */
struct pi_target_files;
int pi_unwind_open_mapped_in(struct pi_target_files *tf, const struct pi_vma *v, struct stat *st);
void pi_unwinder_free(struct pi_unwinder *u);

/* Unwinds thread tid from start, up to max_frames frames. */
void pi_unwind(struct pi_unwinder *u, pid_t tid, const struct pi_unwind_start *start,
	       size_t max_frames, struct pi_unwind_result *out);
void pi_unwind_result_free(struct pi_unwind_result *r);

/* For a sandboxed session's fetch_debuginfo, on the side that has
 * network: asks debuginfod (when DEBUGINFOD_URLS is set) for the debug
 * file of the build-id id (1 to 64 bytes). No file is read: the build-id
 * is all debuginfod is asked by, so the root side parses nothing of a
 * target's. An fd, or -errno. */
int pi_debuginfod_fetch(const unsigned char *id, size_t len);

/* The libdwfl session, for the symbolizer and libthread_db's symbol
 * lookups. */
struct Dwfl *pi_unwinder_dwfl(struct pi_unwinder *u);

/* A module's DWARF (dwfl_module_getdwarf), with its dwz alt file found in
 * the process's root or marked absent. Call it before any other DWARF
 * read of the module: libdw, left to itself, would look for the alt file
 * with plain open() of a path the module names (a FIFO: pinspect would
 * wait for good; a path of the host's). */
struct Dwfl_Module;
struct Dwarf;
struct Dwarf *pi_unwinder_module_dwarf(struct Dwfl_Module *mod, uint64_t *bias);

#endif
