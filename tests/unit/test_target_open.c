/* Opening a file a target names: inside a root given as a directory fd
 * (here a directory the test builds, as a container's root), a regular
 * file only, never waiting on a FIFO, never leaving the root. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc/target_open.h"
#include "unit.h"

static char top[64];
static int rootfd = -1;

static void put(const char *rel, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", top, rel);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void at(const char *rel, char *path, size_t size)
{
	snprintf(path, size, "%s/%s", top, rel);
}

/* top/outside: a file out of the root. top/root: the root, with
 * lib/real.so, etc/passwd (its own), a FIFO, and symbolic links that try
 * to leave it. */
static void make_root(void)
{
	char p[256];
	strcpy(top, "/tmp/pi-target-open.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	put("outside", "host secret\n");
	at("root", p, sizeof p);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	at("root/lib", p, sizeof p);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	at("root/etc", p, sizeof p);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	put("root/lib/real.so", "inside lib\n");
	put("root/etc/passwd", "inside passwd\n");
	at("root/fifo", p, sizeof p);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	char target[256];
	at("outside", target, sizeof target);
	at("root/to_outside", p, sizeof p);
	ck_assert_int_eq(symlink(target, p), 0);	/* absolute: the host's path */
	at("root/lib/up", p, sizeof p);
	ck_assert_int_eq(symlink("../../../../../../etc/passwd", p), 0);
	at("root/abs", p, sizeof p);
	ck_assert_int_eq(symlink("/etc/passwd", p), 0);
	at("root/dirlink", p, sizeof p);
	ck_assert_int_eq(symlink("lib", p), 0);
	at("root/devnull", p, sizeof p);
	ck_assert_int_eq(symlink("/dev/null", p), 0);
	at("root", p, sizeof p);
	rootfd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(rootfd, 0);
}

static void remove_root(void)
{
	char cmd[128];
	close(rootfd);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}

/* What the fd reads, or the error. */
static char *contents(int fd)
{
	static char buf[64];
	if (fd < 0) {
		snprintf(buf, sizeof buf, "error %d", -fd);
		return buf;
	}
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Does this kernel (or valgrind, which does not know it in 3.19) give
 * openat2? Without it pi_target_open takes the walk, which follows no
 * link at all. */
static bool have_openat2(void)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	int fd = (int)syscall(SYS_openat2, rootfd, "/lib/real.so", &how, sizeof how);
	if (fd >= 0)
		close(fd);
	return !(fd < 0 && (errno == ENOSYS || errno == EPERM));
}

START_TEST(inside_the_root)
{
	struct stat st;
	make_root();
	bool in_root = have_openat2();
	int fd = pi_target_open(rootfd, "/lib/real.so", &st);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_str_eq(contents(fd), "inside lib\n");
	/* Links and "..", absolute or not, resolve inside the root (with
	 * openat2; the walk refuses them). */
	const char *passwd = in_root ? "inside passwd\n" : "error 40";	/* ELOOP */
	ck_assert_str_eq(contents(pi_target_open(rootfd, "/abs", NULL)), passwd);
	ck_assert_str_eq(contents(pi_target_open(rootfd, "/lib/up", NULL)), passwd);
	ck_assert_str_eq(contents(pi_target_open(rootfd, "/../../../../etc/passwd", NULL)),
			 in_root ? "inside passwd\n" : "error 22");	/* EINVAL */
	ck_assert_str_eq(contents(pi_target_open(rootfd, "/dirlink/real.so", NULL)),
			 in_root ? "inside lib\n" : "error 40");
	/* The host's file is never reached: its path, inside the root,
	 * names nothing (or is a link the walk refuses). */
	ck_assert_int_eq(pi_target_open(rootfd, "/to_outside", NULL), in_root ? -ENOENT : -ELOOP);
	ck_assert_int_eq(pi_target_open(rootfd, "/devnull", NULL), in_root ? -ENOENT : -ELOOP);
	/* Not regular files: refused at once, the FIFO never waited on. */
	ck_assert_int_eq(pi_target_open(rootfd, "/fifo", NULL), -ENXIO);
	ck_assert_int_eq(pi_target_open(rootfd, "/lib", NULL), -ENXIO);
	ck_assert_int_eq(pi_target_open(rootfd, "lib/real.so", NULL), -EINVAL);
	ck_assert_int_eq(pi_target_open(rootfd, "", NULL), -EINVAL);
	remove_root();
}
END_TEST

START_TEST(walk_without_openat2)
{
	struct stat st;
	make_root();
	int fd = pi_target_open_walk(rootfd, "//lib//real.so", &st);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_str_eq(contents(fd), "inside lib\n");
	/* No symbolic link is followed, no "." or ".." taken. */
	ck_assert_int_eq(pi_target_open_walk(rootfd, "/to_outside", NULL), -ELOOP);
	ck_assert_int_eq(pi_target_open_walk(rootfd, "/abs", NULL), -ELOOP);
	ck_assert_int_eq(pi_target_open_walk(rootfd, "/dirlink/real.so", NULL), -ELOOP);
	ck_assert_int_eq(pi_target_open_walk(rootfd, "/../outside", NULL), -EINVAL);
	ck_assert_int_eq(pi_target_open_walk(rootfd, "/lib/../etc/passwd", NULL), -EINVAL);
	ck_assert_int_eq(pi_target_open_walk(rootfd, "/./lib/real.so", NULL), -EINVAL);
	ck_assert_int_eq(pi_target_open_walk(rootfd, "/fifo", NULL), -ENXIO);
	ck_assert_int_eq(pi_target_open_walk(rootfd, "/lib", NULL), -ENXIO);
	ck_assert_int_eq(pi_target_open_walk(rootfd, "/lib/", NULL), -EINVAL);
	ck_assert_int_eq(pi_target_open_walk(rootfd, "/nothing/here", NULL), -ENOENT);
	ck_assert_int_eq(pi_target_open_walk(rootfd, "lib/real.so", NULL), -EINVAL);
	remove_root();
}
END_TEST

START_TEST(a_mapping_itself)
{
	make_root();
	char p[256];
	at("root/lib/real.so", p, sizeof p);
	int fd = open(p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	struct stat want, got;
	ck_assert_int_eq(fstat(fd, &want), 0);
	close(fd);
	/* The path now names something else: the mapping is still the
	 * file that was mapped. */
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	fd = pi_target_open_mapping(getpid(), (uintptr_t)m, (uintptr_t)m + 4096, &got);
	if (geteuid() == 0) {
		ck_assert_int_ge(fd, 0);
		ck_assert(got.st_ino == want.st_ino && got.st_dev == want.st_dev);
		ck_assert_str_eq(contents(fd), "inside lib\n");
	} else {
		/* map_files is root's (CAP_SYS_ADMIN). */
		ck_assert_int_lt(fd, 0);
	}
	ck_assert_int_lt(pi_target_open_mapping(getpid(), 0x1000, 0x2000, NULL), 0);
	munmap(m, 4096);
	remove_root();
}
END_TEST

/* mountinfo as the kernel writes it: local types are left out, FUSE,
 * NFS and anything unknown kept, by ID and device; a mount point of the
 * target's choosing (spaces escaped, " - " in it impossible) changes
 * nothing; malformed lines are skipped. */
START_TEST(mounts_that_may_block)
{
	static const char text[] =
		"22 27 0:21 / /proc rw,relatime - proc proc rw\n"
		"27 1 259:2 / / rw,relatime - ext4 /dev/nvme0n1p2 rw\n"
		"40 27 0:45 / /home/u/sshfs\\040-\\040x rw - fuse.sshfs u@h: rw,user_id=0\n"
		"41 27 0:46 / /mnt/nfs rw - nfs4 srv:/x rw,vers=4.2\n"
		"42 27 0:47 / /tmp rw - tmpfs tmpfs rw\n"
		"43 27 8:1 / /win rw - fuseblk /dev/sda1 rw\n"
		"44 27 0:48 / /odd rw - a\x1b[31mtype\n"
		"garbage line without fields\n"
		"45 27 x:y / /bad rw - fuse f rw\n"
		"46 27 0:49 / /nosep rw fuse f rw\n"
		"47 27 0:50 / /weird rw - averyveryveryveryverylongtypenamethatiscut x rw";
	struct pi_mounts m = { 0 };
	ck_assert_int_eq(pi_mounts_parse(text, sizeof text - 1, &m), 0);
	ck_assert_uint_eq(m.nmounts, 8);
	ck_assert_uint_eq(m.nslow, 5);
	const struct pi_slow_mount *f = pi_mounts_slow_dev(&m, 0, 45);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->type, "fuse.sshfs");
	ck_assert_uint_eq(f->id, 40);
	ck_assert_ptr_eq(pi_mounts_slow_id(&m, 41), pi_mounts_slow_dev(&m, 0, 46));
	ck_assert_str_eq(pi_mounts_slow_id(&m, 41)->type, "nfs4");
	ck_assert_ptr_nonnull(pi_mounts_slow_dev(&m, 8, 1));		/* fuseblk */
	ck_assert_str_eq(pi_mounts_slow_id(&m, 44)->type, "a?[31mtype");	/* no raw ESC */
	ck_assert_ptr_nonnull(pi_mounts_slow_id(&m, 47));		/* cut: not local */
	ck_assert_ptr_null(pi_mounts_slow_dev(&m, 259, 2));		/* ext4 */
	ck_assert_ptr_null(pi_mounts_slow_id(&m, 42));			/* tmpfs */
	ck_assert_ptr_null(pi_mounts_slow_id(&m, 45));
	ck_assert_ptr_null(pi_mounts_slow_id(&m, 46));
	ck_assert(pi_fstype_is_local("overlay"));
	ck_assert(!pi_fstype_is_local("fuse"));
	ck_assert(!pi_fstype_is_local("cifs"));
	ck_assert_int_eq(pi_mounts_parse("nonsense", 8, &m), -EBADMSG);
	ck_assert_uint_eq(m.nslow, 0);
	pi_mounts_free(&m);
}
END_TEST

/* A file on a mount taken as one that may block is opened by the forked
 * child and passed back (its stat with it); a path that is not there is
 * said so at once. Here /tmp's mount is made to look slow. */
START_TEST(guarded_open_in_a_child)
{
	make_root();
	struct pi_target_files tf;
	pi_target_files_init(&tf, getpid(), rootfd);
	struct statx sx;
	ck_assert_int_eq(statx(rootfd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx), 0);
	static struct pi_slow_mount slow;
	slow = (struct pi_slow_mount){ sx.stx_mnt_id, 0, 0, "fuse.test" };
	tf.mounts_err = 0;
	tf.mounts.slow = &slow;
	tf.mounts.nslow = 1;
	struct stat st;
	int fd = pi_target_files_open(&tf, "/lib/real.so", &st);
	ck_assert_int_ge(fd, 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_size, (off_t)strlen("inside lib\n"));
	ck_assert_str_eq(contents(fd), "inside lib\n");
	ck_assert_int_eq(pi_target_files_open(&tf, "/no/such/file", NULL), -ENOENT);
	ck_assert_int_eq(pi_target_files_open(&tf, "/fifo", NULL), -ENXIO);
	ck_assert_uint_eq(tf.nunread, 0);
	tf.mounts.slow = NULL;
	tf.mounts.nslow = 0;
	pi_target_files_free(&tf);
	remove_root();
}
END_TEST

Suite *target_open_suite(void)
{
	Suite *s = suite_create("target_open");
	TCase *tc = tcase_create("target_open");
	tcase_add_test(tc, inside_the_root);
	tcase_add_test(tc, walk_without_openat2);
	tcase_add_test(tc, a_mapping_itself);
	tcase_add_test(tc, mounts_that_may_block);
	tcase_add_test(tc, guarded_open_in_a_child);
	suite_add_tcase(s, tc);
	return s;
}
