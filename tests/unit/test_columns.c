/* The column registry, the -o list parser and the live view's config
 * file: names in any case, +LIST, unknown and hostile names, and config
 * text that is malformed, huge, holds NULs or unknown keys; and the file
 * itself saved 0600, atomically, never through a symlink. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"
#include "settings.h"
#include "table/columns.h"
#include "table/table.h"
#include "unit.h"

static struct pi_column_set parse_ok(const char *list)
{
	struct pi_column_set set;
	struct pi_buf why = PI_BUF_INIT;
	int r = pi_columns_parse(list, pi_columns_default(), &set, &why);
	ck_assert_msg(r == 0, "'%.80s' is rejected: %s", list, why.data ? why.data : "");
	pi_buf_free(&why);
	return set;
}

/* Parses a bad list; returns the message (to free). */
static char *parse_bad(const char *list)
{
	struct pi_column_set set = { 0 };
	struct pi_buf why = PI_BUF_INIT;
	ck_assert_int_eq(pi_columns_parse(list, pi_columns_default(), &set, &why), -1);
	ck_assert_uint_eq(set.n, 0);
	ck_assert_ptr_nonnull(why.data);
	return pi_buf_steal(&why);
}

START_TEST(registry)
{
	const struct pi_column_set *all = pi_columns_all();
	size_t on_demand = 0;
	for (int c = 0; c < PI_COL_COUNT; c++)
		on_demand += pi_column((enum pi_column)c)->on_demand;
	ck_assert_uint_eq(all->n, PI_COL_COUNT - on_demand);
	ck_assert_uint_eq(pi_columns_every()->n, PI_COL_COUNT);
	for (int c = 0; c < PI_COL_COUNT; c++) {
		const struct pi_column_info *ci = pi_column((enum pi_column)c);
		ck_assert(ci->name && ci->title && ci->key && ci->help);
		ck_assert(ci->text && ci->json && ci->compare);
		ck_assert_msg(strspn(ci->name, "abcdefghijklmnopqrstuvwxyz_") == strlen(ci->name),
			      "%s: a name is lower case, as typed", ci->name);
		ck_assert_msg(ci->width == 0 || ci->min_width <= ci->width, "%s: min <= width", ci->name);
		ck_assert_msg(ci->max_width == 0 || ci->max_width >= ci->width, "%s: max >= width",
			      ci->name);
		/* One line of the man page, whose lines stay under 80 bytes. */
		ck_assert_int_lt((int)strlen(ci->help), 78);
		enum pi_column found;
		ck_assert(pi_column_by_name(ci->name, strlen(ci->name), &found));
		ck_assert_int_eq(found, c);
		ck_assert(pi_column_by_name(ci->key, strlen(ci->key), &found));
		ck_assert_int_eq(found, c);
		for (int d = 0; d < c; d++) {
			ck_assert_str_ne(ci->name, pi_column((enum pi_column)d)->name);
			ck_assert_str_ne(ci->key, pi_column((enum pi_column)d)->key);
		}
	}
	/* The defaults, in their order: the flags just before the command. */
	const struct pi_column_set *def = pi_columns_default();
	struct pi_buf names = PI_BUF_INIT;
	pi_columns_format(def, &names);
	ck_assert_str_eq(names.data, "pid,user,state,cpu,rss,vcsw,icsw,lastran,wchan,syscall,flags,command");
	pi_buf_free(&names);
}
END_TEST

START_TEST(lists)
{
	struct pi_column_set set = parse_ok("pid,state,wchan,syscall,command");
	ck_assert_uint_eq(set.n, 5);
	ck_assert_int_eq(set.ids[0], PI_COL_PID);
	ck_assert_int_eq(set.ids[2], PI_COL_WCHAN);
	ck_assert_int_eq(set.ids[4], PI_COL_COMMAND);

	set = parse_ok("PID,State,wChAn");
	ck_assert_uint_eq(set.n, 3);
	ck_assert_int_eq(set.ids[1], PI_COL_STATE);
	set = parse_ok("cpu_percent,RSS_BYTES");
	ck_assert_int_eq(set.ids[0], PI_COL_CPU);
	ck_assert_int_eq(set.ids[1], PI_COL_MEM);
	set = parse_ok("command,pid");
	ck_assert_int_eq(set.ids[0], PI_COL_COMMAND);

	/* Twice is once. */
	set = parse_ok("pid,state,pid,PID");
	ck_assert_uint_eq(set.n, 2);

	/* +LIST: the defaults, then these; one already there stays put. */
	unsigned ndef = pi_columns_default()->n;
	set = parse_ok("+ppid,tracer");
	ck_assert_uint_eq(set.n, ndef + 2);
	ck_assert_int_eq(set.ids[ndef], PI_COL_PPID);
	ck_assert_int_eq(set.ids[ndef + 1], PI_COL_TRACER);
	set = parse_ok("+pid");
	ck_assert_uint_eq(set.n, ndef);

	/* Every column at once, and thousands of names (bounded: each
	 * column at most once). */
	struct pi_buf all = PI_BUF_INIT;
	pi_columns_format(pi_columns_every(), &all);
	set = parse_ok(all.data);
	ck_assert_uint_eq(set.n, PI_COL_COUNT);
	pi_buf_reset(&all);
	for (int i = 0; i < 10000; i++)
		pi_buf_puts(&all, i ? ",wchan" : "wchan");
	set = parse_ok(all.data);
	ck_assert_uint_eq(set.n, 1);
	pi_buf_free(&all);
}
END_TEST

START_TEST(bad_lists)
{
	char *m = parse_bad("pid,bogus");
	ck_assert_ptr_nonnull(strstr(m, "unknown column 'bogus'"));
	/* It names the valid ones, all of them. */
	struct pi_buf all = PI_BUF_INIT;
	pi_columns_format(pi_columns_every(), &all);
	ck_assert_ptr_nonnull(strstr(m, all.data));
	pi_buf_free(&all);
	free(m);

	static const char *const bad[] = { "", "+", ",", "pid,", ",pid", "pid,,state", "pid state",
					   " pid", "++pid", "pid,+ppid", "%CPU", "S" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		free(parse_bad(bad[i]));

	/* What the user typed is escaped, and a huge name is cut. */
	m = parse_bad("pid,a\033[31mb\x7f\xff");
	ck_assert_ptr_null(strchr(m, '\033'));
	ck_assert_ptr_null(strchr(m, '\x7f'));
	free(m);
	char *huge = malloc(1 << 20);
	memset(huge, 'y', (1 << 20) - 1);
	huge[(1 << 20) - 1] = '\0';
	m = parse_bad(huge);
	ck_assert_int_lt((int)strlen(m), 1024);
	free(m);
	free(huge);
}
END_TEST

/* A column not shown costs nothing to read: what a set needs is its
 * columns' files only. */
START_TEST(detail)
{
	struct pi_column_set set = parse_ok("pid,state,cpu,command");
	ck_assert_uint_eq(pi_columns_detail(&set) & (PI_DETAIL_WCHAN | PI_DETAIL_SYSCALL | PI_DETAIL_SCHED
						     | PI_DETAIL_STATUS), 0);
	set = parse_ok("pid,wchan");
	ck_assert_uint_eq(pi_columns_detail(&set) & (PI_DETAIL_WCHAN | PI_DETAIL_SYSCALL), PI_DETAIL_WCHAN);
	set = parse_ok("syscall");
	ck_assert(pi_columns_detail(&set) & PI_DETAIL_SYSCALL);
	ck_assert_uint_eq(pi_columns_detail(pi_columns_all()) & PI_DETAIL_ALL & ~PI_DETAIL_STAT,
			  PI_DETAIL_ALL & ~PI_DETAIL_STAT);
}
END_TEST

START_TEST(options)
{
	struct pi_options o;
	char *given[] = { "pinspect", "--batch", "-o", "PID,state", NULL };
	ck_assert_int_eq(pi_options_parse(4, given, &o), PI_OPTIONS_RUN);
	ck_assert(o.columns_given);
	ck_assert(!o.columns_added);
	ck_assert_uint_eq(o.columns.n, 2);
	ck_assert_int_eq(o.columns.ids[1], PI_COL_STATE);
	char *added[] = { "pinspect", "--output=+ppid", NULL };
	ck_assert_int_eq(pi_options_parse(2, added, &o), PI_OPTIONS_RUN);
	ck_assert(o.columns_added);
	ck_assert_uint_eq(o.columns.n, pi_columns_default()->n + 1);
	char *none[] = { "pinspect", "--batch", NULL };
	ck_assert_int_eq(pi_options_parse(2, none, &o), PI_OPTIONS_RUN);
	ck_assert(!o.columns_given);

	FILE *saved = stderr;
	stderr = fopen("/dev/null", "w");
	char *unknown[] = { "pinspect", "-o", "pid,bogus", NULL };
	ck_assert_int_eq(pi_options_parse(3, unknown, &o), PI_OPTIONS_USAGE);
	char *with_pid[] = { "pinspect", "-o", "pid", "1", NULL };
	ck_assert_int_eq(pi_options_parse(4, with_pid, &o), PI_OPTIONS_USAGE);
	char *missing[] = { "pinspect", "-o", NULL };
	ck_assert_int_eq(pi_options_parse(2, missing, &o), PI_OPTIONS_USAGE);
	fclose(stderr);
	stderr = saved;
}
END_TEST

/* Parses config text given without a terminating NUL (a copy of exactly
 * len bytes, so that reading past it is caught under ASan/valgrind). */
static int config_parse(const char *text, size_t len, struct pi_settings *c, struct pi_buf *why)
{
	char *copy = malloc(len ? len : 1);
	memcpy(copy, text, len);
	int r = pi_settings_parse(copy, len, c, why);
	free(copy);
	return r;
}

START_TEST(config_text)
{
	struct pi_settings c;
	struct pi_buf why = PI_BUF_INIT;

	static const char good[] = "# saved by F2\n\n  columns = pid, state ,command \r\n";
	ck_assert_int_eq(config_parse(good, sizeof good - 1, &c, &why), -1);	/* " state " */
	pi_buf_reset(&why);
	static const char good2[] = "# saved by F2\n\n  columns = pid,state,command\r\n";
	ck_assert_int_eq(config_parse(good2, sizeof good2 - 1, &c, &why), 0);
	ck_assert(c.have_columns);
	ck_assert_uint_eq(c.columns.n, 3);
	ck_assert_int_eq(c.columns.ids[2], PI_COL_COMMAND);

	/* No newline at the end; +LIST; the last columns= wins. */
	static const char plus[] = "columns=pid\ncolumns=+ppid";
	ck_assert_int_eq(config_parse(plus, sizeof plus - 1, &c, &why), 0);
	ck_assert_uint_eq(c.columns.n, pi_columns_default()->n + 1);

	/* Nothing, or comments only: no columns, no complaint. */
	ck_assert_int_eq(config_parse("", 0, &c, &why), 0);
	ck_assert(!c.have_columns);
	ck_assert_int_eq(config_parse("#\n#x=y\n", 7, &c, &why), 0);
	ck_assert(!c.have_columns);
	ck_assert_uint_eq(why.len, 0);

	/* An unknown key is skipped, said, and the rest still read. */
	static const char unknown[] = "colour=yes\ncolumns=pid\nfuture\033key=1\n";
	ck_assert_int_eq(config_parse(unknown, sizeof unknown - 1, &c, &why), 1);
	ck_assert(c.have_columns);
	ck_assert_uint_eq(c.columns.n, 1);
	ck_assert_ptr_nonnull(strstr(why.data, "line 1: unknown key 'colour'"));
	ck_assert_ptr_null(strchr(why.data, '\033'));
	pi_buf_reset(&why);

	/* Malformed: nothing is used. */
	static const char *const bad[] = {
		"columns=pid,bogus\n", "columns\n", "columns=\n", "=pid\n", "columns=pid,,state\n",
		"columns=pid\njunk\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(config_parse(bad[i], strlen(bad[i]), &c, &why), -1);
		ck_assert(!c.have_columns);
		ck_assert_ptr_nonnull(why.data);
		ck_assert_ptr_null(strchr(why.data, '\n'));	/* one line */
		pi_buf_reset(&why);
	}
	static const char nul[] = "columns=pid\0,state\n";
	ck_assert_int_eq(config_parse(nul, sizeof nul - 1, &c, &why), -1);
	ck_assert_ptr_nonnull(strstr(why.data, "NUL"));
	pi_buf_reset(&why);

	/* A huge line, and a huge file of short lines. */
	size_t n = 1 << 20;
	char *big = malloc(n);
	memcpy(big, "columns=", 8);
	memset(big + 8, 'p', n - 8);
	ck_assert_int_eq(config_parse(big, n, &c, &why), -1);
	ck_assert_ptr_nonnull(strstr(why.data, "line 1: longer than"));
	ck_assert_int_lt((int)why.len, 200);
	pi_buf_reset(&why);
	for (size_t i = 0; i < n; i++)
		big[i] = i % 4 == 3 ? '\n' : '#';
	ck_assert_int_eq(config_parse(big, n, &c, &why), 0);
	/* A line just at the limit is read. */
	size_t at = PI_SETTINGS_MAX_LINE;
	memset(big, ' ', at);
	memcpy(big, "columns=pid", 11);
	ck_assert_int_eq(config_parse(big, at, &c, &why), 0);
	ck_assert(c.have_columns);
	free(big);
	pi_buf_free(&why);
}
END_TEST

static char config_home[64];

static void make_home(void)
{
	snprintf(config_home, sizeof config_home, "/tmp/pi-unit-config.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(config_home));
	setenv("XDG_CONFIG_HOME", config_home, 1);
}

static void remove_home(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", config_home);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(config_file)
{
	struct pi_buf path = PI_BUF_INIT, why = PI_BUF_INIT;
	struct pi_settings c;
	struct stat st;
	char file[128], target[128];

	make_home();
	snprintf(file, sizeof file, "%s/pinspect/pinspectrc", config_home);
	/* None yet: the defaults, silently. */
	ck_assert_int_eq(pi_settings_load(&c, &why), 0);
	ck_assert(!c.have_columns);

	struct pi_column_set set = parse_ok("state,pid,wchan");
	ck_assert_int_eq(pi_settings_save(&set, &path, &why), 0);
	ck_assert_str_eq(path.data, file);
	ck_assert_int_eq(lstat(file, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(pi_settings_load(&c, &why), 0);
	ck_assert(c.have_columns);
	ck_assert_uint_eq(c.columns.n, 3);
	ck_assert_int_eq(c.columns.ids[0], PI_COL_STATE);

	/* Writable by others: not read. */
	chmod(file, 0666);
	ck_assert_int_eq(pi_settings_load(&c, &why), -1);
	ck_assert_ptr_nonnull(strstr(why.data, "writable by others"));
	pi_buf_reset(&why);

	/* A symlink at the final path: not followed when read; replaced,
	 * not written through, when saved. */
	snprintf(target, sizeof target, "%s/target", config_home);
	int fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "columns=pid\n", 12), 12);
	close(fd);
	unlink(file);
	ck_assert_int_eq(symlink(target, file), 0);
	ck_assert_int_eq(pi_settings_load(&c, &why), -1);
	ck_assert_ptr_nonnull(strstr(why.data, "symlink"));
	pi_buf_reset(&why);
	ck_assert_int_eq(pi_settings_save(&set, &path, &why), 0);
	ck_assert_int_eq(lstat(file, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_int_eq(st.st_size, 12);

	/* A FIFO there: said, never waited on. */
	unlink(file);
	ck_assert_int_eq(mkfifo(file, 0600), 0);
	ck_assert_int_eq(pi_settings_load(&c, &why), -1);
	ck_assert_ptr_nonnull(strstr(why.data, "not a regular file"));
	pi_buf_reset(&why);
	unlink(file);

	/* Somebody else's file, or directory (as root: sudo with the
	 * invoking user's HOME): neither read nor written. */
	if (geteuid() == 0) {
		ck_assert_int_eq(pi_settings_save(&set, &path, &why), 0);
		ck_assert_int_eq(chown(file, 65534, 65534), 0);
		ck_assert_int_eq(pi_settings_load(&c, &why), -1);
		ck_assert_ptr_nonnull(strstr(why.data, "belongs to user 65534"));
		pi_buf_reset(&why);
		snprintf(target, sizeof target, "%s/pinspect", config_home);
		ck_assert_int_eq(chown(target, 65534, 65534), 0);
		ck_assert_int_eq(pi_settings_save(&set, &path, &why), -1);
		ck_assert_ptr_nonnull(strstr(why.data, "belongs to user 65534"));
		ck_assert_int_eq(stat(file, &st), 0);
		ck_assert_uint_eq(st.st_uid, 65534);	/* left alone */
		pi_buf_reset(&why);
	}

	/* A file too big. */
	unlink(file);
	snprintf(target, sizeof target, "%s/pinspect", config_home);
	if (chown(target, geteuid(), getegid()) != 0)
		ck_abort_msg("chown back");
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, PI_SETTINGS_MAX_BYTES + 1), 0);
	close(fd);
	ck_assert_int_eq(pi_settings_load(&c, &why), -1);
	ck_assert_ptr_nonnull(strstr(why.data, "bigger than"));

	pi_buf_free(&path);
	pi_buf_free(&why);
	remove_home();
}
END_TEST

Suite *columns_suite(void)
{
	Suite *s = suite_create("columns");
	TCase *tc = tcase_create("columns");
	tcase_add_test(tc, registry);
	tcase_add_test(tc, lists);
	tcase_add_test(tc, bad_lists);
	tcase_add_test(tc, detail);
	tcase_add_test(tc, options);
	tcase_add_test(tc, config_text);
	tcase_add_test(tc, config_file);
	suite_add_tcase(s, tc);
	return s;
}
