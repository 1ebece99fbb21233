#include "proc/fdscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "proc/reader.h"
#include "util/xalloc.h"

static int compare_ints(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

int pi_proc_list_ids(int dirfd, const char *name, size_t max, int **ids, size_t *n,
		     size_t *cap, bool *cut)
{
	*n = 0;
	*cut = false;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *dir = fdopendir(fd);
	if (!dir) {
		int err = -errno;
		close(fd);
		return err;
	}
	struct dirent *de;
	errno = 0;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		char *end;
		long id = strtol(de->d_name, &end, 10);
		if (*end || id < 0 || id > INT32_MAX)
			continue;
		if (*n == max) {
			*cut = true;
			break;
		}
		pi_xgrow(ids, cap, *n + 1, sizeof **ids);
		(*ids)[(*n)++] = (int)id;
	}
	int err = de == NULL && errno ? -errno : 0;
	closedir(dir);
	if (*n > 1)
		qsort(*ids, *n, sizeof **ids, compare_ints);
	return err;
}

int pi_proc_fd_link(int procfd, int fd, struct pi_buf *out, struct pi_fd_link *link)
{
	char name[32];
	snprintf(name, sizeof name, "fd/%d", fd);
	int err = pi_readlink_at(procfd, name, out);
	return err ? err : pi_fd_link_parse(out->data, out->len, link);
}

int pi_proc_fdinfo(int procfd, int fd, struct pi_buf *buf, struct pi_fdinfo *info,
		   struct pi_epoll_watch *watches, size_t watch_cap)
{
	char name[32];
	snprintf(name, sizeof name, "fdinfo/%d", fd);
	/* An epoll descriptor lists every watch, and a process may add
	 * millions: only the beginning is read (the flags come first). */
	size_t total;
	int err = pi_read_prefix_at(procfd, name, PI_FDINFO_READ_MAX, PI_FDINFO_READ_MAX + 1, buf, &total);
	if (err)
		return err;
	/* A cut last line would be a watch with a wrong number: drop it. */
	if (total > buf->len)
		while (buf->len > 0 && buf->data[buf->len - 1] != '\n')
			buf->data[--buf->len] = '\0';
	err = pi_fdinfo_parse(buf->data, buf->len, info, watches, watch_cap);
	info->cut = total > buf->len;
	return err;
}
