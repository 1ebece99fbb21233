/* netsock — parsers for a network namespace's socket tables:
 * /proc/PID/net/{tcp,tcp6,udp,udp6} and /proc/PID/net/unix.
 *
 * Read through a process's own /proc/PID/net, they show the sockets of
 * that process's network namespace, so a process in a container is
 * matched against its own namespace's peers, never the host's. A socket
 * descriptor ("socket:[INODE]") is found here by its inode.
 *
 * /proc/net/unix prints a socket's path as the process bound it, raw: a
 * path holding a newline can forge a line. The parser cannot tell a forged
 * line from a real one, so it reports every line it can read and the
 * caller treats an inode that appears twice as unknown (see
 * pi_unix_sockets_parse). The inet tables hold only numbers. */
#ifndef PI_PROC_NETSOCK_H
#define PI_PROC_NETSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pi_inet_endpoint {
	uint8_t addr[16];	/* network byte order; the first 4 for IPv4 */
	uint16_t port;		/* host byte order */
};

struct pi_inet_socket {
	bool ipv6;
	struct pi_inet_endpoint local, remote;
	unsigned state;		/* TCP_ESTABLISHED (1) ... TCP_LISTEN (10); UDP: 7 unconnected, 1 connected */
	uint32_t tx_queue, rx_queue;
	uid_t uid;
	uint64_t inode;		/* 0: not owned by a descriptor (TIME_WAIT, say) */
};

/* Parses a tcp/tcp6/udp/udp6 table (the header line is skipped), calling
 * fn per socket, at most max_sockets. Lines that are not a socket are
 * counted in *skipped. Returns the number given to fn. */
size_t pi_inet_sockets_parse(const char *text, size_t len, bool ipv6, size_t max_sockets,
			     void (*fn)(void *arg, const struct pi_inet_socket *sock), void *arg,
			     size_t *skipped);

/* "ESTABLISHED", "LISTEN"... (TCP's names; UDP uses two of them). */
const char *pi_tcp_state_name(unsigned state);

enum pi_unix_type {
	PI_UNIX_STREAM = 1,
	PI_UNIX_DGRAM = 2,
	PI_UNIX_SEQPACKET = 5,
};

enum {
	PI_UNIX_PATH_MAX = 108,	/* sun_path's size: a longer "path" is forged */
};

struct pi_unix_socket {
	uint64_t inode;
	unsigned type;		/* enum pi_unix_type, or another number */
	unsigned state;		/* 1 unconnected, 2 connecting, 3 connected, 4 disconnecting */
	bool listening;		/* __SO_ACCEPTCON */
	bool have_path;
	bool abstract;		/* the path began with NUL (shown as '@') */
	char path[PI_UNIX_PATH_MAX + 1];	/* raw bytes: escape before printing */
};

/* /proc/PID/net/unix, as pi_inet_sockets_parse. */
size_t pi_unix_sockets_parse(const char *text, size_t len, size_t max_sockets,
			     void (*fn)(void *arg, const struct pi_unix_socket *sock), void *arg,
			     size_t *skipped);

/* Formats an endpoint as "127.0.0.1:8080" or "[::1]:8080" into out. */
void pi_inet_endpoint_format(const struct pi_inet_endpoint *e, bool ipv6, char *out, size_t size);

/* Is the address a loopback one (127.0.0.0/8, ::1, ::ffff:127.x)? */
bool pi_inet_is_loopback(const struct pi_inet_endpoint *e, bool ipv6);

#endif
