#include "proc/memory.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>

/* Without process_vm_readv (a kernel built without
 * CONFIG_CROSS_MEMORY_ATTACH, or qemu-user, which does not emulate it):
 * the same bytes through /proc/PID/mem, which the kernel guards by the
 * same rule, and which does not stop the target either. */
static ssize_t read_through_mem_file(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	char path[32];
	snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t done = 0;
	while (done < len) {
		uint64_t at = addr + done;
		if (at > (uint64_t)INT64_MAX)
			break;
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && done == 0) {
			int err = errno == EIO ? EFAULT : errno;	/* EIO: nothing mapped */
			close(fd);
			return -err;
		}
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	return (ssize_t)done;
}

ssize_t pi_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	static _Atomic int no_vm_readv;
	size_t done = 0;

	if (no_vm_readv)
		return read_through_mem_file(pid, addr, buf, len);

	while (done < len) {
		struct iovec local = { (char *)buf + done, len - done };
		struct iovec remote = { (void *)(uintptr_t)(addr + done), len - done };
		ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOSYS && done == 0) {
				no_vm_readv = 1;
				return read_through_mem_file(pid, addr, buf, len);
			}
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
