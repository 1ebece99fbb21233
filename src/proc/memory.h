/* memory — reading a target's memory without stopping it.
 *
 * process_vm_readv copies from another process's address space while it
 * runs; the kernel allows it under the same rule as ptrace attach (same
 * user and not dumpable-protected, or CAP_SYS_PTRACE), but it never stops
 * or signals the target. Where the kernel has no process_vm_readv (built
 * without CONFIG_CROSS_MEMORY_ATTACH, or qemu-user) it reads
 * /proc/PID/mem instead, under the same rule. */
#ifndef PI_PROC_MEMORY_H
#define PI_PROC_MEMORY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Copies len bytes at addr in pid into buf. Returns the number of bytes
 * copied (less than len if the range ends in unmapped memory), or -errno
 * (-EPERM: not allowed; -ESRCH: gone; -EFAULT: nothing mapped at addr). */
ssize_t pi_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len);

/* /proc/PID/mem of the process whose /proc directory is procfd, opened
 * read-only: access is checked now, as for ptrace, so the descriptor can
 * be handed to an unprivileged child that reads with pread(2). Returns
 * the descriptor (close-on-exec) or -errno. */
int pi_mem_open(int procfd);

#endif
