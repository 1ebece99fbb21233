/* A Go program's pc-value tables and goroutines (runtime/gopclntab.h,
 * runtime/goroutines.h), over a table and a memory image built here as
 * Go 1.20's linker and runtime lay them out, and over hostile ones. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/detectors.h"
#include "analysis/go_stuck.h"
#include "render/go.h"
#include "render/jsonw.h"
#include "runtime/gopclntab.h"
#include "runtime/goroutines.h"
#include "unit.h"

struct image {
	uint8_t b[4096];
	size_t len;
};

static size_t put(struct image *im, const void *p, size_t n)
{
	size_t at = im->len;
	memcpy(im->b + at, p, n);
	im->len += n;
	return at;
}

static void put32_at(struct image *im, size_t at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		im->b[at + i] = (uint8_t)(v >> (8 * i));
}

static void put64_at(struct image *im, size_t at, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		im->b[at + i] = (uint8_t)(v >> (8 * i));
}

/* A pc-value table of (value, length) runs, as Go writes it. */
static uint32_t pctable(struct image *im, size_t pctab, const int32_t *vals, const uint32_t *lens, int n)
{
	uint32_t off = (uint32_t)(im->len - pctab);
	int32_t prev = -1;
	for (int i = 0; i < n; i++) {
		int32_t d = vals[i] - prev;
		/* zig-zag: 2d for d >= 0, -2d - 1 below (shifted unsigned) */
		uint32_t z = d < 0 ? ~((uint32_t)d << 1) : (uint32_t)d << 1;
		prev = vals[i];
		for (uint32_t v = z;; v >>= 7) {
			uint8_t byte = (uint8_t)(v & 0x7f) | (v >= 0x80 ? 0x80 : 0);
			put(im, &byte, 1);
			if (v < 0x80)
				break;
		}
		for (uint32_t v = lens[i];; v >>= 7) {
			uint8_t byte = (uint8_t)(v & 0x7f) | (v >= 0x80 ? 0x80 : 0);
			put(im, &byte, 1);
			if (v < 0x80)
				break;
		}
	}
	uint8_t end = 0;
	put(im, &end, 1);
	return off;
}

enum { TEXT = 0x401000 };

/* Three functions: main.leaf [0, 0x20) with a frame of 0x18 bytes,
 * main.caller [0x20, 0x40) with 0x8, runtime.goexit [0x40, 0x50), a
 * TOPFRAME; all in /src/a.go, lines 10-11, 21 then 20, 30. main.caller
 * has a call to main.inl inlined in [0x20, 0x38) (line 21 is main.inl's),
 * the call site at 0x38 (line 20): its inline tree (FUNCDATA 3) is one
 * call at offset 0 of the program's go:func.*, its PCDATA 2 says 0 there
 * and -1 after. */
static void build_table(struct image *im)
{
	memset(im, 0, sizeof *im);
	im->len = 72;
	size_t names = put(im, "main.leaf\0main.caller\0runtime.goexit\0main.inl\0", 46);
	size_t cutab = im->len;
	uint32_t zero = 0;
	put(im, &zero, 4);
	size_t filetab = put(im, "/src/a.go\0", 10);
	size_t pctab = im->len;
	put(im, &zero, 1);	/* offset 0 means "no table" */
	struct { int32_t sp, line[2]; uint32_t len[2]; int nl; uint32_t size; } fn[3] = {
		{ 0x18, { 10, 11 }, { 0x10, 0x10 }, 2, 0x20 },
		{ 0x8, { 21, 20 }, { 0x18, 0x8 }, 2, 0x20 },
		{ 0, { 30, 0 }, { 0x10, 0 }, 1, 0x10 },
	};
	uint32_t pcsp[3], pcfile[3], pcln[3];
	for (int i = 0; i < 3; i++) {
		pcsp[i] = pctable(im, pctab, &fn[i].sp, &fn[i].size, 1);
		int32_t file0 = 0;
		pcfile[i] = pctable(im, pctab, &file0, &fn[i].size, 1);
		pcln[i] = pctable(im, pctab, fn[i].line, fn[i].len, fn[i].nl);
	}
	static const int32_t inl_index[2] = { 0, -1 };
	static const uint32_t inl_len[2] = { 0x18, 0x8 };
	uint32_t inltab = pctable(im, pctab, inl_index, inl_len, 2);
	size_t pclntab = im->len;
	/* the function table, then the _funcs (Go 1.20: 44 bytes) */
	uint32_t entry[4] = { 0, 0x20, 0x40, 0x50 }, nameoff[3] = { 0, 10, 22 };
	size_t ftab = im->len;
	im->len += 8 * 4;
	for (int i = 0; i < 3; i++) {
		size_t f = im->len;
		im->len += 44;
		if (i == 1) {
			/* npcdata 3, nfuncdata 4: PCDATA_InlTreeIndex, FUNCDATA_InlTree */
			put32_at(im, f + 28, 3);
			im->b[f + 43] = 4;
			uint32_t tables[7] = { 0, 0, inltab, UINT32_MAX, UINT32_MAX, UINT32_MAX, 0 };
			for (int k = 0; k < 7; k++)
				put32_at(im, f + 44 + 4 * (size_t)k, tables[k]);
			im->len += 28;
		}
		put32_at(im, ftab + 8 * i, entry[i]);
		put32_at(im, ftab + 8 * i + 4, (uint32_t)(f - pclntab));
		put32_at(im, f, entry[i]);
		put32_at(im, f + 4, nameoff[i]);
		put32_at(im, f + 16, pcsp[i]);
		put32_at(im, f + 20, pcfile[i]);
		put32_at(im, f + 24, pcln[i]);
		put32_at(im, f + 32, 0);
		im->b[f + 41] = i == 2 ? PI_GOFUNC_FLAG_TOPFRAME : 0;
	}
	put32_at(im, ftab + 8 * 3, entry[3]);
	put32_at(im, 0, 0xfffffff1);
	im->b[6] = 1;
	im->b[7] = 8;
	put64_at(im, 8, 3);
	put64_at(im, 16, 1);
	put64_at(im, 24, TEXT);
	put64_at(im, 32, names);
	put64_at(im, 40, cutab);
	put64_at(im, 48, filetab);
	put64_at(im, 56, pctab);
	put64_at(im, 64, pclntab);
}

START_TEST(pclntab_lookups)
{
	struct image im;
	build_table(&im);
	struct pi_gopcln t;
	ck_assert_int_eq(pi_gopcln_init(&t, im.b, im.len, 0, 0), 0);
	ck_assert_int_eq(t.version, 120);
	struct pi_gofunc f;
	ck_assert(pi_gopcln_func(&t, TEXT + 0x11, &f));
	ck_assert_str_eq(f.name, "main.leaf");
	ck_assert_uint_eq(f.entry, TEXT);
	int32_t v;
	ck_assert(pi_gopcln_value(&t, &f, f.pcsp, TEXT + 0x11, &v));
	ck_assert_int_eq(v, 0x18);
	ck_assert(pi_gopcln_value(&t, &f, f.pcln, TEXT + 0x0f, &v));
	ck_assert_int_eq(v, 10);
	ck_assert(pi_gopcln_value(&t, &f, f.pcln, TEXT + 0x10, &v));
	ck_assert_int_eq(v, 11);
	ck_assert_str_eq(pi_gopcln_file(&t, &f, TEXT + 0x10), "/src/a.go");
	ck_assert(pi_gopcln_func(&t, TEXT + 0x4f, &f));
	ck_assert_str_eq(f.name, "runtime.goexit");
	ck_assert(f.flag & PI_GOFUNC_FLAG_TOPFRAME);
	/* outside the text */
	ck_assert(!pi_gopcln_func(&t, TEXT + 0x50, &f));
	ck_assert(!pi_gopcln_func(&t, TEXT - 1, &f));
	ck_assert(!pi_gopcln_func(&t, 0, &f));

	/* a position-independent program's table counts from its load
	 * address when the header leaves it 0 */
	put64_at(&im, 24, 0);
	ck_assert_int_eq(pi_gopcln_init(&t, im.b, im.len, 0x10000, 0x7000), 0);
	ck_assert(pi_gopcln_func(&t, 0x7021, &f));
	ck_assert_str_eq(f.name, "main.caller");
}
END_TEST

START_TEST(pclntab_hostile)
{
	struct image im;
	struct pi_gopcln t;
	struct pi_gofunc f;
	int32_t v;
	build_table(&im);
	/* Go 1.16's magic, another architecture, a cut header */
	put32_at(&im, 0, 0xfffffffa);
	ck_assert_int_eq(pi_gopcln_init(&t, im.b, im.len, 0, 0), -ENOTSUP);
	build_table(&im);
	im.b[7] = 4;
	ck_assert_int_eq(pi_gopcln_init(&t, im.b, im.len, 0, 0), -ENOTSUP);
	build_table(&im);
	ck_assert_int_eq(pi_gopcln_init(&t, im.b, 40, 0, 0), -EINVAL);
	/* offsets out of order, or past the end */
	put64_at(&im, 56, 10);
	ck_assert_int_eq(pi_gopcln_init(&t, im.b, im.len, 0, 0), -EINVAL);
	build_table(&im);
	put64_at(&im, 64, im.len + 1);
	ck_assert_int_eq(pi_gopcln_init(&t, im.b, im.len, 0, 0), -EINVAL);
	/* more functions than the table holds */
	build_table(&im);
	put64_at(&im, 8, 1000);
	ck_assert_int_eq(pi_gopcln_init(&t, im.b, im.len, 0, 0), -EINVAL);
	/* a _func offset past the end; a name offset past its table */
	build_table(&im);
	ck_assert_int_eq(pi_gopcln_init(&t, im.b, im.len, 0, 0), 0);
	size_t ftab = t.pclntab;
	put32_at(&im, ftab + 4, 0xfffffff0);
	ck_assert(!pi_gopcln_func(&t, TEXT + 1, &f));
	build_table(&im);
	size_t f0 = ftab + im.b[ftab + 4] + ((size_t)im.b[ftab + 5] << 8);
	put32_at(&im, f0 + 4, 0x7fffffff);
	ck_assert(pi_gopcln_func(&t, TEXT + 1, &f));
	ck_assert_ptr_null(f.name);
	/* a pc-value table offset past pctab, and one that never ends
	 * within it */
	build_table(&im);
	ck_assert(pi_gopcln_func(&t, TEXT + 1, &f));
	ck_assert(!pi_gopcln_value(&t, &f, 0x7fffffff, TEXT + 1, &v));
	ck_assert(!pi_gopcln_value(&t, &f, 0, TEXT + 1, &v));
	ck_assert(!pi_gopcln_value(&t, &f, f.pcsp, TEXT + 0x1000, &v));

	/* values a table sums beyond 32 bits (fuzz_gopclntab found the
	 * overflow): not a frame size or a line, so no answer */
	static const uint8_t sums[] = {
		0,				/* offset 0: "no table" */
		0xff, 0xff, 0xff, 0xff, 0x0f, 0x10,	/* -1 + INT32_MIN, for 0x10 bytes */
		0,
		0xfe, 0xff, 0xff, 0xff, 0x0f, 0x10,	/* -1 + INT32_MAX, then + INT32_MAX */
		0xfe, 0xff, 0xff, 0xff, 0x0f, 0x10, 0,
	};
	struct pi_gopcln hand;
	memset(&hand, 0, sizeof hand);
	hand.data = sums;
	hand.len = hand.pctab_end = sizeof sums;
	struct pi_gofunc at0 = { .entry = TEXT };
	ck_assert(!pi_gopcln_value(&hand, &at0, 1, TEXT, &v));
	ck_assert(pi_gopcln_value(&hand, &at0, 8, TEXT, &v));
	ck_assert_int_eq(v, INT32_MAX - 1);
	ck_assert(!pi_gopcln_value(&hand, &at0, 8, TEXT + 0x10, &v));
}
END_TEST

/* The target's memory: a few regions. */
struct mem {
	uint64_t base[4];
	uint8_t data[4][1024];
};

static bool read_mem(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct mem *m = arg;
	for (int i = 0; i < 4; i++)
		if (m->base[i] && addr >= m->base[i] && addr - m->base[i] + len <= sizeof m->data[i]) {
			memcpy(buf, m->data[i] + (addr - m->base[i]), len);
			return true;
		}
	return false;
}

static void poke64(struct mem *m, uint64_t addr, uint64_t v)
{
	for (int i = 0; i < 4; i++)
		if (m->base[i] && addr >= m->base[i] && addr - m->base[i] + 8 <= sizeof m->data[i]) {
			memcpy(m->data[i] + (addr - m->base[i]), &v, 8);
			return;
		}
	ck_abort_msg("poke outside the image");
}

struct seen {
	struct pi_go_goroutine g[8];
	struct pi_go_frame frames[8][8];
	size_t n;
};

static bool collect(void *arg, const struct pi_go_goroutine *g)
{
	struct seen *s = arg;
	if (s->n < 8) {
		s->g[s->n] = *g;
		if (g->nframes)	/* frames is NULL when there are none */
			memcpy(s->frames[s->n], g->frames, g->nframes * sizeof *g->frames);
		s->n++;
	}
	return true;
}

enum { ALLGS = 0xa000, STACK = 0xc000, G = 0xd000 };

static void build_memory(struct mem *m, const struct pi_go_layout *l)
{
	memset(m, 0, sizeof *m);
	m->base[0] = ALLGS;
	m->base[1] = STACK;
	m->base[2] = G;
	/* allgs: 4 gs, at ALLGS + 0x100 */
	poke64(m, ALLGS, ALLGS + 0x100);
	poke64(m, ALLGS + 8, 4);
	poke64(m, ALLGS + 16, 4);
	for (int i = 0; i < 4; i++)
		poke64(m, ALLGS + 0x100 + 8 * i, G + 0x100 * (uint64_t)i);
	/* g 0: goroutine 42, waiting (reason 7) in main.leaf, called from
	 * main.caller, started by goexit */
	uint64_t g0 = G;
	poke64(m, g0 + l->goid, 42);
	poke64(m, g0 + l->atomicstatus, PI_G_WAITING | PI_G_SCAN);
	m->data[2][l->waitreason] = 7;
	poke64(m, g0 + l->waitsince, 1000);
	poke64(m, g0 + l->sched_sp, STACK);
	poke64(m, g0 + l->sched_pc, TEXT + 0x11);
	poke64(m, STACK + 0x18, TEXT + 0x31);	/* main.leaf's return address */
	poke64(m, STACK + 0x20 + 0x8, TEXT + 0x41);	/* main.caller's: goexit */
	/* g 1: dead; g 2: a status the runtime never sets; g 3: running */
	poke64(m, G + 0x100 + l->atomicstatus, PI_G_DEAD);
	poke64(m, G + 0x200 + l->atomicstatus, 77);
	poke64(m, G + 0x300 + l->goid, 7);
	poke64(m, G + 0x300 + l->atomicstatus, PI_G_RUNNING);
}

START_TEST(goroutines_walked)
{
	struct image im;
	build_table(&im);
	struct pi_gopcln t;
	ck_assert_int_eq(pi_gopcln_init(&t, im.b, im.len, 0, 0), 0);
	struct pi_go_walk w;
	memset(&w, 0, sizeof w);
	ck_assert(pi_go_layout_for_version("go1.20.4", &w.layout));
	struct mem m;
	build_memory(&m, &w.layout);
	struct seen s;
	memset(&s, 0, sizeof s);
	w.read = read_mem;
	w.arg = &m;
	w.pcln = &t;
	w.allgs = ALLGS;
	w.max_goroutines = 100;
	w.max_frames = 8;
	w.each = collect;
	w.each_arg = &s;
	size_t total;
	ck_assert_int_eq(pi_go_walk(&w, &total), 0);
	ck_assert_uint_eq(total, 4);
	ck_assert_uint_eq(s.n, 2);	/* the dead and the garbage one left out */
	ck_assert_uint_eq(s.g[0].goid, 42);
	ck_assert_uint_eq(s.g[0].status, PI_G_WAITING);
	ck_assert_uint_eq(s.g[0].waitreason, 7);
	ck_assert_int_eq(s.g[0].waitsince, 1000);
	ck_assert_ptr_null(s.g[0].stop_reason);
	ck_assert_uint_eq(s.g[0].nframes, 3);
	ck_assert_str_eq(s.frames[0][0].function, "main.leaf");
	ck_assert_int_eq(s.frames[0][0].line, 11);	/* the return address's call: pc - 1 */
	ck_assert_str_eq(s.frames[0][0].file, "/src/a.go");
	/* no go:func.* given: the inlined call is not a frame, and the
	 * caller's line is the inlined code's */
	ck_assert_str_eq(s.frames[0][1].function, "main.caller");
	ck_assert_int_eq(s.frames[0][1].line, 21);
	ck_assert(!s.frames[0][1].inlined);
	ck_assert_str_eq(s.frames[0][2].function, "runtime.goexit");
	ck_assert_uint_eq(s.g[1].goid, 7);
	ck_assert_uint_eq(s.g[1].nframes, 0);
	ck_assert_ptr_nonnull(s.g[1].stop_reason);

	/* frames for all goroutines together are bounded too (100,000
	 * goroutines of 64 frames would be half a gigabyte): past the
	 * budget a stack is cut, and says why */
	memset(&s, 0, sizeof s);
	w.max_total_frames = 2;
	ck_assert_int_eq(pi_go_walk(&w, &total), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.g[0].nframes, 2);
	ck_assert_ptr_nonnull(strstr(s.g[0].stop_reason, "frames kept for all goroutines"));
	ck_assert_str_eq(s.frames[0][1].function, "main.caller");
	w.max_total_frames = 0;	/* 0: none beyond max_frames each */

	/* versions it has no table for */
	struct pi_go_layout l;
	ck_assert(!pi_go_layout_for_version("go1.18.2", &l));
	ck_assert(!pi_go_layout_for_version("go1.24", &l));
	ck_assert(!pi_go_layout_for_version("devel +abc", &l));
	ck_assert(!pi_go_layout_for_version(NULL, &l));
	ck_assert(pi_go_layout_for_version("go1.23.1", &l));
	ck_assert_uint_eq(l.goid, w.layout.goid + 8);
}
END_TEST

enum { GOFUNC = 0xe000 };

/* main.inl's call in main.caller (Go 1.20's runtime.inlinedCall: funcID,
 * 3 pads, nameOff, parentPc, startLine) at GOFUNC. */
static void put_inl_call(struct mem *m, uint32_t name_off, uint32_t parent_pc)
{
	m->base[3] = GOFUNC;
	memset(m->data[3], 0, 16);
	memcpy(m->data[3] + 4, &name_off, 4);
	memcpy(m->data[3] + 8, &parent_pc, 4);
	uint32_t start_line = 21;
	memcpy(m->data[3] + 12, &start_line, 4);
}

START_TEST(inlined_frames)
{
	struct image im;
	build_table(&im);
	struct pi_gopcln t;
	ck_assert_int_eq(pi_gopcln_init(&t, im.b, im.len, 0, 0), 0);
	struct pi_go_walk w;
	memset(&w, 0, sizeof w);
	ck_assert(pi_go_layout_for_version("go1.20.4", &w.layout));
	struct mem m;
	build_memory(&m, &w.layout);
	put_inl_call(&m, 37, 0x18);
	w.read = read_mem;
	w.arg = &m;
	w.pcln = &t;
	w.gofunc = GOFUNC;
	struct pi_go_frame f[64];
	const char *stop;
	/* as Go's traceback shows it: the inlined call a frame of its own,
	 * at the inlined code's line; the caller at the call site's */
	size_t n = pi_go_unwind(&w, STACK, TEXT + 0x11, true, f, 64, &stop);
	ck_assert_ptr_null(stop);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(f[0].function, "main.leaf");
	ck_assert(!f[0].inlined);
	ck_assert_str_eq(f[1].function, "main.inl");
	ck_assert(f[1].inlined);
	ck_assert_int_eq(f[1].line, 21);
	ck_assert_str_eq(f[1].file, "/src/a.go");
	ck_assert_uint_eq(f[1].pc, TEXT + 0x31);
	ck_assert_str_eq(f[2].function, "main.caller");
	ck_assert(!f[2].inlined);
	ck_assert_int_eq(f[2].line, 20);
	ck_assert_uint_eq(f[2].pc, TEXT + 0x31);
	ck_assert_str_eq(f[3].function, "runtime.goexit");

	/* no room for the physical frame after the inlined one: cut there */
	n = pi_go_unwind(&w, STACK, TEXT + 0x11, true, f, 2, &stop);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_nonnull(stop);

	/* hostile trees: a call site outside the function, a tree that
	 * cannot be read: the physical frame as it is */
	put_inl_call(&m, 37, 0x1000);
	n = pi_go_unwind(&w, STACK, TEXT + 0x11, true, f, 64, &stop);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(f[1].function, "main.caller");
	ck_assert(!f[1].inlined);
	put_inl_call(&m, 37, 0xffffffff);
	ck_assert_uint_eq(pi_go_unwind(&w, STACK, TEXT + 0x11, true, f, 64, &stop), 3);
	w.gofunc = GOFUNC + 0x10000;
	ck_assert_uint_eq(pi_go_unwind(&w, STACK, TEXT + 0x11, true, f, 64, &stop), 3);
	w.gofunc = UINT64_MAX - 4;	/* the address wraps */
	ck_assert_uint_eq(pi_go_unwind(&w, STACK, TEXT + 0x11, true, f, 64, &stop), 3);
	w.gofunc = GOFUNC;
	/* a name offset past the name table: a frame with no name */
	put_inl_call(&m, 0x7fffffff, 0x18);
	ck_assert_uint_eq(pi_go_unwind(&w, STACK, TEXT + 0x11, true, f, 64, &stop), 4);
	ck_assert_ptr_null(f[1].function);
	ck_assert(f[1].inlined);
	/* a call whose call site is inside itself: a loop, followed at
	 * most PI_GO_MAX_INLINE_DEPTH times */
	put_inl_call(&m, 37, 0x10);
	n = pi_go_unwind(&w, STACK, TEXT + 0x11, true, f, 64, &stop);
	size_t inlined = 0;
	for (size_t i = 0; i < n; i++)
		inlined += f[i].inlined;
	ck_assert_uint_eq(inlined, PI_GO_MAX_INLINE_DEPTH);
	ck_assert_uint_eq(n, PI_GO_MAX_INLINE_DEPTH + 3);
	ck_assert_uint_le(pi_go_unwind(&w, STACK, TEXT + 0x11, true, f, 8, &stop), 8);
}
END_TEST

/* A Go program's goroutines as read (the model), built by hand: each
 * with a status, a wait reason and a stack of function names, innermost
 * first, ending at runtime.goexit. */
struct prog {
	struct pi_goroutine g[16];
	struct pi_user_frame f[128];
	struct pi_go_runtime go;
};

static void add_g(struct prog *p, uint64_t goid, uint32_t status, const char *reason, double wait,
		  const char *const *stack)
{
	struct pi_go_runtime *go = &p->go;
	struct pi_goroutine *g = &p->g[go->ngoroutines++];
	memset(g, 0, sizeof *g);
	g->goid = goid;
	g->status = status;
	g->wait_reason = reason;
	g->wait_seconds = wait;
	g->first_frame = go->nframes;
	for (int k = 0; stack[k]; k++) {
		struct pi_user_frame *f = &p->f[go->nframes++];
		memset(f, 0, sizeof *f);
		f->function = stack[k];
		f->file = "/src/app.go";
		f->line = 10 + k;
	}
	g->nframes = go->nframes - g->first_frame;
}

/* The runtime's own goroutines, always there. */
static void prog_init(struct prog *p, long timers)
{
	memset(p, 0, sizeof *p);
	p->go.read = true;
	p->go.timers = timers;
	p->go.goroutines = p->g;
	p->go.frames = p->f;
	static const char *const gc[] = { "runtime.gopark", "runtime.gcBgMarkWorker", "runtime.goexit", NULL };
	static const char *const fin[] = { "runtime.gopark", "runtime.runfinq", "runtime.goexit", NULL };
	add_g(p, 2, PI_G_WAITING, "GC worker (idle)", -1, gc);
	add_g(p, 3, PI_G_WAITING, "finalizer wait", -1, fin);
}

static const char *const chan_recv[] = { "runtime.gopark", "runtime.chanrecv", "runtime.chanrecv1",
					  "main.worker", "runtime.goexit", NULL };
static const char *const main_select[] = { "runtime.gopark", "runtime.block", "main.main", "runtime.main",
					    "runtime.goexit", NULL };
static const char *const mutex_wait[] = { "runtime.gopark", "runtime.semacquire1",
					   "sync.runtime_SemacquireMutex", "sync.(*Mutex).lockSlow",
					   "sync.(*Mutex).Lock", "main.transfer", "runtime.goexit", NULL };
static const char *const wg_wait[] = { "runtime.gopark", "runtime.semacquire1", "sync.runtime_Semacquire",
					"sync.(*WaitGroup).Wait", "main.main", "runtime.main", "runtime.goexit", NULL };
static const char *const accept[] = { "runtime.gopark", "internal/poll.runtime_pollWait",
				       "net.(*TCPListener).Accept", "net/http.(*Server).Serve",
				       "runtime.goexit", NULL };

static size_t find_go(struct prog *p, double hung_after, struct pi_finding_list *l)
{
	struct pi_finding_proc fp = { .pid = 9, .subject = true, .hung_after_seconds = hung_after,
				      .go = &p->go };
	memset(l, 0, sizeof *l);
	pi_findings_of(l, &fp, PI_FIND_ALL);
	return l->n;
}

START_TEST(go_deadlock_found)
{
	struct prog p;
	struct pi_finding_list l;
	/* every goroutine of the program on channels; the runtime's own
	 * asleep too, as always */
	prog_init(&p, 0);
	add_g(&p, 1, PI_G_WAITING, "select (no cases)", -1, main_select);
	add_g(&p, 7, PI_G_WAITING, "chan receive", -1, chan_recv);
	add_g(&p, 8, PI_G_WAITING, "chan receive", -1, chan_recv);
	ck_assert_int_eq(pi_go_wait_class(&p.go, 0), PI_GO_WAIT_RUNTIME);
	ck_assert_int_eq(pi_go_wait_class(&p.go, 2), PI_GO_WAIT_PROGRAM);
	ck_assert_uint_eq(find_go(&p, 10, &l), 1);
	ck_assert_int_eq(l.v[0].kind, PI_FIND_GO_DEADLOCK);
	ck_assert_str_eq(l.v[0].message,
			 "all 3 goroutines of the program are blocked (1 select (no cases), 2 chan receive), "
			 "waiting for each other: none can wake another; a deadlock: Go's runtime stops such "
			 "a program (\"all goroutines are asleep - deadlock!\") unless, as here, C code or a "
			 "thread outside Go keeps it running");
	pi_finding_list_free(&l);
	/* a timer pending: it alone can wake them, and says so */
	p.go.timers = 2;
	find_go(&p, 10, &l);
	ck_assert_ptr_nonnull(strstr(l.v[0].message, "only a timer can (2 pending"));
	pi_finding_list_free(&l);
	p.go.timers = -1;
	find_go(&p, 10, &l);
	ck_assert_ptr_nonnull(strstr(l.v[0].message, "only a timer could, if one is pending"));
	pi_finding_list_free(&l);

	/* not every goroutine read (the budget ran out): no verdict */
	p.go.err = -PI_ERR_TIMEOUT;
	ck_assert_uint_eq(find_go(&p, 10, &l), 0);
	p.go.err = 0;
	/* a goroutine that can still wake the others: in IO wait, asleep,
	 * in a system call, runnable */
	static const uint32_t wakers[] = { PI_G_WAITING, PI_G_WAITING, PI_G_SYSCALL, PI_G_RUNNABLE };
	static const char *const reasons[] = { "IO wait", "sleep", NULL, NULL };
	for (size_t k = 0; k < 4; k++) {
		struct prog q = p;
		q.go.goroutines = q.g;
		q.go.frames = q.f;
		add_g(&q, 20, wakers[k], reasons[k], -1, accept);
		ck_assert_msg(find_go(&q, 10, &l) == 0, "waker %zu", k);
	}
	/* the runtime's goroutines only: nothing of the program to judge */
	prog_init(&p, 0);
	ck_assert_uint_eq(find_go(&p, 10, &l), 0);
	/* asked for other kinds only */
	add_g(&p, 1, PI_G_WAITING, "select (no cases)", -1, main_select);
	struct pi_finding_proc fp = { .pid = 9, .go = &p.go };
	pi_findings_of(&l, &fp, PI_FIND_BIT(PI_FIND_HUNG));
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

START_TEST(go_lock_waits)
{
	struct prog p;
	struct pi_finding_list l;
	/* a server: its listener in IO wait, two goroutines at one Lock
	 * site, for a time the runtime did not record: a hint */
	prog_init(&p, 1);
	add_g(&p, 1, PI_G_WAITING, "IO wait", -1, accept);
	add_g(&p, 30, PI_G_WAITING, "semacquire", -1, mutex_wait);
	add_g(&p, 31, PI_G_WAITING, "sync.Mutex.Lock", -1, mutex_wait);
	size_t site;
	ck_assert_str_eq(pi_go_lock_wait(&p.go, 3, &site), "sync.Mutex.Lock");
	ck_assert_str_eq(p.f[site].function, "main.transfer");
	ck_assert_uint_eq(find_go(&p, 10, &l), 1);
	ck_assert_int_eq(l.v[0].kind, PI_FIND_GO_LOCK_WAIT);
	ck_assert_msg(strncmp(l.v[0].message, "2 goroutines (30, 31) blocked in sync.Mutex.Lock at "
				"main.transfer (/src/app.go:", 72) == 0, "%s", l.v[0].message);
	ck_assert_ptr_nonnull(strstr(l.v[0].message, "for how long unknown"));
	ck_assert(l.v[0].seconds < 0);
	pi_finding_list_free(&l);
	/* the waits known: past --hung-after, said with the longest;
	 * within it, busy rather than stuck */
	p.g[3].wait_seconds = 4;
	p.g[4].wait_seconds = 12;
	ck_assert_uint_eq(find_go(&p, 10, &l), 1);
	ck_assert_ptr_nonnull(strstr(l.v[0].message, "the longest for about 12 s"));
	ck_assert_ptr_nonnull(strstr(l.v[0].message, "longer than --hung-after 10 s"));
	ck_assert_double_eq(l.v[0].seconds, 12);
	pi_finding_list_free(&l);
	ck_assert_uint_eq(find_go(&p, 60, &l), 0);
	/* one alone, for a time not recorded: nothing to say */
	p.go.ngoroutines--;
	p.g[3].wait_seconds = -1;
	ck_assert_uint_eq(find_go(&p, 10, &l), 0);
	/* a WaitGroup, a channel: no lock, however many and however long */
	prog_init(&p, 1);
	add_g(&p, 1, PI_G_WAITING, "IO wait", -1, accept);
	add_g(&p, 40, PI_G_WAITING, "semacquire", 300, wg_wait);
	add_g(&p, 41, PI_G_WAITING, "semacquire", 300, wg_wait);
	add_g(&p, 42, PI_G_WAITING, "chan receive", 300, chan_recv);
	add_g(&p, 43, PI_G_WAITING, "chan receive", 300, chan_recv);
	ck_assert_ptr_null(pi_go_lock_wait(&p.go, 3, &site));
	ck_assert_uint_eq(find_go(&p, 10, &l), 0);
}
END_TEST

/* The goroutines are the target's: frames out of the array, names with
 * escape sequences, a stack of nothing but runtime frames. */
START_TEST(go_stuck_hostile)
{
	struct prog p;
	struct pi_finding_list l;
	prog_init(&p, 0);
	static const char *const evil[] = { "runtime.gopark", "sync.(*Mutex).Lock", "main.\033[2Jevil",
					     "runtime.goexit", NULL };
	add_g(&p, 1, PI_G_WAITING, "IO wait", -1, accept);
	add_g(&p, 50, PI_G_WAITING, "semacquire", -1, evil);
	add_g(&p, 51, PI_G_WAITING, "semacquire", -1, evil);
	add_g(&p, 52, PI_G_WAITING, "semacquire", -1, evil);
	add_g(&p, 53, PI_G_WAITING, "semacquire", -1, evil);
	p.g[5].nframes = SIZE_MAX;
	p.g[6].first_frame = 1000;	/* out of the array: no stack */
	ck_assert_uint_eq(find_go(&p, 10, &l), 1);
	ck_assert_ptr_null(strchr(l.v[0].message, '\033'));
	ck_assert_msg(strncmp(l.v[0].message, "2 goroutines (50, 51) blocked in sync.Mutex.Lock at "
				"main.\\e[2Jevil", 63) == 0, "%s", l.v[0].message);
	pi_finding_list_free(&l);
	/* a lock frame with nothing past it: no site */
	static const char *const cut[] = { "runtime.gopark", "sync.(*Mutex).Lock", NULL };
	prog_init(&p, 0);
	add_g(&p, 1, PI_G_WAITING, "IO wait", -1, accept);
	add_g(&p, 60, PI_G_WAITING, "semacquire", -1, cut);
	p.g[3].truncated_reason = "cut";
	size_t site;
	ck_assert_ptr_null(pi_go_lock_wait(&p.go, 3, &site));
	/* a wait reason it does not know: can go on for all it knows */
	prog_init(&p, 0);
	add_g(&p, 1, PI_G_WAITING, "a reason of Go 1.40", -1, main_select);
	ck_assert_int_eq(pi_go_wait_class(&p.go, 2), PI_GO_WAIT_OUTSIDE);
	ck_assert_uint_eq(find_go(&p, 10, &l), 0);
}
END_TEST

START_TEST(goroutines_hostile)
{
	struct image im;
	build_table(&im);
	struct pi_gopcln t;
	ck_assert_int_eq(pi_gopcln_init(&t, im.b, im.len, 0, 0), 0);
	struct pi_go_walk w;
	memset(&w, 0, sizeof w);
	pi_go_layout_for_version("go1.20.4", &w.layout);
	struct mem m;
	struct seen s;
	size_t total;
	w.read = read_mem;
	w.arg = &m;
	w.pcln = &t;
	w.allgs = ALLGS;
	w.max_goroutines = 100;
	w.max_frames = 8;
	w.each = collect;
	w.each_arg = &s;

	/* a length beyond the capacity, or beyond any real program */
	build_memory(&m, &w.layout);
	poke64(&m, ALLGS + 8, 5);
	ck_assert_int_eq(pi_go_walk(&w, &total), -EINVAL);
	poke64(&m, ALLGS + 8, (uint64_t)1 << 40);
	poke64(&m, ALLGS + 16, (uint64_t)1 << 40);
	ck_assert_int_eq(pi_go_walk(&w, &total), -EINVAL);
	/* allgs unreadable */
	w.allgs = 0x1234;
	ck_assert_int_eq(pi_go_walk(&w, &total), -EFAULT);
	w.allgs = ALLGS;

	/* a stack that returns into itself forever: cut at max_frames */
	build_memory(&m, &w.layout);
	for (uint64_t a = STACK; a < STACK + 1024; a += 8)
		poke64(&m, a, TEXT + 0x31);
	memset(&s, 0, sizeof s);
	ck_assert_int_eq(pi_go_walk(&w, &total), 0);
	ck_assert_uint_eq(s.g[0].nframes, 8);
	ck_assert_str_eq(s.g[0].stop_reason, "too many frames: the stack is cut here");
	/* a return address outside the text; a stack that runs off the
	 * readable memory */
	build_memory(&m, &w.layout);
	poke64(&m, STACK + 0x18, 0xdeadbeef);
	memset(&s, 0, sizeof s);
	ck_assert_int_eq(pi_go_walk(&w, &total), 0);
	ck_assert_uint_eq(s.g[0].nframes, 1);
	ck_assert_ptr_nonnull(strstr(s.g[0].stop_reason, "no Go function"));
	build_memory(&m, &w.layout);
	poke64(&m, G + w.layout.sched_sp, STACK + 1020);
	memset(&s, 0, sizeof s);
	ck_assert_int_eq(pi_go_walk(&w, &total), 0);
	ck_assert_ptr_nonnull(strstr(s.g[0].stop_reason, "could not be read"));
}
END_TEST

/* A hostile runtime can list 100,000 goroutines, each with a stack of its
 * own: the groups are drawn in time linear in the goroutines (sorted
 * once, each group's members linked), not in groups times goroutines.
 * Here 50,000 singletons come first and 25,000 pairs after them: the
 * pairs are the biggest groups, so they lead, in the runtime's order.
 * The bound on time is Check's test timeout: it only says "does not
 * hang" (the quadratic drawing took minutes). */
START_TEST(goroutine_groups_linear)
{
	enum { SINGLES = 50000, PAIRS = 25000, N = SINGLES + 2 * PAIRS };
	struct pi_process *p = calloc(1, sizeof *p);
	ck_assert_ptr_nonnull(p);
	struct pi_go_runtime *go = &p->go;
	go->read = true;
	go->total = N;
	go->ngoroutines = N;
	go->goroutines = calloc(N, sizeof *go->goroutines);
	ck_assert_ptr_nonnull(go->goroutines);
	for (size_t i = 0; i < N; i++) {
		struct pi_goroutine *g = &go->goroutines[i];
		g->goid = i + 1;
		g->status = PI_G_RUNNABLE;
		g->wait_seconds = -1;
		if (i < SINGLES) {
			g->group = i;
			g->group_size = 1;
		} else if ((i - SINGLES) % 2 == 0) {
			g->group = i;
			g->group_size = 2;
		} else {
			g->group = i - 1;
		}
	}
	struct pi_buf b = PI_BUF_INIT;
	pi_text_goroutines(&b, p, true);
	ck_assert_ptr_nonnull(strstr(b.data, "75000 stacks"));
	/* the first pair leads, with both its IDs; the last singleton is
	 * drawn, last */
	char first[64], last[64];
	snprintf(first, sizeof first, "  2 goroutines: %d [runnable], %d [runnable]\n", SINGLES + 1,
		 SINGLES + 2);
	snprintf(last, sizeof last, "  1 goroutine: %d [runnable]\n", SINGLES);
	char *at = strstr(b.data, "GOROUTINES");
	ck_assert_ptr_nonnull(at);
	at = strchr(at, '\n');
	ck_assert_ptr_nonnull(at);
	ck_assert_int_eq(strncmp(at + 1, first, strlen(first)), 0);
	size_t tail = strlen(last);
	ck_assert_uint_ge(b.len, tail);
	ck_assert_str_eq(b.data + b.len - tail, last);
	pi_buf_free(&b);

	struct pi_jw w;
	pi_jw_init(&w, NULL);
	pi_jw_object(&w);
	pi_json_go(&w, p);
	pi_jw_object_end(&w);
	snprintf(first, sizeof first, "\"groups\":[{\"count\":2,\"goids\":[%d,%d]}", SINGLES + 1,
		 SINGLES + 2);
	ck_assert_ptr_nonnull(strstr(w.buf.data, first));
	snprintf(last, sizeof last, "{\"count\":1,\"goids\":[%d]}]}", SINGLES);
	ck_assert_ptr_nonnull(strstr(w.buf.data, last));
	pi_buf_free(&w.buf);
	free(go->goroutines);
	free(p);
}
END_TEST

Suite *goroutines_suite(void)
{
	Suite *s = suite_create("goroutines");
	TCase *tc = tcase_create("go");
	tcase_add_test(tc, pclntab_lookups);
	tcase_add_test(tc, pclntab_hostile);
	tcase_add_test(tc, goroutines_walked);
	tcase_add_test(tc, inlined_frames);
	tcase_add_test(tc, go_deadlock_found);
	tcase_add_test(tc, go_lock_waits);
	tcase_add_test(tc, go_stuck_hostile);
	tcase_add_test(tc, goroutines_hostile);
	tcase_add_test(tc, goroutine_groups_linear);
	suite_add_tcase(s, tc);
	return s;
}
