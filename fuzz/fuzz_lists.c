/* The list files: cmdline (the task's own bytes), the kernel stack,
 * cgroup paths (named by whoever made the cgroup), children, wchan, and
 * the binary auxv, in 8- and 4-byte words. */
#include <stdbool.h>
#include <sys/types.h>

#include "fuzz.h"
#include "proc/lists.h"

/* Lines are kept without their newline. */
static void check_strv(const struct pi_strv *sv, bool lines)
{
	for (size_t i = 0; i < sv->n; i++) {
		fz_require(sv->v[i] != NULL);
		if (lines)
			fz_require(!strchr(sv->v[i], '\n'));
	}
	fz_require(sv->n == 0 || sv->v[sv->n] == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct pi_strv sv;

	/* The arguments, joined by NULs again, are the text without its
	 * trailing NUL padding. */
	pi_cmdline_parse(text, size, &sv);
	check_strv(&sv, false);
	size_t at = 0;
	for (size_t i = 0; i < sv.n; i++) {
		size_t n = strlen(sv.v[i]);
		fz_require(at + n <= size && memcmp(text + at, sv.v[i], n) == 0);
		at += n + 1;
	}
	while (at < size)
		fz_require(text[at++] == '\0');
	pi_strv_free(&sv);

	pi_kstack_parse(text, size, &sv);
	check_strv(&sv, true);
	pi_strv_free(&sv);
	pi_cgroup_parse(text, size, &sv);
	check_strv(&sv, true);
	pi_strv_free(&sv);

	pid_t *pids = NULL;
	size_t count = 0, cap = 0;
	pi_children_parse(text, size, &pids, &count, &cap);
	fz_require(count <= cap);
	free(pids);

	char wchan[64];
	if (pi_wchan_parse(text, size, wchan, sizeof wchan) == 0)
		fz_require(fz_terminated(wchan, sizeof wchan));

	struct pi_auxv auxv;
	pi_auxv_parse(data, size, 8, &auxv);
	pi_auxv_parse(data, size, 4, &auxv);
	return 0;
}
