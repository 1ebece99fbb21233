#include "collect/waits.h"
#include "collect/waits_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc/fdscan.h"
#include "proc/filelocks.h"
#include "proc/lists.h"
#include "proc/memory.h"
#include "proc/netsock.h"
#include "proc/reader.h"
#include "proc/scan.h"
#include "proc/stat.h"
#include "proc/status.h"
#include "proc/system.h"
#include "sys/abi.h"
#include "sys/names.h"
#include "sys/sockdiag.h"
#include "util/buf.h"
#include "util/xalloc.h"

/* How each system call that can wait for another process names what it
 * waits on. The table is by name, so that it holds for every ABI whose
 * numbers sys/names knows. */
enum call_shape {
	SHAPE_FD_IN,		/* descriptor in arg 0, waits for data */
	SHAPE_FD_OUT,		/* descriptor in arg 0, waits for room */
	SHAPE_ACCEPT,
	SHAPE_CONNECT,
	SHAPE_FLOCK,
	SHAPE_FCNTL,
	SHAPE_EPOLL,
	SHAPE_POLL,
	SHAPE_SELECT,
	SHAPE_WAIT4,
	SHAPE_WAITID,
	SHAPE_FD_KLOCK,		/* descriptor in arg 0; followed only in D on a kernel lock */
};

/* Each call's shape, and where its timeout is (-1: it has none, so only a
 * peer can end the wait; otherwise the argument that is the timeout: a
 * pointer for which NULL means "for ever", or a number of milliseconds
 * for which a negative one does). */
static const struct {
	const char *name;
	enum call_shape shape;
	int8_t timeout_arg;
	bool timeout_is_ms;
} calls[] = {
	{ "read", SHAPE_FD_IN, -1, false }, { "readv", SHAPE_FD_IN, -1, false },
	{ "pread64", SHAPE_FD_IN, -1, false }, { "preadv", SHAPE_FD_IN, -1, false },
	{ "preadv2", SHAPE_FD_IN, -1, false }, { "recvfrom", SHAPE_FD_IN, -1, false },
	{ "recvmsg", SHAPE_FD_IN, -1, false }, { "recvmmsg", SHAPE_FD_IN, 4, false },
	{ "recv", SHAPE_FD_IN, -1, false },
	{ "write", SHAPE_FD_OUT, -1, false }, { "writev", SHAPE_FD_OUT, -1, false },
	{ "pwrite64", SHAPE_FD_OUT, -1, false }, { "pwritev", SHAPE_FD_OUT, -1, false },
	{ "pwritev2", SHAPE_FD_OUT, -1, false }, { "sendto", SHAPE_FD_OUT, -1, false },
	{ "sendmsg", SHAPE_FD_OUT, -1, false }, { "sendmmsg", SHAPE_FD_OUT, -1, false },
	{ "send", SHAPE_FD_OUT, -1, false },
	{ "accept", SHAPE_ACCEPT, -1, false }, { "accept4", SHAPE_ACCEPT, -1, false },
	{ "connect", SHAPE_CONNECT, -1, false },
	{ "flock", SHAPE_FLOCK, -1, false }, { "fcntl", SHAPE_FCNTL, -1, false },
	{ "fcntl64", SHAPE_FCNTL, -1, false },
	{ "epoll_wait", SHAPE_EPOLL, 3, true }, { "epoll_pwait", SHAPE_EPOLL, 3, true },
	{ "epoll_pwait2", SHAPE_EPOLL, 3, false },
	{ "poll", SHAPE_POLL, 2, true }, { "ppoll", SHAPE_POLL, 2, false },
	{ "ppoll_time64", SHAPE_POLL, 2, false },
	{ "select", SHAPE_SELECT, 4, false }, { "_newselect", SHAPE_SELECT, 4, false },
	{ "pselect6", SHAPE_SELECT, 4, false }, { "pselect6_time64", SHAPE_SELECT, 4, false },
	{ "wait4", SHAPE_WAIT4, -1, false }, { "waitid", SHAPE_WAITID, -1, false },
	{ "lseek", SHAPE_FD_KLOCK, -1, false }, { "_llseek", SHAPE_FD_KLOCK, -1, false },
	{ "getdents", SHAPE_FD_KLOCK, -1, false }, { "getdents64", SHAPE_FD_KLOCK, -1, false },
	{ "fsync", SHAPE_FD_KLOCK, -1, false }, { "fdatasync", SHAPE_FD_KLOCK, -1, false },
	{ "ftruncate", SHAPE_FD_KLOCK, -1, false }, { "fallocate", SHAPE_FD_KLOCK, -1, false },
};

/* System calls that work on a descriptor, and which arguments hold it:
 * those a task can be inside while it holds a file's or pipe's kernel
 * lock (the hint of describe_kernel_lock). Besides the table above's. */
static const struct {
	const char *name;
	int8_t arg, arg2;		/* arg2: -1 none */
} fd_calls[] = {
	{ .name = "splice", .arg = 0, .arg2 = 2 },
	{ .name = "copy_file_range", .arg = 0, .arg2 = 2 },
	{ .name = "sendfile", .arg = 0, .arg2 = 1 },
	{ .name = "sendfile64", .arg = 0, .arg2 = 1 },
	{ .name = "tee", .arg = 0, .arg2 = 1 },
	{ .name = "vmsplice", .arg = 0, .arg2 = -1 },
	{ .name = "ioctl", .arg = 0, .arg2 = -1 },
	{ .name = "fstat", .arg = 0, .arg2 = -1 },
	{ .name = "sync_file_range", .arg = 0, .arg2 = -1 },
	{ .name = "fadvise64", .arg = 0, .arg2 = -1 },
};

static int call_index(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
		if (strcmp(calls[i].name, name) == 0)
			return (int)i;
	return -1;
}

static const char *pooled(struct ctx *c, const char *s)
{
	return pi_strpool_intern(&c->r->target->strings, s);
}

static uint64_t path_key(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603u;	/* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211u;
	return h | PATH_KEY_BIT;
}

/* --- The index of every descriptor on the machine. ------------------------- */

static int compare_entries(const void *a, const void *b)
{
	const struct fd_entry *x = a, *y = b;
	if (x->key != y->key)
		return (x->key > y->key) - (x->key < y->key);
	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* One pass over /proc/[0-9]*\/fd: pipes, sockets and paths. Built when a
 * first wait needs holders, once per run, within the time budget. */
static void build_index(struct run *r)
{
	if (r->index_built)
		return;
	r->index_built = true;
	int root = pi_proc_open_root();
	if (root < 0) {
		r->index_err = root;
		return;
	}
	int *pids = NULL, *fds = NULL;
	size_t npids, nfds, pids_cap = 0, fds_cap = 0;
	bool cut;
	r->index_err = pi_proc_list_ids(root, ".", MAX_PROCESSES, &pids, &npids, &pids_cap, &cut);
	close(root);
	for (size_t i = 0; !r->index_err && i < npids; i++) {
		if (pi_deadline_passed(&r->target->deadline)) {
			r->index_err = -PI_ERR_TIMEOUT;
			break;
		}
		int procfd = pi_proc_open(pids[i]);
		if (procfd < 0)
			continue;	/* gone, or not ours to read: see holders_unknown */
		int err = pi_proc_list_ids(procfd, "fd", MAX_FDS, &fds, &nfds, &fds_cap, &cut);
		if (err == -EACCES || err == -EPERM || cut)
			r->index_partial = true;
		if (!err) {
			for (size_t j = 0; j < nfds; j++) {
				struct pi_fd_link link;
				/* A process may hold a million descriptors. */
				if (j % 1024 == 1023 && pi_deadline_passed(&r->target->deadline)) {
					r->index_err = -PI_ERR_TIMEOUT;
					break;
				}
				if (pi_proc_fd_link(procfd, fds[j], &r->link, &link) != 0)
					continue;
				uint64_t key;
				if (link.kind == PI_FD_PIPE || link.kind == PI_FD_SOCKET)
					key = link.inode & ~PATH_KEY_BIT;
				else if (link.kind == PI_FD_PATH)
					key = path_key(r->link.data, r->link.len);
				else
					continue;
				pi_xgrow(&r->index, &r->index_cap, r->nindex + 1, sizeof *r->index);
				r->index[r->nindex++] = (struct fd_entry){ key, pids[i], fds[j], -1 };
			}
		}
		close(procfd);
	}
	free(pids);
	free(fds);
	if (r->nindex > 1)
		qsort(r->index, r->nindex, sizeof *r->index, compare_entries);
}

static enum pi_fd_access entry_access(struct run *r, struct fd_entry *e)
{
	if (e->access == -1) {
		struct pi_fdinfo info;
		int procfd = pi_proc_open(e->pid);
		e->access = -2;
		if (procfd >= 0) {
			if (pi_proc_fdinfo(procfd, e->fd, &r->buf, &info, NULL, 0) == 0)
				e->access = (int8_t)pi_fd_access_of(info.flags);
			close(procfd);
		}
	}
	return e->access < 0 ? PI_FD_READ_WRITE : (enum pi_fd_access)e->access;
}

static void add_peer(struct pi_wait_object *o, pid_t pid, int fd)
{
	for (size_t i = 0; i < o->npeers; i++)
		if (o->peers[i].pid == pid)
			return;		/* one line per process, its first descriptor */
	o->peers_total++;
	if (o->npeers < PI_WAIT_MAX_PEERS)
		o->peers[o->npeers++] = (struct pi_wait_peer){ .pid = pid, .fd = fd, .state = '?' };
}

/* The holders of key (other than own_pid's own_fd) that can give what o
 * needs. fifo_path: a path key, confirmed on the path and inode. */
static void find_holders(struct ctx *c, struct pi_wait_object *o, uint64_t key, int own_fd,
			 const char *fifo_path, uint64_t fifo_inode)
{
	struct run *r = c->r;
	build_index(r);
	struct fd_entry probe = { .key = key, .pid = INT32_MIN, .fd = INT32_MIN };
	size_t lo = 0, hi = r->nindex;
	while (lo < hi) {	/* the first entry with this key */
		size_t mid = lo + (hi - lo) / 2;
		if (compare_entries(&r->index[mid], &probe) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < r->nindex && r->index[i].key == key; i++) {
		struct fd_entry *e = &r->index[i];
		if (e->pid == c->pid && e->fd == own_fd)
			continue;
		if (fifo_path) {
			int procfd = pi_proc_open(e->pid);
			struct pi_fd_link link;
			struct pi_fdinfo info;
			bool same = procfd >= 0 && pi_proc_fd_link(procfd, e->fd, &r->link, &link) == 0
				    && strcmp(r->link.data, fifo_path) == 0
				    && pi_proc_fdinfo(procfd, e->fd, &r->buf, &info, NULL, 0) == 0
				    && info.inode == fifo_inode;
			if (procfd >= 0)
				close(procfd);
			if (!same)
				continue;
		}
		if (o->need == PI_NEED_WRITER || o->need == PI_NEED_READER) {
			enum pi_fd_access a = entry_access(r, e);
			if ((o->need == PI_NEED_WRITER && a == PI_FD_READ) || (o->need == PI_NEED_READER && a == PI_FD_WRITE))
				continue;
		}
		add_peer(o, e->pid, e->fd);
	}
	/* A process pinspect may not look into may hold it too. */
	o->peers_partial = r->index_partial || r->index_err;
	if (r->index_err && !o->err && o->npeers == 0)
		o->err = r->index_err;
}

/* --- The socket tables. ---------------------------------------------------- */

static void add_inet(void *arg, const struct pi_inet_socket *k)
{
	struct ctx *c = arg;
	pi_xgrow(&c->inet, &c->inet_cap, c->ninet + 1, sizeof *c->inet);
	c->inet[c->ninet++] = *k;
}

static void add_unix(void *arg, const struct pi_unix_socket *u)
{
	struct ctx *c = arg;
	pi_xgrow(&c->unix_socks, &c->unix_cap, c->nunix + 1, sizeof *c->unix_socks);
	c->unix_socks[c->nunix++] = *u;
}

/* The sock_diag socket of the network namespace (inode ino) c's process
 * is in: made once per run by a child that enters it through the
 * process's own ns/net, opened here; the namespace is checked to be the
 * one seen before (the process may have moved, or exited and its PID
 * been reused). */
static void netns_diag(struct ctx *c, uint64_t ino)
{
	struct run *r = c->r;
	for (size_t i = 0; i < r->nnetns_diags; i++)
		if (r->netns_diags[i].ino == ino) {
			c->netns_diag = r->netns_diags[i].diag;
			c->netns_diag_err = r->netns_diags[i].err;
			return;
		}
	if (r->nnetns_diags >= MAX_NETNS_DIAGS) {
		c->netns_diag_err = -PI_ERR_OTHER_NETNS;
		return;
	}
	struct netns_diag nd = { .ino = ino };
	int nsfd = openat(c->procfd, "ns/net", O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (nsfd < 0)
		nd.err = -errno;
	else if (fstat(nsfd, &st) != 0 || st.st_ino != ino)
		nd.err = -PI_ERR_OTHER_NETNS;
	else
		nd.err = pi_sockdiag_open_in(nsfd, NETNS_DIAG_TIMEOUT_MS, &nd.diag);
	if (nsfd >= 0)
		close(nsfd);
	pi_xgrow(&r->netns_diags, &r->netns_diags_cap, r->nnetns_diags + 1, sizeof *r->netns_diags);
	r->netns_diags[r->nnetns_diags++] = nd;
	c->netns_diag = nd.diag;
	c->netns_diag_err = nd.err;
}

/* The socket tables are read when a socket is first met, the UNIX one
 * first (the commonest peer on one machine), the four inet ones only for
 * a socket it does not list. */
static void read_unix_table(struct ctx *c)
{
	struct run *r = c->r;
	size_t skipped;

	if (c->unix_read)
		return;
	c->unix_read = true;
	if (pi_read_at(c->procfd, "net/unix", &r->buf) == 0)
		pi_unix_sockets_parse(r->buf.data, r->buf.len, MAX_TABLE_ROWS, add_unix, c, &skipped);

	/* A sock_diag socket answers for the namespace it was made in. */
	struct stat theirs;
	uint64_t mine;
	if (pi_proc_own_ns("net", &mine) == 0 && fstatat(c->procfd, "ns/net", &theirs, 0) == 0
	    && mine != theirs.st_ino) {
		c->other_netns = true;
		if (c->pid == r->target->pid && !r->target->waits_netns) {
			char text[48];
			snprintf(text, sizeof text, "net:[%llu]", (unsigned long long)theirs.st_ino);
			r->target->waits_netns = pi_xstrdup(text);
		}
		netns_diag(c, theirs.st_ino);
	} else if (!r->diag_tried) {
		r->diag_tried = true;
		r->diag_err = pi_sockdiag_open(&r->diag);
	}
}

static void read_inet_tables(struct ctx *c)
{
	static const struct {
		const char *name;
		bool ipv6;
	} inet_tables[] = { { "net/tcp", false }, { "net/tcp6", true }, { "net/udp", false }, { "net/udp6", true } };
	struct run *r = c->r;
	size_t skipped;

	if (c->inet_read)
		return;
	c->inet_read = true;
	for (size_t i = 0; i < sizeof inet_tables / sizeof inet_tables[0]; i++) {
		if (pi_read_at(c->procfd, inet_tables[i].name, &r->buf) == 0)
			pi_inet_sockets_parse(r->buf.data, r->buf.len, inet_tables[i].ipv6,
					      MAX_TABLE_ROWS - c->ninet, add_inet, c, &skipped);
		if (i == 1)
			c->ntcp = c->ninet;
	}
}

static const struct pi_unix_socket *unix_socket(struct ctx *c, uint64_t inode, bool *twice)
{
	const struct pi_unix_socket *found = NULL;
	*twice = false;
	for (size_t i = 0; i < c->nunix; i++)
		if (c->unix_socks[i].inode == inode) {
			/* A path with a newline can forge a line: an inode seen
			 * twice is not believed. */
			if (found)
				*twice = true;
			found = &c->unix_socks[i];
		}
	return *twice ? NULL : found;
}

static const struct pi_inet_socket *inet_socket(struct ctx *c, uint64_t inode)
{
	for (size_t i = 0; i < c->ninet; i++)
		if (c->inet[i].inode == inode)
			return &c->inet[i];
	return NULL;
}

static bool same_endpoint(const struct pi_inet_endpoint *a, const struct pi_inet_endpoint *b)
{
	return a->port == b->port && memcmp(a->addr, b->addr, 16) == 0;
}

static bool any_address(const struct pi_inet_endpoint *e)
{
	static const uint8_t zero[16];
	return memcmp(e->addr, zero, 16) == 0;
}

/* --- Objects. ------------------------------------------------------------- */

static void describe_socket(struct ctx *c, struct pi_wait_object *o, uint64_t inode)
{
	char text[320], where[80];
	bool twice;
	struct run *r = c->r;

	read_unix_table(c);
	const struct pi_unix_socket *u = unix_socket(c, inode, &twice);
	if (u || twice) {
		static const char *const types[] = { [1] = "stream", [2] = "dgram", [5] = "seqpacket" };
		const char *type = u && u->type < 6 && types[u->type] ? types[u->type] : "socket";
		snprintf(text, sizeof text, "unix %s socket:[%llu]%s%s", type, (unsigned long long)inode,
			 u && u->have_path ? " " : "", u && u->have_path ? u->path : "");
		o->what = pooled(c, text);
		if (u && u->listening) {
			o->need = PI_NEED_CLIENT;
			return;
		}
		o->need = PI_NEED_PEER;
		if (c->other_netns && !c->netns_diag) {
			/* Not entered (not root): said so, the namespace named. */
			o->err = -PI_ERR_OTHER_NETNS;
			return;
		}
		uint64_t peer = 0;
		struct pi_sockdiag *diag = c->other_netns ? c->netns_diag : r->diag;
		int err = diag ? pi_sockdiag_unix_peer(diag, inode, &peer) : r->diag_err;
		if (err)
			o->err = err;
		else if (peer == 0)
			o->where = pooled(c, "no peer (not connected)");
		else
			find_holders(c, o, peer, -1, NULL, 0);
		return;
	}
	read_inet_tables(c);
	const struct pi_inet_socket *k = inet_socket(c, inode);
	if (!k) {
		snprintf(text, sizeof text, "socket:[%llu]", (unsigned long long)inode);
		o->what = pooled(c, text);
		/* Not UNIX, TCP or UDP (netlink, a raw socket...): no peer process. */
		o->need = PI_NEED_NOBODY;
		return;
	}
	bool udp = (size_t)(k - c->inet) >= c->ntcp;	/* tcp and tcp6 were read first */
	char local[72];
	pi_inet_endpoint_format(&k->local, k->ipv6, local, sizeof local);
	if (!udp && k->state == 10) {	/* LISTEN */
		snprintf(text, sizeof text, "tcp %s (listening)", local);
		o->what = pooled(c, text);
		o->need = PI_NEED_CLIENT;
		return;
	}
	pi_inet_endpoint_format(&k->remote, k->ipv6, where, sizeof where);
	snprintf(text, sizeof text, "%s %s -> %s (%s)", udp ? "udp" : "tcp", local, where,
		 pi_tcp_state_name(k->state));
	o->what = pooled(c, text);
	o->need = k->state == 2 ? PI_NEED_SERVER : PI_NEED_PEER;
	if (any_address(&k->remote) && k->remote.port == 0) {
		o->need = PI_NEED_CLIENT;	/* an unconnected UDP socket: anyone may send */
		return;
	}
	/* The other end on this machine: the socket with the endpoints
	 * swapped, or, not yet accepted, the listener on that port. */
	const struct pi_inet_socket *other = NULL, *listener = NULL;
	for (size_t i = 0; i < c->ninet; i++) {
		const struct pi_inet_socket *s = &c->inet[i];
		if (s == k || s->ipv6 != k->ipv6 || ((size_t)i >= c->ntcp) != udp)
			continue;
		if (same_endpoint(&s->local, &k->remote) && same_endpoint(&s->remote, &k->local))
			other = s;
		else if (!udp && s->state == 10 && s->local.port == k->remote.port
			 && (any_address(&s->local) || same_endpoint(&s->local, &k->remote)))
			listener = s;
	}
	if (other && other->inode) {
		find_holders(c, o, other->inode, -1, NULL, 0);
	} else if (listener && listener->inode) {
		o->need = PI_NEED_SERVER;
		o->where = pooled(c, "the listener, which has not accepted it");
		find_holders(c, o, listener->inode, -1, NULL, 0);
	} else {
		snprintf(text, sizeof text, "%s (not on this machine, or in another network namespace)", where);
		o->where = pooled(c, text);
		o->err = -PI_ERR_REMOTE_PEER;
	}
}

/* Fills o for descriptor fd of the process; reading: it waits for data
 * (or a connection), not for room. */
static void describe_fd(struct ctx *c, struct pi_thread *t, struct pi_wait_object *o, int fd, bool reading)
{
	struct pi_fd_link link;
	struct run *r = c->r;

	o->fd = fd;
	o->need = PI_NEED_NOBODY;
	int err = pi_proc_fd_link(c->procfd, fd, &r->link, &link);
	if (err) {
		char text[32];
		snprintf(text, sizeof text, "fd %d", fd);
		o->what = pooled(c, text);
		o->err = err;
		return;
	}
	switch (link.kind) {
	case PI_FD_PIPE:
		o->what = pooled(c, r->link.data);
		o->need = reading ? PI_NEED_WRITER : PI_NEED_READER;
		find_holders(c, o, link.inode & ~PATH_KEY_BIT, fd, NULL, 0);
		return;
	case PI_FD_SOCKET:
		describe_socket(c, o, link.inode);
		return;
	case PI_FD_PATH: {
		o->what = pooled(c, r->link.data);
		/* A FIFO blocks in the pipe code; a regular file does not wait
		 * for a process. (stat() would tell, but could hang on a FUSE
		 * file system its owner controls.) */
		if (!t->facts.wchan || !strstr(t->facts.wchan, "pipe"))
			return;
		struct pi_fdinfo info;
		uint64_t key = path_key(r->link.data, r->link.len);
		if (pi_proc_fdinfo(c->procfd, fd, &r->buf, &info, NULL, 0) != 0 || !info.inode)
			return;
		o->need = reading ? PI_NEED_WRITER : PI_NEED_READER;
		find_holders(c, o, key, fd, o->what, info.inode);
		return;
	}
	default:
		o->what = pooled(c, r->link.data);
		return;
	}
}

static void describe_fd_once(struct ctx *c, struct pi_thread *t, struct pi_wait_object *o, int fd, bool reading)
{
	bool pipe_wchan = t->facts.wchan && strstr(t->facts.wchan, "pipe");
	for (size_t i = 0; i < c->ndescribed; i++) {
		const struct described *d = &c->described[i];
		if (d->fd != fd || d->reading != reading || d->pipe_wchan != pipe_wchan || d->klock)
			continue;
		struct pi_wait_peer *peers = o->peers;
		*o = *d->o;
		o->peers = peers;
		memcpy(peers, d->o->peers, d->o->npeers * sizeof *peers);
		return;
	}
	describe_fd(c, t, o, fd, reading);
	if (c->ndescribed < MAX_DESCRIBED) {
		pi_xgrow(&c->described, &c->described_cap, c->ndescribed + 1, sizeof *c->described);
		c->described[c->ndescribed++] = (struct described){ fd, reading, pipe_wchan, 0, o };
	}
}

/* --- Kernel locks: a hint. ------------------------------------------------- */

/* A kernel symbol as a stack frame or wchan gives it, without its offset
 * and compiler suffix ("__mutex_lock.constprop.0+0x1a/0x30"). */
static void symbol_name(const char *frame, char *out, size_t size)
{
	size_t n = 0;
	while (frame[n] && frame[n] != '+' && frame[n] != '.' && frame[n] != ' ' && n + 1 < size)
		n++;
	memcpy(out, frame, n);
	out[n] = 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The sleeping locks' own functions: older kernels show them in the
 * stack, newer ones leave them out with the scheduler. */
static bool lock_function(const char *name)
{
	static const char *const prefixes[] = { "mutex_lock", "__mutex_lock", "rwsem_down", "down_write",
						"down_read", "__down", "rt_mutex", "schedule", "__schedule" };
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* The lock a function that takes one sleeps on, by its name. */
static enum pi_kernel_lock lock_of_function(const char *name)
{
	if (strstr(name, "pipe_read") || strstr(name, "pipe_write"))
		return PI_KLOCK_PIPE;	/* a pipe's own wait is interruptible (S): in D, its mutex */
	if (strstr(name, "fdget_pos"))
		return PI_KLOCK_FILE_POS;
	if (has_suffix(name, "_file_write_iter") || has_suffix(name, "_buffered_write_iter")
	    || strcmp(name, "iterate_dir") == 0 || strcmp(name, "do_truncate") == 0)
		return PI_KLOCK_INODE;
	return PI_KLOCK_NONE;
}

enum pi_kernel_lock pi_waits_kernel_lock(char state, const char *wchan, const char *const *kstack, size_t nkstack)
{
	char name[128];
	if (state != 'D')
		return PI_KLOCK_NONE;
	/* The function that called the lock: the first frame past the lock's
	 * own functions, or the wait channel when the stack is not known. */
	for (size_t i = 0; i < nkstack; i++) {
		symbol_name(kstack[i], name, sizeof name);
		if (!lock_function(name))
			return lock_of_function(name);
	}
	if (!wchan)
		return PI_KLOCK_NONE;
	symbol_name(wchan, name, sizeof name);
	return lock_of_function(name);
}

static const char *const kernel_lock_words[] = {
	[PI_KLOCK_PIPE] = "the pipe's lock (its mutex), in D",
	[PI_KLOCK_FILE_POS] = "the open file's position lock (f_pos_lock), in D",
	[PI_KLOCK_INODE] = "the file's inode lock (i_rwsem), in D",
};

/* The descriptor argument(s) of system call name, or false. */
static bool fd_args(const char *name, int *a, int *b)
{
	*b = -1;
	int call = call_index(name);
	if (call >= 0) {
		enum call_shape sh = calls[call].shape;
		*a = 0;
		return sh == SHAPE_FD_IN || sh == SHAPE_FD_OUT || sh == SHAPE_FD_KLOCK || sh == SHAPE_FLOCK
		       || sh == SHAPE_FCNTL;
	}
	for (size_t i = 0; name && i < sizeof fd_calls / sizeof fd_calls[0]; i++)
		if (strcmp(fd_calls[i].name, name) == 0) {
			*a = fd_calls[i].arg;
			*b = fd_calls[i].arg2;
			return true;
		}
	return false;
}

/* The threads of process pid now in a system call on its descriptor fd
 * (and not waiting for the same lock): the probable holders. */
static void threads_on_fd(struct ctx *c, struct pi_wait_object *o, pid_t pid, int fd, pid_t waiter,
			  enum pi_kernel_lock lock)
{
	struct run *r = c->r;
	int *tids = NULL;
	size_t n = 0, cap = 0;
	bool cut;
	int procfd = pi_proc_open(pid);
	if (procfd < 0)
		return;
	enum pi_abi abi = PI_ABI_NATIVE;
	if (pi_exe_abi(procfd, &abi) != 0)
		abi = PI_ABI_NATIVE;
	if (pi_proc_list_ids(procfd, "task", MAX_CHAIN_THREADS, &tids, &n, &cap, &cut) != 0)
		n = 0;
	if (cut)
		o->peers_partial = true;
	for (size_t i = 0; i < n; i++) {
		char path[64], wchan[PI_WCHAN_MAX];
		struct pi_syscall sc;
		int a, b;
		if (tids[i] == waiter)
			continue;
		if (i % 256 == 255 && pi_deadline_passed(&r->target->deadline)) {
			o->peers_partial = true;
			break;
		}
		snprintf(path, sizeof path, "task/%d/syscall", tids[i]);
		if (pi_read_at(procfd, path, &r->buf) != 0 || pi_syscall_parse(r->buf.data, r->buf.len, &sc) != 0
		    || sc.kind != PI_SYSCALL_IN)
			continue;
		const char *name = pi_syscall_name(abi, sc.nr);
		if (!name || !fd_args(name, &a, &b)
		    || ((int)(int32_t)sc.args[a] != fd && (b < 0 || (int)(int32_t)sc.args[b] != fd)))
			continue;
		/* One that waits for the same lock (D), or sleeps in the
		 * pipe's own wait (S, its mutex let go), does not hold it. */
		snprintf(path, sizeof path, "task/%d/wchan", tids[i]);
		if (pi_read_at(procfd, path, &r->buf) == 0
		    && pi_wchan_parse(r->buf.data, r->buf.len, wchan, sizeof wchan) == 0
		    && pi_waits_kernel_lock('D', wchan, NULL, 0) == lock)
			continue;
		o->peers_total++;
		if (o->npeers < PI_WAIT_MAX_PEERS)
			o->peers[o->npeers++] = (struct pi_wait_peer){ .pid = pid, .fd = fd, .state = '?',
								     .tid = tids[i], .syscall = pooled(c, name) };
	}
	free(tids);
	close(procfd);
}

/* Thread t is in D on a kernel lock of the pipe or file open as fd: the
 * tasks now in a system call on the same object are named as its
 * probable holders, and said to be a guess. */
static void describe_kernel_lock(struct ctx *c, struct pi_thread *t, struct pi_wait_object *o, int fd,
				 enum pi_kernel_lock lock)
{
	struct pi_fd_link link;
	struct pi_fdinfo info;
	struct run *r = c->r;
	char text[32];

	o->fd = fd;
	o->need = PI_NEED_KERNEL_LOCK;
	o->where = pooled(c, kernel_lock_words[lock]);
	int err = pi_proc_fd_link(c->procfd, fd, &r->link, &link);
	if (err) {
		snprintf(text, sizeof text, "fd %d", fd);
		o->what = pooled(c, text);
		o->err = err;
		return;
	}
	o->what = pooled(c, r->link.data);
	uint64_t key, inode = 0;
	if (link.kind == PI_FD_PIPE) {
		key = link.inode & ~PATH_KEY_BIT;
	} else if (link.kind == PI_FD_PATH) {
		key = path_key(r->link.data, r->link.len);
		if (pi_proc_fdinfo(c->procfd, fd, &r->buf, &info, NULL, 0) == 0)
			inode = info.inode;
	} else {
		return;		/* a socket has none of these locks */
	}
	char *path = link.kind == PI_FD_PATH ? pi_xstrdup(o->what) : NULL;
	build_index(r);
	size_t looked = 0;	/* descriptors on it whose processes' threads were read: bounded */
	for (size_t i = 0; i < r->nindex && looked < MAX_KLOCK_HOLDERS; i++) {
		struct fd_entry *e = &r->index[i];
		if (e->key != key)
			continue;
		if (path) {	/* the same path, and the same file by inode when known */
			int procfd = pi_proc_open(e->pid);
			bool same = procfd >= 0 && pi_proc_fd_link(procfd, e->fd, &r->link, &link) == 0
				    && strcmp(r->link.data, path) == 0
				    && (!inode || (pi_proc_fdinfo(procfd, e->fd, &r->buf, &info, NULL, 0) == 0
						   && info.inode == inode));
			if (procfd >= 0)
				close(procfd);
			if (!same)
				continue;
		}
		looked++;
		threads_on_fd(c, o, e->pid, e->fd, t->facts.tid, lock);
	}
	if (looked == MAX_KLOCK_HOLDERS)
		o->peers_partial = true;
	free(path);
	o->peers_partial |= r->index_partial || r->index_err;
}

/* describe_kernel_lock, once per (descriptor, lock) of the process: a
 * thousand writers behind one pipe's mutex share the guess. Those in D
 * on the same lock are left out of it, the others' threads as well. */
static void describe_kernel_lock_once(struct ctx *c, struct pi_thread *t, struct pi_wait_object *o, int fd,
				      enum pi_kernel_lock lock)
{
	for (size_t i = 0; i < c->ndescribed; i++) {
		const struct described *d = &c->described[i];
		if (d->fd != fd || d->klock != (int8_t)lock)
			continue;
		struct pi_wait_peer *peers = o->peers;
		*o = *d->o;
		o->peers = peers;
		o->npeers = 0;
		o->peers_total = 0;
		for (size_t k = 0; k < d->o->npeers; k++)
			if (d->o->peers[k].tid != t->facts.tid) {
				o->peers[o->npeers++] = d->o->peers[k];
				o->peers_total++;
			}
		o->peers_total += d->o->peers_total - d->o->npeers;
		return;
	}
	describe_kernel_lock(c, t, o, fd, lock);
	if (c->ndescribed < MAX_DESCRIBED) {
		pi_xgrow(&c->described, &c->described_cap, c->ndescribed + 1, sizeof *c->described);
		c->described[c->ndescribed++] = (struct described){ fd, false, false, (int8_t)lock, o };
	}
}

/* --- File locks. ---------------------------------------------------------- */

static void add_lock(void *arg, const struct pi_file_lock *l)
{
	struct run *r = arg;
	pi_xgrow(&r->locks, &r->locks_cap, r->nlocks + 1, sizeof *r->locks);
	r->locks[r->nlocks++] = *l;
}

static void read_locks(struct run *r)
{
	if (r->locks_read)
		return;
	r->locks_read = true;
	int root = pi_proc_open_root();
	if (root < 0) {
		r->locks_err = root;
		return;
	}
	size_t skipped;
	bool cut;
	r->locks_err = pi_read_at(root, "locks", &r->buf);
	close(root);
	if (!r->locks_err)
		pi_file_locks_parse(r->buf.data, r->buf.len, MAX_TABLE_ROWS, add_lock, r, &skipped, &cut);
}

/* The holders of a flock or OFD lock: such a lock belongs to an open file,
 * not to a process (/proc/locks names whoever took it, who may have
 * closed it since, and -1 for OFD locks), so the holders are the
 * processes with a descriptor whose fdinfo lists it held. They are
 * looked for among the descriptors open on the same path. */
static void lock_holders(struct ctx *c, struct pi_wait_object *o, const struct pi_file_lock *h, const char *path,
			 int own_fd)
{
	struct run *r = c->r;
	if (!path) {
		o->err = -PI_ERR_LOCK_HOLDER_UNSEEN;
		return;
	}
	build_index(r);
	uint64_t key = path_key(path, strlen(path));
	for (size_t i = 0; i < r->nindex; i++) {
		struct fd_entry *e = &r->index[i];
		if (e->key != key || (e->pid == c->pid && e->fd == own_fd))
			continue;
		int procfd = pi_proc_open(e->pid);
		struct pi_fd_link link;
		struct pi_fdinfo info;
		bool holds = procfd >= 0 && pi_proc_fd_link(procfd, e->fd, &r->link, &link) == 0
			     && strcmp(r->link.data, path) == 0
			     && pi_proc_fdinfo(procfd, e->fd, &r->buf, &info, NULL, 0) == 0 && info.lock_held
			     && info.lock_inode == h->inode && info.lock_kind == (int)h->kind;
		if (procfd >= 0)
			close(procfd);
		if (holds)
			add_peer(o, e->pid, e->fd);
	}
	o->peers_partial = r->index_partial || r->index_err;
	if (o->peers_total == 0)
		o->err = -PI_ERR_LOCK_HOLDER_UNSEEN;
}

/* The lock the process waits for on the file open as fd: /proc/locks
 * names the waiter by PID (not for OFD locks) and the file by inode. */
static void describe_lock(struct ctx *c, struct pi_wait_object *o, int fd)
{
	struct pi_fd_link link;
	struct pi_fdinfo info;
	struct run *r = c->r;
	char text[96];

	o->fd = fd;
	o->need = PI_NEED_HOLDER;
	if (pi_proc_fd_link(c->procfd, fd, &r->link, &link) == 0) {
		o->what = pooled(c, r->link.data);
	} else {
		snprintf(text, sizeof text, "fd %d", fd);
		o->what = pooled(c, text);
	}
	int err = pi_proc_fdinfo(c->procfd, fd, &r->buf, &info, NULL, 0);
	if (err || !info.inode) {
		o->err = err ? err : -ENODATA;	/* kernels before 5.14 say no inode */
		return;
	}
	read_locks(r);
	if (r->locks_err) {
		o->err = r->locks_err;
		return;
	}
	/* The path as this process sees it, to find the holders' files by. */
	char *path = o->what[0] == '/' ? pi_xstrdup(o->what) : NULL;
	bool found = false;
	for (size_t i = 0; i < r->nlocks; i++) {
		const struct pi_file_lock *w = &r->locks[i];
		if (w->wait_depth == 0 || !w->have_file || w->inode != info.inode
		    || (w->pid != c->pid && w->pid != -1))
			continue;
		for (size_t j = 0; j < r->nlocks; j++) {
			const struct pi_file_lock *h = &r->locks[j];
			if (h->id != w->id || h->wait_depth != 0)
				continue;
			found = true;
			snprintf(text, sizeof text, "%s %s lock", pi_flock_kind_name(h->kind),
				 h->access == PI_FLOCK_ACCESS_WRITE ? "write" : "read");
			o->where = pooled(c, text);
			if (h->kind == PI_FLOCK_POSIX && h->pid > 0)
				add_peer(o, h->pid, -1);	/* a POSIX lock is its process's */
			else
				lock_holders(c, o, h, path, fd);
		}
	}
	free(path);
	if (!found)
		o->err = -PI_ERR_LOCK_NOT_LISTED;
}

/* --- Locks the target holds that others wait for. ------------------------- */

/* A descriptor of the target open on a file: its inode, and the lock it
 * holds through it (fdinfo's first "lock:" line). */
struct own_file {
	int fd;
	uint64_t inode;
	bool lock_held;
	int lock_kind;
	uint64_t lock_inode;
};

static void add_waiter(struct pi_lock_wanted *lw, pid_t pid)
{
	if (pid <= 0) {
		lw->waiters_unnamed++;	/* an OFD lock's waiter: /proc/locks says -1 */
		return;
	}
	for (size_t i = 0; i < lw->nwaiters; i++)
		if (lw->waiters[i].pid == pid)
			return;
	lw->waiters_total++;
	if (lw->nwaiters < PI_WAIT_MAX_PEERS)
		lw->waiters[lw->nwaiters++] = (struct pi_wait_peer){ .pid = pid, .fd = -1, .state = '?' };
}

/* The target's descriptors on files, with their fdinfo: read only when
 * some lock on the machine has a waiter (most of the time none has). */
static struct own_file *own_files(struct run *r, int procfd, size_t *n)
{
	int *fds = NULL;
	size_t nfds = 0, cap = 0;
	bool cut;
	struct own_file *files = NULL;
	size_t files_cap = 0;
	*n = 0;
	int err = pi_proc_list_ids(procfd, "fd", MAX_FDS, &fds, &nfds, &cap, &cut);
	for (size_t i = 0; !err && i < nfds; i++) {
		struct pi_fd_link link;
		struct pi_fdinfo info;
		if (i % 1024 == 1023 && pi_deadline_passed(&r->target->deadline)) {
			r->target->locks_wanted_err = -PI_ERR_TIMEOUT;
			break;
		}
		if (pi_proc_fd_link(procfd, fds[i], &r->link, &link) != 0 || link.kind != PI_FD_PATH)
			continue;
		if (pi_proc_fdinfo(procfd, fds[i], &r->buf, &info, NULL, 0) != 0)
			continue;
		pi_xgrow(&files, &files_cap, *n + 1, sizeof *files);
		files[(*n)++] = (struct own_file){ fds[i], info.inode, info.lock_held, info.lock_kind, info.lock_inode };
	}
	if (err)
		r->target->locks_wanted_err = err;
	free(fds);
	return files;
}

/* Lookups by binary search over indexes sorted once (key, then position,
 * so the first match is the first in the original order): /proc/locks is
 * every user's to fill, and a target may hold a million locks and open
 * as many files; a pass over all of one per entry of the other would
 * take hours. */
static int compare_waiter(const void *a, const void *b, void *arg)
{
	const struct pi_file_lock *locks = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	if (locks[x].id != locks[y].id)
		return locks[x].id < locks[y].id ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int compare_file_inode(const void *a, const void *b, void *arg)
{
	const struct own_file *files = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	if (files[x].inode != files[y].inode)
		return files[x].inode < files[y].inode ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int compare_file_lock(const void *a, const void *b, void *arg)
{
	const struct own_file *files = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	if (files[x].lock_inode != files[y].lock_inode)
		return files[x].lock_inode < files[y].lock_inode ? -1 : 1;
	if (files[x].lock_kind != files[y].lock_kind)
		return files[x].lock_kind < files[y].lock_kind ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* The first of idx[0..n) (sorted) whose key is not below the wanted
 * one (below: is entry i's key below it?). */
static size_t lower_bound(const size_t *idx, size_t n, int (*below)(size_t, const void *), const void *want)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (below(idx[mid], want))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct lock_key {
	const struct pi_file_lock *locks;
	const struct own_file *files;
	uint64_t id, inode;
	int kind;
};

static int waiter_below(size_t i, const void *arg)
{
	const struct lock_key *k = arg;
	return k->locks[i].id < k->id;
}

static int file_inode_below(size_t i, const void *arg)
{
	const struct lock_key *k = arg;
	return k->files[i].inode < k->inode;
}

static int file_lock_below(size_t i, const void *arg)
{
	const struct lock_key *k = arg;
	const struct own_file *f = &k->files[i];
	return f->lock_inode < k->inode || (f->lock_inode == k->inode && f->lock_kind < k->kind);
}

void pi_waits_locks_wanted(struct run *r, int procfd)
{
	struct pi_process *p = r->target;
	read_locks(r);
	if (r->locks_err) {
		p->locks_wanted_err = r->locks_err;
		return;
	}
	size_t nwaiting = 0;
	for (size_t i = 0; i < r->nlocks; i++)
		nwaiting += r->locks[i].wait_depth > 0;
	if (!nwaiting)
		return;
	size_t nfiles;
	struct own_file *files = own_files(r, procfd, &nfiles);
	size_t *waiting = pi_xcalloc(nwaiting, sizeof *waiting);
	for (size_t i = 0, k = 0; i < r->nlocks; i++)
		if (r->locks[i].wait_depth > 0)
			waiting[k++] = i;
	qsort_r(waiting, nwaiting, sizeof *waiting, compare_waiter, r->locks);
	size_t *by_inode = pi_xcalloc(nfiles + 1, sizeof *by_inode);
	size_t *by_lock = pi_xcalloc(nfiles + 1, sizeof *by_lock);
	size_t nheld = 0;
	for (size_t j = 0; j < nfiles; j++) {
		by_inode[j] = j;
		if (files[j].lock_held)
			by_lock[nheld++] = j;
	}
	qsort_r(by_inode, nfiles, sizeof *by_inode, compare_file_inode, files);
	qsort_r(by_lock, nheld, sizeof *by_lock, compare_file_lock, files);
	for (size_t i = 0; i < r->nlocks; i++) {
		const struct pi_file_lock *h = &r->locks[i];
		if (h->wait_depth != 0 || !h->have_file)
			continue;
		/* A POSIX lock is its process's; a flock or OFD lock is held
		 * through an open file, which the target's fdinfo lists. */
		const struct own_file *via = NULL, *on_file = NULL;
		struct lock_key key = { r->locks, files, h->id, h->inode, (int)h->kind };
		size_t at = lower_bound(by_lock, nheld, file_lock_below, &key);
		if (at < nheld && files[by_lock[at]].lock_inode == h->inode
		    && files[by_lock[at]].lock_kind == (int)h->kind)
			via = &files[by_lock[at]];
		at = lower_bound(by_inode, nfiles, file_inode_below, &key);
		if (at < nfiles && files[by_inode[at]].inode == h->inode)
			on_file = &files[by_inode[at]];
		bool holds = h->kind == PI_FLOCK_POSIX ? h->pid == p->pid
			   : (h->kind == PI_FLOCK_FLOCK || h->kind == PI_FLOCK_OFD) && via;
		if (!holds)
			continue;
		struct pi_lock_wanted lw = { .inode = h->inode, .fd = -1, .kind = (int)h->kind,
					     .write = h->access == PI_FLOCK_ACCESS_WRITE };
		lw.waiters = pi_xcalloc(PI_WAIT_MAX_PEERS, sizeof *lw.waiters);
		for (at = lower_bound(waiting, nwaiting, waiter_below, &key);
		     at < nwaiting && r->locks[waiting[at]].id == h->id; at++)
			add_waiter(&lw, r->locks[waiting[at]].pid);
		if (lw.waiters_total == 0 && lw.waiters_unnamed == 0) {
			free(lw.waiters);
			continue;
		}
		p->locks_wanted_total++;
		if (p->nlocks_wanted == PI_WAIT_MAX_OBJECTS) {
			free(lw.waiters);
			continue;
		}
		if (!via)
			via = on_file;
		if (via) {
			struct pi_fd_link link;
			lw.fd = via->fd;
			if (pi_proc_fd_link(procfd, via->fd, &r->link, &link) == 0)
				lw.path = pi_strpool_intern(&p->strings, r->link.data);
		}
		if (!p->locks_wanted)
			p->locks_wanted = pi_xcalloc(PI_WAIT_MAX_OBJECTS, sizeof *p->locks_wanted);
		p->locks_wanted[p->nlocks_wanted++] = lw;
	}
	free(by_lock);
	free(by_inode);
	free(waiting);
	free(files);
}

/* --- Children. ------------------------------------------------------------ */

static void describe_children(struct ctx *c, struct pi_wait_object *o, const struct pi_thread *threads,
			      size_t nthreads, pid_t only)
{
	pid_t *children = NULL;
	size_t n = 0, cap = 0;
	struct run *r = c->r;

	o->fd = -1;
	o->need = PI_NEED_CHILD;
	o->what = pooled(c, only > 0 ? "a child" : "its children");
	for (size_t i = 0; i < nthreads && n < MAX_CHILDREN; i++) {
		char name[48];
		snprintf(name, sizeof name, "task/%d/children", (int)threads[i].facts.tid);
		if (pi_read_at(c->procfd, name, &r->buf) == 0)
			pi_children_parse(r->buf.data, r->buf.len, &children, &n, &cap);
	}
	for (size_t i = 0; i < n; i++)
		if (only <= 0 || children[i] == only)
			add_peer(o, children[i], -1);
	if (o->peers_total == 0)
		o->where = pooled(c, only > 0 ? "no such child" : "no children");
	free(children);
}

/* --- A thread. ------------------------------------------------------------ */

static struct pi_wait_object *new_objects(size_t n)
{
	struct pi_wait_object *o = pi_xcalloc(n, sizeof *o);
	for (size_t i = 0; i < n; i++) {
		o[i].fd = -1;
		o[i].peers = pi_xcalloc(PI_WAIT_MAX_PEERS, sizeof *o[i].peers);
	}
	return o;
}

/* Does the process catch SIGCHLD (SigCgt), with children to send it? A
 * child's exit then runs its handler, which can end any wait (EINTR, or
 * pselect's and ppoll's mask let it in: make waits for a job server
 * token or a child so), so its children can wake it as well as the
 * peers of what it waits on. *kids gets them (its peers allocated) when
 * true. */
static bool children_may_wake(struct ctx *c, struct pi_wait_object *kids, const struct pi_thread *threads,
			      size_t nthreads)
{
	if (c->sigchld == 0) {
		struct pi_status st;
		c->sigchld = -1;
		if (pi_read_at(c->procfd, "status", &c->r->buf) == 0
		    && pi_status_parse(c->r->buf.data, c->r->buf.len, &st) == 0
		    && (st.have & PI_STATUS_SIGMASKS) && (st.sig_caught & (UINT64_C(1) << (SIGCHLD - 1))))
			c->sigchld = 1;
	}
	if (c->sigchld < 0)
		return false;
	/* Read once per process: a thousand waiting threads share them. */
	if (!c->kids.peers) {
		c->kids.fd = -1;
		c->kids.peers = pi_xcalloc(PI_WAIT_MAX_PEERS, sizeof *c->kids.peers);
		describe_children(c, &c->kids, threads, nthreads, 0);
		c->kids.what = pooled(c, "its children (it catches SIGCHLD: a child that exits ends the wait)");
		c->kids.where = NULL;
	}
	if (c->kids.peers_total == 0)
		return false;
	*kids = c->kids;
	kids->peers = pi_xcalloc(PI_WAIT_MAX_PEERS, sizeof *kids->peers);
	memcpy(kids->peers, c->kids.peers, c->kids.npeers * sizeof *kids->peers);
	return true;
}

static void add_kids(struct pi_wait_for *w, struct pi_wait_object *kids, size_t extra)
{
	if (!extra)
		return;
	free(w->objects[w->nobjects].peers);
	w->objects[w->nobjects++] = *kids;
	w->objects_total++;
}

/* The descriptors a poll() waits on: its array in the thread's memory. */
static size_t poll_fds(struct ctx *c, const struct pi_syscall *sc, int *fds, bool *reading, size_t cap,
		       size_t *total)
{
	struct pollfd pf[PI_WAIT_MAX_OBJECTS];
	size_t want = sc->args[1] < cap ? (size_t)sc->args[1] : cap;
	*total = sc->args[1] > SIZE_MAX ? SIZE_MAX : (size_t)sc->args[1];
	ssize_t got = want ? pi_mem_read(c->pid, sc->args[0], pf, want * sizeof *pf) : 0;
	if (got < 0)
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < (size_t)got / sizeof *pf; i++) {
		if (pf[i].fd < 0)
			continue;
		fds[n] = pf[i].fd;
		reading[n++] = (pf[i].events & (POLLOUT | POLLWRNORM)) == 0;
	}
	return n;
}

/* select(): the descriptors set in its read and write sets. */
static size_t select_fds(struct ctx *c, const struct pi_syscall *sc, int *fds, bool *reading, size_t cap,
			 size_t *total)
{
	uint8_t bits[FD_SETSIZE / 8];
	size_t nfds = sc->args[0] < FD_SETSIZE ? (size_t)sc->args[0] : FD_SETSIZE;
	size_t n = 0;
	*total = 0;
	for (int set = 0; set < 2; set++) {
		uint64_t addr = sc->args[1 + set];
		if (!addr)
			continue;
		ssize_t got = pi_mem_read(c->pid, addr, bits, (nfds + 7) / 8);
		if (got < 0)
			continue;
		for (size_t fd = 0; fd < nfds && fd / 8 < (size_t)got; fd++)
			if (bits[fd / 8] & (1u << (fd % 8))) {
				(*total)++;
				if (n < cap) {
					fds[n] = (int)fd;
					reading[n++] = set == 0;
				}
			}
	}
	return n;
}

/* Does the call wait until a peer acts, with no timeout of its own? */
static bool waits_forever(int call, const struct pi_syscall *sc)
{
	int arg = calls[call].timeout_arg;
	if (arg < 0)
		return true;
	if (calls[call].timeout_is_ms)
		return (int32_t)sc->args[arg] < 0;
	return sc->args[arg] == 0;	/* a NULL timeout */
}

struct pi_wait_for *pi_waits_thread(struct ctx *c, struct pi_thread *t, const struct pi_thread *threads,
				    size_t nthreads)
{
	const struct pi_syscall *sc = &t->syscall;

	if (t->syscall_err || sc->kind != PI_SYSCALL_IN || t->stat_err || t->facts.state == 'R')
		return NULL;
	const char *name = pi_syscall_name(c->abi, sc->nr);
	if (pi_waits_futex_call(name))
		return pi_waits_mutex(c, t);
	int call = call_index(name);
	if (call < 0)
		return NULL;
	enum call_shape shape = calls[call].shape;
	if (shape == SHAPE_FCNTL && sc->args[1] != F_SETLKW_NR && sc->args[1] != F_OFD_SETLKW_NR
	    && !(c->abi == PI_ABI_I386 && sc->args[1] == F_SETLKW64_NR))
		return NULL;

	enum pi_kernel_lock klock = PI_KLOCK_NONE;
	if (shape == SHAPE_FD_IN || shape == SHAPE_FD_OUT || shape == SHAPE_FD_KLOCK)
		klock = pi_waits_kernel_lock(t->facts.state, t->facts.wchan, t->kstack_err ? NULL : t->kstack.v,
					     t->kstack_err ? 0 : t->kstack.n);
	if (shape == SHAPE_FD_KLOCK && klock == PI_KLOCK_NONE)
		return NULL;

	struct pi_wait_for *w = pi_xcalloc(1, sizeof *w);
	w->syscall = pooled(c, name);
	w->forever = waits_forever(call, sc);
	w->chain_end = PI_CHAIN_UNKNOWN;
	int fd0 = (int)(int32_t)sc->args[0];
	int fds[PI_WAIT_MAX_OBJECTS];
	bool reading[PI_WAIT_MAX_OBJECTS];
	size_t n = 0, total = 0;

	if (klock != PI_KLOCK_NONE) {
		w->on = PI_WAIT_ON_FD;
		w->objects = new_objects(1);
		w->nobjects = w->objects_total = 1;
		describe_kernel_lock_once(c, t, &w->objects[0], fd0, klock);
		return w;
	}
	/* Its children too, when a child's SIGCHLD can end the wait. */
	struct pi_wait_object kids = { .fd = -1 };
	size_t extra = shape != SHAPE_WAIT4 && shape != SHAPE_WAITID && children_may_wake(c, &kids, threads, nthreads);
	switch (shape) {
	case SHAPE_FD_KLOCK:
		break;	/* not reached: no kernel lock, no wait */
	case SHAPE_FD_IN:
	case SHAPE_FD_OUT:
	case SHAPE_ACCEPT:
	case SHAPE_CONNECT:
		w->on = PI_WAIT_ON_FD;
		w->objects = new_objects(1 + extra);
		w->nobjects = w->objects_total = 1;
		describe_fd_once(c, t, &w->objects[0], fd0, shape != SHAPE_FD_OUT);
		if (shape == SHAPE_CONNECT && w->objects[0].need == PI_NEED_PEER)
			w->objects[0].need = PI_NEED_SERVER;
		add_kids(w, &kids, extra);
		return w;
	case SHAPE_FLOCK:
	case SHAPE_FCNTL:
		w->on = PI_WAIT_ON_FILE_LOCK;
		w->objects = new_objects(1 + extra);
		w->nobjects = w->objects_total = 1;
		describe_lock(c, &w->objects[0], fd0);
		add_kids(w, &kids, extra);
		return w;
	case SHAPE_WAIT4:
	case SHAPE_WAITID: {
		pid_t only = 0;
		if (shape == SHAPE_WAIT4 && (int32_t)sc->args[0] > 0)
			only = (pid_t)(int32_t)sc->args[0];
		else if (shape == SHAPE_WAITID && sc->args[0] == 1 /* P_PID */)
			only = (pid_t)(int32_t)sc->args[1];
		w->on = PI_WAIT_ON_CHILD;
		w->objects = new_objects(1);
		w->nobjects = w->objects_total = 1;
		describe_children(c, &w->objects[0], threads, nthreads, only);
		return w;
	}
	case SHAPE_EPOLL: {
		struct pi_epoll_watch watches[PI_WAIT_MAX_OBJECTS];
		struct pi_fdinfo info;
		w->on = PI_WAIT_ON_POLL;
		w->err = pi_proc_fdinfo(c->procfd, fd0, &c->r->buf, &info, watches, PI_WAIT_MAX_OBJECTS);
		if (!w->err) {
			for (size_t i = 0; i < info.nkept; i++) {
				fds[n] = watches[i].fd;
				reading[n++] = (watches[i].events & POLLOUT) == 0;
			}
			total = info.cut && info.nwatches <= n ? n + 1 : info.nwatches;
		}
		break;
	}
	case SHAPE_POLL:
		w->on = PI_WAIT_ON_POLL;
		n = poll_fds(c, sc, fds, reading, PI_WAIT_MAX_OBJECTS, &total);
		break;
	case SHAPE_SELECT:
		w->on = PI_WAIT_ON_POLL;
		n = select_fds(c, sc, fds, reading, PI_WAIT_MAX_OBJECTS, &total);
		break;
	}
	if (!n && extra) {
		free(kids.peers);	/* nothing known it waits on: the children do not make it known */
		extra = 0;
	}
	w->objects = n ? new_objects(n + extra) : NULL;
	w->nobjects = n;
	w->objects_total = total > n ? total : n;
	for (size_t i = 0; i < n; i++)
		describe_fd_once(c, t, &w->objects[i], fds[i], reading[i]);
	add_kids(w, &kids, extra);
	return w;
}

bool pi_waits_blocks_forever(const struct pi_syscall *sc)
{
	if (sc->kind != PI_SYSCALL_IN)
		return false;
	if (pi_waits_futex_forever(sc, PI_ABI_NATIVE))
		return true;
	int call = call_index(pi_syscall_name(PI_ABI_NATIVE, sc->nr));
	return call >= 0 && calls[call].shape != SHAPE_FD_KLOCK && waits_forever(call, sc);
}
