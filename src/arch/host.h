/* host — the register set of the CPU pinspect runs on, as ptrace and perf
 * give it (x86-64's struct user_regs_struct, also for a 32-bit task;
 * aarch64's, the kernel's user_pt_regs), and the few things pinspect
 * needs of it beyond a row's registers (src/arch/arch.h): the stack
 * pointer and program counter to copy a stack from, the thread pointer
 * when the set holds it, whether a stop interrupted a system call, and
 * how to read the set of a stopped thread. */
#ifndef PI_ARCH_HOST_H
#define PI_ARCH_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

uint64_t pi_host_regs_sp(const struct user_regs_struct *r);
uint64_t pi_host_regs_pc(const struct user_regs_struct *r);
/* The thread pointer, or 0 when the set does not hold it (aarch64's
 * tpidr_el0 is a register set of its own). */
uint64_t pi_host_regs_thread_pointer(const struct user_regs_struct *r);
/* Did the stop that gave r interrupt a system call (one that will be
 * restarted, or return EINTR)? */
bool pi_host_regs_interrupted_syscall(const struct user_regs_struct *r);
/* The registers of a ptrace-stopped thread: 0 or -errno. */
int pi_host_regs_read(pid_t tid, struct user_regs_struct *r);

#endif
