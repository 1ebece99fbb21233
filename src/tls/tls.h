/* tls — each thread's thread pointer and thread-local storage, found
 * without stopping anything.
 *
 * On x86-64 a thread's TLS pointer is fs_base, which glibc points at the
 * thread's control block (TCB): at the top of the thread's own stack
 * mapping, or, for the main thread, in a small anonymous mapping near the
 * libraries. glibc's libthread_db walks the target's list of threads in its
 * memory and gives each TCB, reading memory only (through the
 * proc_service functions in threaddb.c); a thread that was stopped anyway
 * has its fs_base from its registers. Other architectures differ by their
 * row (src/arch): an i386 thread's pointer is gs_base, and its list is
 * walked by hand (threadlist.h: the host's libthread_db reads no 32-bit
 * process); aarch64's TLS is variant I (layout.h).
 *
 * The parsing (module files, libthread_db over target memory) runs in the
 * stacks' sandboxed child (collect/stack_sandbox.h); the root side only
 * applies its validated answers and reads memory. */
#ifndef PI_TLS_TLS_H
#define PI_TLS_TLS_H

#include <stdbool.h>

#include "model.h"

struct Dwfl;

enum { PI_TLS_MAX_VARS = 16 };	/* the executable's TLS variables read */

/* The executable's TLS block and its variables (STT_TLS symbols: their
 * value is an offset into the block). */
struct pi_tls_exe_vars {
	bool known;			/* the executable has a TLS segment */
	uint64_t block_size, align;
	size_t nvars;
	struct pi_tls_exe_var {
		const char *name;
		uint64_t offset, size;
	} vars[PI_TLS_MAX_VARS];
};

/* ---- In the sandboxed child, which parses the files (libdwfl) ---- */

/* Calls fn for each module with a TLS segment. */
typedef void pi_tls_module_fn(void *arg, const char *path, uint64_t size, uint64_t init_size,
			      uint64_t align);
void pi_tls_find_modules(struct Dwfl *dwfl, pi_tls_module_fn *fn, void *arg);

/* The executable's (the module at entry, the auxv's AT_ENTRY) TLS
 * variables; names are interned in pool. */
void pi_tls_find_exe_vars(struct Dwfl *dwfl, uint64_t entry, struct pi_strpool *pool,
			  struct pi_tls_exe_vars *out);

/* Where the symbols of glibc's thread list lie (tls/threadlist.h), from
 * every module's symbol table: for a process libthread_db cannot read. */
struct pi_tls_list_syms;
void pi_tls_find_list_syms(struct Dwfl *dwfl, struct pi_tls_list_syms *out);

/* ---- On the root side, with what the child found ---- */

/* Thread tid's TCB and executable TLS block, as libthread_db reported it
 * (unknown TIDs are ignored; a thread whose registers gave its TLS
 * pointer keeps that). */
void pi_tls_apply_thread(struct pi_process *p, pid_t tid, uint64_t tcb, uint64_t exe_block);
/* The walk ended with err (0, or why it could not be made or was cut
 * short; a PI_ERR_SANDBOX_* reason when the child failed): threads it
 * did not report have their TLS pointer unknown for that reason. */
void pi_tls_apply_walk(struct pi_process *p, int err);
/* Replaces p->tls_modules with nothing (before the child's are added). */
void pi_tls_reset_modules(struct pi_process *p);
void pi_tls_add_module(struct pi_process *p, const char *path, uint64_t size, uint64_t init_size,
		       uint64_t align);

/* After the stacks (stopped threads have their fs_base from their
 * registers): reads the executable's TLS variables (exe, NULL when
 * unknown) in every thread and checks each TCB's self-pointers against
 * fs_base. Memory reads only. */
void pi_tls_finish(struct pi_process *p, const struct pi_tls_exe_vars *exe);

#endif
