/* debugfile — finding a module's separate debug files inside the target's
 * root, where libdwfl and libdw would search the host's directories with
 * plain open() (which waits for good on a FIFO) and follow any path the
 * module's own ELF names.
 *
 * The candidates are those of unwind/debugpaths; each is opened through
 * the caller's opener (proc/target_open inside the root, a regular file
 * only, directly or through the sandbox's broker) and accepted
 * only when it is the right file: its build-id matches the module's (or
 * the dwz alt link's), or, for a module without a build-id, its CRC-32
 * matches the debug link's (computed only for a file of at most 256 MiB:
 * a sparse file of terabytes would take an hour to read). */
#ifndef PI_UNWIND_DEBUGFILE_H
#define PI_UNWIND_DEBUGFILE_H

#include <elfutils/libdw.h>
#include <gelf.h>
#include <sys/stat.h>

/* How candidate debug files are opened, and how libelf reads them. In
 * pinspect's own process that is proc/target_open inside the root, and
 * libelf reads with pread (ELF_C_READ): a file the target truncates under
 * a mapping would raise SIGBUS in the reader. In the sandbox it is a
 * broker request, and the mapping is fine (a SIGBUS costs the child). */
struct pi_debug_opener {
	/* Opens path (absolute, in the target's root): a regular file's fd
	 * with *st filled, or -errno. */
	int (*open)(void *arg, const char *path, struct stat *st);
	void *arg;
	Elf_Cmd elf_cmd;
};

/* The separate debug file of a module: main is its ELF, main_st its
 * file's stat (the module itself is never its own debug file), file its
 * path in the target's root (NULL if it has none), and debuglink/crc its
 * .gnu_debuglink (debuglink NULL if it has none). Returns an fd for
 * libdwfl and sets *found to the file's path in the root (malloc'd), or
 * returns -1. */
int pi_debugfile_find(const struct pi_debug_opener *o, Elf *main, const struct stat *main_st, const char *file,
		      const char *debuglink, GElf_Word crc, char **found);

/* The dwz alt file of dw, whose file (in the root) is file. On success
 * returns the open fd and sets *elf to a libelf handle on it, for
 * dwarf_begin_elf; -1 when there is none that matches. */
int pi_debugfile_find_alt(const struct pi_debug_opener *o, Dwarf *dw, const char *file, Elf **elf);

#endif
