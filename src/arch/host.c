#include "arch/host.h"

#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

/* The kernel's restart codes, which a system call interrupted by a stop
 * leaves as its return value (include/linux/errno.h, not exported). */
enum {
	ERESTARTSYS = 512,
	ERESTARTNOINTR = 513,
	ERESTARTNOHAND = 514,
	ERESTART_RESTARTBLOCK = 516,
};

#if defined(__x86_64__)

uint64_t pi_host_regs_sp(const struct user_regs_struct *r)
{
	return r->rsp;
}

uint64_t pi_host_regs_pc(const struct user_regs_struct *r)
{
	return r->rip;
}

uint64_t pi_host_regs_thread_pointer(const struct user_regs_struct *r)
{
	return r->fs_base;
}

bool pi_host_regs_interrupted_syscall(const struct user_regs_struct *r)
{
	long rax = (long)r->rax;
	return (long)r->orig_rax >= 0
	       && (rax == -EINTR || rax == -ERESTARTSYS || rax == -ERESTARTNOINTR
		   || rax == -ERESTARTNOHAND || rax == -ERESTART_RESTARTBLOCK);
}

int pi_host_regs_read(pid_t tid, struct user_regs_struct *r)
{
	return ptrace(PTRACE_GETREGS, tid, NULL, r) == 0 ? 0 : -errno;
}

#elif defined(__aarch64__)

uint64_t pi_host_regs_sp(const struct user_regs_struct *r)
{
	return r->sp;
}

uint64_t pi_host_regs_pc(const struct user_regs_struct *r)
{
	return r->pc;
}

uint64_t pi_host_regs_thread_pointer(const struct user_regs_struct *r)
{
	(void)r;
	return 0;
}

/* x0 holds the return value, but the set lacks orig_x0 to tell a system
 * call from a value that merely looks like a restart code. */
bool pi_host_regs_interrupted_syscall(const struct user_regs_struct *r)
{
	(void)r;
	return false;
}

int pi_host_regs_read(pid_t tid, struct user_regs_struct *r)
{
	struct iovec io = { r, sizeof *r };
	return ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &io) == 0 ? 0 : -errno;
}

#else
#error "pinspect runs on x86-64 and aarch64 hosts"
#endif
