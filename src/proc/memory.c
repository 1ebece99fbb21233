#include "proc/memory.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/uio.h>

ssize_t pi_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct iovec local = { (char *)buf + done, len - done };
		struct iovec remote = { (void *)(uintptr_t)(addr + done), len - done };
		ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (done > 0 && errno == EFAULT)
				break;
			return -errno;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int pi_mem_open(int procfd)
{
	int fd = openat(procfd, "mem", O_RDONLY | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}
