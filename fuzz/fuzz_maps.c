/* /proc/PID/maps and smaps: the paths are whatever files the task mapped
 * (named by anyone who could create a file), and a smaps of thousands of
 * mappings is fed to the parser in pieces. Also the classification of the
 * mappings (analysis/vma.c), which reads the paths. */
#include "analysis/vma.h"
#include "fuzz.h"
#include "proc/maps.h"

static void check_vmas(const struct pi_vma *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fz_require(v[i].start <= v[i].end);
		/* The kernel writes the permissions, the parser only
		 * ends them. */
		fz_require(v[i].perms[4] == '\0');
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct pi_vma *whole;
	size_t nwhole;
	pi_maps_parse(text, size, &whole, &nwhole);
	check_vmas(whole, nwhole);

	/* Fed one line at a time, the parser must give the same mappings. */
	struct pi_maps_parser p = { NULL, 0, 0 };
	for (size_t at = 0; at < size;) {
		const char *nl = memchr(text + at, '\n', size - at);
		size_t len = nl ? (size_t)(nl - (text + at)) + 1 : size - at;
		pi_maps_feed(&p, text + at, len);
		at += len;
	}
	fz_require(p.count == nwhole);
	for (size_t i = 0; i < nwhole; i++) {
		const struct pi_vma *a = &whole[i], *b = &p.vmas[i];
		fz_require(a->start == b->start && a->end == b->end && a->rss == b->rss
			   && a->vmflags == b->vmflags && !a->path == !b->path
			   && (!a->path || strcmp(a->path, b->path) == 0));
	}
	pi_vmas_free(p.vmas, p.count);

	/* Classify, with one thread whose stack pointer lies in the first
	 * mapping; then look every mapping's start up. */
	struct pi_thread t;
	memset(&t, 0, sizeof t);
	t.facts.tid = 1;
	t.syscall.kind = PI_SYSCALL_IN;
	t.syscall.sp = nwhole ? whole[0].start : 0;
	pi_vmas_classify(whole, nwhole, &t, 1);
	for (size_t i = 0; i < nwhole; i++) {
		fz_require(whole[i].kind > PI_VMA_UNCLASSIFIED && whole[i].kind < PI_VMA_KIND_COUNT);
		pi_vma_find(whole, nwhole, whole[i].start);
	}
	pi_vsyscall_mode(whole, nwhole, 0);
	pi_vmas_free(whole, nwhole);
	return 0;
}
