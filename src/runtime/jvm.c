#include "runtime/jvm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/vma.h"
#include "proc/target_open.h"
#include "util/xalloc.h"

bool pi_jvm_mapped(const struct pi_vma *vmas, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *path = vmas[i].path;
		if (!path)
			continue;
		const char *base = strrchr(path, '/');
		if (base && strcmp(base + 1, "libjvm.so") == 0)
			return true;
	}
	return false;
}

bool pi_jvm_code_at(const struct pi_vma *vmas, size_t n, uint64_t pc)
{
	long i = pi_vma_find(vmas, n, pc);
	return i >= 0 && !vmas[i].path && vmas[i].perms[2] == 'x';
}

/* A hex number of at most 16 digits, "0x" optional; advances *p. */
static bool hex_field(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	if (end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	uint64_t v = 0;
	int digits = 0;
	for (; s < end; s++, digits++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (digits == 16)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	if (!digits)
		return false;
	*p = s;
	*out = v;
	return true;
}

static int by_start(const void *a, const void *b)
{
	const struct pi_perfmap_entry *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

void pi_perfmap_parse(const char *text, size_t len, struct pi_perfmap *m)
{
	memset(m, 0, sizeof *m);
	size_t cap = 0;
	/* Names are copies, each shorter than its line: len + 1 bytes hold
	 * them all. */
	m->names = pi_xmalloc(len + 1);
	size_t names_len = 0;
	const char *p = text, *end = text + len;
	size_t line = 0;
	while (p < end && m->n < PI_PERFMAP_MAX_ENTRIES) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			break;	/* a line cut at the end (the JVM still writing it) */
		const char *s = p;
		p = eol + 1;
		line++;
		uint64_t start, size;
		if (!hex_field(&s, eol, &start) || s == eol || *s != ' ')
			continue;
		while (s < eol && *s == ' ')
			s++;
		if (!hex_field(&s, eol, &size) || s == eol || *s != ' ' || !size
		    || start > UINT64_MAX - size)
			continue;
		s++;
		const char *name_end = eol;
		if (name_end > s && name_end[-1] == '\r')
			name_end--;
		size_t nlen = (size_t)(name_end - s);
		if (!nlen || memchr(s, '\0', nlen))
			continue;
		if (nlen > PI_PERFMAP_MAX_NAME)
			nlen = PI_PERFMAP_MAX_NAME;
		pi_xgrow(&m->entries, &cap, m->n + 1, sizeof *m->entries);
		struct pi_perfmap_entry *e = &m->entries[m->n++];
		e->start = start;
		e->size = size;
		e->name = names_len;
		e->line = line;
		memcpy(m->names + names_len, s, nlen);
		names_len += nlen;
		m->names[names_len++] = '\0';
	}
	if (m->n)
		qsort(m->entries, m->n, sizeof *m->entries, by_start);
}

/* How far back a lookup looks past the nearest start, for code that a
 * bigger, later piece now covers (the JIT reuses its memory). */
enum { LOOK_BACK = 16 };

const char *pi_perfmap_lookup(const struct pi_perfmap *m, uint64_t pc, uint64_t *offset)
{
	if (!m || !m->n)
		return NULL;
	/* the last entry starting at or below pc */
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->entries[mid].start <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct pi_perfmap_entry *best = NULL;
	for (size_t k = 0; k < LOOK_BACK && k < lo; k++) {
		const struct pi_perfmap_entry *e = &m->entries[lo - 1 - k];
		if (pc - e->start < e->size && (!best || e->line > best->line))
			best = e;
	}
	if (!best)
		return NULL;
	*offset = pc - best->start;
	return m->names + best->name;
}

void pi_perfmap_free(struct pi_perfmap *m)
{
	free(m->entries);
	free(m->names);
	memset(m, 0, sizeof *m);
}

int pi_perfmap_read(int rootfd, pid_t nspid, struct pi_buf *out)
{
	char path[64];
	snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)nspid);
	struct stat st;
	int fd = pi_target_open(rootfd, path, &st);
	if (fd < 0)
		return fd;
	return pi_perfmap_read_fd(fd, &st, out);
}

int pi_perfmap_read_fd(int fd, const struct stat *stp, struct pi_buf *out)
{
	struct stat st = *stp;
	/* The newest code is at the end: a bigger map is read from there
	 * (its first, cut line is then skipped by the parser). */
	off_t from = st.st_size > PI_PERFMAP_MAX_BYTES ? st.st_size - PI_PERFMAP_MAX_BYTES : 0;
	size_t want = (size_t)(st.st_size - from);
	pi_buf_reserve(out, want + 1);
	size_t got = 0;
	int err = 0;
	while (got < want) {
		ssize_t n = pread(fd, out->data + out->len + got, want - got, from + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : 0;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	out->len += got;
	out->data[out->len] = '\0';
	if (from > 0 && got) {
		/* drop the line cut at the front */
		char *nl = memchr(out->data, '\n', out->len);
		size_t cut = nl ? (size_t)(nl - out->data) + 1 : out->len;
		memmove(out->data, out->data + cut, out->len - cut + 1);
		out->len -= cut;
	}
	return err;
}
