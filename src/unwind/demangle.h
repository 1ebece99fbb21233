/* demangle — C++ and Rust symbol names as people write them.
 *
 * Rust's (both manglings) are read by runtime/rust_demangle, pinspect's
 * own bounded parser. For C++ the demangler is libstdc++'s __cxa_demangle,
 * loaded on first need with dlopen: pinspect itself is C, and any machine
 * running C++ programs that use the shared libstdc++ has it. Without it,
 * C++ names stay mangled. */
#ifndef PI_UNWIND_DEMANGLE_H
#define PI_UNWIND_DEMANGLE_H

/* The demangled form of name (a copy to free), or NULL if name is not a
 * mangled C++ or Rust name or cannot be demangled. */
char *pi_demangle(const char *name);

#include <stdbool.h>

/* Loads the demangler (libstdc++'s, with dlopen) if it is not yet. A
 * sandboxed child cannot load a library (its filter refuses open and
 * executable mappings): the root side calls this before the fork, where
 * names may need it. Returns whether the demangler is there. */
bool pi_demangle_load(void);

/* Was a mangled name met without a demangler to read it? */
bool pi_demangle_missed(void);

#endif
