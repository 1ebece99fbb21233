/* What /proc says about descriptors and the sockets and locks behind them:
 * fd links and fdinfo (the kernel's words, but read while the process
 * opens and closes), /proc/locks, and the socket tables, whose unix paths
 * a process chooses byte by byte (newlines included). The first byte
 * picks the parser; every result must stay within its bounds. */
#include "fuzz.h"
#include "proc/fds.h"
#include "proc/filelocks.h"
#include "proc/netsock.h"

static void count_lock(void *arg, const struct pi_file_lock *l)
{
	fz_require(l->access <= PI_FLOCK_ACCESS_NONE && l->kind <= PI_FLOCK_UNKNOWN);
	fz_require(l->pid >= -1);
	++*(size_t *)arg;
}

static void count_inet(void *arg, const struct pi_inet_socket *k)
{
	char text[64];
	pi_inet_endpoint_format(&k->remote, k->ipv6, text, sizeof text);
	fz_require(strlen(text) < sizeof text);
	(void)pi_tcp_state_name(k->state);
	++*(size_t *)arg;
}

static void count_unix(void *arg, const struct pi_unix_socket *u)
{
	fz_require(strlen(u->path) <= PI_UNIX_PATH_MAX);
	fz_require(!u->abstract || u->have_path);
	++*(size_t *)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1, n = 0, skipped;
	bool truncated;

	switch (data[0] % 5) {
	case 0: {
		struct pi_fd_link l;
		if (pi_fd_link_parse(text, len, &l) == 0) {
			fz_require(l.kind <= PI_FD_OTHER);
			fz_require(strlen(l.anon) < sizeof l.anon);
		}
		break;
	}
	case 1: {
		struct pi_fdinfo fi;
		struct pi_epoll_watch w[4];
		(void)pi_fdinfo_parse(text, len, &fi, w, 4);
		fz_require(fi.nkept <= 4 && fi.nkept <= fi.nwatches);
		break;
	}
	case 2:
		fz_require(pi_file_locks_parse(text, len, 64, count_lock, &n, &skipped, &truncated) == n);
		fz_require(n <= 64);
		break;
	case 3:
		fz_require(pi_inet_sockets_parse(text, len, data[0] & 8, 64, count_inet, &n, &skipped) == n);
		break;
	default:
		fz_require(pi_unix_sockets_parse(text, len, 64, count_unix, &n, &skipped) == n);
		break;
	}
	return 0;
}
