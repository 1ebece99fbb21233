/* layout — where glibc keeps a thread's TLS and control block relative to
 * its thread pointer, for every row of the architecture table (TLS
 * variant, word size and tcbhead_t, src/arch/arch.h).
 *
 * Variant II (x86-64, i386): the thread pointer is the address of struct
 * pthread, which begins with tcbhead_t (tcb, dtv, self: the first and
 * third point at the TCB itself); the executable's block lies right below
 * it. Variant I (aarch64): struct pthread lies right below the thread
 * pointer, tcbhead_t (dtv, a private word) at it, and the executable's
 * block after the TCB, rounded up to its alignment. Either way the DTV
 * slot of module 1 (the executable, when it has TLS) holds the address of
 * its block.
 *
 * Pure but for the memory it is handed a reader of: tested on memory
 * images for every row, on any host (tests/unit/test_tls_layout.c). */
#ifndef PI_TLS_LAYOUT_H
#define PI_TLS_LAYOUT_H

#include <stdint.h>
#include <sys/types.h>

#include "arch/arch.h"

/* Reads len bytes at addr of the target: the count read, or < 0. */
typedef ssize_t pi_tls_read_fn(void *arg, uint64_t addr, void *buf, size_t len);

/* The executable's TLS block (size bytes aligned to align; 0: 1) of the
 * thread whose thread pointer is tp; 0 when it would wrap. */
uint64_t pi_tls_exe_block(const struct pi_arch *a, uint64_t tp, uint64_t size, uint64_t align);

/* The thread pointer of the thread whose struct pthread is at pd (what
 * glibc's thread list and libthread_db give), sizeof_pthread bytes long:
 * pd in variant II, the end of it in variant I (0 when its size is not
 * known). */
uint64_t pi_tls_tp_of_pthread(const struct pi_arch *a, uint64_t pd, uint64_t sizeof_pthread);

/* The address of the pointer to module's block in a DTV whose pointer
 * the TCB holds is dtv (glibc stores its second entry: entry -1 counts
 * the slots, 0 is the generation, module m's pointer is entry m, each
 * entry two words). */
uint64_t pi_tls_dtv_slot(const struct pi_arch *a, uint64_t dtv, unsigned module);

enum pi_tcb_verdict {
	PI_TCB_UNCHECKED,	/* nothing to check it by, or unreadable */
	PI_TCB_OK,
	PI_TCB_WRONG,
};

/* Is there glibc's TCB at tp? Where the row's TCB points at itself (x86)
 * both pointers must be tp; where it does not (aarch64), the DTV's slot
 * of the executable must hold its block, exe_block (0: the executable
 * has no TLS, or its block is not known: unchecked). */
enum pi_tcb_verdict pi_tls_check_tcb(const struct pi_arch *a, uint64_t tp, uint64_t exe_block,
				     pi_tls_read_fn *read, void *arg);

#endif
