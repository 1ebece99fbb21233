/* abi — which system call table a process uses, from its executable's
 * ELF header: 64-bit, 32-bit (i386) or x32. The numbers in its syscall
 * file mean different calls in each. */
#ifndef PI_SYS_ABI_H
#define PI_SYS_ABI_H

#include "sys/names.h"

/* Reads the ELF header of dirfd/"exe" (dirfd: /proc/PID). Returns 0 and
 * sets *abi, or -errno (-ENOEXEC for a header it does not know). */
int pi_exe_abi(int dirfd, enum pi_abi *abi);

#endif
