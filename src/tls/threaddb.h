/* threaddb — glibc's libthread_db, driven without stopping the target.
 *
 * libthread_db reads a process's thread list from its memory, using
 * callbacks the debugger provides (proc_service.h). pinspect provides them
 * over /proc/PID/mem and libdwfl's symbol tables, and refuses every
 * request to stop a thread or write memory. It runs in the stacks'
 * sandboxed child (collect/stack_sandbox.h), never in the root process. Everything libthread_db reads
 * is the target's to forge: the callbacks hold it to tls/bounds.h. */
#ifndef PI_TLS_THREADDB_H
#define PI_TLS_THREADDB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/deadline.h"

struct Dwfl;

/* Called for each thread: its kernel TID, its TCB (the value fs_base
 * holds), and the base of the executable's TLS block (0 if unknown). */
typedef void (*pi_threaddb_fn)(void *arg, pid_t tid, uint64_t tcb, uint64_t exe_tls_base);

/* Walks the threads of process pid, reading its memory with pread on
 * memfd (its /proc/PID/mem; -1: process_vm_readv), which has about ntasks threads (the
 * walk's bounds, tls/bounds.h, follow from it). Returns 0, or a negative
 * error when libthread_db cannot serve this process (a static binary,
 * another C library, a glibc newer or older than the one pinspect runs
 * with: -ENOENT, -EPROTO, -EIO), or when the walk was stopped by a bound
 * (-PI_ERR_THREAD_*) or by the time budget deadline (-PI_ERR_TIMEOUT;
 * NULL: none): then the threads reported before the stop stand. */
int pi_threaddb_walk(pid_t pid, int memfd, struct Dwfl *dwfl, size_t ntasks,
		     const struct pi_deadline *deadline, pi_threaddb_fn fn, void *arg);

#endif
