/* abi — which system call table a process uses, and which row of the
 * architecture table (src/arch) describes it: 64-bit, 32-bit (i386) or
 * x32. The numbers in its syscall file mean different calls in each.
 * Told by the ELF header of its vDSO, read from its memory (the kernel
 * maps the vDSO of the process's ABI): no file of the process is opened,
 * so an executable on a hung NFS or FUSE mount cannot block pinspect.
 * Only without a readable vDSO is the executable's own header read. */
#ifndef PI_SYS_ABI_H
#define PI_SYS_ABI_H

#include <stdbool.h>
#include <stddef.h>

#include "arch/arch.h"
#include "sys/names.h"

/* The ABI of the process whose /proc/PID is dirfd: 0 and *abi, or
 * -errno (-ENOEXEC for a header it does not know). */
int pi_exe_abi(int dirfd, enum pi_abi *abi);
/* The same, and *arch: the process's row, or NULL for an ABI the table
 * has no row for (x32). */
int pi_exe_abi_arch(int dirfd, enum pi_abi *abi, const struct pi_arch **arch);
/* Pure: the ABI and row of an ELF header's first len bytes (0, or
 * -ENOEXEC). */
int pi_abi_from_ehdr(const unsigned char *ehdr, size_t len, enum pi_abi *abi,
		     const struct pi_arch **arch);

/* The row of a process known only by its ABI (the scans and the live
 * table keep no more): the host's when not known or native, i386's, or
 * NULL for x32. */
const struct pi_arch *pi_abi_arch(enum pi_abi abi, bool known);

#endif
