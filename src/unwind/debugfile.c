#include "unwind/debugfile.h"

#include <elfutils/libdwelf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unwind/debugpaths.h"
#include "util/xalloc.h"

static bool same_build_id(Elf *elf, const void *id, ssize_t len)
{
	const void *other;
	ssize_t n = elf ? dwelf_elf_gnu_build_id(elf, &other) : -1;
	return len > 0 && n == len && memcmp(id, other, (size_t)len) == 0;
}

/* The largest debug file whose CRC-32 is computed: about a second of
 * reading here. The file is the target's, and a sparse one can be
 * terabytes that read as zeros for an hour; a real debug file found by
 * CRC (a module without a build-id, from an old toolchain) is far
 * smaller. */
#define CRC_FILE_MAX ((off_t)256 << 20)

/* The CRC-32 of the whole file, read a piece at a time: the file may be
 * big, and is never held in memory. A file that is, or grows while read
 * to, more than CRC_FILE_MAX bytes does not match. */
static bool crc_matches(int fd, GElf_Word want)
{
	enum { CHUNK = 65536 };
	char *chunk = pi_xmalloc(CHUNK);
	uint32_t crc = 0;
	off_t at = 0;
	ssize_t n;
	while ((n = pread(fd, chunk, CHUNK, at)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || at + n > CRC_FILE_MAX)
			break;
		crc = pi_debuglink_crc(crc, chunk, (size_t)n);
		at += n;
	}
	free(chunk);
	return n == 0 && crc == want;
}

/* Opens path in the root; keeps it when it is the module's debug file. */
static int try_debug(const struct pi_debug_opener *o, const char *path, const struct stat *main_st, const void *id,
		     ssize_t idlen, bool check_crc, GElf_Word crc)
{
	struct stat st;
	int fd = o->open(o->arg, path, &st);
	if (fd < 0)
		return -1;
	bool ok = !main_st || st.st_dev != main_st->st_dev || st.st_ino != main_st->st_ino;
	if (ok && idlen <= 0 && check_crc && st.st_size > CRC_FILE_MAX)
		ok = false;
	if (ok) {
		Elf *elf = elf_begin(fd, o->elf_cmd, NULL);
		ok = elf && elf_kind(elf) == ELF_K_ELF;
		if (ok && idlen > 0)
			ok = same_build_id(elf, id, idlen);
		else if (ok && check_crc)
			ok = crc_matches(fd, crc);
		elf_end(elf);
	}
	if (!ok) {
		close(fd);
		return -1;
	}
	return fd;
}

int pi_debugfile_find(const struct pi_debug_opener *o, Elf *main, const struct stat *main_st, const char *file,
		      const char *debuglink, GElf_Word crc, char **found)
{
	char paths[3][4096];
	const void *id = NULL;
	ssize_t idlen = main ? dwelf_elf_gnu_build_id(main, &id) : -1;

	if (!o)
		return -1;
	if (idlen > 0 && pi_build_id_path(id, (size_t)idlen, paths[0], sizeof paths[0])) {
		int fd = try_debug(o, paths[0], main_st, id, idlen, false, 0);
		if (fd >= 0) {
			*found = pi_xstrdup(paths[0]);
			return fd;
		}
	}
	size_t n = pi_debuglink_paths(file, debuglink, paths, 3);
	for (size_t i = 0; i < n; i++) {
		int fd = try_debug(o, paths[i], main_st, id, idlen, true, crc);
		if (fd >= 0) {
			*found = pi_xstrdup(paths[i]);
			return fd;
		}
	}
	return -1;
}

int pi_debugfile_find_alt(const struct pi_debug_opener *o, Dwarf *dw, const char *file, Elf **elf)
{
	const char *altname;
	const void *id;
	char paths[2][4096];
	size_t n = 0;

	if (!o)
		return -1;
	ssize_t idlen = dwelf_dwarf_gnu_debugaltlink(dw, &altname, &id);
	if (idlen <= 0)
		return -1;
	if (pi_build_id_path(id, (size_t)idlen, paths[n], sizeof paths[n]))
		n++;
	if (pi_alt_path(file, altname, paths[n], sizeof paths[n]))
		n++;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		int fd = o->open(o->arg, paths[i], &st);
		if (fd < 0)
			continue;
		*elf = elf_begin(fd, o->elf_cmd, NULL);
		if (*elf && elf_kind(*elf) == ELF_K_ELF && same_build_id(*elf, id, idlen))
			return fd;
		elf_end(*elf);
		*elf = NULL;
		close(fd);
	}
	return -1;
}
