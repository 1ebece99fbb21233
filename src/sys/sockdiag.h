/* sockdiag — the peer of a UNIX socket, from the kernel's sock_diag
 * netlink interface (as `ss -xp` finds it). /proc/net/unix has no peer
 * column; only sock_diag says which socket is the other end.
 *
 * A socket answers for the namespace it was made in: pinspect's own, or
 * a target's through pi_sockdiag_open_in; a socket of another namespace
 * is not found (-ENOENT). */
#ifndef PI_SYS_SOCKDIAG_H
#define PI_SYS_SOCKDIAG_H

#include <stdint.h>

struct pi_sockdiag;

/* Opens the netlink socket. Returns 0 or -errno. */
int pi_sockdiag_open(struct pi_sockdiag **out);

/* The same, in the network namespace nsfd (an open /proc/PID/ns/net): a
 * netlink socket answers for the namespace it was made in, so a child
 * forked for the purpose enters it (setns, which needs CAP_SYS_ADMIN),
 * makes the socket, hands it over (SCM_RIGHTS) and exits; the queries
 * are then made here. The child is waited for timeout_ms at most, then
 * killed; what it hands over is checked to be one sock_diag socket.
 * Returns 0, or -errno (-EPERM not root, -ETIMEDOUT, -EPROTO for a bad
 * answer). */
int pi_sockdiag_open_in(int nsfd, int timeout_ms, struct pi_sockdiag **out);
void pi_sockdiag_close(struct pi_sockdiag *d);

/* The inode of the peer of UNIX socket inode, 0 when it has none (a
 * listener, an unconnected socket). Returns 0, or -ENOENT when no such
 * socket (gone, or another namespace's), or another -errno. */
int pi_sockdiag_unix_peer(struct pi_sockdiag *d, uint64_t inode, uint64_t *peer);

#endif
