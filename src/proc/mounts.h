/* mounts — which of a process's mounts may keep a reader waiting.
 *
 * A read of a local file system (ext4, xfs, btrfs, tmpfs, overlay...)
 * returns; one of a FUSE mount waits for its server, which any user may
 * run and stop, and one of NFS, CIFS or 9p waits for the network. The
 * kernel's /proc/PID/mountinfo says each mount's type without touching
 * the file system itself (a statfs() would ask the server too). Every type
 * not known to be local is taken as one that may block: a mount of an
 * unknown type costs a guarded open (proc/target_open.h), never a hang.
 *
 * pi_mounts_parse is a pure parser; mount points and sources are the
 * process's to choose, and are not kept. */
#ifndef PI_PROC_MOUNTS_H
#define PI_PROC_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A mount that may block: its ID (as statx's stx_mnt_id), its device (as
 * /proc/PID/maps names a mapping's) and its type ("fuse.sshfs", "nfs4"),
 * cut to fit and made of printable ASCII. */
struct pi_slow_mount {
	uint64_t id;
	unsigned major, minor;
	char type[32];
};

struct pi_mounts {
	struct pi_slow_mount *slow;
	size_t nslow;
	size_t nmounts;		/* lines parsed */
};

/* The most mounts parsed: a namespace may hold thousands, not millions. */
#define PI_MOUNTS_MAX 100000

/* True for a file system type whose reads do not wait for a server. */
bool pi_fstype_is_local(const char *type);

/* Parses mountinfo text (len bytes, need not end in NUL) into m (emptied
 * first). A malformed line is skipped. Returns 0, or -EBADMSG when no
 * line at all could be read. */
int pi_mounts_parse(const char *text, size_t len, struct pi_mounts *m);

/* Reads /proc/PID/mountinfo (procfd: /proc/PID) and parses it. 0 or -errno. */
int pi_mounts_read(int procfd, struct pi_mounts *m);

/* The slow mount with this device, or this ID; NULL when none is. */
const struct pi_slow_mount *pi_mounts_slow_dev(const struct pi_mounts *m, unsigned major,
					       unsigned minor);
const struct pi_slow_mount *pi_mounts_slow_id(const struct pi_mounts *m, uint64_t id);

void pi_mounts_free(struct pi_mounts *m);

#endif
