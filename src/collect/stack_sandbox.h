/* stack_sandbox — unwinding and symbolizing stack copies in the sandbox.
 *
 * libdwfl, libdw, libelf and the demangler parse what a target controls:
 * its files (the program, its libraries, their debug files) and its
 * memory. stacks.c only stops, samples and copies; the copies it takes go
 * into a batch, and the batch is decoded at once by one sandboxed child
 * (sandbox/sandbox.h), forked after the copies are taken: it inherits them
 * with the fork (no copy at all), and no thread is stopped while it runs.
 *
 * The child has no files and cannot open any. It asks the root side for
 * each module's file (PI_BROKER_MAPPING: the mapping's range, answered
 * with the file mapped there, by device and inode) and for candidate
 * debug files (PI_BROKER_DEBUG_FILE: a path in the target's root, only in
 * its debug directories: unwind/debugpaths); it checks a debug file's
 * build-id or CRC itself. Target memory beyond the stack copies (code
 * before a return address, a signal frame elsewhere) it reads with pread
 * on a /proc/PID/mem descriptor the root side opened and handed it:
 * access is checked when the file is opened, so reading it needs no
 * privilege, and the child can read nothing but that process.
 *
 * Its reply is a string table and frames that refer to it; every record is
 * checked (sizes, counts, NUL-free strings, hex build-ids, references)
 * before its strings are interned into the process's pool. A child that
 * crashes, runs out of time or memory, is killed by its filter or replies
 * wrongly costs that batch's stacks (each thread says why: a
 * PI_ERR_SANDBOX_* reason); the rest of the snapshot is read as usual. */
#ifndef PI_COLLECT_STACK_SANDBOX_H
#define PI_COLLECT_STACK_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "sandbox/sandbox.h"
#include "unwind/unwinder.h"

/* One thread to unwind: where its frames go, and where its unwind starts
 * (the batch owns start.stack, a malloc'd copy). */
struct pi_stack_job {
	struct pi_thread *t;
	struct pi_unwind_start start;
	uint8_t *stack;
	/* Said instead of the unwind's own reason when the stack stops
	 * short of max_frames: the copy itself was cut (a perf sample's). */
	const char *short_copy_reason;
};

struct pi_stack_batch {
	struct pi_stack_job *jobs;
	size_t n, cap;
	size_t stack_bytes;		/* of copies held */
};

/* Stack copies a batch holds before stacks.c has it decoded early. */
#define PI_STACK_BATCH_MAX_BYTES ((size_t)256 << 20)

/* Adds thread t, whose unwind starts at start; takes stack (malloc'd,
 * the copy start->stack points into, or NULL). */
void pi_stack_batch_add(struct pi_stack_batch *b, struct pi_thread *t,
			const struct pi_unwind_start *start, uint8_t *stack);

/* How the batch is decoded: the process's maps and vDSO copy, its
 * /proc/PID directory (checked to be the same process), the frame limit
 * and which modules' lines are read. */
struct pi_stack_decode {
	struct pi_process *p;
	int procfd;
	size_t max_frames;
	enum pi_lines lines;
	/* pinspect's own session for the process, which asks debuginfod on
	 * the child's behalf (NULL: debuginfod is not asked). */
	struct pi_unwinder *own_session;
	/* Tests: run this instead of the decoder in the child (NULL: the
	 * decoder); it may put records of its own in c->out. */
	int (*child_hook)(struct pi_sandbox_child *c, void *arg);
	void *child_hook_arg;
	int timeout_ms;			/* 0: from the process's budget (--timeout) */
};

/* The reply's record types, for the tests that forge one. */
enum {
	PI_STACK_REC_STRING = 1,	/* the next string's bytes (its id: the count so far + 1) */
	PI_STACK_REC_JOB = 2,		/* u64: the job whose frames follow */
	PI_STACK_REC_FRAME = 3,		/* struct pi_stack_wire_frame */
	PI_STACK_REC_JOB_END = 4,	/* struct pi_stack_wire_job_end */
	PI_STACK_REC_MANGLED = 5,	/* empty: names met needed the demangler, not loaded */
	/* A Go program's goroutines (collect/stack_go.h), after the jobs. */
	PI_STACK_REC_GO_INFO = 6,	/* struct pi_stack_wire_go_info, at most once */
	PI_STACK_REC_GOROUTINE = 7,	/* struct pi_stack_wire_goroutine; its frames follow */
	PI_STACK_REC_GO_FRAME = 8,	/* struct pi_stack_wire_frame of that goroutine */
	/* A CPython's threads (collect/stack_python.h), after the jobs. */
	PI_STACK_REC_PY_INFO = 9,	/* struct pi_stack_wire_py_info, at most once */
	PI_STACK_REC_PY_THREAD = 10,	/* struct pi_stack_wire_py_thread; its frames follow */
	PI_STACK_REC_PY_FRAME = 11,	/* struct pi_stack_wire_py_frame of that thread */
};

enum { PI_STACK_FRAME_HAVE_OFFSET = 1, PI_STACK_FRAME_INLINED = 2 };
enum { PI_STACK_JOB_FRAME_POINTER_FOUND = 1 };

/* String fields are ids in the string table, 0 for unknown. */
struct pi_stack_wire_frame {
	uint64_t pc, offset, module_vaddr;
	int32_t line;
	uint32_t flags;
	uint32_t function, module, build_id, file;
};

struct pi_stack_wire_go_info {
	int32_t err;			/* 0, or -PI_ERR_GO_* / -errno */
	uint32_t version, layout;	/* string ids */
	uint32_t pad;
	uint64_t total;			/* gs in runtime.allgs */
};

struct pi_stack_wire_goroutine {
	uint64_t goid;
	int64_t wait_us;		/* < 0 unknown */
	uint32_t status;
	uint32_t wait_reason, reason;	/* string ids: the wait reason, the truncated_reason */
	uint32_t nframes;		/* PI_STACK_REC_GO_FRAME records that follow */
};

struct pi_stack_wire_job_end {
	uint32_t reason;		/* the truncated_reason's id */
	uint32_t flags;
};

/* Decodes every job of b in one sandboxed child: fills each thread's
 * ustack (frames, nframes, truncated_reason, frame_pointer_found), or
 * sets its ustack.err to the PI_ERR_SANDBOX_* reason when the child
 * failed. Empties the batch. Returns 0 or that reason. */
int pi_stack_batch_decode(const struct pi_stack_decode *d, struct pi_stack_batch *b);

void pi_stack_batch_free(struct pi_stack_batch *b);

#endif
