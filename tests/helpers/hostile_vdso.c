/* pi-hostile-vdso
 *
 * A process that rewrites its own vDSO's names, as a hostile one can:
 * the vDSO's pages are read-only, but writes through /proc/self/mem
 * ignore page protection (the kernel copies the page for this process
 * alone, as it does for a debugger's breakpoint). Its soname becomes
 * ESC [2J, a newline and U+202E (right-to-left override), and the name
 * of its first exported function with at least 12 bytes of name becomes
 * an OSC title sequence and U+202E. glibc looked its vDSO functions up
 * at startup, so the process goes on working.
 *
 * Prints "ready", then the soname's and the symbol's old names on one
 * line each. When the kernel refuses the write (one built with
 * CONFIG_PROC_MEM_NO_FORCE), prints "unwritable: WHY" before "ready", so
 * that the test can say why it skips. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/auxv.h>

#include "helper.h"

#define NEW_SONAME "\x1b[2J\n\xe2\x80\xae" "evil"		/* 12 bytes */
#define NEW_SYMBOL "\x1b]0;x\a\xe2\x80\xae" "fn"	/* 11 bytes */

static void write_mem(const char *where, const char *what, size_t n)
{
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		helper_die("open /proc/self/mem");
	ssize_t w = pwrite(fd, what, n, (off_t)(uintptr_t)where);
	if (w != (ssize_t)n) {
		printf("unwritable: %s\n", w < 0 ? strerror(errno) : "short write");
		fflush(stdout);
		helper_ready();
		helper_wait_forever();
	}
	close(fd);
}

int main(void)
{
	const char *base = (const char *)getauxval(AT_SYSINFO_EHDR);
	if (!base)
		helper_die("no vDSO");
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	Elf64_Addr load = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !load)
			load = ph[i].p_vaddr - ph[i].p_offset;
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
	}
	if (!dyn)
		helper_die("no PT_DYNAMIC in the vDSO");

	/* Addresses in the dynamic section are link-time ones. */
	const char *strtab = NULL;
	const Elf64_Sym *symtab = NULL;
	size_t soname = (size_t)-1, nsyms = 0;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_STRTAB)
			strtab = base + (dyn->d_un.d_ptr - load);
		else if (dyn->d_tag == DT_SYMTAB)
			symtab = (const Elf64_Sym *)(base + (dyn->d_un.d_ptr - load));
		else if (dyn->d_tag == DT_SONAME)
			soname = dyn->d_un.d_val;
		else if (dyn->d_tag == DT_HASH)
			nsyms = ((const Elf32_Word *)(base + (dyn->d_un.d_ptr - load)))[1];
	}
	if (!strtab || soname == (size_t)-1 || strlen(strtab + soname) < sizeof NEW_SONAME - 1)
		helper_die("no vDSO soname to rewrite");
	if (!symtab || !nsyms)
		helper_die("no vDSO symbols (DT_HASH)");
	const char *symbol = NULL;
	for (size_t i = 1; i < nsyms && !symbol; i++)
		if (ELF64_ST_TYPE(symtab[i].st_info) == STT_FUNC && symtab[i].st_shndx != SHN_UNDEF
		    && strlen(strtab + symtab[i].st_name) >= sizeof NEW_SYMBOL - 1)
			symbol = strtab + symtab[i].st_name;
	if (!symbol)
		helper_die("no vDSO function with a long enough name");

	char old_soname[64], old_symbol[64];
	snprintf(old_soname, sizeof old_soname, "%s", strtab + soname);
	snprintf(old_symbol, sizeof old_symbol, "%s", symbol);
	/* With the NUL: the new names end where they end. */
	write_mem(strtab + soname, NEW_SONAME, sizeof NEW_SONAME);
	write_mem(symbol, NEW_SYMBOL, sizeof NEW_SYMBOL);
	helper_ready();
	printf("%s\n%s\n", old_soname, old_symbol);
	fflush(stdout);
	helper_wait_forever();
}
