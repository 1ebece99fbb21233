#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "trace/sample.h"
#include "unit.h"

/* The capture (tests/fixtures/perf/README) asked for 1 KiB of stack. */
enum { CAPTURED_TID = 13604, CAPTURED_ASKED = 1024 };

static uint8_t *captured(size_t *len)
{
	return (uint8_t *)fixture("../perf", "sample-spin-x86_64.bin", len);
}

/* The capture, and the records built below, are x86-64's: perf's register
 * order and the ptrace layout it is put in are the host's (src/arch/host.h),
 * so those checks hold on an x86-64 host only (not in the aarch64 build,
 * tests/cross/aarch64.sh); the bounds checks hold on any. */
#if defined(__x86_64__)
START_TEST(captured_sample)
{
	size_t len;
	uint8_t *rec = captured(&len);
	struct pi_sample s;
	memset(&s, 0, sizeof s);
	ck_assert_int_eq(pi_sample_parse(rec, len, CAPTURED_TID, CAPTURED_ASKED, &s), 0);
	ck_assert_uint_eq(s.regs.rip, 0x5627e1f991ed);
	ck_assert_uint_eq(s.regs.rsp, 0x7f0087702ec0);
	ck_assert(!s.abi32);
	/* perf's order (ax, bx, cx, dx...) into ptrace's layout, which the
	 * architecture table maps to DWARF numbers. */
	const struct pi_arch *a = pi_arch_get(PI_ARCH_X86_64);
	uint64_t dwarf[PI_ARCH_MAX_REGS], known;
	ck_assert(pi_arch_regs_to_dwarf(a, &s.regs, sizeof s.regs, dwarf, &known));
	ck_assert_uint_eq(dwarf[a->dwarf_pc], s.regs.rip);
	ck_assert_uint_eq(dwarf[a->dwarf_sp], s.regs.rsp);
	ck_assert_uint_eq(dwarf[a->dwarf_fp], s.regs.rbp);
	ck_assert_uint_eq(dwarf[3], s.regs.rbx);	/* DWARF 3 is rbx, perf's 1 */
	ck_assert_uint_eq(dwarf[1], s.regs.rdx);	/* DWARF 1 is rdx, perf's 3 */
	ck_assert_uint_eq(known, (1ULL << 17) - 1);
	ck_assert_uint_eq(s.regs.cs, 0x33);		/* the 64-bit user code segment */
	ck_assert_uint_eq(s.regs.ss, 0x2b);
	ck_assert_uint_eq(s.regs.fs_base, 0);		/* not in a sample */
	ck_assert_uint_eq(s.stack_start, s.regs.rsp);
	ck_assert_uint_eq(s.stack_len, CAPTURED_ASKED);
	ck_assert(s.stack_cut);				/* all 1 KiB could be read */
	ck_assert_int_eq(memcmp(s.stack, rec + len - 8 - CAPTURED_ASKED, CAPTURED_ASKED), 0);
	free(s.stack);
	free(rec);
}
END_TEST
#endif

START_TEST(other_thread_is_refused)
{
	size_t len;
	uint8_t *rec = captured(&len);
	struct pi_sample s;
	ck_assert_int_eq(pi_sample_parse(rec, len, CAPTURED_TID + 1, CAPTURED_ASKED, &s), -EPROTO);
	free(rec);
}
END_TEST

/* Every cut of the record, and every shortening of its size field, is
 * refused without reading past the bytes given (ASan and valgrind watch). */
START_TEST(every_truncation_is_refused)
{
	size_t len;
	uint8_t *rec = captured(&len);
	for (size_t n = 0; n < len; n++) {
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, rec, n);
		struct pi_sample s;
		memset(&s, 0, sizeof s);
		ck_assert_int_eq(pi_sample_parse(cut, n, CAPTURED_TID, CAPTURED_ASKED, &s), -EPROTO);
		free(cut);
	}
	for (uint16_t size = 0; size < len; size++) {
		struct perf_event_header h;
		memcpy(&h, rec, sizeof h);
		h.size = size;
		memcpy(rec, &h, sizeof h);
		struct pi_sample s;
		memset(&s, 0, sizeof s);
		ck_assert_int_eq(pi_sample_parse(rec, len, CAPTURED_TID, CAPTURED_ASKED, &s), -EPROTO);
	}
	free(rec);
}
END_TEST

#if defined(__x86_64__)
/* A record built field by field: header, pid/tid, abi, registers, stack. */
struct builder {
	uint8_t b[4096];
	size_t n;
};

static void put(struct builder *r, const void *p, size_t n)
{
	if (n)
		memcpy(r->b + r->n, p, n);
	r->n += n;
}

static void put64(struct builder *r, uint64_t v)
{
	put(r, &v, sizeof v);
}

static void build(struct builder *r, uint64_t abi, int nregs, uint64_t size, const uint8_t *stack,
		  size_t stack_bytes, bool dyn, uint64_t dyn_size)
{
	memset(r, 0, sizeof *r);
	struct perf_event_header h = { PERF_RECORD_SAMPLE, 0, 0 };
	put(r, &h, sizeof h);
	uint32_t ids[2] = { 7, 42 };
	put(r, ids, sizeof ids);
	put64(r, abi);
	for (int i = 0; i < nregs; i++)
		put64(r, 0x1000 + (uint64_t)i);
	put64(r, size);
	put(r, stack, stack_bytes);
	if (dyn)
		put64(r, dyn_size);
	h.size = (uint16_t)r->n;
	memcpy(r->b, &h, sizeof h);
}

START_TEST(hostile_lengths)
{
	static const uint8_t stack[256] = { 1, 2, 3 };
	struct builder r;
	struct pi_sample s;

	/* Well formed: 20 registers, 64 bytes asked, 48 read. */
	build(&r, PERF_SAMPLE_REGS_ABI_64, 20, 64, stack, 64, true, 48);
	ck_assert_int_eq(pi_sample_parse(r.b, r.n, 42, 64, &s), 0);
	ck_assert_uint_eq(s.stack_len, 48);
	ck_assert(!s.stack_cut);
	ck_assert_uint_eq(s.regs.rsp, 0x1000 + 7);	/* perf's index 7 is sp */
	ck_assert_uint_eq(s.regs.r15, 0x1000 + 19);
	free(s.stack);

	/* The kernel read more than it copied; copied more than asked;
	 * a copy length that runs past the record or wraps around. */
	build(&r, PERF_SAMPLE_REGS_ABI_64, 20, 64, stack, 64, true, 72);
	ck_assert_int_eq(pi_sample_parse(r.b, r.n, 42, 64, &s), -EPROTO);
	build(&r, PERF_SAMPLE_REGS_ABI_64, 20, 128, stack, 128, true, 128);
	ck_assert_int_eq(pi_sample_parse(r.b, r.n, 42, 64, &s), -EPROTO);
	build(&r, PERF_SAMPLE_REGS_ABI_64, 20, 64, stack, 32, true, 32);
	ck_assert_int_eq(pi_sample_parse(r.b, r.n, 42, 64, &s), -EPROTO);
	build(&r, PERF_SAMPLE_REGS_ABI_64, 20, UINT64_MAX - 7, stack, 64, true, 64);
	ck_assert_int_eq(pi_sample_parse(r.b, r.n, 42, UINT64_MAX, &s), -EPROTO);
	/* Trailing bytes; a missing dyn_size. */
	build(&r, PERF_SAMPLE_REGS_ABI_64, 20, 64, stack, 72, true, 64);
	ck_assert_int_eq(pi_sample_parse(r.b, r.n, 42, 64, &s), -EPROTO);
	build(&r, PERF_SAMPLE_REGS_ABI_64, 20, 64, stack, 64, false, 0);
	ck_assert_int_eq(pi_sample_parse(r.b, r.n, 42, 64, &s), -EPROTO);
	/* Too few registers for the mask. */
	build(&r, PERF_SAMPLE_REGS_ABI_64, 3, 0, stack, 0, false, 0);
	ck_assert_int_eq(pi_sample_parse(r.b, r.n, 42, 64, &s), -EPROTO);
	/* No stack at all: the first frame only. */
	build(&r, PERF_SAMPLE_REGS_ABI_64, 20, 0, stack, 0, false, 0);
	ck_assert_int_eq(pi_sample_parse(r.b, r.n, 42, 64, &s), 0);
	ck_assert_uint_eq(s.stack_len, 0);
	ck_assert_ptr_null(s.stack);
	/* Not a sample at all. */
	build(&r, PERF_SAMPLE_REGS_ABI_64, 20, 0, stack, 0, false, 0);
	r.b[0] = PERF_RECORD_LOST;
	ck_assert_int_eq(pi_sample_parse(r.b, r.n, 42, 64, &s), -EPROTO);
}
END_TEST

START_TEST(outside_user_space_or_another_abi)
{
	struct builder r;
	struct pi_sample s;
	build(&r, PERF_SAMPLE_REGS_ABI_NONE, 0, 0, NULL, 0, false, 0);
	ck_assert_int_eq(pi_sample_parse(r.b, r.n, 42, 64, &s), -EAGAIN);
	/* A 32-bit task's sample: perf's order, in ptrace's layout, which
	 * the i386 row reads by i386's DWARF numbers. */
	build(&r, PERF_SAMPLE_REGS_ABI_32, 20, 0, NULL, 0, false, 0);
	ck_assert_int_eq(pi_sample_parse(r.b, r.n, 42, 64, &s), 0);
	ck_assert(s.abi32);
	const struct pi_arch *a = pi_arch_get(PI_ARCH_I386);
	uint64_t dwarf[PI_ARCH_MAX_REGS], known;
	ck_assert(pi_arch_regs_to_dwarf(a, &s.regs, sizeof s.regs, dwarf, &known));
	ck_assert_uint_eq(known, (1ULL << 9) - 1);
	/* perf: ax 0, bx 1, cx 2, dx 3, si 4, di 5, bp 6, sp 7, ip 8. */
	static const uint64_t want[9] = { 0x1000, 0x1002, 0x1003, 0x1001, 0x1007,
					  0x1006, 0x1004, 0x1005, 0x1008 };
	for (int i = 0; i < 9; i++)
		ck_assert_uint_eq(dwarf[i], want[i]);
	ck_assert_uint_eq(s.stack_start, 0x1007);
	build(&r, 77, 20, 0, NULL, 0, false, 0);
	ck_assert_int_eq(pi_sample_parse(r.b, r.n, 42, 64, &s), -EPROTO);
}
END_TEST
#endif

/* Random damage to the captured record: refused, or parsed within its
 * bounds; never a read past it. */
START_TEST(random_damage)
{
	size_t len;
	uint8_t *rec = captured(&len);
	uint8_t *copy = malloc(len);
	unsigned seed = 1;
	for (int round = 0; round < 20000; round++) {
		memcpy(copy, rec, len);
		for (int k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % 0x40;	/* the fixed fields */
			if (round % 3 == 0)
				at = (seed >> 8) % len;
			copy[at] = (uint8_t)(seed >> 24);
		}
		struct pi_sample s;
		memset(&s, 0, sizeof s);
		if (pi_sample_parse(copy, len, CAPTURED_TID, CAPTURED_ASKED, &s) == 0) {
			ck_assert_uint_le(s.stack_len, CAPTURED_ASKED);
			free(s.stack);
		}
	}
	free(copy);
	free(rec);
}
END_TEST

Suite *sample_suite(void)
{
	Suite *s = suite_create("sample");
	TCase *tc = tcase_create("parse");
#if defined(__x86_64__)
	tcase_add_test(tc, captured_sample);
	tcase_add_test(tc, hostile_lengths);
	tcase_add_test(tc, outside_user_space_or_another_abi);
#endif
	tcase_add_test(tc, other_thread_is_refused);
	tcase_add_test(tc, every_truncation_is_refused);
	tcase_add_test(tc, random_damage);
	suite_add_tcase(s, tc);
	return s;
}
