/* A JVM's perf map (runtime/jvm.c): /tmp/perf-PID.map is the target's
 * file. The input is the map's text; the first 8 bytes also pick a pc to
 * look up. Properties: the parser keeps at most PI_PERFMAP_MAX_ENTRIES
 * entries, sorted, none empty or wrapping; a lookup's answer, if any, is
 * a NUL-free name of at most PI_PERFMAP_MAX_NAME bytes, from an entry
 * that holds the pc, at the offset the entry gives. */
#include <stdbool.h>

#include "fuzz.h"
#include "runtime/jvm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint64_t pc = fz_take(&f, 8);
	struct pi_perfmap m;
	pi_perfmap_parse((const char *)f.p, f.n, &m);
	fz_require(m.n <= PI_PERFMAP_MAX_ENTRIES);
	for (size_t i = 0; i < m.n; i++) {
		fz_require(m.entries[i].size > 0 && m.entries[i].start <= UINT64_MAX - m.entries[i].size);
		fz_require(i == 0 || m.entries[i - 1].start <= m.entries[i].start);
	}
	for (size_t k = 0; k < 4; k++) {
		uint64_t probe = k == 0 ? pc : k <= m.n && m.n ? m.entries[(k * 7919) % m.n].start + k : pc + k;
		uint64_t off = 0;
		const char *name = pi_perfmap_lookup(&m, probe, &off);
		if (!name)
			continue;
		size_t len = strlen(name);
		fz_require(len > 0 && len <= PI_PERFMAP_MAX_NAME);
		bool held = false;
		for (size_t i = 0; i < m.n && !held; i++)
			held = m.names + m.entries[i].name == name && probe - m.entries[i].start == off
			       && off < m.entries[i].size;
		fz_require(held);
	}
	pi_perfmap_free(&m);
	return 0;
}
