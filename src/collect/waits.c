#include "collect/waits.h"

#include <errno.h>
#include <poll.h>
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
#include "sys/names.h"
#include "sys/sockdiag.h"
#include "util/buf.h"
#include "util/xalloc.h"

enum {
	MAX_PROCESSES = 1 << 20,	/* processes looked through for holders */
	MAX_FDS = 1 << 20,		/* descriptors of one process */
	MAX_TABLE_ROWS = 1 << 20,	/* sockets, locks */
	MAX_CHILDREN = 4096,
	F_SETLKW_NR = 7,		/* fcntl commands that wait (asm-generic numbers) */
	F_SETLKW64_NR = 14,		/* the same, for 32-bit processes */
	F_OFD_SETLKW_NR = 38,
};

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
};

static const struct {
	const char *name;
	enum call_shape shape;
} calls[] = {
	{ "read", SHAPE_FD_IN }, { "readv", SHAPE_FD_IN }, { "pread64", SHAPE_FD_IN },
	{ "preadv", SHAPE_FD_IN }, { "preadv2", SHAPE_FD_IN }, { "recvfrom", SHAPE_FD_IN },
	{ "recvmsg", SHAPE_FD_IN }, { "recvmmsg", SHAPE_FD_IN }, { "recv", SHAPE_FD_IN },
	{ "write", SHAPE_FD_OUT }, { "writev", SHAPE_FD_OUT }, { "pwrite64", SHAPE_FD_OUT },
	{ "pwritev", SHAPE_FD_OUT }, { "pwritev2", SHAPE_FD_OUT }, { "sendto", SHAPE_FD_OUT },
	{ "sendmsg", SHAPE_FD_OUT }, { "sendmmsg", SHAPE_FD_OUT }, { "send", SHAPE_FD_OUT },
	{ "accept", SHAPE_ACCEPT }, { "accept4", SHAPE_ACCEPT },
	{ "connect", SHAPE_CONNECT },
	{ "flock", SHAPE_FLOCK }, { "fcntl", SHAPE_FCNTL }, { "fcntl64", SHAPE_FCNTL },
	{ "epoll_wait", SHAPE_EPOLL }, { "epoll_pwait", SHAPE_EPOLL }, { "epoll_pwait2", SHAPE_EPOLL },
	{ "poll", SHAPE_POLL }, { "ppoll", SHAPE_POLL }, { "ppoll_time64", SHAPE_POLL },
	{ "select", SHAPE_SELECT }, { "_newselect", SHAPE_SELECT }, { "pselect6", SHAPE_SELECT },
	{ "pselect6_time64", SHAPE_SELECT },
	{ "wait4", SHAPE_WAIT4 }, { "waitid", SHAPE_WAITID },
};

/* An object whose holders the pass over all descriptors looks for. */
struct want {
	uint64_t inode;
	const char *fifo_path;		/* a FIFO: matched by path, then inode */
	struct pi_wait_object *obj;
	pid_t own_pid;			/* the waiter's process... */
	int own_fd;			/* ...and its descriptor, not a peer of itself */
};

/* A process seen as a peer: read once. */
struct peer_info {
	pid_t pid;
	char comm[PI_COMM_MAX + 1];
	char state;
	const char *wchan;
};

struct ctx {
	struct pi_process *p;
	int procfd;
	struct pi_buf buf, link;
	struct want *wants;
	size_t nwants, wants_cap;
	bool have_fifo_wants;
	/* The socket tables of the process's namespace, read when first needed. */
	bool tables_read;
	struct pi_inet_socket *inet;
	size_t ninet, inet_cap;
	size_t ntcp;			/* the first ntcp of inet are TCP's */
	struct pi_unix_socket *unix_socks;
	size_t nunix, unix_cap;
	struct pi_sockdiag *diag;
	int diag_err;
	bool other_netns;
	/* /proc/locks, read when first needed. */
	bool locks_read;
	int locks_err;
	struct pi_file_lock *locks;
	size_t nlocks, locks_cap;
	struct peer_info *peers;
	size_t npeers, peers_cap;
};

static enum call_shape *shape_of(const char *name, enum call_shape *out)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
		if (strcmp(calls[i].name, name) == 0) {
			*out = calls[i].shape;
			return out;
		}
	return NULL;
}

static const char *pooled(struct ctx *c, const char *s)
{
	return pi_strpool_intern(&c->p->strings, s);
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

static void read_tables(struct ctx *c)
{
	static const struct {
		const char *name;
		bool ipv6;
	} inet_tables[] = { { "net/tcp", false }, { "net/tcp6", true }, { "net/udp", false }, { "net/udp6", true } };
	size_t skipped;

	if (c->tables_read)
		return;
	c->tables_read = true;
	for (size_t i = 0; i < sizeof inet_tables / sizeof inet_tables[0]; i++) {
		if (pi_read_at(c->procfd, inet_tables[i].name, &c->buf) == 0)
			pi_inet_sockets_parse(c->buf.data, c->buf.len, inet_tables[i].ipv6,
					      MAX_TABLE_ROWS - c->ninet, add_inet, c, &skipped);
		if (i == 1)
			c->ntcp = c->ninet;
	}
	if (pi_read_at(c->procfd, "net/unix", &c->buf) == 0)
		pi_unix_sockets_parse(c->buf.data, c->buf.len, MAX_TABLE_ROWS, add_unix, c, &skipped);

	/* sock_diag answers for pinspect's own network namespace only. */
	struct stat mine, theirs;
	if (stat("/proc/self/ns/net", &mine) == 0 && fstatat(c->procfd, "ns/net", &theirs, 0) == 0
	    && mine.st_ino != theirs.st_ino) {
		char text[48];
		c->other_netns = true;
		snprintf(text, sizeof text, "net:[%llu]", (unsigned long long)theirs.st_ino);
		c->p->waits_netns = pi_xstrdup(text);
	} else {
		c->diag_err = pi_sockdiag_open(&c->diag);
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

static void want_holders(struct ctx *c, struct pi_wait_object *o, uint64_t inode, const char *fifo_path,
			 int own_fd)
{
	pi_xgrow(&c->wants, &c->wants_cap, c->nwants + 1, sizeof *c->wants);
	c->wants[c->nwants++] = (struct want){
		.inode = inode, .fifo_path = fifo_path, .obj = o, .own_pid = c->p->pid, .own_fd = own_fd,
	};
	if (fifo_path)
		c->have_fifo_wants = true;
}

static void describe_socket(struct ctx *c, struct pi_wait_object *o, uint64_t inode, bool reading)
{
	char text[320], where[80];
	bool twice;

	read_tables(c);
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
		if (c->other_netns) {
			o->err = -PI_ERR_OTHER_NETNS;
			return;
		}
		uint64_t peer = 0;
		int err = c->diag ? pi_sockdiag_unix_peer(c->diag, inode, &peer) : c->diag_err;
		if (err) {
			o->err = err;
		} else if (peer == 0) {
			o->where = pooled(c, "no peer (not connected)");
		} else {
			want_holders(c, o, peer, NULL, -1);
		}
		return;
	}
	const struct pi_inet_socket *k = inet_socket(c, inode);
	if (!k) {
		snprintf(text, sizeof text, "socket:[%llu]", (unsigned long long)inode);
		o->what = pooled(c, text);
		o->need = reading ? PI_NEED_PEER : PI_NEED_NOBODY;
		return;
	}
	bool udp = (size_t)(k - c->inet) >= c->ntcp;	/* tcp and tcp6 were read first */
	char local[72];
	pi_inet_endpoint_format(&k->local, k->ipv6, local, sizeof local);
	if (k->state == 10) {	/* LISTEN */
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
	if (any_address(&k->remote) && k->remote.port == 0)
		return;
	/* The other end on this machine: the socket with the endpoints
	 * swapped, or, not yet accepted, the listener on that port. */
	const struct pi_inet_socket *other = NULL, *listener = NULL;
	for (size_t i = 0; i < c->ninet; i++) {
		const struct pi_inet_socket *s = &c->inet[i];
		if (s == k || s->ipv6 != k->ipv6)
			continue;
		if (same_endpoint(&s->local, &k->remote) && same_endpoint(&s->remote, &k->local))
			other = s;
		else if (s->state == 10 && s->local.port == k->remote.port
			 && (any_address(&s->local) || same_endpoint(&s->local, &k->remote)))
			listener = s;
	}
	if (other && other->inode) {
		want_holders(c, o, other->inode, NULL, -1);
	} else if (listener && listener->inode) {
		o->need = PI_NEED_SERVER;
		o->where = pooled(c, "the listener, which has not accepted it");
		want_holders(c, o, listener->inode, NULL, -1);
	} else if (!pi_inet_is_loopback(&k->remote, k->ipv6)) {
		snprintf(text, sizeof text, "%s (not on this machine, or in another network namespace)", where);
		o->where = pooled(c, text);
	}
}

/* Fills o for descriptor fd of the process; need is what the waiter wants
 * of it (data or room). */
static void describe_fd(struct ctx *c, struct pi_thread *t, struct pi_wait_object *o, int fd, bool reading)
{
	struct pi_fd_link link;

	o->fd = fd;
	o->need = PI_NEED_NOBODY;
	int err = pi_proc_fd_link(c->procfd, fd, &c->link, &link);
	if (err) {
		char text[32];
		snprintf(text, sizeof text, "fd %d", fd);
		o->what = pooled(c, text);
		o->err = err;
		return;
	}
	switch (link.kind) {
	case PI_FD_PIPE:
		o->what = pooled(c, c->link.data);
		o->need = reading ? PI_NEED_WRITER : PI_NEED_READER;
		want_holders(c, o, link.inode, NULL, fd);
		return;
	case PI_FD_SOCKET:
		describe_socket(c, o, link.inode, reading);
		return;
	case PI_FD_PATH:
		o->what = pooled(c, c->link.data);
		/* A FIFO blocks in the pipe code; a regular file does not wait
		 * for a process. (stat() would tell, but could hang on a FUSE
		 * file system its owner controls.) */
		if (t->wchan && strstr(t->wchan, "pipe")) {
			struct pi_fdinfo info;
			if (pi_proc_fdinfo(c->procfd, fd, &c->buf, &info, NULL, 0) == 0 && info.inode) {
				o->need = reading ? PI_NEED_WRITER : PI_NEED_READER;
				want_holders(c, o, info.inode, o->what, fd);
			}
		}
		return;
	default:
		o->what = pooled(c, c->link.data);
		return;
	}
}

/* --- File locks. ---------------------------------------------------------- */

static void add_lock(void *arg, const struct pi_file_lock *l)
{
	struct ctx *c = arg;
	pi_xgrow(&c->locks, &c->locks_cap, c->nlocks + 1, sizeof *c->locks);
	c->locks[c->nlocks++] = *l;
}

static void read_locks(struct ctx *c)
{
	if (c->locks_read)
		return;
	c->locks_read = true;
	int root = pi_proc_open_root();
	if (root < 0) {
		c->locks_err = root;
		return;
	}
	size_t skipped;
	bool cut;
	c->locks_err = pi_read_at(root, "locks", &c->buf);
	close(root);
	if (!c->locks_err)
		pi_file_locks_parse(c->buf.data, c->buf.len, MAX_TABLE_ROWS, add_lock, c, &skipped, &cut);
}

/* The lock the process waits for on the file open as fd: /proc/locks
 * names the waiter by PID (not for OFD locks) and the file by device and
 * inode; the device of fd's file comes from its mount. */
static void describe_lock(struct ctx *c, struct pi_wait_object *o, int fd)
{
	struct pi_fd_link link;
	struct pi_fdinfo info;
	char text[96];

	o->fd = fd;
	o->need = PI_NEED_HOLDER;
	if (pi_proc_fd_link(c->procfd, fd, &c->link, &link) == 0)
		o->what = pooled(c, c->link.data);
	else {
		snprintf(text, sizeof text, "fd %d", fd);
		o->what = pooled(c, text);
	}
	int err = pi_proc_fdinfo(c->procfd, fd, &c->buf, &info, NULL, 0);
	if (err || !info.inode) {
		o->err = err ? err : -ENODATA;	/* a kernel before 5.14 says no inode */
		return;
	}
	read_locks(c);
	if (c->locks_err) {
		o->err = c->locks_err;
		return;
	}
	/* This process's waits on that inode: the lock numbers it waits on. */
	bool found = false;
	for (size_t i = 0; i < c->nlocks; i++) {
		const struct pi_file_lock *w = &c->locks[i];
		if (w->wait_depth == 0 || !w->have_file || w->inode != info.inode
		    || (w->pid != c->p->pid && w->pid != -1))
			continue;
		for (size_t j = 0; j < c->nlocks; j++) {
			const struct pi_file_lock *h = &c->locks[j];
			if (h->id != w->id || h->wait_depth != 0)
				continue;
			found = true;
			snprintf(text, sizeof text, "%s %s lock", pi_flock_kind_name(h->kind),
				 h->access == PI_FLOCK_ACCESS_WRITE ? "write" : "read");
			o->where = pooled(c, text);
			if (h->pid > 0 && o->npeers < PI_WAIT_MAX_PEERS) {
				o->peers[o->npeers++] = (struct pi_wait_peer){ .pid = h->pid, .fd = -1, .state = '?' };
				o->peers_total++;
			}
		}
	}
	if (!found)
		o->err = -PI_ERR_LOCK_NOT_LISTED;
}

/* --- Children. ------------------------------------------------------------ */

static void describe_children(struct ctx *c, struct pi_wait_object *o, pid_t only)
{
	pid_t *children = NULL;
	size_t n = 0, cap = 0;

	o->fd = -1;
	o->need = PI_NEED_CHILD;
	o->what = pooled(c, only > 0 ? "a child" : "its children");
	for (size_t i = 0; i < c->p->nthreads && n < MAX_CHILDREN; i++) {
		char name[48];
		snprintf(name, sizeof name, "task/%d/children", (int)c->p->threads[i].tid);
		if (pi_read_at(c->procfd, name, &c->buf) == 0)
			pi_children_parse(c->buf.data, c->buf.len, &children, &n, &cap);
	}
	for (size_t i = 0; i < n; i++) {
		if (only > 0 && children[i] != only)
			continue;
		o->peers_total++;
		if (o->npeers < PI_WAIT_MAX_PEERS)
			o->peers[o->npeers++] = (struct pi_wait_peer){ .pid = children[i], .fd = -1, .state = '?' };
	}
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

/* The descriptors a poll() waits on: its array in the thread's memory. */
static size_t poll_fds(struct ctx *c, const struct pi_syscall *sc, int *fds, bool *reading, size_t cap,
		       size_t *total)
{
	struct pollfd pf[PI_WAIT_MAX_OBJECTS];
	size_t want = sc->args[1] < cap ? (size_t)sc->args[1] : cap;
	*total = sc->args[1] > SIZE_MAX ? SIZE_MAX : (size_t)sc->args[1];
	ssize_t got = want ? pi_mem_read(c->p->pid, sc->args[0], pf, want * sizeof *pf) : 0;
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
	uint8_t bits[2][FD_SETSIZE / 8];
	size_t nfds = sc->args[0] < FD_SETSIZE ? (size_t)sc->args[0] : FD_SETSIZE;
	size_t n = 0;
	*total = 0;
	for (int set = 0; set < 2; set++) {
		uint64_t addr = sc->args[1 + set];
		if (!addr)
			continue;
		ssize_t got = pi_mem_read(c->p->pid, addr, bits[set], (nfds + 7) / 8);
		if (got < 0)
			continue;
		for (size_t fd = 0; fd < nfds && fd / 8 < (size_t)got; fd++)
			if (bits[set][fd / 8] & (1u << (fd % 8))) {
				(*total)++;
				if (n < cap) {
					fds[n] = (int)fd;
					reading[n++] = set == 0;
				}
			}
	}
	return n;
}

static void thread_wait(struct ctx *c, struct pi_thread *t)
{
	enum call_shape shape;
	const struct pi_syscall *sc = &t->syscall;

	if (t->syscall_err || sc->kind != PI_SYSCALL_IN || t->stat_err || t->stat.state == 'R')
		return;
	const char *name = pi_syscall_name(c->p->abi, sc->nr);
	if (!shape_of(name, &shape))
		return;
	if (shape == SHAPE_FCNTL && sc->args[1] != F_SETLKW_NR && sc->args[1] != F_OFD_SETLKW_NR
	    && !(c->p->abi == PI_ABI_I386 && sc->args[1] == F_SETLKW64_NR))
		return;

	struct pi_wait_for *w = pi_xcalloc(1, sizeof *w);
	w->syscall = pooled(c, name);
	int fd0 = (int)(int32_t)sc->args[0];
	int fds[PI_WAIT_MAX_OBJECTS];
	bool reading[PI_WAIT_MAX_OBJECTS];
	size_t n = 0, total = 0;

	switch (shape) {
	case SHAPE_FD_IN:
	case SHAPE_FD_OUT:
	case SHAPE_ACCEPT:
	case SHAPE_CONNECT:
		w->on = PI_WAIT_ON_FD;
		w->objects = new_objects(1);
		w->nobjects = w->objects_total = 1;
		describe_fd(c, t, &w->objects[0], fd0, shape != SHAPE_FD_OUT);
		if (shape == SHAPE_CONNECT && w->objects[0].need == PI_NEED_PEER)
			w->objects[0].need = PI_NEED_SERVER;
		break;
	case SHAPE_FLOCK:
	case SHAPE_FCNTL:
		w->on = PI_WAIT_ON_FILE_LOCK;
		w->objects = new_objects(1);
		w->nobjects = w->objects_total = 1;
		describe_lock(c, &w->objects[0], fd0);
		break;
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
		describe_children(c, &w->objects[0], only);
		break;
	}
	case SHAPE_EPOLL: {
		struct pi_epoll_watch watches[PI_WAIT_MAX_OBJECTS];
		struct pi_fdinfo info;
		w->on = PI_WAIT_ON_POLL;
		w->err = pi_proc_fdinfo(c->procfd, fd0, &c->buf, &info, watches, PI_WAIT_MAX_OBJECTS);
		if (!w->err) {
			for (size_t i = 0; i < info.nkept; i++) {
				fds[n] = watches[i].fd;
				reading[n++] = (watches[i].events & POLLOUT) == 0;
			}
			total = info.nwatches;
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
	if (w->on == PI_WAIT_ON_POLL) {
		w->objects = n ? new_objects(n) : NULL;
		w->nobjects = n;
		w->objects_total = total > n ? total : n;
		for (size_t i = 0; i < n; i++)
			describe_fd(c, t, &w->objects[i], fds[i], reading[i]);
	}
	t->wait = w;
}

/* --- Holders: one pass over every process's descriptors. ------------------ */

static int compare_wants(const void *a, const void *b)
{
	const struct want *x = a, *y = b;
	return (x->inode > y->inode) - (x->inode < y->inode);
}

static const struct peer_info *peer_info(struct ctx *c, pid_t pid)
{
	for (size_t i = 0; i < c->npeers; i++)
		if (c->peers[i].pid == pid)
			return &c->peers[i];
	pi_xgrow(&c->peers, &c->peers_cap, c->npeers + 1, sizeof *c->peers);
	struct peer_info *pi = &c->peers[c->npeers++];
	memset(pi, 0, sizeof *pi);
	pi->pid = pid;
	pi->state = '?';
	int fd = pi_proc_open(pid);
	if (fd < 0)
		return pi;
	struct pi_stat st;
	if (pi_read_at(fd, "stat", &c->buf) == 0 && pi_stat_parse(c->buf.data, c->buf.len, &st) == 0) {
		memcpy(pi->comm, st.comm, sizeof pi->comm);
		pi->state = st.state;
	}
	char wchan[128];
	if (pi_read_at(fd, "wchan", &c->buf) == 0 && pi_wchan_parse(c->buf.data, c->buf.len, wchan, sizeof wchan) == 0)
		pi->wchan = pooled(c, wchan);
	close(fd);
	return pi;
}

static void add_holder(struct want *w, pid_t pid, int fd, uint32_t flags, bool have_flags)
{
	struct pi_wait_object *o = w->obj;
	if (pid == w->own_pid && fd == w->own_fd)
		return;
	if (have_flags) {
		enum pi_fd_access a = pi_fd_access_of(flags);
		if (o->need == PI_NEED_WRITER && a == PI_FD_READ)
			return;
		if (o->need == PI_NEED_READER && a == PI_FD_WRITE)
			return;
	}
	for (size_t i = 0; i < o->npeers; i++)
		if (o->peers[i].pid == pid)
			return;		/* one line per process, its first descriptor */
	o->peers_total++;
	if (o->npeers < PI_WAIT_MAX_PEERS)
		o->peers[o->npeers++] = (struct pi_wait_peer){ .pid = pid, .fd = fd, .same_process = pid == w->own_pid };
}

static void scan_process(struct ctx *c, pid_t pid, int **fds, size_t *fds_cap)
{
	int procfd = pid == c->p->pid ? dup(c->procfd) : pi_proc_open(pid);
	size_t n;
	bool cut;
	if (procfd < 0)
		return;
	if (pi_proc_list_ids(procfd, "fd", MAX_FDS, fds, &n, fds_cap, &cut) != 0) {
		close(procfd);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct pi_fd_link link;
		int fd = (*fds)[i];
		if (pi_proc_fd_link(procfd, fd, &c->link, &link) != 0)
			continue;
		struct want key = { .inode = link.inode };
		if (link.kind == PI_FD_PIPE || link.kind == PI_FD_SOCKET) {
			struct want *w = bsearch(&key, c->wants, c->nwants, sizeof *c->wants, compare_wants);
			if (!w)
				continue;
			while (w > c->wants && w[-1].inode == key.inode)
				w--;
			struct pi_fdinfo info = { .have_flags = false };
			bool need_flags = link.kind == PI_FD_PIPE;
			if (need_flags)
				pi_proc_fdinfo(procfd, fd, &c->buf, &info, NULL, 0);
			for (; w < c->wants + c->nwants && w->inode == key.inode; w++)
				if (!w->fifo_path)
					add_holder(w, pid, fd, info.flags, info.have_flags);
		} else if (link.kind == PI_FD_PATH && c->have_fifo_wants) {
			struct pi_fdinfo info;
			bool read_info = false;
			for (size_t j = 0; j < c->nwants; j++) {
				struct want *w = &c->wants[j];
				if (!w->fifo_path || strcmp(w->fifo_path, c->link.data) != 0)
					continue;
				if (!read_info && pi_proc_fdinfo(procfd, fd, &c->buf, &info, NULL, 0) != 0)
					break;
				read_info = true;
				if (info.inode == w->inode)
					add_holder(w, pid, fd, info.flags, info.have_flags);
			}
		}
	}
	close(procfd);
}

static void find_holders(struct ctx *c)
{
	if (c->nwants == 0)
		return;
	qsort(c->wants, c->nwants, sizeof *c->wants, compare_wants);
	int root = pi_proc_open_root();
	if (root < 0) {
		c->p->waits_err = root;
		return;
	}
	int *pids = NULL, *fds = NULL;
	size_t npids, pids_cap = 0, fds_cap = 0;
	bool cut;
	int err = pi_proc_list_ids(root, ".", MAX_PROCESSES, &pids, &npids, &pids_cap, &cut);
	close(root);
	if (err) {
		c->p->waits_err = err;
		free(pids);
		return;
	}
	for (size_t i = 0; i < npids; i++) {
		if (pi_deadline_passed(&c->p->deadline)) {
			c->p->waits_err = -PI_ERR_TIMEOUT;
			break;
		}
		scan_process(c, pids[i], &fds, &fds_cap);
	}
	free(pids);
	free(fds);
}

/* The peers' names and states, once each. */
static void fill_peers(struct ctx *c)
{
	for (size_t i = 0; i < c->p->nthreads; i++) {
		struct pi_wait_for *w = c->p->threads[i].wait;
		for (size_t j = 0; w && j < w->nobjects; j++) {
			struct pi_wait_object *o = &w->objects[j];
			for (size_t k = 0; k < o->npeers; k++) {
				const struct peer_info *pi = peer_info(c, o->peers[k].pid);
				memcpy(o->peers[k].comm, pi->comm, sizeof o->peers[k].comm);
				o->peers[k].state = pi->state;
				o->peers[k].wchan = pi->wchan;
				o->peers[k].same_process = o->peers[k].pid == c->p->pid;
			}
			if (o->npeers == 0 && o->peers_total == 0 && !o->err && c->p->waits_err
			    && c->nwants)
				o->err = c->p->waits_err;
		}
	}
}

int pi_collect_waits(struct pi_process *p)
{
	struct ctx c = { .p = p };

	p->waits_collected = true;
	c.procfd = pi_proc_open(p->pid);
	if (c.procfd < 0) {
		p->waits_err = c.procfd;
		return c.procfd;
	}
	for (size_t i = 0; i < p->nthreads; i++) {
		if (pi_deadline_passed(&p->deadline)) {
			p->waits_err = -PI_ERR_TIMEOUT;
			break;
		}
		thread_wait(&c, &p->threads[i]);
	}
	find_holders(&c);
	fill_peers(&c);

	close(c.procfd);
	pi_buf_free(&c.buf);
	pi_buf_free(&c.link);
	free(c.wants);
	free(c.inet);
	free(c.unix_socks);
	free(c.locks);
	free(c.peers);
	pi_sockdiag_close(c.diag);
	return 0;
}
