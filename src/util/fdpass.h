/* fdpass — a small message and at most one descriptor over a UNIX
 * socket (SCM_RIGHTS), as the sandbox's broker and the network-namespace
 * child of sys/sockdiag pass them.
 *
 * Sending is async-signal-safe (a forked child of a threaded process may
 * call it). Receiving takes one descriptor at most: any more that came
 * are closed, so a peer can never leave descriptors open in pinspect. */
#ifndef PI_UTIL_FDPASS_H
#define PI_UTIL_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

/* Sends the len bytes of data, with fd when fd >= 0; flags as sendmsg's
 * (MSG_NOSIGNAL is added). Retried on EINTR. 0 or -errno. */
int pi_fd_send(int sock, const void *data, size_t len, int fd, int flags);

/* Receives a message of at most len bytes into data, and the descriptor
 * it carried (*fd, close-on-exec; -1 when none). flags as recvmsg's
 * (MSG_CMSG_CLOEXEC is added); retried on EINTR. Returns the message's
 * length, or -errno; -EBADMSG when the message or its control part was
 * cut (nothing is kept then). */
ssize_t pi_fd_recv(int sock, void *data, size_t len, int flags, int *fd);

#endif
