/* tls — each thread's thread pointer and thread-local storage, found
 * without stopping anything.
 *
 * On x86-64 a thread's TLS pointer is fs_base, which glibc points at the
 * thread's control block (TCB): at the top of the thread's own stack
 * mapping, or, for the main thread, in a small anonymous mapping near the
 * libraries. glibc's libthread_db walks the target's list of threads in its
 * memory and gives each TCB, reading memory only (through the
 * proc_service functions in threaddb.c); a thread that was stopped anyway
 * has its fs_base from its registers. */
#ifndef PI_TLS_TLS_H
#define PI_TLS_TLS_H

#include "model.h"

struct Dwfl;

/* Before the stacks: fills p->tls_modules and each thread's TLS pointer
 * as libthread_db reports it. */
void pi_tls_collect(struct pi_process *p, struct Dwfl *dwfl);

/* After the stacks (stopped threads have their fs_base from their
 * registers): reads the executable's TLS variables in every thread and
 * checks each TCB's self-pointers against fs_base. */
void pi_tls_finish(struct pi_process *p, struct Dwfl *dwfl);

#endif
