#include "sys/abi.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "proc/lists.h"
#include "proc/memory.h"
#include "proc/reader.h"
#include "util/buf.h"

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

/* The ELF header of the process's vDSO, from its memory: the kernel maps
 * the vDSO of the process's own ABI (64-bit, i386 or x32), and neither
 * finding nor reading it touches a file system. */
/* *try_exe: the process has an auxiliary vector but no vDSO to read (or
 * its memory could not be read): its executable is the only other word.
 * A kernel thread (an empty vector) or a process that may not be read has
 * no executable to ask either. */
static int vdso_ehdr(int dirfd, unsigned char *ehdr, size_t len, size_t *got, bool *try_exe)
{
	struct pi_buf buf = PI_BUF_INIT;
	struct pi_auxv auxv;
	*try_exe = false;
	int err = pi_read_at(dirfd, "auxv", &buf);
	unsigned word = err ? 0 : pi_auxv_word_size(buf.data, buf.len);
	if (!err)
		err = word && pi_auxv_parse(buf.data, buf.len, word, &auxv) == 0 ? 0 : -ENOEXEC;
	pi_buf_free(&buf);
	if (err)
		return err;
	*try_exe = true;
	if (!auxv.have_sysinfo_ehdr || !auxv.sysinfo_ehdr || auxv.sysinfo_ehdr > INT64_MAX - len)
		return -ENOENT;
	int fd = pi_mem_open(dirfd);
	if (fd < 0)
		return fd;
	ssize_t n = pread(fd, ehdr, len, (off_t)auxv.sysinfo_ehdr);
	err = n < 0 ? -errno : 0;
	close(fd);
	*got = n > 0 ? (size_t)n : 0;
	return err;
}

int pi_exe_abi_arch(int dirfd, enum pi_abi *abi, const struct pi_arch **arch)
{
	unsigned char ehdr[EI_NIDENT + 4];
	size_t got = 0;
	bool try_exe;
	int err = vdso_ehdr(dirfd, ehdr, sizeof ehdr, &got, &try_exe);
	if (err == 0 && pi_abi_from_ehdr(ehdr, got, abi, arch) == 0)
		return 0;
	if (!try_exe)
		return err ? err : -ENOEXEC;
	/* No vDSO (booted with vdso=0), or its memory not readable: the
	 * executable's own header. Opened without blocking (a FIFO cannot
	 * be an executable, but the file system could be a hung one: this
	 * is the last resort). */
	int fd = openat(dirfd, "exe", O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	ssize_t n = pread(fd, ehdr, sizeof ehdr, 0);
	err = n < 0 ? -errno : 0;
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
