/* go — what pinspect knows of Go programs without reading their runtime.
 *
 * A Go program runs goroutines on OS threads of its own making: a thread
 * has no glibc thread control block (fs_base points into the runtime's m
 * structure, even in a program that links libc with cgo, for the threads
 * the runtime starts), and each thread's system stack (g0) begins at one
 * of the runtime's outermost functions, past which what lies on the stack
 * is not a caller. Pure: names and section names in, answers out. */
#ifndef PI_RUNTIME_GO_H
#define PI_RUNTIME_GO_H

#include <stdbool.h>

/* Is an ELF section of this name one only Go's linker writes (its build
 * information, its pc-value tables, its build-id note)? */
bool pi_go_section_name(const char *name);

/* Is function (a symbol name) one of the Go runtime's outermost frames:
 * runtime.goexit (a goroutine's), runtime.mstart and runtime.rt0_go (a
 * thread's), runtime.mcall and runtime.morestack (a switch to the
 * thread's system stack, whose caller is on another stack)? The ".abi0"
 * suffix of an assembly function's symbol is allowed. */
bool pi_go_is_outermost(const char *function);

#endif
