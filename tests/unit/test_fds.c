/* Descriptors, file locks and socket tables (proc/fds, proc/filelocks,
 * proc/netsock), over text captured from a Debian 12 kernel and over the
 * forms a hostile process can give them. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc/fds.h"
#include "proc/filelocks.h"
#include "proc/netsock.h"
#include "unit.h"

START_TEST(fd_links)
{
	struct pi_fd_link l;
	ck_assert_int_eq(pi_fd_link_parse("pipe:[4397120]", 14, &l), 0);
	ck_assert_int_eq(l.kind, PI_FD_PIPE);
	ck_assert_uint_eq(l.inode, 4397120);
	ck_assert_int_eq(pi_fd_link_parse("socket:[1058]", 13, &l), 0);
	ck_assert_int_eq(l.kind, PI_FD_SOCKET);
	ck_assert_uint_eq(l.inode, 1058);
	ck_assert_int_eq(pi_fd_link_parse("anon_inode:[eventpoll]", 22, &l), 0);
	ck_assert_int_eq(l.kind, PI_FD_ANON);
	ck_assert_str_eq(l.anon, "eventpoll");
	ck_assert_int_eq(pi_fd_link_parse("anon_inode:inotify", 18, &l), 0);
	ck_assert_str_eq(l.anon, "inotify");
	ck_assert_int_eq(pi_fd_link_parse("net:[4026531840]", 16, &l), 0);
	ck_assert_int_eq(l.kind, PI_FD_OTHER);
	const char del[] = "/tmp/x (deleted)";
	ck_assert_int_eq(pi_fd_link_parse(del, strlen(del), &l), 0);
	ck_assert_int_eq(l.kind, PI_FD_PATH);
	ck_assert(l.deleted);
	ck_assert_int_eq(pi_fd_link_parse("", 0, &l), -EINVAL);
}
END_TEST

/* A file a process names "pipe:[1]" reads as an absolute path; a cut or
 * malformed kernel name is another object, never a pipe with inode 0. */
START_TEST(fd_links_not_forged)
{
	struct pi_fd_link l;
	const char named[] = "/tmp/pipe:[1]";
	ck_assert_int_eq(pi_fd_link_parse(named, strlen(named), &l), 0);
	ck_assert_int_eq(l.kind, PI_FD_PATH);
	ck_assert_int_eq(pi_fd_link_parse("pipe:[", 6, &l), 0);
	ck_assert_int_eq(l.kind, PI_FD_OTHER);
	ck_assert_int_eq(pi_fd_link_parse("pipe:[12]x", 10, &l), 0);
	ck_assert_int_eq(l.kind, PI_FD_OTHER);
	ck_assert_int_eq(pi_fd_link_parse("socket:[99999999999999999999999]", 32, &l), 0);
	ck_assert_int_eq(l.kind, PI_FD_OTHER);
	char longname[200] = "anon_inode:[";
	memset(longname + 12, 'a', 150);
	strcpy(longname + 162, "]");
	ck_assert_int_eq(pi_fd_link_parse(longname, strlen(longname), &l), 0);
	ck_assert_uint_eq(strlen(l.anon), PI_FD_ANON_NAME - 1);
}
END_TEST

START_TEST(fdinfo_epoll)
{
	const char text[] = "pos:\t0\nflags:\t02000002\nmnt_id:\t17\nino:\t1039\n"
			    "tfd:        6 events:       1c data:                6  pos:0 ino:431e06 sdev:f\n"
			    "tfd:        5 events:       19 data:                5  pos:0 ino:431e07 sdev:f\n"
			    "tfd:        7 events:       19 data:                7  pos:0 ino:431e08 sdev:f\n";
	struct pi_fdinfo fi;
	struct pi_epoll_watch w[2];
	ck_assert_int_eq(pi_fdinfo_parse(text, strlen(text), &fi, w, 2), 0);
	ck_assert_uint_eq(fi.flags, 02000002);
	ck_assert_int_eq(pi_fd_access_of(fi.flags), PI_FD_READ_WRITE);
	ck_assert_int_eq(fi.mnt_id, 17);
	ck_assert_uint_eq(fi.inode, 1039);
	ck_assert_uint_eq(fi.nwatches, 3);
	ck_assert_uint_eq(fi.nkept, 2);
	ck_assert_int_eq(w[0].fd, 6);
	ck_assert_uint_eq(w[0].events, 0x1c);
	ck_assert_uint_eq(w[0].inode, 0x431e06);
	ck_assert_int_eq(w[1].fd, 5);
	ck_assert_uint_eq(w[1].inode, 0x431e07);
}
END_TEST

START_TEST(fdinfo_pipe_ends)
{
	const char rd[] = "pos:\t0\nflags:\t0100000\nmnt_id:\t15\nino:\t4397120\n";
	const char wr[] = "pos:\t0\nflags:\t01\nmnt_id:\t15\n";
	struct pi_fdinfo fi;
	ck_assert_int_eq(pi_fdinfo_parse(rd, strlen(rd), &fi, NULL, 0), 0);
	ck_assert_int_eq(pi_fd_access_of(fi.flags), PI_FD_READ);
	ck_assert_int_eq(pi_fdinfo_parse(wr, strlen(wr), &fi, NULL, 0), 0);
	ck_assert_int_eq(pi_fd_access_of(fi.flags), PI_FD_WRITE);
	ck_assert_uint_eq(fi.inode, 0);		/* not said: not 0 as a fact */
	/* No flags line (the descriptor closed mid-read): not an answer. */
	ck_assert_int_eq(pi_fdinfo_parse("pos:\t0\n", 7, &fi, NULL, 0), -EINVAL);
	ck_assert_int_eq(pi_fdinfo_parse("flags:\t9\n", 9, &fi, NULL, 0), -EINVAL);
	ck_assert_int_eq(pi_fdinfo_parse("flags:\t777777777777777\n", 23, &fi, NULL, 0), 0);
}
END_TEST

struct locks_seen {
	struct pi_file_lock l[8];
	size_t n;
};

static void keep_lock(void *arg, const struct pi_file_lock *l)
{
	struct locks_seen *s = arg;
	if (s->n < 8)
		s->l[s->n++] = *l;
}

START_TEST(file_locks)
{
	const char text[] = "1: POSIX  ADVISORY  WRITE 16183 fe:00:10952727 5 14\n"
			    "2: FLOCK  ADVISORY  WRITE 16121 fe:00:10953423 0 EOF\n"
			    "2: -> FLOCK  ADVISORY  WRITE 16182 fe:00:10953423 0 EOF\n"
			    "2:  -> FLOCK  ADVISORY  READ  16184 fe:00:10953423 0 EOF\n"
			    "3: OFDLCK ADVISORY  READ  -1 08:01:77 0 EOF\n"
			    "4: LEASE  ACTIVE    READ  900 <none>:0 0 EOF\n";
	struct locks_seen s = { .n = 0 };
	size_t skipped;
	bool truncated;
	ck_assert_uint_eq(pi_file_locks_parse(text, strlen(text), 100, keep_lock, &s, &skipped, &truncated), 6);
	ck_assert_uint_eq(skipped, 0);
	ck_assert(!truncated);
	ck_assert_int_eq(s.l[0].kind, PI_FLOCK_POSIX);
	ck_assert_int_eq(s.l[0].pid, 16183);
	ck_assert_uint_eq(s.l[0].major, 0xfe);
	ck_assert_uint_eq(s.l[0].inode, 10952727);
	ck_assert_uint_eq(s.l[0].start, 5);
	ck_assert_uint_eq(s.l[0].end, 14);
	ck_assert_uint_eq(s.l[0].wait_depth, 0);
	ck_assert_int_eq(s.l[1].kind, PI_FLOCK_FLOCK);
	ck_assert_uint_eq(s.l[1].end, UINT64_MAX);
	ck_assert_uint_eq(s.l[2].id, 2);
	ck_assert_uint_eq(s.l[2].wait_depth, 1);
	ck_assert_int_eq(s.l[2].pid, 16182);
	ck_assert_uint_eq(s.l[3].wait_depth, 2);
	ck_assert_int_eq(s.l[3].access, PI_FLOCK_ACCESS_READ);
	ck_assert_int_eq(s.l[4].kind, PI_FLOCK_OFD);
	ck_assert_int_eq(s.l[4].pid, -1);
	ck_assert_str_eq(pi_flock_kind_name(s.l[4].kind), "OFD");
	ck_assert_int_eq(s.l[5].kind, PI_FLOCK_LEASE);
	ck_assert(!s.l[5].have_file);
}
END_TEST

START_TEST(file_locks_cut_and_bounded)
{
	const char text[] = "1: POSIX  ADVISORY  WRITE 1 fe:00:1 0 EOF\n"
			    "2: POSIX  ADVISORY  WRITE 2 fe:00:2 0 EOF\n"
			    "3: POSIX  ADVISORY  WRI";
	struct locks_seen s = { .n = 0 };
	size_t skipped;
	bool truncated;
	ck_assert_uint_eq(pi_file_locks_parse(text, strlen(text), 100, keep_lock, &s, &skipped, &truncated), 2);
	ck_assert_uint_eq(skipped, 1);
	s.n = 0;
	ck_assert_uint_eq(pi_file_locks_parse(text, strlen(text), 1, keep_lock, &s, &skipped, &truncated), 1);
	ck_assert(truncated);
	const char bad[] = "1: POSIX ADVISORY WRITE -7 fe:00:1 0 EOF\n1: POSIX ADVISORY WRITE 5 zz:00:1 0 EOF\n";
	ck_assert_uint_eq(pi_file_locks_parse(bad, strlen(bad), 100, keep_lock, &s, &skipped, &truncated), 0);
	ck_assert_uint_eq(skipped, 2);
}
END_TEST

struct inet_seen {
	struct pi_inet_socket k[4];
	size_t n;
};

static void keep_inet(void *arg, const struct pi_inet_socket *k)
{
	struct inet_seen *s = arg;
	if (s->n < 4)
		s->k[s->n++] = *k;
}

START_TEST(inet_tables)
{
	const char tcp[] =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 636 1 0000000083637ebf 100 0 0 10 0\n"
		"   1: 0100007F:C8A7 0100007F:D236 01 00000000:0000001A 00:00000000 00000000  1000        0 4711 1 0000000098df1300 20 4 30 10 -1\n";
	struct inet_seen s = { .n = 0 };
	size_t skipped;
	char text[64];
	ck_assert_uint_eq(pi_inet_sockets_parse(tcp, strlen(tcp), false, 100, keep_inet, &s, &skipped), 2);
	ck_assert_uint_eq(skipped, 0);
	ck_assert_int_eq(s.k[0].state, 10);
	ck_assert_str_eq(pi_tcp_state_name(s.k[0].state), "LISTEN");
	ck_assert_uint_eq(s.k[0].local.port, 2024);
	ck_assert_uint_eq(s.k[0].inode, 636);
	pi_inet_endpoint_format(&s.k[1].local, false, text, sizeof text);
	ck_assert_str_eq(text, "127.0.0.1:51367");
	ck_assert(pi_inet_is_loopback(&s.k[1].remote, false));
	ck_assert_uint_eq(s.k[1].rx_queue, 0x1a);
	ck_assert_uint_eq(s.k[1].uid, 1000);
	ck_assert_uint_eq(s.k[1].inode, 4711);

	const char tcp6[] =
		"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 24466 1 0000000000000000 100 0 0 10 0\n";
	s.n = 0;
	ck_assert_uint_eq(pi_inet_sockets_parse(tcp6, strlen(tcp6), true, 100, keep_inet, &s, &skipped), 1);
	pi_inet_endpoint_format(&s.k[0].local, true, text, sizeof text);
	ck_assert_str_eq(text, "[::1]:22");
	ck_assert(pi_inet_is_loopback(&s.k[0].local, true));
	ck_assert_str_eq(pi_tcp_state_name(99), "unknown");
}
END_TEST

struct unix_seen {
	struct pi_unix_socket u[6];
	size_t n;
};

static void keep_unix(void *arg, const struct pi_unix_socket *u)
{
	struct unix_seen *s = arg;
	if (s->n < 6)
		s->u[s->n++] = *u;
}

START_TEST(unix_table)
{
	const char text[] = "Num       RefCount Protocol Flags    Type St Inode Path\n"
			    "0000000094482cd5: 00000003 00000000 00000000 0001 03 4398604 @abc\n"
			    "0000000048f4e134: 00000002 00000000 00010000 0001 01 4398602 /run/a b.sock\n"
			    "00000000f71fafd3: 00000003 00000000 00000000 0002 03  1058\n";
	struct unix_seen s = { .n = 0 };
	size_t skipped;
	ck_assert_uint_eq(pi_unix_sockets_parse(text, strlen(text), 100, keep_unix, &s, &skipped), 3);
	ck_assert(s.u[0].abstract);
	ck_assert_str_eq(s.u[0].path, "@abc");
	ck_assert_int_eq(s.u[0].state, 3);
	ck_assert(s.u[1].listening);
	ck_assert_str_eq(s.u[1].path, "/run/a b.sock");
	ck_assert_uint_eq(s.u[1].inode, 4398602);
	ck_assert(!s.u[2].have_path);
	ck_assert_int_eq(s.u[2].type, PI_UNIX_DGRAM);
}
END_TEST

/* A path with a newline forges a second line; one longer than sun_path
 * cannot be real. The parser reports what it can read; the forged line
 * shows as a second entry for the inode, which the caller then drops. */
START_TEST(unix_table_hostile_paths)
{
	char text[600];
	char longpath[200];
	memset(longpath, 'x', 150);
	longpath[150] = '\0';
	snprintf(text, sizeof text,
		 "Num       RefCount Protocol Flags    Type St Inode Path\n"
		 "0000000094482cd5: 00000003 00000000 00000000 0001 03 77 /tmp/a\n"
		 "0000000000000000: 00000002 00000000 00010000 0001 01 4398602 /forged\n"
		 "0000000048f4e134: 00000002 00000000 00010000 0001 01 78 /%s\n"
		 "0000000048f4e134: 00000002 00000000 00010000 0001 01 79 /\x1b[31mred\n",
		 longpath);
	struct unix_seen s = { .n = 0 };
	size_t skipped;
	ck_assert_uint_eq(pi_unix_sockets_parse(text, strlen(text), 100, keep_unix, &s, &skipped), 3);
	ck_assert_uint_eq(skipped, 1);
	ck_assert_uint_eq(s.u[1].inode, 4398602);
	ck_assert_str_eq(s.u[2].path, "/\x1b[31mred");	/* raw: escaped when printed */
	s.n = 0;
	ck_assert_uint_eq(pi_unix_sockets_parse(text, strlen(text), 1, keep_unix, &s, &skipped), 1);
}
END_TEST

Suite *fds_suite(void)
{
	Suite *s = suite_create("fds");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, fd_links);
	tcase_add_test(tc, fd_links_not_forged);
	tcase_add_test(tc, fdinfo_epoll);
	tcase_add_test(tc, fdinfo_pipe_ends);
	tcase_add_test(tc, file_locks);
	tcase_add_test(tc, file_locks_cut_and_bounded);
	tcase_add_test(tc, inet_tables);
	tcase_add_test(tc, unix_table);
	tcase_add_test(tc, unix_table_hostile_paths);
	suite_add_tcase(s, tc);
	return s;
}
