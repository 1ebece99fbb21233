#include "sandbox/broker.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/wire.h"
#include "util/fdpass.h"

static int answer(int sock, int32_t status, int fd)
{
	/* MSG_NOSIGNAL (pi_fd_send adds it): a child that died meanwhile is
	 * an error here, not a SIGPIPE that ends pinspect. */
	return pi_fd_send(sock, &status, sizeof status, fd, MSG_DONTWAIT);
}

int pi_broker_serve(int sock, pi_sandbox_policy_fn *policy, void *arg, unsigned *budget)
{
	unsigned char req[PI_WIRE_HEADER + PI_BROKER_MAX_REQUEST];
	ssize_t n;
	/* MSG_TRUNC: recv returns the datagram's real length, so that an
	 * oversized request is seen as such and not read as a cut one. */
	do
		n = recv(sock, req, sizeof req, MSG_TRUNC | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;

	struct pi_wire_reader r;
	struct pi_wire_record rec;
	int32_t status;
	int fd = -1;
	pi_wire_reader_init(&r, req, (size_t)n > sizeof req ? sizeof req + 1 : (size_t)n,
			    PI_BROKER_MAX_REQUEST);
	if ((size_t)n > sizeof req)
		status = -EMSGSIZE;
	else if (pi_wire_next(&r, &rec) != 1 || pi_wire_next(&r, &(struct pi_wire_record){ 0 }) != 0)
		status = -EBADMSG;
	else if (*budget == 0)
		status = -EMFILE;
	else {
		--*budget;
		fd = policy(arg, rec.type, rec.data, rec.len);
		status = fd >= 0 ? 0 : fd;
		if (status > 0 || status < -4095)
			status = -EPERM;
	}
	int err = answer(sock, status, fd);
	if (fd >= 0)
		close(fd);
	if (err)
		return err;
	return status == 0;
}

int pi_broker_request(int sock, uint32_t kind, const void *data, size_t len)
{
	if (sock < 0)
		return -ENOSYS;
	if (len > PI_BROKER_MAX_REQUEST)
		return -EMSGSIZE;
	unsigned char req[PI_WIRE_HEADER + PI_BROKER_MAX_REQUEST];
	uint32_t header[2] = { kind, (uint32_t)len };
	memcpy(req, header, sizeof header);
	if (len)
		memcpy(req + sizeof header, data, len);
	ssize_t n;
	do
		n = send(sock, req, sizeof header + len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;

	int32_t status;
	int fd;
	n = pi_fd_recv(sock, &status, sizeof status, 0, &fd);
	if (n < 0)
		return n == -EBADMSG ? -EBADMSG : (int)n;
	bool ok = n == (ssize_t)sizeof status && (status == 0) == (fd >= 0) && status <= 0
		  && status >= -4095;
	if (!ok) {
		if (fd >= 0)
			close(fd);
		return -EBADMSG;
	}
	return status == 0 ? fd : status;
}

int pi_broker_open_regular(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}
