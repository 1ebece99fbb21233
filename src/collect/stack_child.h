/* stack_child — the work of the stacks' sandboxed child
 * (collect/stack_sandbox.h), one function per kind: work_tls (libthread_db's
 * walk, the TLS segments and the executable's TLS variables), work_locks
 * (the waiters' futex words and the program's mutexes, named), work_go
 * (whether the executable is a Go program, and its goroutines), and
 * work_stacks (unwinding and symbolizing a batch of stack copies). A new
 * kind of work is a PI_STACK_WORK_* bit, a function in stack_child.c that
 * sends its records (listed in do_work), and their reading in
 * stack_reply.c (read_fact, apply_facts).
 *
 * Internal to collect/: stack_sandbox.c runs these in the child. */
#ifndef PI_COLLECT_STACK_CHILD_H
#define PI_COLLECT_STACK_CHILD_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"
#include "util/buf.h"

#include "collect/stack_sandbox.h"

/* The session's batch as the child gets it (PI_BROKER_STACK_BATCH): a
 * memfd with the stack copies (written as they were taken), then an entry
 * per job pointing at its copy, then this header, last. */
struct pi_stack_batch_header {
	uint64_t njobs;
	uint64_t size;			/* of the whole file */
	uint64_t entries_off;
};

struct pi_stack_batch_entry {
	uint64_t regs[PI_ARCH_MAX_REGS];
	uint64_t known;			/* bit n: regs[n] holds DWARF register n */
	uint64_t stack_start, stack_len, stack_off;
	uint32_t thread, zero;		/* the thread's index in the process */
};

/* A module's file the root side opened before the fork (the broker's
 * answer for the mapping start..end, given in advance): the child takes
 * it instead of asking, once. */
struct pi_stack_module_fd {
	uint64_t start, end;
	int fd;				/* -1 once taken */
};

/* At most this many are opened in advance (pinspect's own descriptors are
 * limited too); the rest are asked for. */
#define PI_STACK_MAX_PREOPENED 128

struct pi_stack_child_arg {
	const struct pi_stack_decode *d;
	const struct pi_stack_batch *b;	/* one-shot: inherited with the fork */
	int memfd;			/* the process's /proc/PID/mem, or -1 */
	bool jvm;			/* a JVM (libjvm.so mapped) */
	const struct pi_buf *perf_map;	/* its perf map, unparsed (NULL or empty: none) */
	struct pi_stack_module_fd *modules;	/* opened in advance, inherited */
	size_t nmodules;
};

/* One-shot (pi_sandbox_fn): d->work, then the batch b. */
int pi_stack_child_decode(struct pi_sandbox_child *sc, void *arg);
/* The session: d->work, a mark, then the batch it asks for. */
int pi_stack_child_serve(struct pi_sandbox_child *sc, void *arg);

#endif
