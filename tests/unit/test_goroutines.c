/* A Go program's pc-value tables and goroutines (runtime/gopclntab.h,
 * runtime/goroutines.h), over a table and a memory image built here as
 * Go 1.20's linker and runtime lay them out, and over hostile ones. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		uint32_t z = (uint32_t)((d << 1) ^ (d >> 31));
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
 * TOPFRAME; all in /src/a.go, lines 10-11, 20, 30. */
static void build_table(struct image *im)
{
	memset(im, 0, sizeof *im);
	im->len = 72;
	size_t names = put(im, "main.leaf\0main.caller\0runtime.goexit\0", 37);
	size_t cutab = im->len;
	uint32_t zero = 0;
	put(im, &zero, 4);
	size_t filetab = put(im, "/src/a.go\0", 10);
	size_t pctab = im->len;
	put(im, &zero, 1);	/* offset 0 means "no table" */
	struct { int32_t sp, line[2]; uint32_t len[2]; int nl; uint32_t size; } fn[3] = {
		{ 0x18, { 10, 11 }, { 0x10, 0x10 }, 2, 0x20 },
		{ 0x8, { 20, 0 }, { 0x20, 0 }, 1, 0x20 },
		{ 0, { 30, 0 }, { 0x10, 0 }, 1, 0x10 },
	};
	uint32_t pcsp[3], pcfile[3], pcln[3];
	for (int i = 0; i < 3; i++) {
		pcsp[i] = pctable(im, pctab, &fn[i].sp, &fn[i].size, 1);
		int32_t file0 = 0;
		pcfile[i] = pctable(im, pctab, &file0, &fn[i].size, 1);
		pcln[i] = pctable(im, pctab, fn[i].line, fn[i].len, fn[i].nl);
	}
	size_t pclntab = im->len;
	/* the function table, then the _funcs (Go 1.20: 44 bytes) */
	uint32_t entry[4] = { 0, 0x20, 0x40, 0x50 }, nameoff[3] = { 0, 10, 22 };
	size_t ftab = im->len;
	im->len += 8 * 4;
	for (int i = 0; i < 3; i++) {
		size_t f = im->len;
		im->len += 44;
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
	ck_assert_str_eq(s.frames[0][1].function, "main.caller");
	ck_assert_int_eq(s.frames[0][1].line, 20);
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
	tcase_add_test(tc, goroutines_hostile);
	tcase_add_test(tc, goroutine_groups_linear);
	suite_add_tcase(s, tc);
	return s;
}
