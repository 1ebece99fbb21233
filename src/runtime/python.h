/* python — a CPython interpreter's threads and Python frames, read from
 * its memory without stopping it, as py-spy and pystack do.
 *
 * From _PyRuntime (a symbol of the executable or of libpython3.X.so): the
 * interpreters, each one's thread states (matched to OS threads by
 * native_thread_id), each thread's chain of _PyInterpreterFrame from its
 * current frame outwards, and each frame's code object: function name,
 * file name, first line and location table, with which the line of the
 * frame's last instruction is found. Each interpreter's GIL (3.12 and
 * later, a subinterpreter may have its own; others share the main one's):
 * which thread last took it, and whether it is held now.
 *
 * One OS thread has a thread state in each interpreter it has run code
 * of (a subinterpreter's run_string, say): pi_py_by_os_thread makes them
 * one, innermost (the newest interpreter's) first.
 *
 * The structures' layouts differ by minor version: 3.11 and 3.12 from
 * tables here (CPython's own headers for x86-64), 3.13 from the
 * _Py_DebugOffsets that CPython publishes at the start of _PyRuntime
 * (the "xdebugpy" cookie). Another version is not read.
 *
 * The memory is the target's: every pointer, size and link may be
 * anything. The walk reads only through the read callback (which may fail
 * anywhere), reads at most max_threads thread states and max_frames frames
 * of each, detects cycles, reads strings bounded, and says where a stack
 * stopped short. A thread read while it runs may be torn: what it shows
 * is what was read. Pure: no I/O but the callback. */
#ifndef PI_RUNTIME_PYTHON_H
#define PI_RUNTIME_PYTHON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strpool.h"

/* Reads len bytes of the target at addr; false when it cannot. */
typedef bool (*pi_py_read_fn)(void *arg, uint64_t addr, void *buf, size_t len);

/* A Python frame's strings are cut at this many code points. */
enum { PI_PY_MAX_NAME = 256, PI_PY_MAX_FRAMES = 1024, PI_PY_MAX_INTERPRETERS = 64 };

/* _PyInterpreterFrame.owner of the shim frame a C call of the evaluator
 * pushes (3.12 and later): not Python code, the boundary of one
 * _PyEval_EvalFrameDefault's frames. */
enum { PI_PY_FRAME_OWNED_BY_CSTACK = 3 };

/* Where the structures keep what is read (byte offsets); 0 where a
 * version has no such field and a flag does not say otherwise. */
struct pi_py_layout {
	unsigned minor;			/* 3.minor */
	/* _PyRuntimeState */
	uint32_t runtime_interpreters_head;
	bool gil_in_runtime;		/* 3.11: _PyRuntime.ceval.gil */
	uint32_t runtime_gil;		/* ... its offset in _PyRuntime */
	bool gil_via_interp_ptr;	/* 3.12: the one interp->ceval.gil points to */
	uint32_t interp_gil;		/* ... that pointer's offset in the interpreter */
	bool gil_in_interp;		/* 3.13: the offsets below are the interpreter's */
	uint32_t gil_locked, gil_holder;	/* in _gil_runtime_state (or, 3.13, the interpreter) */
	/* PyInterpreterState */
	uint32_t interp_next, interp_threads_head;
	/* PyThreadState */
	uint32_t ts_next, ts_native_thread_id;
	bool ts_cframe;			/* 3.11, 3.12: tstate->cframe->current_frame */
	uint32_t ts_frame;		/* cframe, or current_frame (3.13) */
	uint32_t cframe_current_frame;
	/* _PyInterpreterFrame */
	uint32_t frame_code, frame_previous, frame_instr, frame_owner;
	bool frame_has_is_entry;	/* 3.11: is_entry marks the boundary */
	uint32_t frame_is_entry;
	/* PyCodeObject */
	uint32_t code_filename, code_name, code_firstlineno, code_linetable, code_adaptive;
	/* PyUnicodeObject: the compact forms' sizes (their data follows) */
	uint32_t unicode_state, unicode_length, ascii_size, compact_size;
	const char *source;		/* "3.11 offsets", "_Py_DebugOffsets"... */
};

/* The layout of CPython 3.minor (11 or 12) on x86-64. false for another. */
bool pi_py_layout_for_version(unsigned minor, struct pi_py_layout *l);

/* The size of the _Py_DebugOffsets prefix pi_py_layout_from_debug_offsets
 * reads. */
enum { PI_PY_DEBUG_OFFSETS_SIZE = 8 * 44 };

/* The layout from the _Py_DebugOffsets at the start of a 3.13 _PyRuntime
 * (buf: its first len bytes). Returns 0, -ENOENT (no "xdebugpy" cookie),
 * -ENOTSUP (another version, or a free-threaded build: *version_hex says
 * which) or -EINVAL (offsets that are not plausible). */
int pi_py_layout_from_debug_offsets(const void *buf, size_t len, struct pi_py_layout *l,
				    uint64_t *version_hex);

/* The line of the instruction at code unit addrq, from a 3.11+ location
 * table; 0 when the table says none or does not hold together. */
int pi_py_line_for(const uint8_t *table, size_t len, int firstlineno, int64_t addrq);

struct pi_py_frame {
	const char *function;		/* interned; NULL unknown */
	const char *file;
	int32_t line;			/* 0 unknown */
	bool entry;			/* the outermost frame its _PyEval_EvalFrameDefault runs */
};

struct pi_py_thread {
	uint64_t tstate;		/* its PyThreadState's address */
	uint64_t native_tid;
	uint32_t interp;		/* its interpreter: 0 the newest, as listed */
	bool holds_gil;			/* it holds its interpreter's GIL */
	size_t first_frame, nframes;	/* into pi_py_snapshot.frames, innermost first */
	const char *stop_reason;	/* NULL: reached its outermost frame */
};

struct pi_py_snapshot {
	struct pi_py_thread *threads;
	size_t nthreads, threads_cap;
	struct pi_py_frame *frames;
	size_t nframes, frames_cap;
	size_t ninterpreters;		/* interpreters read */
	bool gil_known;			/* a GIL was read */
	size_t ngils;			/* GILs read that were ever taken (shared ones once) */
	uint64_t gil_holders[PI_PY_MAX_INTERPRETERS];	/* thread states holding one */
	size_t ngil_holders;
	bool interpreters_cut;		/* more than PI_PY_MAX_INTERPRETERS, or a loop */
	bool threads_cut;		/* more thread states than max_threads, or a loop */
	bool expired;			/* the walk stopped when expired said so */
};

struct pi_py_walk {
	pi_py_read_fn read;
	void *arg;
	const struct pi_py_layout *layout;
	uint64_t runtime;		/* &_PyRuntime */
	size_t max_threads, max_frames;	/* max_threads: of each interpreter */
	struct pi_strpool *pool;	/* where names are interned */
	/* Asked before each thread state: true ends the walk there (the
	 * budget ran out). NULL: never. */
	bool (*expired)(void *arg);
};

/* Reads every thread of every interpreter into *out (zeroed first).
 * Returns 0, or -EFAULT (_PyRuntime unreadable), -EINVAL (no interpreter
 * list that holds together). */
int pi_py_walk(const struct pi_py_walk *w, struct pi_py_snapshot *out);

/* Makes the thread states of one OS thread (native_tid) one thread:
 * their frames in the order read (the newest interpreter's first: a
 * subinterpreter is entered from a thread already running in an older
 * one), holding a GIL if any holds one, its interp the first's. */
void pi_py_by_os_thread(struct pi_py_snapshot *s);

void pi_py_snapshot_free(struct pi_py_snapshot *s);

#endif
