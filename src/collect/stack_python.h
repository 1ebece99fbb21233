/* stack_python — a CPython process's Python frames, merged into its
 * threads' native stacks.
 *
 * In the stacks' sandboxed child (collect/stack_sandbox.h): _PyRuntime
 * and Py_Version found among the dynamic symbols of the executable or of
 * libpython3.X.so through the child's libdwfl session, the target's
 * memory read through the /proc/PID/mem descriptor it was handed, parsed
 * by runtime/python. The reply's Python records are checked on the root
 * side like every other; then each native _PyEval_EvalFrameDefault frame
 * of a thread is followed by the Python frames it runs (from the
 * innermost to its entry frame), the thread matched by native_thread_id. */
#ifndef PI_COLLECT_STACK_PYTHON_H
#define PI_COLLECT_STACK_PYTHON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "runtime/python.h"
#include "sandbox/wire.h"
#include "util/strpool.h"

struct Dwfl;

/* The native function that runs Python frames. */
#define PI_PY_EVAL_FUNCTION "_PyEval_EvalFrameDefault"

/* What the child found. */
struct pi_py_result {
	int err;			/* 0, or -PI_ERR_PY_* / -EFAULT / -EACCES */
	const char *version;		/* "3.11"; interned, NULL unknown */
	const char *layout;
	struct pi_py_snapshot snap;
};

/* Is the process a CPython (a _PyRuntime symbol in its executable or
 * libpython)? If so, reads its threads into *out and returns true. */
bool pi_stack_python_collect(struct Dwfl *dwfl, const struct pi_process *p, int memfd,
			     struct pi_strpool *pool, struct pi_py_result *out);

void pi_py_result_free(struct pi_py_result *r);

/* The reply's records (collect/stack_sandbox.h's PI_STACK_REC_PY_*). */
enum { PI_PY_WIRE_GIL_KNOWN = 1, PI_PY_WIRE_ENTRY = 1, PI_PY_WIRE_HOLDS_GIL = 1 };

/* More Python threads than this in a reply is no reply. */
enum { PI_PY_MAX_THREADS = 1 << 20 };

struct pi_stack_wire_py_info {
	int32_t err;
	uint32_t version, layout;	/* string ids */
	uint32_t flags;			/* PI_PY_WIRE_GIL_KNOWN */
	uint64_t gil_tid;		/* the native TID holding the GIL (the first, when
					 * interpreters have GILs of their own); 0 none */
	uint64_t nthreads;		/* PI_STACK_REC_PY_THREAD records that follow */
	uint32_t ninterpreters, ngils;	/* interpreters read; GILs among them */
};

struct pi_stack_wire_py_thread {
	uint64_t tid;
	uint32_t nframes;		/* PI_STACK_REC_PY_FRAME records that follow */
	uint32_t reason;		/* string id: where its Python stack was cut */
	uint32_t flags;			/* PI_PY_WIRE_HOLDS_GIL: it holds its interpreter's */
	uint32_t pad;
};

struct pi_stack_wire_py_frame {
	uint32_t function, file;	/* string ids */
	int32_t line;
	uint32_t flags;			/* PI_PY_WIRE_ENTRY */
};

/* On the root side: the Python records read so far. */
struct pi_py_reply {
	bool info;
	struct pi_python_runtime rt;
	struct pi_py_reply_thread {
		pid_t tid;
		size_t first_frame, nframes;
		const char *reason;
		bool holds_gil;
	} *threads;
	size_t nthreads, threads_cap, threads_due;
	struct pi_py_frame *frames;
	size_t nframes, frames_cap, frames_due;
};

/* Checks and keeps one PI_STACK_REC_PY_* record (type), whose string ids
 * index strings[0..nstrings) (id - 1). Returns 0 or -PI_ERR_SANDBOX_REPLY. */
int pi_py_reply_record(struct pi_py_reply *r, uint32_t type, const struct pi_wire_record *rec,
		       const char *const *strings, size_t nstrings);

/* Every record announced came. */
bool pi_py_reply_complete(const struct pi_py_reply *r);

/* The frames of a native stack with a thread's Python frames merged in
 * after each evaluator frame, into *out (malloc'd; *nout frames). Python
 * frames left over when the native stack has no more evaluator frames
 * (it was cut short) are not shown. */
void pi_py_merge(const struct pi_user_frame *native, size_t nnative, const struct pi_py_frame *py,
		 size_t npy, struct pi_user_frame **out, size_t *nout);

struct pi_stack_batch;

/* Merges the reply's frames into the stacks of the batch's threads
 * (interned in p's pool), marks the GIL holder, and sets p->python. */
void pi_py_reply_apply(struct pi_py_reply *r, struct pi_process *p, const struct pi_stack_batch *b);

void pi_py_reply_free(struct pi_py_reply *r);

#endif
