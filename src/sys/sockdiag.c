#include "sys/sockdiag.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
		if (poll(&pfd, 1, 1000) != 1)
			return -ETIMEDOUT;
		ssize_t n = recv(d->fd, &reply, sizeof reply, 0);
		if (n < 0)
			return errno == EINTR ? -EINTR : -errno;
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
				*peer = peer_of(h);
				return 0;
			}
		}
	}
}
