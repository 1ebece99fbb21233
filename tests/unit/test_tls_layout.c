/* TLS layouts (src/tls/layout.c) and glibc's thread list walked by hand
 * (src/tls/threadlist.c), on memory images built here for every row of the
 * architecture table: x86-64 and i386 (variant II, a TCB pointing at
 * itself) and aarch64 (variant I, a TCB without self-pointers, checked
 * through its DTV), which no test can run a process of here. The list's
 * descriptors are glibc 2.36's own, as its i386 and aarch64 libc.so.6
 * define them.
 *
 * These hold on any host: tests/cross/aarch64.sh runs them built for
 * aarch64 too. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/reasons.h"
#include "arch/arch.h"
#include "tls/bounds.h"
#include "tls/layout.h"
#include "tls/threadlist.h"
#include "unit.h"

/* A target's memory: size bytes from base; anything else is unmapped. */
struct image {
	uint64_t base;
	uint8_t bytes[16384];
	size_t reads;
};

static ssize_t image_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct image *m = arg;
	m->reads++;
	if (addr < m->base || addr - m->base > sizeof m->bytes
	    || len > sizeof m->bytes - (addr - m->base))
		return -1;
	memcpy(buf, m->bytes + (addr - m->base), len);
	return (ssize_t)len;
}

/* A word of the row's size (little-endian) into the image at addr. */
static void put_word(struct image *m, const struct pi_arch *a, uint64_t addr, uint64_t v)
{
	ck_assert_uint_ge(addr, m->base);
	ck_assert_uint_le(addr - m->base + a->ptr_size, sizeof m->bytes);
	memcpy(m->bytes + (addr - m->base), &v, a->ptr_size);
}

static void put_u32(struct image *m, uint64_t addr, uint32_t v)
{
	ck_assert_uint_le(addr - m->base + 4, sizeof m->bytes);
	memcpy(m->bytes + (addr - m->base), &v, 4);
}

static struct image *new_image(uint64_t base)
{
	struct image *m = calloc(1, sizeof *m);
	ck_assert_ptr_nonnull(m);
	m->base = base;
	return m;
}

START_TEST(every_row_has_a_tls_layout)
{
	for (int id = 0; id < PI_ARCH_COUNT; id++) {
		const struct pi_arch *a = pi_arch_get((enum pi_arch_id)id);
		ck_assert(a->tls_checked);
		ck_assert(a->tls_variant == PI_TLS_VARIANT_I || a->tls_variant == PI_TLS_VARIANT_II);
		ck_assert_int_ge(a->tcb_dtv, 0);
		/* Variant II's TCB points at itself; variant I's has a size. */
		if (a->tls_variant == PI_TLS_VARIANT_II)
			ck_assert(a->tcb_self[0] >= 0 && a->tcb_self[1] >= 0);
		else
			ck_assert_uint_gt(a->tcb_size, 0);
	}
}
END_TEST

/* The thread pointer is the row's register where the host's set holds it:
 * x86-64's fs_base, and i386's gs_base (the kernel gives the %gs segment's
 * base there for a 32-bit task; captured from a -m32 thread); aarch64's
 * tpidr_el0 is not in user_pt_regs. */
START_TEST(thread_pointer_from_a_register_set)
{
	uint64_t x86[27];
	memset(x86, 0, sizeof x86);
	x86[21] = 0x7f3c1a2b3740;	/* fs_base */
	x86[22] = 0xf7f845c0;		/* gs_base */
	x86[26] = 0x63;			/* gs: GDT entry 12, ring 3 */
	ck_assert_uint_eq(pi_arch_thread_pointer(pi_arch_get(PI_ARCH_X86_64), x86, sizeof x86),
			  0x7f3c1a2b3740);
	ck_assert_uint_eq(pi_arch_thread_pointer(pi_arch_get(PI_ARCH_I386), x86, sizeof x86),
			  0xf7f845c0);
	/* A set of another size is not read. */
	ck_assert_uint_eq(pi_arch_thread_pointer(pi_arch_get(PI_ARCH_I386), x86, 8), 0);
	uint64_t arm[34];
	memset(arm, 0xab, sizeof arm);
	ck_assert_uint_eq(pi_arch_thread_pointer(pi_arch_get(PI_ARCH_AARCH64), arm, sizeof arm), 0);
}
END_TEST

START_TEST(executable_block_by_variant)
{
	const struct pi_arch *x64 = pi_arch_get(PI_ARCH_X86_64);
	const struct pi_arch *i386 = pi_arch_get(PI_ARCH_I386);
	const struct pi_arch *arm = pi_arch_get(PI_ARCH_AARCH64);
	/* Variant II: right below the thread pointer, rounded up (an i386
	 * helper's 12-byte block with 4-byte alignment: 12 below). */
	ck_assert_uint_eq(pi_tls_exe_block(x64, 0x7f0000001000, 16, 8), 0x7f0000000ff0);
	ck_assert_uint_eq(pi_tls_exe_block(x64, 0x7f0000001000, 17, 16), 0x7f0000000fe0);
	ck_assert_uint_eq(pi_tls_exe_block(i386, 0xf7f00580, 12, 4), 0xf7f00574);
	ck_assert_uint_eq(pi_tls_exe_block(i386, 0xf7f00580, 12, 0), 0xf7f00574);
	/* Variant I: after the 16-byte TCB, rounded up to the alignment. */
	ck_assert_uint_eq(pi_tls_exe_block(arm, 0xffff8000a000, 12, 4), 0xffff8000a010);
	ck_assert_uint_eq(pi_tls_exe_block(arm, 0xffff8000a000, 12, 64), 0xffff8000a040);
	/* What would wrap, or lies past a 32-bit address space, is none. */
	ck_assert_uint_eq(pi_tls_exe_block(x64, 8, 16, 8), 0);
	ck_assert_uint_eq(pi_tls_exe_block(i386, 0x100000000, 12, 4), 0);
	ck_assert_uint_eq(pi_tls_exe_block(arm, UINT64_MAX - 8, 12, 64), 0);
	ck_assert_uint_eq(pi_tls_exe_block(x64, 0, 16, 8), 0);
}
END_TEST

START_TEST(thread_pointer_of_a_struct_pthread)
{
	ck_assert_uint_eq(pi_tls_tp_of_pthread(pi_arch_get(PI_ARCH_X86_64), 0x7f0000001000, 2368),
			  0x7f0000001000);
	ck_assert_uint_eq(pi_tls_tp_of_pthread(pi_arch_get(PI_ARCH_I386), 0xf7d4eb40, 1216),
			  0xf7d4eb40);
	/* aarch64: the TCB follows struct pthread (1792 bytes in glibc
	 * 2.36); without its size, no guess. */
	ck_assert_uint_eq(pi_tls_tp_of_pthread(pi_arch_get(PI_ARCH_AARCH64), 0xffff8000a000, 1792),
			  0xffff8000a700);
	ck_assert_uint_eq(pi_tls_tp_of_pthread(pi_arch_get(PI_ARCH_AARCH64), 0xffff8000a000, 0), 0);
}
END_TEST

/* x86-64 and i386: tcbhead_t's tcb and self point at the TCB. */
START_TEST(variant_two_self_pointers)
{
	for (int id = PI_ARCH_X86_64; id <= PI_ARCH_I386; id++) {
		const struct pi_arch *a = pi_arch_get((enum pi_arch_id)id);
		struct image *m = new_image(0xf0001000);
		uint64_t tp = 0xf0001800;
		put_word(m, a, tp, tp);				/* tcb */
		put_word(m, a, tp + a->ptr_size, 0xf0001100);	/* dtv */
		put_word(m, a, tp + 2 * a->ptr_size, tp);	/* self */
		ck_assert_int_eq(pi_tls_check_tcb(a, tp, 0, image_read, m), PI_TCB_OK);
		/* self elsewhere */
		put_word(m, a, tp + 2 * a->ptr_size, tp + 0x40);
		ck_assert_int_eq(pi_tls_check_tcb(a, tp, 0, image_read, m), PI_TCB_WRONG);
		/* Nothing mapped there: no verdict. */
		ck_assert_int_eq(pi_tls_check_tcb(a, 0xe0000000, 0, image_read, m), PI_TCB_UNCHECKED);
		ck_assert_int_eq(pi_tls_check_tcb(a, 0, 0, image_read, m), PI_TCB_UNCHECKED);
		free(m);
	}
	/* i386's words are 4 bytes: an x86-64 reading (self 16 bytes on)
	 * of an i386 TCB finds no self-pointer there. */
	const struct pi_arch *i386 = pi_arch_get(PI_ARCH_I386);
	struct image *m = new_image(0xf0001000);
	uint64_t tp = 0xf0001800;
	put_word(m, i386, tp, tp);
	put_word(m, i386, tp + 4, 0xf0001100);
	put_word(m, i386, tp + 8, tp);
	ck_assert_int_eq(pi_tls_check_tcb(i386, tp, 0, image_read, m), PI_TCB_OK);
	ck_assert_int_eq(pi_tls_check_tcb(pi_arch_get(PI_ARCH_X86_64), tp, 0, image_read, m),
			 PI_TCB_WRONG);
	free(m);
}
END_TEST

/* aarch64: tcbhead_t is (dtv, private); the DTV glibc stores is its entry
 * 1 onward (entry -1 counts the slots, 0 the generation), module 1's
 * pointer the executable's block, right after the 16-byte TCB. */
START_TEST(variant_one_checked_through_the_dtv)
{
	const struct pi_arch *a = pi_arch_get(PI_ARCH_AARCH64);
	struct image *m = new_image(0xffff80000000);
	uint64_t tp = 0xffff80002000, dtv_alloc = 0xffff80001000, dtv = dtv_alloc + 16;
	uint64_t block = pi_tls_exe_block(a, tp, 12, 8);
	ck_assert_uint_eq(block, tp + 16);
	ck_assert_uint_eq(pi_tls_dtv_slot(a, dtv, 1), dtv + 16);
	put_word(m, a, tp, dtv);
	put_word(m, a, dtv_alloc, 62);		/* slots */
	put_word(m, a, dtv, 1);			/* generation */
	put_word(m, a, dtv + 16, block);	/* module 1: the executable */
	put_word(m, a, dtv + 24, 0);		/* to_free: static TLS */
	ck_assert_int_eq(pi_tls_check_tcb(a, tp, block, image_read, m), PI_TCB_OK);
	/* The executable's block elsewhere than the layout says. */
	put_word(m, a, dtv + 16, block + 64);
	ck_assert_int_eq(pi_tls_check_tcb(a, tp, block, image_read, m), PI_TCB_WRONG);
	/* No DTV at all: no glibc TCB. */
	put_word(m, a, tp, 0);
	ck_assert_int_eq(pi_tls_check_tcb(a, tp, block, image_read, m), PI_TCB_WRONG);
	/* A DTV pointer to nowhere, or an executable without TLS: no
	 * verdict. */
	put_word(m, a, tp, 0x10);
	ck_assert_int_eq(pi_tls_check_tcb(a, tp, block, image_read, m), PI_TCB_UNCHECKED);
	put_word(m, a, tp, dtv);
	ck_assert_int_eq(pi_tls_check_tcb(a, tp, 0, image_read, m), PI_TCB_UNCHECKED);
	free(m);
}
END_TEST

/* ---- glibc's thread list ---- */

/* glibc 2.36's descriptors: {size in bits, elements, offset}. */
struct layout {
	uint32_t stack_user[3], stack_used[3], pthread_list[3], pthread_tid[3], list_next[3];
	uint32_t sizeof_pthread;
};

static const struct layout i386_glibc = {
	{ 64, 1, 2336 }, { 64, 1, 2328 }, { 64, 1, 96 }, { 32, 1, 104 }, { 32, 1, 0 }, 1216,
};
static const struct layout aarch64_glibc = {
	{ 128, 1, 4280 }, { 128, 1, 4264 }, { 128, 1, 704 }, { 32, 1, 720 }, { 64, 1, 0 }, 1792,
};

/* Where things lie in the image: descriptors at base, _rtld_global at
 * base + 0x100, struct pthreads from base + 0x1800, 0x800 apart. */
struct process {
	struct image *m;
	const struct pi_arch *a;
	const struct layout *l;
	struct pi_tls_list_syms syms;
};

static uint64_t pthread_at(const struct process *p, int i)
{
	return p->m->base + 0x1800 + (uint64_t)i * 0x800;
}

static uint64_t head_of(const struct process *p, bool used)
{
	return p->syms.rtld_global + (used ? p->l->stack_used[2] : p->l->stack_user[2]);
}

static uint64_t link_of(const struct process *p, int i)
{
	return pthread_at(p, i) + p->l->pthread_list[2];
}

static void build(struct process *p, const struct pi_arch *a, const struct layout *l)
{
	p->m = new_image(a->ptr_size == 4 ? 0x08000000 : 0xffff80000000);
	p->a = a;
	p->l = l;
	uint64_t d = p->m->base;
	const uint32_t *descs[] = { l->stack_user, l->stack_used, l->pthread_list, l->pthread_tid,
				    l->list_next };
	uint64_t *fields[] = { &p->syms.stack_user, &p->syms.stack_used, &p->syms.pthread_list,
			       &p->syms.pthread_tid, &p->syms.list_next };
	for (int i = 0; i < 5; i++) {
		*fields[i] = d + 12 * (uint64_t)i;
		memcpy(p->m->bytes + 12 * i, descs[i], 12);
	}
	p->syms.sizeof_pthread = d + 60;
	put_u32(p->m, d + 60, l->sizeof_pthread);
	p->syms.rtld_global = d + 0x100;
}

/* Links list (user or used) through the threads given, with their TIDs;
 * none: an empty list (its head points at itself). */
static void link_list(struct process *p, bool used, const int *threads, const int *tids, int n)
{
	uint64_t head = head_of(p, used), prev = head;
	for (int k = 0; k < n; k++) {
		put_word(p->m, p->a, prev, link_of(p, threads[k]));	/* next is list_t's first */
		put_u32(p->m, pthread_at(p, threads[k]) + p->l->pthread_tid[2], (uint32_t)tids[k]);
		prev = link_of(p, threads[k]);
	}
	put_word(p->m, p->a, prev, head);
}

struct seen {
	int n;
	pid_t tid[64];
	uint64_t tp[64];
};

static void record(void *arg, pid_t tid, uint64_t tp)
{
	struct seen *s = arg;
	if (s->n < 64) {
		s->tid[s->n] = tid;
		s->tp[s->n++] = tp;
	}
}

static int walk(struct process *p, size_t ntasks, struct seen *s)
{
	memset(s, 0, sizeof *s);
	return pi_tls_list_walk(p->a, &p->syms, ntasks, NULL, image_read, p->m, record, s);
}

START_TEST(i386_list_walked)
{
	struct process p;
	build(&p, pi_arch_get(PI_ARCH_I386), &i386_glibc);
	/* The main thread on the user list, two workers on the used list,
	 * and one that ended but is not joined (its TID cleared). */
	link_list(&p, false, (int[]){ 0 }, (int[]){ 4100 }, 1);
	link_list(&p, true, (int[]){ 1, 2, 3 }, (int[]){ 4101, 0, 4103 }, 3);
	struct seen s;
	ck_assert_int_eq(walk(&p, 4, &s), 0);
	ck_assert_int_eq(s.n, 3);
	ck_assert_int_eq(s.tid[0], 4100);
	ck_assert_uint_eq(s.tp[0], pthread_at(&p, 0));	/* variant II: the struct pthread */
	ck_assert_int_eq(s.tid[1], 4101);
	ck_assert_uint_eq(s.tp[1], pthread_at(&p, 1));
	ck_assert_int_eq(s.tid[2], 4103);
	ck_assert_uint_eq(s.tp[2], pthread_at(&p, 3));
	free(p.m);
}
END_TEST

START_TEST(aarch64_list_walked)
{
	struct process p;
	build(&p, pi_arch_get(PI_ARCH_AARCH64), &aarch64_glibc);
	link_list(&p, false, (int[]){ 0 }, (int[]){ 7 }, 1);
	link_list(&p, true, (int[]){ 2 }, (int[]){ 9 }, 1);
	struct seen s;
	ck_assert_int_eq(walk(&p, 2, &s), 0);
	ck_assert_int_eq(s.n, 2);
	/* variant I: the thread pointer follows struct pthread */
	ck_assert_int_eq(s.tid[0], 7);
	ck_assert_uint_eq(s.tp[0], pthread_at(&p, 0) + 1792);
	ck_assert_int_eq(s.tid[1], 9);
	ck_assert_uint_eq(s.tp[1], pthread_at(&p, 2) + 1792);
	free(p.m);
}
END_TEST

/* Before glibc sets its lists up, their heads are zero: nothing yet. */
START_TEST(lists_not_set_up_yet)
{
	struct process p;
	build(&p, pi_arch_get(PI_ARCH_I386), &i386_glibc);
	struct seen s;
	ck_assert_int_eq(walk(&p, 1, &s), 0);
	ck_assert_int_eq(s.n, 0);
	free(p.m);
}
END_TEST

START_TEST(a_list_that_loops_is_stopped)
{
	struct process p;
	build(&p, pi_arch_get(PI_ARCH_I386), &i386_glibc);
	link_list(&p, false, (int[]){ 0, 1 }, (int[]){ 10, 11 }, 2);
	/* Thread 1's next is thread 0 again, never the head. */
	put_word(p.m, p.a, link_of(&p, 1), link_of(&p, 0));
	struct seen s;
	ck_assert_int_eq(walk(&p, 2, &s), -PI_ERR_THREAD_LIST_LOOP);
	ck_assert_int_eq(s.n, 2);	/* those found before stand */
	free(p.m);
}
END_TEST

START_TEST(a_list_far_longer_than_the_threads_is_stopped)
{
	struct process p;
	build(&p, pi_arch_get(PI_ARCH_I386), &i386_glibc);
	/* More entries than twice its one thread and the slack
	 * (tls/bounds.h), packed 0x40 apart: only each entry's link and
	 * TID are read. */
	size_t limit = pi_tdb_entry_limit(1);
	uint64_t head = head_of(&p, false), prev = head;
	size_t n = 0;
	for (uint64_t e = p.m->base + 0x1000; n < limit + 5; e += 0x40, n++) {
		put_word(p.m, p.a, prev, e);
		prev = e;
	}
	put_word(p.m, p.a, prev, head);
	struct seen s;
	ck_assert_int_eq(walk(&p, 1, &s), -PI_ERR_THREAD_LIST_LONG);
	free(p.m);
}
END_TEST

START_TEST(descriptors_no_glibc_has_are_refused)
{
	struct process p;
	struct seen s;
	/* x86-64's descriptors in an i386 process (64-bit pointers). */
	build(&p, pi_arch_get(PI_ARCH_I386), &aarch64_glibc);
	link_list(&p, false, (int[]){ 0 }, (int[]){ 10 }, 1);
	ck_assert_int_eq(walk(&p, 1, &s), -PI_ERR_THREAD_LIST_LAYOUT);
	ck_assert_int_eq(s.n, 0);
	free(p.m);
	/* A link offset past any struct pthread, an array for a field, a
	 * TID that is not 32 bits, a struct pthread of a megabyte. */
	struct layout bad[4];
	for (int i = 0; i < 4; i++)
		bad[i] = i386_glibc;
	bad[0].pthread_list[2] = 1u << 20;
	bad[1].stack_user[1] = 2;
	bad[2].pthread_tid[0] = 64;
	for (int i = 0; i < 3; i++) {
		build(&p, pi_arch_get(PI_ARCH_I386), &bad[i]);
		ck_assert_int_eq(walk(&p, 1, &s), -PI_ERR_THREAD_LIST_LAYOUT);
		free(p.m);
	}
	bad[3] = aarch64_glibc;
	bad[3].sizeof_pthread = 1u << 20;
	build(&p, pi_arch_get(PI_ARCH_AARCH64), &bad[3]);
	ck_assert_int_eq(walk(&p, 1, &s), -PI_ERR_THREAD_LIST_LAYOUT);
	free(p.m);
}
END_TEST

START_TEST(missing_symbols_and_unreadable_memory)
{
	struct process p;
	struct seen s;
	build(&p, pi_arch_get(PI_ARCH_I386), &i386_glibc);
	link_list(&p, false, (int[]){ 0 }, (int[]){ 10 }, 1);
	struct pi_tls_list_syms all = p.syms;
	/* No _rtld_global (a static program), or no descriptor (a glibc
	 * before 2.34, or another C library). */
	p.syms.rtld_global = 0;
	ck_assert_int_eq(walk(&p, 1, &s), -ENOENT);
	p.syms = all;
	p.syms.pthread_tid = 0;
	ck_assert_int_eq(walk(&p, 1, &s), -ENOENT);
	/* A link into unmapped memory ends the walk. */
	p.syms = all;
	put_word(p.m, p.a, head_of(&p, false), 0x10);
	ck_assert_int_eq(walk(&p, 1, &s), -EIO);
	free(p.m);
}
END_TEST

Suite *tls_layout_suite(void)
{
	Suite *s = suite_create("tls_layout");
	TCase *tc = tcase_create("layout");
	tcase_add_test(tc, every_row_has_a_tls_layout);
	tcase_add_test(tc, thread_pointer_from_a_register_set);
	tcase_add_test(tc, executable_block_by_variant);
	tcase_add_test(tc, thread_pointer_of_a_struct_pthread);
	tcase_add_test(tc, variant_two_self_pointers);
	tcase_add_test(tc, variant_one_checked_through_the_dtv);
	suite_add_tcase(s, tc);
	tc = tcase_create("thread_list");
	tcase_add_test(tc, i386_list_walked);
	tcase_add_test(tc, aarch64_list_walked);
	tcase_add_test(tc, lists_not_set_up_yet);
	tcase_add_test(tc, a_list_that_loops_is_stopped);
	tcase_add_test(tc, a_list_far_longer_than_the_threads_is_stopped);
	tcase_add_test(tc, descriptors_no_glibc_has_are_refused);
	tcase_add_test(tc, missing_symbols_and_unreadable_memory);
	suite_add_tcase(s, tc);
	return s;
}
