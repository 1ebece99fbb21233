#include "proc/system.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "proc/reader.h"

int pi_proc_sysctl_int(const char *name, int *out)
{
	char path[128];
	struct pi_buf buf = PI_BUF_INIT;
	snprintf(path, sizeof path, "/proc/sys/%s", name);
	int err = pi_read_at(AT_FDCWD, path, &buf);
	if (!err) {
		char *end;
		long v = strtol(buf.data, &end, 10);
		if (end == buf.data || v < INT32_MIN || v > INT32_MAX)
			err = -EINVAL;
		else
			*out = (int)v;
	}
	pi_buf_free(&buf);
	return err;
}

int pi_proc_read_self(const char *name, struct pi_buf *out)
{
	char path[128];
	snprintf(path, sizeof path, "/proc/%s", name);
	return pi_read_at(AT_FDCWD, path, out);
}

int pi_proc_own_ns(const char *ns, uint64_t *inode)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof path, "/proc/self/ns/%s", ns);
	if (stat(path, &st) != 0)
		return -errno;
	*inode = st.st_ino;
	return 0;
}

static void task_path(char *path, size_t size, pid_t pid, pid_t tid, const char *name)
{
	if (tid > 0)
		snprintf(path, size, "/proc/%d/task/%d/%s", (int)pid, (int)tid, name);
	else
		snprintf(path, size, "/proc/%d/%s", (int)pid, name);
}

int pi_proc_read_file(pid_t pid, pid_t tid, const char *name, struct pi_buf *out)
{
	char path[128];
	task_path(path, sizeof path, pid, tid, name);
	return pi_read_at(AT_FDCWD, path, out);
}

int pi_proc_read_file_prefix(pid_t pid, const char *name, size_t keep, size_t count_max,
			     struct pi_buf *out, size_t *total)
{
	char path[128];
	task_path(path, sizeof path, pid, 0, name);
	return pi_read_prefix_at(AT_FDCWD, path, keep, count_max, out, total);
}

int pi_proc_open_task(pid_t pid, pid_t tid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task/%d", (int)pid, (int)tid);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}
