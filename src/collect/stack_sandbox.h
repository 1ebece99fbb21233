/* stack_sandbox — a process's parsing in the sandbox: its stacks
 * (unwinding, symbolizing), its TLS (libthread_db) and its locks' names.
 *
 * libdwfl, libdw, libelf, libthread_db and the demangler parse what a
 * target controls: its files (the program, its libraries, their debug
 * files) and its memory. They run in one sandboxed child per process
 * (sandbox/sandbox.h), the session: stacks.c starts it before it takes
 * any stack copy, and waits for nothing of it until the copies are taken
 * and handed over and the rest of the process (its waits) is read; the
 * child reports the TLS pointers and lock names first, then gets the
 * copies through a memfd and decodes them. A later batch is decoded by a
 * one-shot child forked after its copies were taken, which inherits them.
 *
 * The child has no files and cannot open any. The modules' files (the
 * mapping where each module begins, with the broker's own checks) are
 * opened before the fork and inherited; it asks the root side for any
 * other (PI_BROKER_MAPPING: the mapping's range, answered with the file
 * mapped there, by device and inode) and for candidate
 * debug files (PI_BROKER_DEBUG_FILE: a path in the target's root, only in
 * its debug directories: unwind/debugpaths); it checks a debug file's
 * build-id or CRC itself. Target memory beyond the stack copies (code
 * before a return address, a signal frame elsewhere, glibc's thread list)
 * it reads with pread on a /proc/PID/mem descriptor the root side opened
 * and handed it: access is checked when the file is opened, so reading it
 * needs no privilege, and the child can read nothing but that process.
 *
 * Its reply is a string table and records that refer to it; every record
 * is checked (sizes, counts, NUL-free strings, hex build-ids, references)
 * before its strings are interned into the process's pool, and one bad
 * record rejects the whole reply. A child that crashes, runs out of time
 * or memory, is killed by its filter or replies wrongly costs what it was
 * finding (each thread says why: a PI_ERR_SANDBOX_* reason); the rest of
 * the snapshot is read as usual. */
#ifndef PI_COLLECT_STACK_SANDBOX_H
#define PI_COLLECT_STACK_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "collect/locks.h"
#include "model.h"
#include "sandbox/sandbox.h"
#include "tls/tls.h"
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
	/* The copy is in the batch's file at file_off (start.stack_len
	 * bytes), not in memory (stack and start.stack are NULL). */
	bool in_file;
	uint64_t file_off;
};

struct pi_stack_batch {
	struct pi_stack_job *jobs;
	size_t n, cap;
	size_t stack_bytes;		/* of copies held, in memory or the file */
	/* The session's batch file (pi_stack_batch_use_file): copies are
	 * written there as they are added. */
	bool has_file;
	int file;
	uint64_t file_len;
};

/* Stack copies a batch holds before stacks.c has it decoded early. */
#define PI_STACK_BATCH_MAX_BYTES ((size_t)256 << 20)

/* Adds thread t, whose unwind starts at start; takes stack (malloc'd,
 * the copy start->stack points into, or NULL). With a batch file, the
 * copy is written there and freed. */
void pi_stack_batch_add(struct pi_stack_batch *b, struct pi_thread *t,
			const struct pi_unwind_start *start, uint8_t *stack);

/* From now on the copies added go to a memory file (a memfd), written as
 * they come, rather than held in pinspect's memory: the session's child
 * reads them from there, one at a time, so neither process holds them
 * all. 0 or -errno (then they stay in memory). */
int pi_stack_batch_use_file(struct pi_stack_batch *b);

/* How the batch is decoded: the process's maps and vDSO copy, its
 * /proc/PID directory (checked to be the same process), the frame limit
 * and which modules' lines are read. */
struct pi_stack_decode {
	struct pi_process *p;
	int procfd;
	size_t max_frames;
	enum pi_lines lines;
	/* What the child does besides the stacks (PI_STACK_WORK_*), and
	 * where the root side keeps what it found (each may be NULL when its
	 * work is not asked): TLS pointers are applied to p's threads and
	 * p->tls_modules, the executable's TLS variables go to tls_exe, the
	 * lock words' names to locks (replacing what they held). When the
	 * child fails, each thread's TLS says why, and locks stays empty. */
	unsigned work;
	struct pi_tls_exe_vars *tls_exe;
	struct pi_lock_symbols *locks;
	/* Tests: run this instead of the decoder in the child (NULL: the
	 * decoder); it may put records of its own in c->out. */
	int (*child_hook)(struct pi_sandbox_child *c, void *arg);
	void *child_hook_arg;
	/* Tests: the session's child runs this instead (same arg): its
	 * first part, pi_sandbox_mark, the batch it asks for, and so on. */
	int (*session_hook)(struct pi_sandbox_child *c, void *arg);
	int timeout_ms;			/* 0: from the process's budget (--timeout) */
};

/* Kinds of work the child does besides the stacks, one function each
 * (collect/stack_child.h says how a kind is added). */
enum {
	PI_STACK_WORK_TLS = 1,		/* libthread_db's walk, TLS modules and variables */
	PI_STACK_WORK_LOCKS = 2,	/* the lock words' names, the program's mutexes */
	PI_STACK_WORK_GO = 4,		/* a Go program: said, and its goroutines */
};

/* Strings in a reply (ids from 1; 0 is "unknown"). A C++ name a template
 * expands can be kilobytes; a longer one is cut by the child. */
#define PI_STACK_MAX_STRING 16384
#define PI_STACK_MAX_STRINGS ((size_t)1 << 22)
#define PI_STACK_MAX_BUILD_ID 128	/* hex digits: a 64-byte build-id */

/* The reply's record types, for the tests that forge one. */
enum {
	PI_STACK_REC_STRING = 1,	/* the next string's bytes (its id: the count so far + 1) */
	PI_STACK_REC_JOB = 2,		/* u64: the job whose frames follow */
	PI_STACK_REC_FRAME = 3,		/* struct pi_stack_wire_frame */
	PI_STACK_REC_JOB_END = 4,	/* struct pi_stack_wire_job_end */
	PI_STACK_REC_MANGLED = 5,	/* empty: names met needed the demangler, not loaded */
	PI_STACK_REC_TLS_MODULE = 6,	/* struct pi_stack_wire_tls_module */
	PI_STACK_REC_TLS_THREAD = 7,	/* struct pi_stack_wire_tls_thread */
	PI_STACK_REC_TLS_WALK = 8,	/* i32: how libthread_db's walk ended (0, -errno, -PI_ERR_*) */
	PI_STACK_REC_TLS_EXE = 9,	/* two u64: the executable's TLS block size and alignment */
	PI_STACK_REC_TLS_VAR = 10,	/* struct pi_stack_wire_named: offset, size, name */
	PI_STACK_REC_FUTEX_NAME = 11,	/* struct pi_stack_wire_named: address, thread index, name */
	PI_STACK_REC_MUTEX = 12,	/* struct pi_stack_wire_named: address, 0, name */
	/* u64, in a job instead of its frames and end: an earlier job of
	 * the same reply (or part) whose stack this one's is, byte for byte */
	PI_STACK_REC_SAME_AS = 13,
	/* A Go program's goroutines (collect/stack_go.h), after the jobs. */
	PI_STACK_REC_GO_INFO = 14,	/* struct pi_stack_wire_go_info, at most once */
	PI_STACK_REC_GOROUTINE = 15,	/* struct pi_stack_wire_goroutine; its frames follow */
	PI_STACK_REC_GO_FRAME = 16,	/* struct pi_stack_wire_frame of that goroutine */
	/* empty, among the facts: the executable is a Go program (its
	 * sections say so: runtime/go.h) */
	PI_STACK_REC_GO_EXE = 17,
	/* A CPython's threads (collect/stack_python.h), after the jobs. */
	PI_STACK_REC_PY_INFO = 18,	/* struct pi_stack_wire_py_info, at most once */
	PI_STACK_REC_PY_THREAD = 19,	/* struct pi_stack_wire_py_thread; its frames follow */
	PI_STACK_REC_PY_FRAME = 20,	/* struct pi_stack_wire_py_frame of that thread */
};

struct pi_stack_wire_tls_module {
	uint64_t size, init_size, align;
	uint32_t path, zero;
};

struct pi_stack_wire_tls_thread {
	uint64_t tcb, exe_block;
	int32_t tid;
	uint32_t zero;
};

struct pi_stack_wire_named {
	uint64_t a, b;
	uint32_t name, zero;
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
	uint32_t timers;		/* pending in the runtime's Ps; UINT32_MAX unknown */
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

/* Decodes every job of b (and d->work) in one sandboxed child, forked
 * now (it inherits the copies): fills each thread's
 * ustack (frames, nframes, truncated_reason, frame_pointer_found), or
 * sets its ustack.err to the PI_ERR_SANDBOX_* reason when the child
 * failed. Empties the batch. Returns 0 or that reason. */
int pi_stack_batch_decode(const struct pi_stack_decode *d, struct pi_stack_batch *b);

void pi_stack_batch_free(struct pi_stack_batch *b);

/* One process's child, started before the stacks are copied so that its
 * setup (fork, confinement, the modules' files, the TLS and lock work)
 * runs while they are taken, and the same libdwfl session serves the
 * TLS, the locks and the stacks. It does d->work first, and sends that;
 * then it asks for its batch (PI_BROKER_STACK_BATCH: a memfd with the
 * copies, written by the root side) and decodes it.
 *
 * start: forks it (d must outlive the session). facts: waits for the
 * first part and applies it as pi_stack_batch_decode would (0, or the
 * PI_ERR_SANDBOX_* reason, also applied); decode reads it when facts was
 * not called (the copies do not wait for it: they are not trimmed by the
 * TLS pointers). decode: decodes b in the child, once: later batches are
 * decoded by pi_stack_batch_decode; b is emptied. Should the child fail
 * before its first part, the facts say why and b is decoded by a child of
 * its own. end: finishes the child (its first part read if nothing did,
 * and told there is no batch if it got none) and frees s. */
struct pi_stack_session;
int pi_stack_session_start(const struct pi_stack_decode *d, struct pi_stack_session **s);
int pi_stack_session_facts(struct pi_stack_session *s);
int pi_stack_session_decode(struct pi_stack_session *s, struct pi_stack_batch *b);
/* decode in two halves, so that the root side reads the rest of the
 * process (its waits) while the child decodes: decode_start writes the
 * batch and hands it over (a thread of pinspect's then serves the
 * child's broker and gathers its records: it touches no process data);
 * decode_finish waits for that thread and applies the stacks to b's
 * threads, which must not be read or written in between. decode_start
 * returns 0 or the reason the batch could not be handed over (then it
 * was decoded, or failed, at once: decode_finish returns the same). */
int pi_stack_session_decode_start(struct pi_stack_session *s, struct pi_stack_batch *b);
int pi_stack_session_decode_finish(struct pi_stack_session *s, struct pi_stack_batch *b);
void pi_stack_session_end(struct pi_stack_session *s);

#endif
