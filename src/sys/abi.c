#include "sys/abi.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

int pi_abi_from_ehdr(const unsigned char *ehdr, size_t len, enum pi_abi *abi,
		     const struct pi_arch **arch)
{
	if (len < EI_NIDENT + 4 || memcmp(ehdr, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	const struct pi_arch *a = pi_arch_from_ehdr(ehdr, len);
	/* e_machine follows e_ident and e_type; x32 is little-endian. */
	uint16_t machine = (uint16_t)(ehdr[EI_NIDENT + 2] | ehdr[EI_NIDENT + 3] << 8);
	if (a && a == pi_arch_host())
		*abi = PI_ABI_NATIVE;
	else if (a && a->id == PI_ARCH_I386 && pi_arch_host()->id == PI_ARCH_X86_64)
		*abi = PI_ABI_I386;
	else if (!a && ehdr[EI_CLASS] == ELFCLASS32 && machine == EM_X86_64)
		*abi = PI_ABI_X32;
	else
		return -ENOEXEC;
	*arch = a;
	return 0;
}

int pi_exe_abi_arch(int dirfd, enum pi_abi *abi, const struct pi_arch **arch)
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
	return pi_abi_from_ehdr(ehdr, (size_t)n, abi, arch);
}

int pi_exe_abi(int dirfd, enum pi_abi *abi)
{
	const struct pi_arch *arch;
	return pi_exe_abi_arch(dirfd, abi, &arch);
}

const struct pi_arch *pi_abi_arch(enum pi_abi abi, bool known)
{
	if (!known || abi == PI_ABI_NATIVE)
		return pi_arch_host();
	return abi == PI_ABI_I386 ? pi_arch_get(PI_ARCH_I386) : NULL;
}
