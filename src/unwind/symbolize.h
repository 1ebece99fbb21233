/* symbolize — from a program counter to what a person reads: function and
 * offset, module (path and build-id), source file and line where debug
 * information exists, inlined calls as frames of their own, C++ names
 * demangled. */
#ifndef PI_UNWIND_SYMBOLIZE_H
#define PI_UNWIND_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strpool.h"

struct Dwfl;

/* One frame as shown. Strings belong to the string pool given to the
 * symbolizer; NULL means unknown. */
struct pi_user_frame {
	uint64_t pc;
	const char *function;
	uint64_t offset;	/* pc - start of function */
	bool have_offset;	/* false for inlined frames and unknown functions */
	const char *module;
	uint64_t module_vaddr;	/* pc in the module's own addresses (for addr2line -e) */
	const char *build_id;	/* hex */
	const char *file;
	int line;		/* 0: unknown */
	bool inlined;		/* a call the compiler inlined into the next frame */
	bool python;		/* a Python frame (collect/stack_python.h): function, file, line */
};

struct pi_symbolizer;

/* Which modules' DWARF is read for source lines and inlined calls. DWARF
 * is big (glibc's is tens of MB once decompressed): by default only the
 * program and the libraries that come with it, not the system's. */
enum pi_lines {
	PI_LINES_PROGRAM,	/* the executable, and libraries outside the system directories */
	PI_LINES_ALL,
	PI_LINES_NONE,
};

/* Is module (a path) the program's own: the executable (program, which
 * may be NULL) or a library outside the system's library directories? */
bool pi_module_is_programs_own(const char *module, const char *program);

/* program is the executable's path (may be NULL). */
struct pi_symbolizer *pi_symbolizer_new(struct Dwfl *dwfl, struct pi_strpool *pool,
					enum pi_lines lines, const char *program);
void pi_symbolizer_free(struct pi_symbolizer *s);

/* The frames (one, or more when calls were inlined, innermost first) for
 * the physical frame at pc. activation: pc is exact rather than a return
 * address. *frames stays valid until the next call. */
void pi_symbolize(struct pi_symbolizer *s, uint64_t pc, bool activation,
		  const struct pi_user_frame **frames, size_t *count);

#endif
