/* sockdiag — the peer of a UNIX socket, from the kernel's sock_diag
 * netlink interface (as `ss -xp` finds it). /proc/net/unix has no peer
 * column; only sock_diag says which socket is the other end.
 *
 * The query runs in pinspect's own network namespace: a socket of
 * another namespace is not found (-ENOENT), and the caller says why. */
#ifndef PI_SYS_SOCKDIAG_H
#define PI_SYS_SOCKDIAG_H

#include <stdint.h>

struct pi_sockdiag;

/* Opens the netlink socket. Returns 0 or -errno. */
int pi_sockdiag_open(struct pi_sockdiag **out);
void pi_sockdiag_close(struct pi_sockdiag *d);

/* The inode of the peer of UNIX socket inode, 0 when it has none (a
 * listener, an unconnected socket). Returns 0, or -ENOENT when no such
 * socket (gone, or another namespace's), or another -errno. */
int pi_sockdiag_unix_peer(struct pi_sockdiag *d, uint64_t inode, uint64_t *peer);

#endif
