#include "sys/abi.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

int pi_exe_abi(int dirfd, enum pi_abi *abi)
{
	unsigned char ehdr[EI_NIDENT + 4];
	int fd = openat(dirfd, "exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = pread(fd, ehdr, sizeof ehdr, 0);
	int err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	if (n != (ssize_t)sizeof ehdr || memcmp(ehdr, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	/* e_machine follows e_ident and e_type, little-endian on x86. */
	uint16_t machine = (uint16_t)(ehdr[EI_NIDENT + 2] | ehdr[EI_NIDENT + 3] << 8);
	if (ehdr[EI_CLASS] == ELFCLASS64)
		*abi = PI_ABI_NATIVE;
	else if (ehdr[EI_CLASS] == ELFCLASS32 && machine == EM_X86_64)
		*abi = PI_ABI_X32;
	else if (ehdr[EI_CLASS] == ELFCLASS32)
		*abi = PI_ABI_I386;
	else
		return -ENOEXEC;
	return 0;
}
