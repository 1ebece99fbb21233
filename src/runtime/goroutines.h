/* goroutines — a Go program's goroutines, read from its runtime's memory
 * without stopping it: runtime.allgs, the list of every g; each g's ID,
 * status, wait reason and (where the runtime records it) since when it
 * waits; and its stack, unwound from its saved sp and pc with the
 * program's pc-value tables (runtime/gopclntab.h), as Go's own traceback
 * does on x86-64 (no frame pointers needed).
 *
 * The memory is the target's: g pointers, offsets and return addresses
 * may be anything. The walk reads at most max_goroutines gs and
 * max_frames frames of each (max_total_frames of them all), only through the read callback (which may
 * fail anywhere), and says where a stack stopped short. A goroutine read
 * while it runs may be torn: what it shows is what was read. Pure: no I/O
 * but the callback. */
#ifndef PI_RUNTIME_GOROUTINES_H
#define PI_RUNTIME_GOROUTINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/gopclntab.h"

/* Reads len bytes of the target at addr; false when it cannot. */
typedef bool (*pi_go_read_fn)(void *arg, uint64_t addr, void *buf, size_t len);

/* Where runtime.g keeps what is read: from the program's DWARF, or from
 * the table for its Go version. */
struct pi_go_layout {
	uint32_t goid, atomicstatus, waitreason, waitsince;
	uint32_t sched_sp, sched_pc, syscallsp, syscallpc;
	const char *source;		/* "DWARF", or "go1.19 offsets"... */
};

/* The layout for a runtime.buildVersion ("go1.21.5", "go1.19.8 X:..."):
 * Go 1.19 to 1.23 on x86-64. false for another version. */
bool pi_go_layout_for_version(const char *version, struct pi_go_layout *l);

/* The runtime's goroutine states (atomicstatus, its scan bit cleared). */
enum {
	PI_G_IDLE = 0, PI_G_RUNNABLE = 1, PI_G_RUNNING = 2, PI_G_SYSCALL = 3, PI_G_WAITING = 4,
	PI_G_DEAD = 6, PI_G_COPYSTACK = 8, PI_G_PREEMPTED = 9, PI_G_SCAN = 0x1000,
};

/* "waiting", "runnable"...; NULL for a status the runtime never sets. */
const char *pi_go_status_name(uint32_t status);

/* Inlined calls followed out of one physical frame: Go's inliner nests
 * a handful deep; a tree that goes on is garbage (or a loop). */
enum { PI_GO_MAX_INLINE_DEPTH = 32, PI_GO_MAX_INLINE_INDEX = 1 << 20 };

struct pi_go_frame {
	uint64_t pc;
	const char *function;		/* into the pc-value tables; NULL unknown */
	const char *file;
	int32_t line;			/* 0 unknown */
	bool inlined;			/* a call the compiler inlined into the next frame */
};

struct pi_go_goroutine {
	uint64_t g;			/* its address */
	uint64_t goid;
	uint32_t status;		/* scan bit cleared */
	uint8_t waitreason;		/* index into the runtime's waitReasonStrings */
	int64_t waitsince;		/* nanotime() when it started waiting; 0 unrecorded */
	const struct pi_go_frame *frames;
	size_t nframes;
	const char *stop_reason;	/* NULL: the stack reached its outermost frame */
};

struct pi_go_walk {
	pi_go_read_fn read;
	void *arg;
	const struct pi_gopcln *pcln;
	struct pi_go_layout layout;
	uint64_t allgs;			/* the address of runtime.allgs, a []*g */
	/* The address of go:func.* (go.func.* before Go 1.20), which
	 * func-data offsets count from: calls the compiler inlined are
	 * frames of their own, read from each function's inline tree
	 * (FUNCDATA_InlTree, PCDATA_InlTreeIndex). 0: not looked for. */
	uint64_t gofunc;
	size_t max_goroutines, max_frames;
	/* Frames of all goroutines together (0: no bound but max_frames
	 * each); past it a stack is cut, and says so. */
	size_t max_total_frames;
	/* Called for each goroutine that is not dead; frames are valid
	 * during the call. Return false to stop the walk. */
	bool (*each)(void *arg, const struct pi_go_goroutine *g);
	void *each_arg;
};

/* Walks every g of allgs. Returns 0 and sets *total to allgs' length,
 * or -EFAULT (allgs unreadable), -EINVAL (its length is not plausible). */
int pi_go_walk(const struct pi_go_walk *w, size_t *total);

/* The frames of the stack at sp, pc (the innermost frame's pc is a
 * return address when is_return): at most max into frames, inlined
 * calls first, as Go's traceback lists them (at most
 * PI_GO_MAX_INLINE_DEPTH of them in one physical frame; a tree that
 * cannot be read, or loops, leaves the physical frame as it is). Returns how
 * many, and sets *stop_reason (NULL when it reached the outermost frame). */
size_t pi_go_unwind(const struct pi_go_walk *w, uint64_t sp, uint64_t pc, bool is_return,
		    struct pi_go_frame *frames, size_t max, const char **stop_reason);

#endif
