/* A CPython's memory (runtime/python.c): the input is the memory, mapped
 * at BASE, and its first bytes choose the layout (3.11's, 3.12's, or the
 * _Py_DebugOffsets the input itself holds) and where _PyRuntime lies; a
 * read outside the input fails, as one of unmapped memory does. The input
 * is also a location table. Properties: every walk returns within its
 * bounds (interpreters, each one's threads, frames, GILs), names are
 * bounded and NUL-free, the line decoder never reads past its table, and
 * making each OS thread's thread states one keeps every frame, once. */
#include <stdbool.h>

#include "fuzz.h"
#include "runtime/python.h"

enum { BASE = 0x10000 };

static const uint8_t *input;
static size_t input_len;

static bool read_input(void *arg, uint64_t addr, void *buf, size_t len)
{
	(void)arg;
	if (addr < BASE || addr - BASE > input_len || len > input_len - (addr - BASE))
		return false;
	memcpy(buf, input + (addr - BASE), len);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	input = data;
	input_len = size;
	struct fz f = { data, size };
	unsigned mode = (unsigned)fz_take(&f, 1) % 3;
	uint64_t runtime = BASE + fz_take(&f, 2) % (size ? size : 1);
	int64_t addrq = (int64_t)fz_take(&f, 2) - 1;

	/* The location table: the bytes as they come. */
	int line = pi_py_line_for(data, size, 1, addrq);
	fz_require(line >= 0);

	struct pi_py_layout l;
	uint64_t hex;
	if (mode == 2) {
		if (size < PI_PY_DEBUG_OFFSETS_SIZE
		    || pi_py_layout_from_debug_offsets(data, size, &l, &hex) != 0)
			return 0;
		runtime = BASE;
	} else if (!pi_py_layout_for_version(mode ? 12 : 11, &l)) {
		abort();
	}
	struct pi_strpool pool = { 0 };
	struct pi_py_walk w = { read_input, NULL, &l, runtime, 32, 64, &pool, NULL };
	struct pi_py_snapshot s;
	pi_py_walk(&w, &s);
	fz_require(s.ninterpreters <= PI_PY_MAX_INTERPRETERS);
	fz_require(s.nthreads <= 32 * s.ninterpreters);
	fz_require(s.ngils <= s.ninterpreters && s.ngil_holders <= s.ngils);
	for (size_t i = 0; i < s.nthreads; i++) {
		fz_require(s.threads[i].nframes <= 64);
		fz_require(s.threads[i].first_frame + s.threads[i].nframes <= s.nframes);
		fz_require(s.threads[i].interp < s.ninterpreters);
	}
	size_t nframes = s.nframes, nthreads = s.nthreads;
	pi_py_by_os_thread(&s);
	fz_require(s.nframes == nframes && s.nthreads <= nthreads);
	size_t sum = 0;
	for (size_t i = 0; i < s.nthreads; i++) {
		fz_require(s.threads[i].first_frame == sum);
		sum += s.threads[i].nframes;
	}
	fz_require(sum == s.nframes);
	for (size_t i = 0; i < s.nframes; i++) {
		fz_require(!s.frames[i].function || strlen(s.frames[i].function) <= 4 * PI_PY_MAX_NAME + 3);
		fz_require(!s.frames[i].file || strlen(s.frames[i].file) <= 4 * PI_PY_MAX_NAME + 3);
		fz_require(s.frames[i].line >= 0);
	}
	pi_py_snapshot_free(&s);
	pi_strpool_free(&pool);
	return 0;
}
