/* rust_demangle — Rust symbol names as gdb prints them.
 *
 * Both of rustc's manglings:
 *   legacy  _ZN3std2io5stdio6_print17h0123456789abcdefE
 *           -> std::io::stdio::_print  (the hash dropped, $LT$ $GT$ $u20$ ..
 *              and the other escapes decoded)
 *   v0      _RNvMNtNtNtNtCsjrHSEGnQ3l9_3std3sys4sync5mutex5futexNtB2_5Mutex14lock_contended
 *           -> <std::sys::sync::mutex::futex::Mutex>::lock_contended
 *              (paths, impls, generic arguments, types, constants and
 *              back-references; crate hashes dropped)
 *
 * The name is the target's: a hostile symbol table may hold anything. The
 * parser is pure and bounded: recursion at most PI_RUST_MAX_DEPTH deep, a
 * back-reference only to an earlier position, a budget of parse steps, and
 * output of at most PI_RUST_MAX_OUT bytes, all ASCII (identifiers must be
 * [A-Za-z0-9_]; a punycode identifier is left encoded and said:
 * "punycode{...}"). A name that breaks a rule, or a limit, is not
 * demangled (NULL), and is shown as it is. */
#ifndef PI_RUNTIME_RUST_DEMANGLE_H
#define PI_RUNTIME_RUST_DEMANGLE_H

#include <stdbool.h>

enum {
	PI_RUST_MAX_DEPTH = 64,
	PI_RUST_MAX_OUT = 4096,
};

/* Is name Rust's, by its shape: "_R" (v0), or "_ZN...17h<16 hex digits>E"
 * (legacy, optionally followed by a ".suffix")? */
bool pi_rust_is_mangled(const char *name);

/* The demangled name (malloc'd), or NULL when name is not a Rust name or
 * breaks the grammar or a limit. */
char *pi_rust_demangle(const char *name);

#endif
