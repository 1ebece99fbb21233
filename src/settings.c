#include "settings.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "table/columns.h"
#include "util/escape.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* s[0..*len) without the spaces at either end. */
static const char *trim(const char *s, size_t *len)
{
	while (*len && is_space(*s)) {
		s++;
		(*len)--;
	}
	while (*len && is_space(s[*len - 1]))
		(*len)--;
	return s;
}

int pi_settings_parse(const char *data, size_t len, struct pi_settings *out, struct pi_buf *why)
{
	struct pi_settings c = { 0 };
	int result = 0;
	size_t lineno = 0;

	memset(out, 0, sizeof *out);
	if (memchr(data, '\0', len)) {
		pi_buf_puts(why, "it holds a NUL byte: not a text file");
		return -1;
	}
	for (size_t at = 0; at < len;) {
		const char *line = data + at;
		const char *nl = memchr(line, '\n', len - at);
		size_t n = nl ? (size_t)(nl - line) : len - at;
		at += n + (nl != NULL);
		lineno++;
		if (n > PI_SETTINGS_MAX_LINE) {
			pi_buf_printf(why, "line %zu: longer than %d bytes", lineno, PI_SETTINGS_MAX_LINE);
			return -1;
		}
		line = trim(line, &n);
		if (!n || line[0] == '#')
			continue;
		const char *eq = memchr(line, '=', n);
		if (!eq) {
			pi_buf_printf(why, "line %zu: not key=value", lineno);
			return -1;
		}
		size_t klen = (size_t)(eq - line), vlen = n - klen - 1;
		const char *key = trim(line, &klen), *value = trim(eq + 1, &vlen);
		if (!klen) {
			pi_buf_printf(why, "line %zu: no key before '='", lineno);
			return -1;
		}
		if (klen == 7 && memcmp(key, "columns", 7) == 0) {
			char list[PI_SETTINGS_MAX_LINE + 1];
			memcpy(list, value, vlen);
			list[vlen] = '\0';
			struct pi_buf err = PI_BUF_INIT;
			if (pi_columns_parse(list, pi_columns_default(), &c.columns, &err) != 0) {
				pi_buf_printf(why, "line %zu: columns: %s", lineno, err.data);
				pi_buf_free(&err);
				return -1;
			}
			pi_buf_free(&err);
			c.have_columns = true;
		} else if (result == 0) {
			/* Later versions may add keys: this one still reads the
			 * rest, and says what it skipped. */
			pi_buf_printf(why, "line %zu: unknown key '", lineno);
			pi_escape_text_max(why, key, klen, 64);
			pi_buf_puts(why, "' ignored");
			result = 1;
		}
	}
	*out = c;
	return result;
}

int pi_settings_path(struct pi_buf *out)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	/* The XDG base directory specification: a relative path is invalid
	 * and ignored. */
	if (xdg && xdg[0] == '/') {
		pi_buf_printf(out, "%s/pinspect/pinspectrc", xdg);
		return 0;
	}
	const char *home = getenv("HOME");
	if (!home || home[0] != '/') {
		struct passwd *pw = getpwuid(geteuid());
		home = pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
	}
	if (!home)
		return -1;
	pi_buf_printf(out, "%s/.config/pinspect/pinspectrc", home);
	return 0;
}

/* Is what st describes ours to trust: owned by the effective user, and
 * writable by nobody else? */
static bool ours(const struct stat *st, const char *what, const char *path, struct pi_buf *why)
{
	if (st->st_uid != geteuid()) {
		pi_buf_printf(why, "%s ", what);
		pi_escape_text(why, path, strlen(path));
		pi_buf_printf(why, " belongs to user %u, not to you (%u): not used",
			      (unsigned)st->st_uid, (unsigned)geteuid());
		return false;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		pi_buf_printf(why, "%s ", what);
		pi_escape_text(why, path, strlen(path));
		pi_buf_puts(why, " is writable by others: not used");
		return false;
	}
	return true;
}

int pi_settings_load(struct pi_settings *out, struct pi_buf *why)
{
	struct pi_buf path = PI_BUF_INIT, text = PI_BUF_INIT;
	int result = -1;

	memset(out, 0, sizeof *out);
	if (pi_settings_path(&path) != 0) {
		pi_buf_free(&path);
		return 0;	/* no home: nothing to read */
	}
	/* Not through a symlink, and not waiting on a FIFO. */
	int fd = open(path.data, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			pi_buf_free(&path);
			return 0;
		}
		pi_buf_puts(why, "config file ");
		pi_escape_text(why, path.data, path.len);
		pi_buf_printf(why, ": %s", errno == ELOOP ? "is a symlink: not followed" : strerror(errno));
		goto out;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		pi_buf_puts(why, "config file ");
		pi_escape_text(why, path.data, path.len);
		pi_buf_puts(why, " is not a regular file: not used");
		goto out;
	}
	if (!ours(&st, "config file", path.data, why))
		goto out;
	/* One byte more than allowed, to know a file too big. */
	pi_buf_reserve(&text, PI_SETTINGS_MAX_BYTES + 1);
	size_t got = 0;
	while (got <= PI_SETTINGS_MAX_BYTES) {
		ssize_t n = read(fd, text.data + got, PI_SETTINGS_MAX_BYTES + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pi_buf_puts(why, "config file ");
			pi_escape_text(why, path.data, path.len);
			pi_buf_printf(why, ": %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > PI_SETTINGS_MAX_BYTES) {
		pi_buf_puts(why, "config file ");
		pi_escape_text(why, path.data, path.len);
		pi_buf_printf(why, " is bigger than %d bytes: not used", PI_SETTINGS_MAX_BYTES);
		goto out;
	}
	struct pi_buf said = PI_BUF_INIT;
	result = pi_settings_parse(text.data ? text.data : "", got, out, &said);
	if (result != 0) {
		pi_buf_puts(why, "config file ");
		pi_escape_text(why, path.data, path.len);
		pi_buf_printf(why, "%s: %s", result < 0 ? " not used" : "", said.data ? said.data : "");
	}
	pi_buf_free(&said);
out:
	if (fd >= 0)
		close(fd);
	pi_buf_free(&text);
	pi_buf_free(&path);
	return result;
}

/* mkdir, where it is missing: the directory is private (0700). */
static int make_dir(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return -errno;
}

/* Writes all of data to fd. */
static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int save_failed(struct pi_buf *why, const char *what, const char *path, int err)
{
	pi_buf_printf(why, "%s ", what);
	pi_escape_text(why, path, strlen(path));
	pi_buf_printf(why, ": %s", strerror(-err));
	return -1;
}

int pi_settings_save(const struct pi_column_set *columns, struct pi_buf *path, struct pi_buf *why)
{
	struct pi_buf text = PI_BUF_INIT;
	int result = -1, dirfd = -1, fd = -1;
	char tmp[64] = "";

	pi_buf_reset(path);
	if (pi_settings_path(path) != 0) {
		pi_buf_puts(why, "no home directory (HOME and XDG_CONFIG_HOME unset) to save in");
		return -1;
	}
	/* path is .../pinspect/pinspectrc: its directory, and the one above. */
	char *slash = strrchr(path->data, '/');
	*slash = '\0';
	char *parent = strrchr(path->data, '/');
	int err = 0;
	if (parent && parent != path->data) {
		*parent = '\0';
		err = make_dir(path->data);
		*parent = '/';
	}
	if (!err)
		err = make_dir(path->data);
	if (!err) {
		dirfd = open(path->data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dirfd < 0)
			err = -errno;
	}
	if (err) {
		save_failed(why, "directory", path->data, err);
		goto out;
	}
	struct stat st;
	if (fstat(dirfd, &st) != 0 || !ours(&st, "directory", path->data, why))
		goto out;
	*slash = '/';

	pi_buf_puts(&text, "# pinspect: the live view's columns, saved by its column chooser (F2).\n"
		    "# -o on the command line wins over this; pinspect --list-columns lists them.\n"
		    "columns=");
	pi_columns_format(columns, &text);
	pi_buf_putc(&text, '\n');

	/* A temporary file of our own beside it (never one already there),
	 * renamed over the final path: a reader sees the old file or the
	 * new one, and a symlink put there is replaced, not followed. */
	for (unsigned i = 0; i < 100 && fd < 0; i++) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		snprintf(tmp, sizeof tmp, ".pinspectrc.%d.%lx", (int)getpid(),
			 (unsigned long)ts.tv_nsec ^ (i * 2654435761u));
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		save_failed(why, "cannot create a file beside", path->data, -errno);
		goto out;
	}
	err = fchmod(fd, 0600) ? -errno : 0;
	if (!err)
		err = write_all(fd, text.data, text.len);
	if (!err && fsync(fd) != 0)
		err = -errno;
	if (close(fd) != 0 && !err)
		err = -errno;
	fd = -1;
	if (!err && renameat(dirfd, tmp, dirfd, slash + 1) != 0)
		err = -errno;
	if (err) {
		unlinkat(dirfd, tmp, 0);
		save_failed(why, "cannot write", path->data, err);
		goto out;
	}
	result = 0;
out:
	if (slash)
		*slash = '/';
	if (dirfd >= 0)
		close(dirfd);
	pi_buf_free(&text);
	return result;
}
