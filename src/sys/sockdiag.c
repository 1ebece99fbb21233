#include "sys/sockdiag.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/deadline.h"
#include "util/fdpass.h"

struct pi_sockdiag {
	int fd;
	uint32_t seq;
};

int pi_sockdiag_open(struct pi_sockdiag **out)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	struct pi_sockdiag *d = calloc(1, sizeof *d);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	d->fd = fd;
	*out = d;
	return 0;
}

/* The child of pi_sockdiag_open_in: async-signal-safe calls only (the
 * parent may have threads). Sends its errno (0: the socket with it). */
_Noreturn static void make_socket_in(int nsfd, int to)
{
	int err = 0, fd = -1;
	if (setns(nsfd, CLONE_NEWNET) != 0)
		err = errno;
	else if ((fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)) < 0)
		err = errno;
	_exit(pi_fd_send(to, &err, sizeof err, fd, 0) < 0);
}

/* poll(2) of one descriptor for timeout_ms in all: a signal caught
 * meanwhile (the live view's SIGWINCH) is no time-out. */
static int wait_readable(struct pollfd *pfd, int timeout_ms)
{
	int64_t end = pi_monotonic_ns() + (int64_t)timeout_ms * 1000000;
	for (;;) {
		int n = poll(pfd, 1, timeout_ms);
		if (n >= 0 || errno != EINTR)
			return n;
		int64_t left = end - pi_monotonic_ns();
		if (left <= 0)
			return 0;
		timeout_ms = (int)((left + 999999) / 1000000);
	}
}

/* Is fd a netlink sock_diag socket? */
static bool is_sockdiag(int fd)
{
	int domain = 0, protocol = -1;
	socklen_t len = sizeof domain;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 || domain != AF_NETLINK)
		return false;
	len = sizeof protocol;
	return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) == 0 && protocol == NETLINK_SOCK_DIAG;
}

int pi_sockdiag_open_in(int nsfd, int timeout_ms, struct pi_sockdiag **out)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int err = -errno;
		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (pid == 0) {
		close(sv[0]);
		make_socket_in(nsfd, sv[1]);
	}
	close(sv[1]);

	int result = -ETIMEDOUT, fd = -1;
	struct pollfd pfd = { .fd = sv[0], .events = POLLIN };
	if (wait_readable(&pfd, timeout_ms) == 1) {
		int code = -1;
		/* Every descriptor that came is taken (pi_fd_recv), so that none
		 * leaks; one sock_diag socket with a code of 0 is the only good
		 * answer. */
		ssize_t n = pi_fd_recv(sv[0], &code, sizeof code, MSG_DONTWAIT, &fd);
		result = -EPROTO;
		if (n == (ssize_t)sizeof code) {
			if (code > 0 && fd < 0)
				result = -code;
			else if (code == 0 && fd >= 0 && is_sockdiag(fd))
				result = 0;
		}
		if (result != 0 && fd >= 0) {
			close(fd);
			fd = -1;
		}
	}
	close(sv[0]);
	if (pid > 0)		/* never kill(0) or kill(-1) */
		kill(pid, SIGKILL);	/* done, or late: it has nothing left to do */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (result)
		return result;
	struct pi_sockdiag *d = calloc(1, sizeof *d);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	d->fd = fd;
	*out = d;
	return 0;
}

void pi_sockdiag_close(struct pi_sockdiag *d)
{
	if (!d)
		return;
	close(d->fd);
	free(d);
}

/* The peer attribute of a unix_diag_msg reply, 0 when absent. */
static uint64_t peer_of(const struct nlmsghdr *h)
{
	const struct unix_diag_msg *m = NLMSG_DATA(h);
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *m));
	struct rtattr *a = (struct rtattr *)(m + 1);
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(a) >= (int)sizeof(uint32_t))
			return *(const uint32_t *)RTA_DATA(a);
	return 0;
}

int pi_sockdiag_unix_peer(struct pi_sockdiag *d, uint64_t inode, uint64_t *peer)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} req;
	/* The kernel's inode numbers for sockets are 32-bit in this interface. */
	if (inode > UINT32_MAX)
		return -ENOENT;
	memset(&req, 0, sizeof req);
	req.h.nlmsg_len = sizeof req;
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.h.nlmsg_seq = ++d->seq;
	req.r.sdiag_family = AF_UNIX;
	req.r.udiag_ino = (uint32_t)inode;
	req.r.udiag_show = UDIAG_SHOW_PEER;
	req.r.udiag_cookie[0] = req.r.udiag_cookie[1] = ~0u;	/* no cookie: any socket of that inode */
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	if (sendto(d->fd, &req, sizeof req, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
		return -errno;

	/* The kernel answers at once; the poll is a bound, not a wait. */
	union {
		struct nlmsghdr h;
		char bytes[8192];
	} reply;
	for (;;) {
		struct pollfd pfd = { .fd = d->fd, .events = POLLIN };
		if (wait_readable(&pfd, 1000) != 1)
			return -ETIMEDOUT;
		ssize_t n = recv(d->fd, &reply, sizeof reply, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		/* NLMSG_OK and NLMSG_NEXT, without their mixed-sign compares. */
		for (size_t off = 0; off + sizeof(struct nlmsghdr) <= (size_t)n;) {
			struct nlmsghdr *h = (struct nlmsghdr *)(reply.bytes + off);
			if (h->nlmsg_len < sizeof *h || h->nlmsg_len > (size_t)n - off)
				break;
			off += NLMSG_ALIGN(h->nlmsg_len);
			if (h->nlmsg_seq != d->seq)
				continue;	/* an answer to an earlier, timed-out question */
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				return e->error ? e->error : -ENOENT;
			}
			if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY
			    && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct unix_diag_msg))) {
				const struct unix_diag_msg *m = NLMSG_DATA(h);
				if (m->udiag_family != AF_UNIX || m->udiag_ino != (uint32_t)inode)
					continue;	/* not the socket asked about */
				*peer = peer_of(h);
				return 0;
			}
		}
	}
}
