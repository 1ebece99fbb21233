#include "proc/lists.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proc/scan.h"
#include "util/xalloc.h"

void pi_strv_push(struct pi_strv *sv, const char *s, size_t len)
{
	sv->v = pi_xrealloc(sv->v, (sv->n + 2) * sizeof *sv->v);
	sv->v[sv->n++] = pi_xstrndup(s, len);
	sv->v[sv->n] = NULL;
}

void pi_strv_free(struct pi_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

int pi_cmdline_parse(const char *text, size_t len, struct pi_strv *out)
{
	size_t i = 0;

	memset(out, 0, sizeof *out);
	/* Trailing NULs are padding, not empty arguments. */
	while (len > 0 && text[len - 1] == '\0')
		len--;
	while (i < len) {
		const char *nul = memchr(text + i, '\0', len - i);
		size_t n = nul ? (size_t)(nul - (text + i)) : len - i;
		pi_strv_push(out, text + i, n);
		i += n + 1;
	}
	return 0;
}

int pi_kstack_parse(const char *text, size_t len, struct pi_strv *out)
{
	struct pi_scan s = pi_scan_of(text, len), line;

	memset(out, 0, sizeof *out);
	while (pi_scan_line(&s, &line)) {
		pi_scan_blank(&line);
		if (pi_scan_char(&line, '[')) {
			if (!pi_scan_past(&line, ']'))
				continue;
			pi_scan_blank(&line);
		}
		pi_scan_rtrim(&line);
		if (!pi_scan_done(&line))
			pi_strv_push(out, line.p, pi_scan_left(&line));
	}
	return 0;
}

int pi_cgroup_parse(const char *text, size_t len, struct pi_strv *out)
{
	struct pi_scan s = pi_scan_of(text, len), line;

	memset(out, 0, sizeof *out);
	while (pi_scan_line(&s, &line)) {
		pi_scan_rtrim(&line);
		if (!pi_scan_done(&line))
			pi_strv_push(out, line.p, pi_scan_left(&line));
	}
	return 0;
}

int pi_children_parse(const char *text, size_t len, pid_t **pids, size_t *count, size_t *cap)
{
	struct pi_scan s = pi_scan_of(text, len);
	uint64_t pid;

	for (;;) {
		while (!pi_scan_done(&s) && (*s.p == ' ' || *s.p == '\n'))
			s.p++;
		if (!pi_scan_u64(&s, &pid))
			break;
		if (pid == 0 || pid > INT32_MAX)
			continue;
		pi_xgrow(pids, cap, *count + 1, sizeof **pids);
		(*pids)[(*count)++] = (pid_t)pid;
	}
	return pi_scan_done(&s) ? 0 : -EINVAL;
}

int pi_wchan_parse(const char *text, size_t len, char *out, size_t size)
{
	struct pi_scan s = pi_scan_of(text, len);

	pi_scan_blank(&s);
	pi_scan_rtrim(&s);
	if (pi_scan_equals(&s, "0"))
		s.end = s.p;
	pi_scan_copy(&s, out, size);
	return 0;
}

static uint64_t word_at(const unsigned char *p, unsigned word_size)
{
	if (word_size == 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		return w;
	}
	uint64_t w;
	memcpy(&w, p, 8);
	return w;
}

/* Whether the vector reads as (type, value) pairs of word_size bytes:
 * every type the kernel writes is small, up to an AT_NULL. */
static bool auxv_reads_as(const unsigned char *p, size_t len, unsigned word_size)
{
	size_t pair = 2 * (size_t)word_size;
	for (size_t off = 0; off + pair <= len; off += pair) {
		uint64_t type = word_at(p + off, word_size);
		if (type == AT_NULL)
			return off > 0;
		if (type > PI_AUXV_TYPE_MAX)
			return false;
	}
	return false;
}

unsigned pi_auxv_word_size(const void *data, size_t len)
{
	if (auxv_reads_as(data, len, 8))
		return 8;
	if (auxv_reads_as(data, len, 4))
		return 4;
	return 0;
}

int pi_auxv_parse(const void *data, size_t len, unsigned word_size, struct pi_auxv *out)
{
	const unsigned char *p = data;
	size_t pair = 2 * (size_t)word_size;

	memset(out, 0, sizeof *out);
	if ((word_size != 4 && word_size != 8) || len < pair)
		return -EINVAL;
	for (size_t off = 0; off + pair <= len; off += pair) {
		uint64_t type = word_at(p + off, word_size);
		uint64_t val = word_at(p + off + word_size, word_size);
		switch (type) {
		case AT_NULL:
			return 0;
		case AT_SYSINFO_EHDR:
			out->have_sysinfo_ehdr = true;
			out->sysinfo_ehdr = val;
			break;
		case AT_PAGESZ: out->pagesz = val; break;
		case AT_HWCAP: out->hwcap = val; break;
		case AT_ENTRY: out->entry = val; break;
		case AT_BASE: out->base = val; break;
		case AT_EXECFN: out->execfn = val; break;
		case AT_PLATFORM: out->platform = val; break;
		case AT_SECURE: out->secure = val != 0; break;
		}
	}
	return 0;
}
