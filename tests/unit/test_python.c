/* A CPython's threads and Python frames (runtime/python.h), over memory
 * images built here as CPython 3.11, 3.12 and 3.13 lay their structures
 * out on x86-64, and over hostile ones; the location table; the root
 * side's checks of the child's Python records and the merge into native
 * stacks (collect/stack_python.h).
 *
 * The offsets below are those of CPython 3.11.2, 3.12.1 and 3.13.0 on
 * x86-64 (offsetof over each version's Include/internal headers), written
 * out here rather than taken from the module, so that a slip in its table
 * shows. tests/cli/python.sh reads real interpreters: Debian's 3.11
 * always, 3.12 and 3.13 where they are installed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/reasons.h"
#include "collect/stack_python.h"
#include "collect/stack_sandbox.h"
#include "runtime/python.h"
#include "sandbox/wire.h"
#include "unit.h"
#include "util/buf.h"

/* The offsets of one version, as its headers give them. */
struct ver {
	unsigned minor;
	uint32_t rt_head;
	int gil_in_runtime;		/* offset of _gil_runtime_state in _PyRuntime, or -1 */
	int interp_gil_ptr;		/* offset of interp->ceval.gil (a pointer), or -1 */
	int gil_in_interp;		/* 3.13: gil_holder, gil_locked are the interpreter's */
	uint32_t gil_holder, gil_locked;
	uint32_t interp_threads, ts_next, ts_native, ts_frame;
	int cframe_cur;			/* offset in _PyCFrame, or -1: ts_frame is the frame */
	uint32_t f_code, f_prev, f_instr, f_owner;
	int f_is_entry;			/* -1: shim frames (owner 3) mark the boundary */
	uint32_t co_name, co_file, co_first, co_lt, co_adaptive;
	uint32_t ascii_size, compact_size;
};

static const struct ver V311 = { 11, 40, 360, -1, 0, 8, 16, 16, 8, 160, 56, 8,
				 32, 48, 56, 69, 68, 120, 112, 72, 136, 184, 48, 72 };
static const struct ver V312 = { 12, 40, -1, 384, 0, 8, 16, 72, 8, 144, 56, 0,
				 0, 8, 56, 70, -1, 120, 112, 68, 136, 192, 40, 56 };
/* 3.13: what its _Py_DebugOffsets publishes. */
static const struct ver V313 = { 13, 632, -1, -1, 1, 7760, 7768, 7344, 8, 160, 72, -1,
				 0, 8, 56, 70, -1, 120, 112, 68, 136, 200, 40, 56 };

enum { BASE = 0x100000, SIZE = 1 << 20 };

struct mem {
	uint8_t *b;
	size_t used;
	size_t reads;
	int asked, budget;		/* budget_spent's */
};

static bool mem_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct mem *m = arg;
	m->reads++;
	if (addr < BASE || addr - BASE > SIZE || len > SIZE - (addr - BASE))
		return false;
	memcpy(buf, m->b + (addr - BASE), len);
	return true;
}

static uint64_t alloc(struct mem *m, size_t len)
{
	m->used = (m->used + 15) & ~(size_t)15;
	ck_assert_uint_le(m->used + len, SIZE);
	uint64_t at = BASE + m->used;
	m->used += len;
	return at;
}

static void w64(struct mem *m, uint64_t addr, uint64_t v)
{
	memcpy(m->b + (addr - BASE), &v, 8);
}

static void w32(struct mem *m, uint64_t addr, uint32_t v)
{
	memcpy(m->b + (addr - BASE), &v, 4);
}

static void w8(struct mem *m, uint64_t addr, uint8_t v)
{
	m->b[addr - BASE] = v;
}

/* A compact str of kind (1, 2, 4) holding code points cps[0..n). */
static uint64_t str(struct mem *m, const struct ver *v, const uint32_t *cps, size_t n, unsigned kind)
{
	bool ascii = kind == 1;
	for (size_t i = 0; i < n; i++)
		ascii &= cps[i] < 0x80;
	uint32_t hdr = ascii ? v->ascii_size : v->compact_size;
	uint64_t o = alloc(m, hdr + n * kind + 4);
	w64(m, o + 16, n);
	w32(m, o + 32, kind << 2 | 1u << 5 | (ascii ? 1u << 6 : 0));
	for (size_t i = 0; i < n; i++) {
		if (kind == 1)
			w8(m, o + hdr + i, (uint8_t)cps[i]);
		else if (kind == 2)
			memcpy(m->b + (o + hdr + 2 * i - BASE), &(uint16_t){ (uint16_t)cps[i] }, 2);
		else
			w32(m, o + hdr + 4 * i, cps[i]);
	}
	return o;
}

static uint64_t cstr(struct mem *m, const struct ver *v, const char *s)
{
	uint32_t cps[256];
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++)
		cps[i] = (unsigned char)s[i];
	return str(m, v, cps, n, 1);
}

/* A code object whose instruction k is on line first + k: a location
 * table of one-unit "no column" entries, each a line after the last. */
static uint64_t code(struct mem *m, const struct ver *v, uint64_t name, const char *file, int first)
{
	uint64_t co = alloc(m, v->co_adaptive + 64);
	enum { UNITS = 16 };
	uint64_t lt = alloc(m, 32 + 2 * UNITS);
	w64(m, lt + 16, 2 * UNITS);
	for (int k = 0; k < UNITS; k++) {
		w8(m, lt + 32 + 2 * k, 0x80 | 13 << 3);
		w8(m, lt + 33 + 2 * k, k ? 2 : 0);	/* svarint +1, or 0 */
	}
	w64(m, co + v->co_name, name);
	w64(m, co + v->co_file, cstr(m, v, file));
	w32(m, co + v->co_first, (uint32_t)first);
	w64(m, co + v->co_lt, lt);
	return co;
}

/* A frame running co at instruction k, before prev. */
static uint64_t frame(struct mem *m, const struct ver *v, uint64_t co, int k, uint64_t prev, bool entry)
{
	uint64_t f = alloc(m, 80);
	w64(m, f + v->f_code, co);
	w64(m, f + v->f_prev, prev);
	w64(m, f + v->f_instr, co + v->co_adaptive + 2 * (uint64_t)k);
	w8(m, f + v->f_owner, 0);
	if (v->f_is_entry >= 0)
		w8(m, f + (uint32_t)v->f_is_entry, entry);
	return f;
}

/* 3.12+: the shim frame a C call of the evaluator pushes. */
static uint64_t shim(struct mem *m, const struct ver *v, uint64_t prev)
{
	uint64_t f = alloc(m, 80);
	w64(m, f + v->f_prev, prev);
	w8(m, f + v->f_owner, 3);
	return f;
}

/* The frame chain for the thread: inner() at line 21 runs in one
 * evaluator; middle() at 12 and outer() at 3 in another (outer's the
 * first of the thread). */
static uint64_t chain(struct mem *m, const struct ver *v)
{
	uint64_t fo = code(m, v, cstr(m, v, "outer"), "app/main.py", 1);
	uint64_t fm = code(m, v, cstr(m, v, "middle"), "app/main.py", 10);
	uint64_t fi = code(m, v, cstr(m, v, "inner"), "app/lib.py", 20);
	bool shims = v->f_is_entry < 0;
	/* Each C call of the evaluator pushes a shim (3.12+) below its
	 * first frame. */
	uint64_t outer = frame(m, v, fo, 2, shims ? shim(m, v, 0) : 0, true);
	uint64_t middle = frame(m, v, fm, 2, outer, false);
	uint64_t below_inner = shims ? shim(m, v, middle) : middle;
	uint64_t inner = frame(m, v, fi, 1, below_inner, true);
	return inner;
}

struct image {
	struct mem m;
	uint64_t runtime, interp, ts[2];
};

/* _PyRuntime, one interpreter, two threads (TIDs 1001, 1002): the first
 * with the chain above, the second with no frame. The GIL held by the
 * second when locked. */
static void build(struct image *im, const struct ver *v, bool locked)
{
	memset(im, 0, sizeof *im);
	im->m.b = calloc(1, SIZE);
	struct mem *m = &im->m;
	im->runtime = alloc(m, 8192);
	im->interp = alloc(m, 8192);
	im->ts[0] = alloc(m, 512);
	im->ts[1] = alloc(m, 512);
	w64(m, im->runtime + v->rt_head, im->interp);
	w64(m, im->interp + v->interp_threads, im->ts[0]);
	w64(m, im->ts[0] + v->ts_next, im->ts[1]);
	w64(m, im->ts[0] + v->ts_native, 1001);
	w64(m, im->ts[1] + v->ts_native, 1002);
	uint64_t inner = chain(m, v);
	if (v->cframe_cur >= 0) {
		uint64_t cf = alloc(m, 32);
		w64(m, cf + (uint32_t)v->cframe_cur, inner);
		w64(m, im->ts[0] + v->ts_frame, cf);
	} else {
		w64(m, im->ts[0] + v->ts_frame, inner);
	}
	uint64_t gil = 0;
	if (v->gil_in_runtime >= 0)
		gil = im->runtime + (uint32_t)v->gil_in_runtime;
	if (v->interp_gil_ptr >= 0) {
		gil = alloc(m, 64);
		w64(m, im->interp + (uint32_t)v->interp_gil_ptr, gil);
	}
	if (v->gil_in_interp)
		gil = im->interp;
	if (gil) {
		w64(m, gil + v->gil_holder, im->ts[1]);
		w32(m, gil + v->gil_locked, locked);
	}
	if (v->minor == 13) {
		/* _Py_DebugOffsets: cookie, version, free_threaded, then the
		 * runtime's, interpreter's, thread's, frame's and code's
		 * parts, each beginning with its structure's size. */
		uint64_t w[44];
		memset(w, 0, sizeof w);
		memcpy(&w[0], "xdebugpy", 8);
		w[1] = 0x030d01f0;	/* 3.13.1 final */
		w[5] = v->rt_head;
		w[9] = v->interp_threads;
		w[17] = v->gil_locked;
		w[18] = v->gil_holder;
		w[21] = v->ts_next;
		w[23] = v->ts_frame;
		w[25] = v->ts_native;
		w[29] = v->f_prev;
		w[30] = v->f_code;
		w[31] = v->f_instr;
		w[33] = v->f_owner;
		w[35] = v->co_file;
		w[36] = v->co_name;
		w[38] = v->co_lt;
		w[39] = v->co_first;
		w[43] = v->co_adaptive;
		memcpy(m->b + (im->runtime - BASE), w, sizeof w);
	}
}

static int walk(struct image *im, const struct pi_py_layout *l, struct pi_strpool *pool,
		struct pi_py_snapshot *s)
{
	struct pi_py_walk w = { mem_read, &im->m, l, im->runtime, 16, PI_PY_MAX_FRAMES, pool, NULL };
	return pi_py_walk(&w, s);
}

static void layout_of(const struct image *im, const struct ver *v, struct pi_py_layout *l)
{
	if (v->minor == 13) {
		uint64_t hex;
		ck_assert_int_eq(pi_py_layout_from_debug_offsets(im->m.b + (im->runtime - BASE),
								 PI_PY_DEBUG_OFFSETS_SIZE, l, &hex), 0);
		ck_assert_uint_eq(hex, 0x030d01f0);
	} else {
		ck_assert(pi_py_layout_for_version(v->minor, l));
	}
}

static void check_version(const struct ver *v)
{
	struct image im;
	struct pi_strpool pool = { 0 };
	struct pi_py_layout l;
	struct pi_py_snapshot s;
	build(&im, v, true);
	layout_of(&im, v, &l);
	ck_assert_int_eq(walk(&im, &l, &pool, &s), 0);
	ck_assert_uint_eq(s.nthreads, 2);
	ck_assert_uint_eq(s.threads[0].native_tid, 1001);
	ck_assert_uint_eq(s.threads[1].native_tid, 1002);
	ck_assert_uint_eq(s.threads[1].nframes, 0);
	const struct pi_py_thread *t = &s.threads[0];
	ck_assert_uint_eq(t->nframes, 3);
	ck_assert_ptr_null(t->stop_reason);
	const struct pi_py_frame *f = s.frames + t->first_frame;
	ck_assert_str_eq(f[0].function, "inner");
	ck_assert_str_eq(f[0].file, "app/lib.py");
	ck_assert_int_eq(f[0].line, 21);
	ck_assert(f[0].entry);
	ck_assert_str_eq(f[1].function, "middle");
	ck_assert_str_eq(f[1].file, "app/main.py");
	ck_assert_int_eq(f[1].line, 12);
	ck_assert(!f[1].entry);
	ck_assert_str_eq(f[2].function, "outer");
	ck_assert_int_eq(f[2].line, 3);
	ck_assert(f[2].entry);
	ck_assert(s.gil_known);
	ck_assert_uint_eq(s.ninterpreters, 1);
	ck_assert_uint_eq(s.ngils, 1);
	ck_assert_uint_eq(s.ngil_holders, 1);
	ck_assert_uint_eq(s.gil_holders[0], im.ts[1]);
	ck_assert(s.threads[1].holds_gil && !s.threads[0].holds_gil);
	pi_py_snapshot_free(&s);
	free(im.m.b);

	/* The GIL not locked: no holder, whoever held it last. */
	build(&im, v, false);
	layout_of(&im, v, &l);
	ck_assert_int_eq(walk(&im, &l, &pool, &s), 0);
	ck_assert(s.gil_known);
	ck_assert_uint_eq(s.ngil_holders, 0);
	ck_assert(!s.threads[1].holds_gil);
	pi_py_snapshot_free(&s);
	free(im.m.b);
	pi_strpool_free(&pool);
}

START_TEST(python_311)
{
	check_version(&V311);
}
END_TEST

START_TEST(python_312)
{
	check_version(&V312);
}
END_TEST

START_TEST(python_313)
{
	check_version(&V313);
}
END_TEST

START_TEST(other_versions_refused)
{
	struct pi_py_layout l;
	ck_assert(!pi_py_layout_for_version(10, &l));
	ck_assert(!pi_py_layout_for_version(13, &l));	/* from its _Py_DebugOffsets only */
	uint64_t w[44], hex;
	memset(w, 0, sizeof w);
	ck_assert_int_eq(pi_py_layout_from_debug_offsets(w, sizeof w, &l, &hex), -ENOENT);
	memcpy(&w[0], "xdebugpy", 8);
	w[1] = 0x030e00f0;	/* 3.14: fields added in the middle */
	ck_assert_int_eq(pi_py_layout_from_debug_offsets(w, sizeof w, &l, &hex), -ENOTSUP);
	ck_assert_uint_eq(hex, 0x030e00f0);
	w[1] = 0x030d00f0;
	w[2] = 1;		/* free-threaded */
	ck_assert_int_eq(pi_py_layout_from_debug_offsets(w, sizeof w, &l, &hex), -ENOTSUP);
	w[2] = 0;
	w[9] = (uint64_t)1 << 40;	/* an offset no structure has */
	ck_assert_int_eq(pi_py_layout_from_debug_offsets(w, sizeof w, &l, &hex), -EINVAL);
	w[9] = 16;
	w[29] = 4000;		/* a frame field beyond what is read of a frame */
	ck_assert_int_eq(pi_py_layout_from_debug_offsets(w, sizeof w, &l, &hex), -EINVAL);
	ck_assert_int_eq(pi_py_layout_from_debug_offsets(w, 100, &l, &hex), -ENOENT);
}
END_TEST

START_TEST(location_table)
{
	/* first line 10: a short-form entry (same line, 2 units); a
	 * one-line entry +1 (1 unit); no location (1 unit); a no-column
	 * entry -1 (svarint 3); a long-form +5 (svarint 10, then end line
	 * and two columns). */
	const uint8_t t[] = { 0x80 | 0 << 3 | 1, 0x05, 0x80 | 11 << 3, 1, 2, 0x80 | 15 << 3,
			      0x80 | 13 << 3, 3, 0x80 | 14 << 3 | 2, 10, 0, 1, 4 };
	ck_assert_int_eq(pi_py_line_for(t, sizeof t, 10, 0), 10);
	ck_assert_int_eq(pi_py_line_for(t, sizeof t, 10, 1), 10);
	ck_assert_int_eq(pi_py_line_for(t, sizeof t, 10, 2), 11);
	ck_assert_int_eq(pi_py_line_for(t, sizeof t, 10, 3), 0);
	ck_assert_int_eq(pi_py_line_for(t, sizeof t, 10, 4), 10);
	ck_assert_int_eq(pi_py_line_for(t, sizeof t, 10, 5), 15);
	ck_assert_int_eq(pi_py_line_for(t, sizeof t, 10, 7), 15);
	ck_assert_int_eq(pi_py_line_for(t, sizeof t, 10, 8), 0);	/* past the table */
	ck_assert_int_eq(pi_py_line_for(t, sizeof t, 10, -1), 10);	/* not started */
	/* Cut inside an entry, a byte that starts none, a varint that
	 * never ends: no line, and no read past the table. */
	ck_assert_int_eq(pi_py_line_for(t, 8, 10, 5), 0);
	const uint8_t bad[] = { 0x05 };
	ck_assert_int_eq(pi_py_line_for(bad, sizeof bad, 10, 0), 0);
	const uint8_t endless[] = { 0x80 | 13 << 3, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f };
	ck_assert_int_eq(pi_py_line_for(endless, sizeof endless, 10, 0), 0);
	ck_assert_int_eq(pi_py_line_for(NULL, 0, 10, 0), 0);
}
END_TEST

START_TEST(names_decoded_and_bounded)
{
	const struct ver *v = &V313;
	struct image im;
	struct pi_strpool pool = { 0 };
	struct pi_py_layout l;
	struct pi_py_snapshot s;
	build(&im, v, false);
	layout_of(&im, v, &l);
	uint64_t inner;
	ck_assert(mem_read(&im.m, im.ts[0] + v->ts_frame, &inner, 8));
	uint64_t co;
	ck_assert(mem_read(&im.m, inner + v->f_code, &co, 8));
	/* latin-1, UCS-2 and UCS-4 names, one with a NUL; and a name
	 * longer than PI_PY_MAX_NAME */
	const uint32_t latin[] = { 'c', 'a', 'f', 0xe9 }, ucs2[] = { 0x3a9, 0 }, ucs4[] = { 0x1f600 };
	const char *want[] = { "caf\xc3\xa9", "\xce\xa9?", "\xf0\x9f\x98\x80" };
	uint64_t names[] = { str(&im.m, v, latin, 4, 1), str(&im.m, v, ucs2, 2, 2),
			     str(&im.m, v, ucs4, 1, 4) };
	for (int i = 0; i < 3; i++) {
		w64(&im.m, co + v->co_name, names[i]);
		ck_assert_int_eq(walk(&im, &l, &pool, &s), 0);
		ck_assert_str_eq(s.frames[0].function, want[i]);
		pi_py_snapshot_free(&s);
	}
	uint32_t many[1000];
	for (int i = 0; i < 1000; i++)
		many[i] = 'x';
	w64(&im.m, co + v->co_name, str(&im.m, v, many, 1000, 1));
	ck_assert_int_eq(walk(&im, &l, &pool, &s), 0);
	ck_assert_uint_eq(strlen(s.frames[0].function), PI_PY_MAX_NAME + 3);
	pi_py_snapshot_free(&s);
	/* A huge length, a kind that is none, a string that is not compact:
	 * no name, the frame kept. */
	uint64_t bad = cstr(&im.m, v, "abc");
	w64(&im.m, co + v->co_name, bad);
	w64(&im.m, bad + 16, (uint64_t)1 << 62);
	ck_assert_int_eq(walk(&im, &l, &pool, &s), 0);
	ck_assert_ptr_null(s.frames[0].function);
	ck_assert_str_eq(s.frames[0].file, "app/lib.py");
	pi_py_snapshot_free(&s);
	w64(&im.m, bad + 16, 3);
	w32(&im.m, bad + 32, 3 << 2 | 1 << 5);
	ck_assert_int_eq(walk(&im, &l, &pool, &s), 0);
	ck_assert_ptr_null(s.frames[0].function);
	pi_py_snapshot_free(&s);
	w32(&im.m, bad + 32, 1 << 2 | 1 << 6);
	ck_assert_int_eq(walk(&im, &l, &pool, &s), 0);
	ck_assert_ptr_null(s.frames[0].function);
	pi_py_snapshot_free(&s);
	free(im.m.b);
	pi_strpool_free(&pool);
}
END_TEST

/* A thread state of an interpreter: TID tid, running frame (0: none),
 * before next in its interpreter's list. */
static uint64_t tstate(struct mem *m, const struct ver *v, uint64_t tid, uint64_t frame, uint64_t next)
{
	uint64_t ts = alloc(m, 512);
	w64(m, ts + v->ts_next, next);
	w64(m, ts + v->ts_native, tid);
	if (frame && v->cframe_cur >= 0) {
		uint64_t cf = alloc(m, 32);
		w64(m, cf + (uint32_t)v->cframe_cur, frame);
		w64(m, ts + v->ts_frame, cf);
	} else {
		w64(m, ts + v->ts_frame, frame);
	}
	return ts;
}

/* A subinterpreter put at the head of the list (as CPython does), with
 * a GIL of its own where the version lets it (3.12: interp->ceval.gil
 * points to it; 3.13: its own _gil) held by holder, or, own_gil false,
 * the main interpreter's (3.12: the pointer to it; 3.11: always). */
static uint64_t subinterp(struct image *im, const struct ver *v, uint64_t threads, bool own_gil,
			  uint64_t holder)
{
	struct mem *m = &im->m;
	uint64_t sub = alloc(m, 8192), head;
	ck_assert(mem_read(m, im->runtime + v->rt_head, &head, 8));
	w64(m, sub, head);	/* interp->next is its first field */
	w64(m, im->runtime + v->rt_head, sub);
	w64(m, sub + v->interp_threads, threads);
	uint64_t gil = 0;
	if (v->interp_gil_ptr >= 0) {
		uint64_t main_gil;
		ck_assert(mem_read(m, im->interp + (uint32_t)v->interp_gil_ptr, &main_gil, 8));
		gil = own_gil ? alloc(m, 64) : main_gil;
		w64(m, sub + (uint32_t)v->interp_gil_ptr, gil);
	} else if (v->gil_in_interp && own_gil) {
		gil = sub;
	}
	if (gil && own_gil) {
		w64(m, gil + v->gil_holder, holder);
		w32(m, gil + v->gil_locked, holder != 0);
	}
	return sub;
}

/* Subinterpreters: every interpreter's threads, and each one's GIL where
 * it has its own (3.12 and later); an OS thread with a thread state in
 * two interpreters is one thread, the newest interpreter's frames first. */
static void check_subinterpreters(const struct ver *v)
{
	struct image im;
	struct pi_strpool pool = { 0 };
	struct pi_py_layout l;
	struct pi_py_snapshot s;
	build(&im, v, true);	/* the main GIL held by thread 1002 */
	layout_of(&im, v, &l);
	struct mem *m = &im.m;
	/* Thread 1001, in the main interpreter's frames, called into the
	 * subinterpreter (run_string): a thread state there too, in
	 * sub_code(); thread 1003 the subinterpreter's own, holding its GIL. */
	uint64_t in_sub = frame(m, v, code(m, v, cstr(m, v, "sub_code"), "<string>", 30), 0,
				v->f_is_entry < 0 ? shim(m, v, 0) : 0, true);
	uint64_t own = frame(m, v, code(m, v, cstr(m, v, "sub_thread"), "<string>", 40), 0,
			     v->f_is_entry < 0 ? shim(m, v, 0) : 0, true);
	uint64_t ts_own = tstate(m, v, 1003, own, 0);
	uint64_t ts_nested = tstate(m, v, 1001, in_sub, ts_own);
	subinterp(&im, v, ts_nested, true, ts_own);
	/* and a third, which shares the main one's GIL */
	subinterp(&im, v, 0, false, 0);
	ck_assert_int_eq(walk(&im, &l, &pool, &s), 0);
	ck_assert_uint_eq(s.ninterpreters, 3);
	ck_assert(!s.interpreters_cut);
	/* 4 thread states, before they are made one per OS thread */
	ck_assert_uint_eq(s.nthreads, 4);
	ck_assert_uint_eq(s.threads[0].native_tid, 1001);
	ck_assert_uint_eq(s.threads[0].interp, 1);
	ck_assert_uint_eq(s.threads[2].interp, 2);
	bool own_gils = v->minor >= 12;
	ck_assert(s.gil_known);
	ck_assert_uint_eq(s.ngils, own_gils ? 2 : 1);
	ck_assert_uint_eq(s.ngil_holders, own_gils ? 2 : 1);
	pi_py_by_os_thread(&s);
	ck_assert_uint_eq(s.nthreads, 3);
	const struct pi_py_thread *t = &s.threads[0];
	ck_assert_uint_eq(t->native_tid, 1001);
	ck_assert_uint_eq(t->nframes, 4);
	const struct pi_py_frame *f = s.frames + t->first_frame;
	ck_assert_str_eq(f[0].function, "sub_code");
	ck_assert(f[0].entry);
	ck_assert_str_eq(f[1].function, "inner");
	ck_assert_str_eq(f[3].function, "outer");
	ck_assert(!t->holds_gil);
	ck_assert_uint_eq(s.threads[1].native_tid, 1002);
	ck_assert(s.threads[1].holds_gil);
	ck_assert_uint_eq(s.threads[2].native_tid, 1003);
	ck_assert_str_eq(s.frames[s.threads[2].first_frame].function, "sub_thread");
	ck_assert(s.threads[2].holds_gil == own_gils);
	pi_py_snapshot_free(&s);

	/* An interpreter list that loops; one longer than any CPython
	 * runs: each interpreter once, at most PI_PY_MAX_INTERPRETERS. */
	uint64_t head;
	ck_assert(mem_read(m, im.runtime + v->rt_head, &head, 8));
	w64(m, im.interp, head);	/* the main one's next: the newest */
	ck_assert_int_eq(walk(&im, &l, &pool, &s), 0);
	ck_assert_uint_eq(s.ninterpreters, 3);
	ck_assert(s.interpreters_cut);
	pi_py_snapshot_free(&s);
	w64(m, im.interp, 0);
	for (int i = 0; i < PI_PY_MAX_INTERPRETERS; i++)
		subinterp(&im, v, 0, false, 0);
	ck_assert_int_eq(walk(&im, &l, &pool, &s), 0);
	ck_assert_uint_eq(s.ninterpreters, PI_PY_MAX_INTERPRETERS);
	ck_assert(s.interpreters_cut);
	ck_assert_uint_le(s.ngils, PI_PY_MAX_INTERPRETERS);
	pi_py_snapshot_free(&s);
	free(im.m.b);
	pi_strpool_free(&pool);
}

START_TEST(subinterpreters)
{
	/* Thread states of one thread with no frame read at all (the
	 * frames array never allocated: fuzz_python found it) */
	struct pi_py_thread two[2] = { { .tstate = 1, .native_tid = 5 }, { .tstate = 2, .native_tid = 5 } };
	struct pi_py_snapshot none = { .threads = malloc(sizeof two), .nthreads = 2, .threads_cap = 2 };
	memcpy(none.threads, two, sizeof two);
	pi_py_by_os_thread(&none);
	ck_assert_uint_eq(none.nthreads, 1);
	ck_assert_uint_eq(none.nframes, 0);
	pi_py_snapshot_free(&none);

	check_subinterpreters(&V311);
	check_subinterpreters(&V312);
	check_subinterpreters(&V313);
}
END_TEST

START_TEST(hostile_images)
{
	const struct ver *v = &V311;
	struct image im;
	struct pi_strpool pool = { 0 };
	struct pi_py_layout l;
	struct pi_py_snapshot s;
	ck_assert(pi_py_layout_for_version(11, &l));

	/* A frame that is its own caller: a loop, said, and bounded. */
	build(&im, v, false);
	uint64_t cf, inner;
	ck_assert(mem_read(&im.m, im.ts[0] + v->ts_frame, &cf, 8));
	ck_assert(mem_read(&im.m, cf + 8, &inner, 8));
	w64(&im.m, inner + v->f_prev, inner);
	ck_assert_int_eq(walk(&im, &l, &pool, &s), 0);
	ck_assert_uint_eq(s.threads[0].nframes, 1);
	ck_assert_ptr_nonnull(strstr(s.threads[0].stop_reason, "loop"));
	pi_py_snapshot_free(&s);

	/* A thread list that loops: each thread state once. */
	w64(&im.m, im.ts[1] + v->ts_next, im.ts[0]);
	ck_assert_int_eq(walk(&im, &l, &pool, &s), 0);
	ck_assert_uint_eq(s.nthreads, 2);
	ck_assert(s.threads_cut);
	pi_py_snapshot_free(&s);

	/* Bad pointers: a code object, a caller, a location table out of
	 * the image. */
	w64(&im.m, im.ts[1] + v->ts_next, 0);
	w64(&im.m, inner + v->f_prev, 0xdead0000);
	w64(&im.m, inner + v->f_code, 0x10);
	ck_assert_int_eq(walk(&im, &l, &pool, &s), 0);
	ck_assert_uint_eq(s.threads[0].nframes, 1);
	ck_assert_ptr_null(s.frames[0].function);
	ck_assert_int_eq(s.frames[0].line, 0);
	ck_assert_ptr_nonnull(strstr(s.threads[0].stop_reason, "could not be read"));
	pi_py_snapshot_free(&s);
	free(im.m.b);

	/* A location table of a huge size: line unknown, nothing read. */
	build(&im, v, false);
	ck_assert(mem_read(&im.m, im.ts[0] + v->ts_frame, &cf, 8));
	ck_assert(mem_read(&im.m, cf + 8, &inner, 8));
	uint64_t co, lt;
	ck_assert(mem_read(&im.m, inner + v->f_code, &co, 8));
	ck_assert(mem_read(&im.m, co + v->co_lt, &lt, 8));
	w64(&im.m, lt + 16, UINT64_MAX);
	ck_assert_int_eq(walk(&im, &l, &pool, &s), 0);
	ck_assert_int_eq(s.frames[0].line, 0);
	ck_assert_str_eq(s.frames[0].function, "inner");
	pi_py_snapshot_free(&s);

	/* A chain longer than max_frames: cut, and said. */
	uint64_t prev = 0;
	for (int i = 0; i < 3000; i++)
		prev = frame(&im.m, v, co, 1, prev, false);
	w64(&im.m, cf + 8, prev);
	ck_assert_int_eq(walk(&im, &l, &pool, &s), 0);
	ck_assert_uint_eq(s.threads[0].nframes, PI_PY_MAX_FRAMES);
	ck_assert_ptr_nonnull(strstr(s.threads[0].stop_reason, "too many"));
	pi_py_snapshot_free(&s);

	/* More thread states than the process has threads: cut. */
	uint64_t ts = 0;
	for (int i = 0; i < 100; i++) {
		uint64_t t = alloc(&im.m, 512);
		w64(&im.m, t + v->ts_next, ts);
		ts = t;
	}
	w64(&im.m, im.interp + v->interp_threads, ts);
	ck_assert_int_eq(walk(&im, &l, &pool, &s), 0);
	ck_assert_uint_eq(s.nthreads, 16);
	ck_assert(s.threads_cut);
	pi_py_snapshot_free(&s);

	/* No interpreter; an unreadable runtime. */
	w64(&im.m, im.runtime + v->rt_head, 0);
	ck_assert_int_eq(walk(&im, &l, &pool, &s), -EINVAL);
	pi_py_snapshot_free(&s);
	im.runtime = 0x5000;
	ck_assert_int_eq(walk(&im, &l, &pool, &s), -EFAULT);
	pi_py_snapshot_free(&s);
	free(im.m.b);
	pi_strpool_free(&pool);
}
END_TEST

/* The walk's budget: spent once it has been asked `budget` times. */
static bool budget_spent(void *arg)
{
	struct mem *m = arg;
	return ++m->asked > m->budget;
}

/* Asked before each thread state, the budget ends the walk there,
 * keeping the threads read. */
START_TEST(budget_ends_the_walk)
{
	struct image im;
	struct pi_strpool pool = { 0 };
	struct pi_py_layout l;
	struct pi_py_snapshot s;
	build(&im, &V311, false);
	ck_assert(pi_py_layout_for_version(11, &l));
	im.m.budget = 1;
	struct pi_py_walk w = { mem_read, &im.m, &l, im.runtime, 16, PI_PY_MAX_FRAMES, &pool, budget_spent };
	ck_assert_int_eq(pi_py_walk(&w, &s), 0);
	ck_assert(s.expired);
	ck_assert_uint_eq(s.nthreads, 1);
	ck_assert_uint_eq(s.threads[0].nframes, 3);
	pi_py_snapshot_free(&s);
	im.m.asked = 0;
	im.m.budget = 100;
	ck_assert_int_eq(pi_py_walk(&w, &s), 0);
	ck_assert(!s.expired);
	ck_assert_uint_eq(s.nthreads, 2);
	pi_py_snapshot_free(&s);
	free(im.m.b);
	pi_strpool_free(&pool);
}
END_TEST

/* Memory of random bytes, pointers into it or not: every walk returns,
 * within its bounds. */
START_TEST(random_images)
{
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	struct mem m = { calloc(1, SIZE), 0, 0, 0, 0 };
	struct pi_strpool pool = { 0 };
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < 65536; i += 8) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			/* Half of the words point into the image. */
			uint64_t word = (rng & 1) ? BASE + (rng >> 8) % 65536 : rng;
			memcpy(m.b + i, &word, 8);
		}
		struct pi_py_layout l;
		ck_assert(pi_py_layout_for_version(round & 1 ? 11 : 12, &l));
		struct pi_py_walk w = { mem_read, &m, &l, BASE + (rng >> 16) % 60000, 64, 128, &pool, NULL };
		struct pi_py_snapshot s;
		pi_py_walk(&w, &s);
		ck_assert_uint_le(s.nthreads, 64);
		for (size_t i = 0; i < s.nthreads; i++)
			ck_assert_uint_le(s.threads[i].nframes, 128);
		pi_py_snapshot_free(&s);
	}
	free(m.b);
	pi_strpool_free(&pool);
}
END_TEST

static struct pi_user_frame native(const char *function)
{
	struct pi_user_frame f;
	memset(&f, 0, sizeof f);
	f.function = function;
	return f;
}

START_TEST(merged_at_evaluator_frames)
{
	const struct pi_user_frame n[] = { native("clock_nanosleep"), native(PI_PY_EVAL_FUNCTION),
					   native("_PyObject_Call"), native(PI_PY_EVAL_FUNCTION),
					   native("main") };
	const struct pi_py_frame py[] = { { "inner", "a.py", 21, false }, { "middle", "a.py", 12, true },
					  { "outer", "a.py", 3, true }, { "stray", "a.py", 1, true } };
	struct pi_user_frame *out;
	size_t nout;
	pi_py_merge(n, 5, py, 4, &out, &nout);
	const char *want[] = { "clock_nanosleep", PI_PY_EVAL_FUNCTION, "inner", "middle", "_PyObject_Call",
			       PI_PY_EVAL_FUNCTION, "outer", "main" };
	ck_assert_uint_eq(nout, 8);
	for (size_t i = 0; i < nout; i++) {
		ck_assert_str_eq(out[i].function, want[i]);
		ck_assert(out[i].python == (i == 2 || i == 3 || i == 6));
	}
	ck_assert_str_eq(out[3].file, "a.py");
	ck_assert_int_eq(out[3].line, 12);
	free(out);
	/* No evaluator frame: the native stack as it was. */
	pi_py_merge(n, 1, py, 4, &out, &nout);
	ck_assert_uint_eq(nout, 1);
	free(out);
}
END_TEST

/* The child's Python records, as the root side checks them. */
static int feed(struct pi_py_reply *r, uint32_t type, const void *data, size_t len)
{
	static const char *const strings[] = { "3.11", "run", "app.py" };
	struct pi_wire_record rec = { type, (uint32_t)len, data };
	return pi_py_reply_record(r, type, &rec, strings, 3);
}

START_TEST(reply_records_checked)
{
	struct pi_py_reply r;
	memset(&r, 0, sizeof r);
	struct pi_stack_wire_py_info info = { 0, 1, 0, PI_PY_WIRE_GIL_KNOWN, 77, 1, 1, 1 };
	struct pi_stack_wire_py_thread th = { 77, 1, 0, PI_PY_WIRE_HOLDS_GIL, 0 };
	struct pi_stack_wire_py_frame fr = { 2, 3, 9, PI_PY_WIRE_ENTRY };
	ck_assert_int_eq(feed(&r, PI_STACK_REC_PY_INFO, &info, sizeof info), 0);
	ck_assert(!pi_py_reply_complete(&r));
	ck_assert_int_eq(feed(&r, PI_STACK_REC_PY_THREAD, &th, sizeof th), 0);
	ck_assert(!pi_py_reply_complete(&r));
	ck_assert_int_eq(feed(&r, PI_STACK_REC_PY_FRAME, &fr, sizeof fr), 0);
	ck_assert(pi_py_reply_complete(&r));
	ck_assert_str_eq(r.rt.version, "3.11");
	ck_assert_int_eq(r.rt.gil_tid, 77);
	ck_assert_uint_eq(r.rt.ninterpreters, 1);
	ck_assert_uint_eq(r.rt.ngils, 1);
	ck_assert(r.threads[0].holds_gil);
	ck_assert_str_eq(r.frames[0].function, "run");
	ck_assert(r.frames[0].entry);
	/* A frame more than announced, a thread more, a second info. */
	const int bad = -PI_ERR_SANDBOX_REPLY;
	ck_assert_int_eq(feed(&r, PI_STACK_REC_PY_FRAME, &fr, sizeof fr), bad);
	ck_assert_int_eq(feed(&r, PI_STACK_REC_PY_THREAD, &th, sizeof th), bad);
	ck_assert_int_eq(feed(&r, PI_STACK_REC_PY_INFO, &info, sizeof info), bad);
	pi_py_reply_free(&r);

	struct {
		uint32_t type;
		struct pi_stack_wire_py_info info;
		struct pi_stack_wire_py_thread th;
		struct pi_stack_wire_py_frame fr;
	} cases[] = {
		{ PI_STACK_REC_PY_INFO, { -EINVAL, 0, 0, 0, 0, 0, 1, 0 }, { 0 }, { 0 } },	/* an error never sent */
		{ PI_STACK_REC_PY_INFO, { 0, 9, 0, 0, 0, 0, 1, 0 }, { 0 }, { 0 } },	/* a string never sent */
		{ PI_STACK_REC_PY_INFO, { 0, 0, 0, 8, 0, 0, 1, 0 }, { 0 }, { 0 } },	/* unknown flags */
		{ PI_STACK_REC_PY_INFO, { 0, 0, 0, 0, (uint64_t)1 << 40, 0, 1, 0 }, { 0 }, { 0 } },	/* no TID */
		{ PI_STACK_REC_PY_INFO, { 0, 0, 0, 0, 0, (uint64_t)1 << 40, 1, 0 }, { 0 }, { 0 } },	/* threads */
		{ PI_STACK_REC_PY_THREAD, { 0, 0, 0, 0, 0, 1, 1, 0 }, { 1, PI_PY_MAX_FRAMES + 1, 0, 0, 0 }, { 0 } },
		{ PI_STACK_REC_PY_FRAME, { 0, 0, 0, 0, 0, 1, 1, 0 }, { 1, 1, 0, 0, 0 }, { 0, 0, -1, 0 } },	/* line */
		{ PI_STACK_REC_PY_FRAME, { 0, 0, 0, 0, 0, 1, 1, 0 }, { 1, 1, 0, 0, 0 }, { 0, 0, 1, 2 } },	/* flags */
		{ PI_STACK_REC_PY_FRAME, { 0, 0, 0, 0, 0, 1, 1, 0 }, { 1, 1, 0, 0, 0 }, { 4, 0, 1, 0 } },	/* string */
		{ 99, { 0, 0, 0, 0, 0, 1, 1, 0 }, { 1, 1, 0, 0, 0 }, { 0 } },
		/* more GILs than interpreters, more interpreters than read */
		{ PI_STACK_REC_PY_INFO, { 0, 0, 0, 0, 0, 0, 1, 2 }, { 0 }, { 0 } },
		{ PI_STACK_REC_PY_INFO, { 0, 0, 0, 0, 0, 0, PI_PY_MAX_INTERPRETERS + 1, 0 }, { 0 }, { 0 } },
		/* a GIL held when none was read; unknown thread flags; a pad */
		{ PI_STACK_REC_PY_THREAD, { 0, 0, 0, 0, 0, 1, 1, 0 }, { 1, 0, 0, PI_PY_WIRE_HOLDS_GIL, 0 }, { 0 } },
		{ PI_STACK_REC_PY_THREAD, { 0, 0, 0, 1, 0, 1, 1, 0 }, { 1, 0, 0, 2, 0 }, { 0 } },
		{ PI_STACK_REC_PY_THREAD, { 0, 0, 0, 1, 0, 1, 1, 0 }, { 1, 0, 0, 0, 1 }, { 0 } },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&r, 0, sizeof r);
		int err = feed(&r, PI_STACK_REC_PY_INFO, &cases[i].info, sizeof cases[i].info);
		if (!err && cases[i].type != PI_STACK_REC_PY_INFO)
			err = feed(&r, PI_STACK_REC_PY_THREAD, &cases[i].th, sizeof cases[i].th);
		if (!err && cases[i].type != PI_STACK_REC_PY_THREAD)
			err = feed(&r, cases[i].type == 99 ? 99 : PI_STACK_REC_PY_FRAME, &cases[i].fr,
				   sizeof cases[i].fr);
		ck_assert_msg(err == bad, "forged Python record %zu accepted", i);
		pi_py_reply_free(&r);
	}
	/* A frame before any thread; a short record. */
	memset(&r, 0, sizeof r);
	ck_assert_int_eq(feed(&r, PI_STACK_REC_PY_FRAME, &fr, sizeof fr), bad);
	ck_assert_int_eq(feed(&r, PI_STACK_REC_PY_INFO, &info, sizeof info - 1), bad);
	pi_py_reply_free(&r);
}
END_TEST

Suite *python_suite(void)
{
	Suite *s = suite_create("python");
	TCase *tc = tcase_create("python");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, python_311);
	tcase_add_test(tc, python_312);
	tcase_add_test(tc, python_313);
	tcase_add_test(tc, other_versions_refused);
	tcase_add_test(tc, location_table);
	tcase_add_test(tc, names_decoded_and_bounded);
	tcase_add_test(tc, subinterpreters);
	tcase_add_test(tc, hostile_images);
	tcase_add_test(tc, budget_ends_the_walk);
	tcase_add_test(tc, random_images);
	tcase_add_test(tc, merged_at_evaluator_frames);
	tcase_add_test(tc, reply_records_checked);
	suite_add_tcase(s, tc);
	return s;
}
