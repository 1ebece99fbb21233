#include "proc/mounts.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "proc/reader.h"
#include "util/buf.h"
#include "util/xalloc.h"

bool pi_fstype_is_local(const char *type)
{
	/* Disk, memory and kernel file systems: their reads wait for a
	 * local device at most. A FUSE type ("fuse", "fuse.X", "fuseblk")
	 * is never here, whatever its subtype says. */
	static const char *const local[] = {
		"ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "jfs", "reiserfs", "nilfs2",
		"vfat", "msdos", "exfat", "ntfs3", "hfsplus", "iso9660", "udf", "squashfs",
		"erofs", "cramfs", "romfs", "zfs", "bcachefs", "tmpfs", "ramfs", "devtmpfs",
		"overlay", "proc", "sysfs", "devpts", "mqueue", "hugetlbfs", "cgroup", "cgroup2",
		"securityfs", "debugfs", "tracefs", "configfs", "pstore", "bpf", "binfmt_misc",
		"fusectl", "efivarfs", "autofs", "rpc_pipefs", "nsfs", "selinuxfs",
	};
	for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
		if (strcmp(type, local[i]) == 0)
			return true;
	return false;
}

/* The n-th space-separated field of line [s, end), n from 0. */
static const char *field(const char *s, const char *end, int n, size_t *len)
{
	for (;;) {
		const char *sp = memchr(s, ' ', (size_t)(end - s));
		const char *e = sp ? sp : end;
		if (n-- == 0) {
			*len = (size_t)(e - s);
			return s;
		}
		if (!sp)
			return NULL;
		s = sp + 1;
	}
}

/* One line: "ID PARENT MAJOR:MINOR ROOT MOUNTPOINT OPTIONS [OPTIONAL...] -
 * TYPE SOURCE SUPEROPTIONS". Mount points are escaped by the kernel (a
 * space is \040), so " - " can only be the separator. */
static bool parse_line(const char *s, const char *end, struct pi_slow_mount *out, bool *slow)
{
	size_t len;
	const char *f = field(s, end, 0, &len);
	char num[24];
	if (!f || len == 0 || len >= sizeof num)
		return false;
	memcpy(num, f, len);
	num[len] = '\0';
	char *rest;
	errno = 0;
	unsigned long long id = strtoull(num, &rest, 10);
	if (*rest || errno)
		return false;
	f = field(s, end, 2, &len);
	if (!f || len == 0 || len >= sizeof num)
		return false;
	memcpy(num, f, len);
	num[len] = '\0';
	unsigned long ma = strtoul(num, &rest, 10);
	if (*rest != ':')
		return false;
	unsigned long mi = strtoul(rest + 1, &rest, 10);
	if (*rest || ma > 0xfff || mi > 0xfffff)
		return false;
	const char *sep = memmem(s, (size_t)(end - s), " - ", 3);
	if (!sep)
		return false;
	f = field(sep + 3, end, 0, &len);
	if (!f || len == 0)
		return false;
	memset(out, 0, sizeof *out);
	out->id = id;
	out->major = (unsigned)ma;
	out->minor = (unsigned)mi;
	size_t n = len < sizeof out->type - 1 ? len : sizeof out->type - 1;
	for (size_t i = 0; i < n; i++)
		out->type[i] = f[i] > ' ' && f[i] < 0x7f ? f[i] : '?';
	/* A type cut to fit is compared whole: not local. */
	*slow = n < len || !pi_fstype_is_local(out->type);
	return true;
}

int pi_mounts_parse(const char *text, size_t len, struct pi_mounts *m)
{
	pi_mounts_free(m);
	size_t cap = 0;
	const char *s = text, *end = text + len;
	while (s < end && m->nmounts < PI_MOUNTS_MAX) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		struct pi_slow_mount one;
		bool slow;
		if (parse_line(s, e, &one, &slow)) {
			m->nmounts++;
			if (slow) {
				pi_xgrow(&m->slow, &cap, m->nslow + 1, sizeof *m->slow);
				m->slow[m->nslow++] = one;
			}
		}
		s = e + 1;
	}
	return m->nmounts ? 0 : -EBADMSG;
}

int pi_mounts_read(int procfd, struct pi_mounts *m)
{
	struct pi_buf b = PI_BUF_INIT;
	int err = pi_read_at(procfd, "mountinfo", &b);
	if (!err)
		err = pi_mounts_parse(b.data, b.len, m);
	pi_buf_free(&b);
	return err;
}

const struct pi_slow_mount *pi_mounts_slow_dev(const struct pi_mounts *m, unsigned major,
					       unsigned minor)
{
	for (size_t i = 0; i < m->nslow; i++)
		if (m->slow[i].major == major && m->slow[i].minor == minor)
			return &m->slow[i];
	return NULL;
}

const struct pi_slow_mount *pi_mounts_slow_id(const struct pi_mounts *m, uint64_t id)
{
	for (size_t i = 0; i < m->nslow; i++)
		if (m->slow[i].id == id)
			return &m->slow[i];
	return NULL;
}

void pi_mounts_free(struct pi_mounts *m)
{
	free(m->slow);
	memset(m, 0, sizeof *m);
}
