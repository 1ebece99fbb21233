/* stack_go — a Go program's goroutines, read in the stacks' sandboxed
 * child (collect/stack_sandbox.h): the executable's symbols (runtime.allgs,
 * runtime.buildVersion, runtime.waitReasonStrings), its .gopclntab and
 * its DWARF (runtime.g's layout) through the child's libdwfl session, the
 * target's memory through the /proc/PID/mem descriptor it was handed;
 * parsed by runtime/gopclntab and runtime/goroutines. */
#ifndef PI_COLLECT_STACK_GO_H
#define PI_COLLECT_STACK_GO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "util/strpool.h"

struct Dwfl;

/* At most this many goroutines are read, and this many frames each, and
 * this many of them all (a million frames are some 60 MB in the child's
 * reply and as many in pinspect; 100,000 goroutines of 64 would be half a
 * gigabyte, beyond the reply's bound, and cost the threads' stacks). */
enum { PI_GO_MAX_GOROUTINES = 100000, PI_GO_MAX_FRAMES = 64, PI_GO_MAX_TOTAL_FRAMES = 1 << 20 };

/* What the child found; strings interned in its pool. */
struct pi_go_result {
	int err;			/* 0, or why none (or, -PI_ERR_TIMEOUT, not all) were
					 * read (-PI_ERR_GO_*) */
	const char *version;		/* runtime.buildVersion; NULL unknown */
	const char *layout;		/* where runtime.g's offsets came from */
	size_t total;			/* gs in allgs, dead ones too */
	long timers;			/* timers pending in the runtime's Ps; -1 unknown */
	struct pi_goroutine *g;		/* frames: first_frame into frames */
	size_t n, cap;
	struct pi_user_frame *frames;
	size_t nframes, frames_cap;
};

/* Is the process's executable (the module at its entry point) a Go
 * program? If so, reads its goroutines into *out and returns true. */
bool pi_stack_go_collect(struct Dwfl *dwfl, const struct pi_process *p, int memfd,
			 struct pi_strpool *pool, struct pi_go_result *out);

void pi_go_result_free(struct pi_go_result *r);

#endif
