/* stack_reply — the stacks' child's reply on the root side: every
 * record checked (sizes, counts, NUL-free strings, hex build-ids, every
 * string id defined, every job answered once, facts only where their work
 * was asked and before any job), the facts (TLS, lock names) staged until
 * the whole reply is found good, then applied; one bad record rejects the
 * reply, and nothing of it reaches the process.
 *
 * Internal to collect/: stack_sandbox.c reads replies with it. */
#ifndef PI_COLLECT_STACK_REPLY_H
#define PI_COLLECT_STACK_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "collect/stack_python.h"
#include "collect/stack_sandbox.h"
#include "util/buf.h"

/* What the child found besides the stacks, held until its whole reply
 * is found good (a forged reply is never half taken). */
struct facts {
	struct tls_module {
		const char *path;
		uint64_t size, init_size, align;
	} *modules;
	size_t nmodules, modules_cap;
	struct pi_stack_wire_tls_thread *threads;
	size_t nthreads, threads_cap;
	bool walked;
	int32_t walk_err;
	struct pi_tls_exe_vars exe;
	struct pi_lock_symbols locks;
	/* PI_STACK_WORK_GO: a Go program, and its goroutines when read. */
	bool go_exe, go_info;
	struct pi_go_runtime go;
	size_t go_cap, go_frames_cap, go_frames_due;
};

struct pi_stack_reply {
	struct pi_process *p;
	struct pi_stack_batch *b;
	unsigned work;			/* the facts this reply may hold */
	const char **strings;		/* by id - 1, interned in the process's pool */
	size_t nstrings, strings_cap;
	/* By job: answered, and its stack's end as the child sent it (a
	 * later job of the same stack refers to it: PI_STACK_REC_SAME_AS). */
	struct pi_stack_answer {
		bool done;
		const char *reason;
		uint32_t flags;
	} *answered;
	struct pi_user_frame *frames;
	size_t nframes, frames_cap;
	size_t max_frames;
	bool mangled;			/* PI_STACK_REC_MANGLED */
	struct facts f;
	/* A CPython's threads (PI_STACK_REC_PY_*), after the jobs: merged
	 * into their stacks once the whole part is found good. */
	struct pi_py_reply py;
};

/* A reader for a reply to d, whose stacks are b's jobs (and its string
 * table, which a session's second part continues). */
void pi_stack_reader_init(struct pi_stack_reply *r, const struct pi_stack_decode *d,
			  struct pi_stack_batch *b);
/* The session's second part: the stacks of b, no facts. */
void pi_stack_reader_next_part(struct pi_stack_reply *r, struct pi_stack_batch *b);
void pi_stack_reader_free(struct pi_stack_reply *r);

/* Reads reply (records of at most max_record bytes): fills the jobs'
 * threads' stacks and stages the facts. 0, or -PI_ERR_SANDBOX_REPLY. */
int pi_stack_read_reply(struct pi_stack_reply *r, const struct pi_buf *reply, size_t max_record);

/* A good reply's facts, to the process and d's tls_exe and locks. */
void pi_stack_apply_facts(const struct pi_stack_decode *d, struct pi_stack_reply *r);
/* The child failed (err): what it was to find is unknown, for that
 * reason: the TLS of every thread not read from its registers, the TLS
 * modules, the lock names (none). */
void pi_stack_fail_facts(const struct pi_stack_decode *d, int err);
/* Every job of b failed with err. */
void pi_stack_fail_all(struct pi_stack_batch *b, int err);
/* err as a PI_ERR_SANDBOX_* reason: a decoder error of the child's own
 * (an allocation refused below its limit, say) is a crash. */
int pi_stack_sandbox_reason(int err);

#endif
