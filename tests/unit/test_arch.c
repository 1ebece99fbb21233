/* The architecture table (src/arch): every row complete, a process's row
 * chosen from its executable's header, captured register sets turned into
 * DWARF numbers, captured call sites and signal trampolines recognised,
 * and a captured i386 mutex decoded by i386's layout.
 *
 * These hold on any host: tests/cross/aarch64.sh runs them built for
 * aarch64 too (PI_UNIT_PORTABLE: without libseccomp and the lock reader,
 * whose checks are left out there). */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "arch/arch.h"
#include "sys/abi.h"
#include "unit.h"
#ifndef PI_UNIT_PORTABLE
#include "collect/locks.h"
#endif

/* x86-64's struct user_regs_struct (ptrace's register set, also a 32-bit
 * task's), spelt out so that the test builds on any host. */
struct x86_64_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
	uint64_t orig_rax, rip, cs, eflags, rsp, ss, fs_base, gs_base, ds, es, fs, gs;
};

START_TEST(every_row_is_complete)
{
	for (int id = 0; id < PI_ARCH_COUNT; id++) {
		const struct pi_arch *a = pi_arch_get((enum pi_arch_id)id);
		ck_assert_ptr_nonnull(a);
		ck_assert_int_eq(a->id, id);
		ck_assert_ptr_eq(pi_arch_by_name(a->name), a);
		ck_assert_ptr_eq(pi_arch_from_elf(a->elf_class, a->elf_machine), a);
		ck_assert(a->ptr_size == 4 || a->ptr_size == 8);
		ck_assert_uint_eq(a->ptr_size, a->elf_class == ELFCLASS64 ? 8 : 4);
		ck_assert(a->dwarf_nregs > 0 && a->dwarf_nregs <= PI_ARCH_MAX_REGS);
		ck_assert(a->dwarf_sp >= 0 && a->dwarf_sp < PI_ARCH_MAX_REGS);
		ck_assert(a->dwarf_fp >= 0 && a->dwarf_fp < PI_ARCH_MAX_REGS);
		ck_assert(a->dwarf_pc >= 0 && a->dwarf_pc < PI_ARCH_MAX_REGS);
		/* The named stack, frame and pc registers are the numbered ones. */
		ck_assert_int_eq(pi_arch_reg_by_name(a, a->sp_name)->dwarf, a->dwarf_sp);
		ck_assert_int_eq(pi_arch_reg_by_name(a, a->fp_name)->dwarf, a->dwarf_fp);
		ck_assert_int_eq(pi_arch_reg_by_name(a, a->pc_name)->dwarf, a->dwarf_pc);
		for (size_t i = 0; i < a->nregs; i++) {
			const struct pi_arch_reg *r = &a->regs[i];
			ck_assert(r->width == 4 || r->width == 8);
			ck_assert_uint_le(r->host_offset + r->width, a->host_regs_size);
			ck_assert_ptr_eq(pi_arch_reg_by_name(a, r->name), r);
		}
		ck_assert(a->thread_pointer && *a->thread_pointer);
		ck_assert(a->tls_variant == PI_TLS_VARIANT_I || a->tls_variant == PI_TLS_VARIANT_II);
		ck_assert_uint_le(a->mutex.span, 32);
		ck_assert_uint_ge(a->mutex.size, a->mutex.span);
		ck_assert(a->nr_futex > 0 && a->nr_rt_sigreturn > 0 && a->seccomp_arch);
		ck_assert(a->call_before && a->call_window > 0 && a->call_window <= 16);
		ck_assert(a->is_sigreturn && a->sigreturn_window > 0 && a->sigreturn_window <= 16);
		ck_assert_uint_eq(a->host_regs_size, a->id == PI_ARCH_AARCH64 ? 34 * 8
									  : sizeof(struct x86_64_regs));
#ifndef PI_UNIT_PORTABLE
		/* libseccomp's table agrees with the row's numbers. */
		if (a == pi_arch_host() || (a->id == PI_ARCH_I386 && pi_arch_host()->id == PI_ARCH_X86_64)) {
			enum pi_abi abi = a == pi_arch_host() ? PI_ABI_NATIVE : PI_ABI_I386;
			ck_assert_str_eq(pi_syscall_name(abi, a->nr_futex), "futex");
			ck_assert_str_eq(pi_syscall_name(abi, a->nr_rt_sigreturn), "rt_sigreturn");
		}
#endif
	}
	ck_assert_ptr_null(pi_arch_get(PI_ARCH_COUNT));
	/* The host's row is the CPU this test was built for. */
#if defined(__x86_64__)
	ck_assert_int_eq(pi_arch_host()->id, PI_ARCH_X86_64);
#elif defined(__aarch64__)
	ck_assert_int_eq(pi_arch_host()->id, PI_ARCH_AARCH64);
#endif
	ck_assert_ptr_null(pi_arch_by_name("sparc"));
}
END_TEST

START_TEST(row_from_the_elf_header)
{
	/* The first 20 bytes of tests/helpers/pi-sleep32 (gcc -m32). */
	static const unsigned char i386_hdr[20] = {
		0x7f, 0x45, 0x4c, 0x46, 0x01, 0x01, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
		0x03, 0x00, 0x03, 0x00,
	};
	unsigned char h[20];
	enum pi_abi abi;
	const struct pi_arch *a;
	/* Which ABIs a process may have depends on the host: an x86-64 host
	 * runs x86-64, i386 and x32 ones, an aarch64 host aarch64 ones. */
	const bool x86_host = pi_arch_host()->id == PI_ARCH_X86_64;

	ck_assert_ptr_eq(pi_arch_from_ehdr(i386_hdr, sizeof i386_hdr), pi_arch_get(PI_ARCH_I386));
	if (x86_host) {
		ck_assert_int_eq(pi_abi_from_ehdr(i386_hdr, sizeof i386_hdr, &abi, &a), 0);
		ck_assert_int_eq(abi, PI_ABI_I386);
		ck_assert_ptr_eq(a, pi_arch_get(PI_ARCH_I386));
	} else {
		ck_assert_int_eq(pi_abi_from_ehdr(i386_hdr, sizeof i386_hdr, &abi, &a), -ENOEXEC);
	}

	/* x86-64 */
	memcpy(h, i386_hdr, sizeof h);
	h[EI_CLASS] = ELFCLASS64;
	h[18] = EM_X86_64;
	ck_assert_ptr_eq(pi_arch_from_ehdr(h, sizeof h), pi_arch_get(PI_ARCH_X86_64));
	ck_assert_int_eq(pi_abi_from_ehdr(h, sizeof h, &abi, &a), x86_host ? 0 : -ENOEXEC);
	if (x86_host) {
		ck_assert_int_eq(abi, PI_ABI_NATIVE);
		ck_assert_ptr_eq(a, pi_arch_host());
	}

	/* x32: 32-bit class, x86-64 machine; its ABI, and no row. */
	h[EI_CLASS] = ELFCLASS32;
	ck_assert_ptr_null(pi_arch_from_ehdr(h, sizeof h));
	if (x86_host) {
		ck_assert_int_eq(pi_abi_from_ehdr(h, sizeof h, &abi, &a), 0);
		ck_assert_int_eq(abi, PI_ABI_X32);
		ck_assert_ptr_null(a);
	}

	/* aarch64 (183 = 0xb7): its row; native only on an aarch64 host. */
	h[EI_CLASS] = ELFCLASS64;
	h[18] = 0xb7;
	ck_assert_ptr_eq(pi_arch_from_ehdr(h, sizeof h), pi_arch_get(PI_ARCH_AARCH64));
	ck_assert_int_eq(pi_abi_from_ehdr(h, sizeof h, &abi, &a), x86_host ? -ENOEXEC : 0);
	if (!x86_host) {
		ck_assert_int_eq(abi, PI_ABI_NATIVE);
		ck_assert_ptr_eq(a, pi_arch_get(PI_ARCH_AARCH64));
	}

	/* Big-endian, truncated, not ELF, unknown machine: no row. */
	memcpy(h, i386_hdr, sizeof h);
	h[EI_DATA] = ELFDATA2MSB;
	ck_assert_ptr_null(pi_arch_from_ehdr(h, sizeof h));
	ck_assert_int_eq(pi_abi_from_ehdr(h, sizeof h, &abi, &a), -ENOEXEC);
	ck_assert_ptr_null(pi_arch_from_ehdr(i386_hdr, 19));
	ck_assert_int_eq(pi_abi_from_ehdr(i386_hdr, 19, &abi, &a), -ENOEXEC);
	memcpy(h, i386_hdr, sizeof h);
	h[1] = 'X';
	ck_assert_ptr_null(pi_arch_from_ehdr(h, sizeof h));
	memcpy(h, i386_hdr, sizeof h);
	h[18] = 0x28;	/* EM_ARM: 32-bit ARM has no row */
	ck_assert_ptr_null(pi_arch_from_ehdr(h, sizeof h));
	ck_assert_int_eq(pi_abi_from_ehdr(h, sizeof h, &abi, &a), -ENOEXEC);
}
END_TEST

/* The registers of thread "spinner" of a -m32 pi-stacks, as a perf sample
 * gave them (in ptrace's x86-64 layout). The upper halves are set here to
 * garbage: i386's registers are 32 bits, whatever lies above. */
START_TEST(captured_i386_registers)
{
	struct x86_64_regs r;
	memset(&r, 0xa5, sizeof r);
	r.rip = 0xdead0000565b1725ULL;
	r.rsp = 0xdead0000f7cb5388ULL;
	r.rbp = 0xf7cb5398;
	r.rax = 0x631d6e20;
	r.rbx = 0x565b3ff4;
	r.rcx = 0x565b204b;
	r.rdx = 0xf7ee97d0;
	r.rsi = 8;
	r.rdi = 0;
	r.eflags = 0x212;
	const struct pi_arch *a = pi_arch_get(PI_ARCH_I386);
	uint64_t d[PI_ARCH_MAX_REGS], known;
	ck_assert(pi_arch_regs_to_dwarf(a, &r, sizeof r, d, &known));
	ck_assert_uint_eq(known, 0x1ff);	/* eax..edi, eip: DWARF 0-8 */
	ck_assert_uint_eq(d[0], 0x631d6e20);	/* eax */
	ck_assert_uint_eq(d[1], 0x565b204b);	/* ecx */
	ck_assert_uint_eq(d[2], 0xf7ee97d0);	/* edx */
	ck_assert_uint_eq(d[3], 0x565b3ff4);	/* ebx */
	ck_assert_uint_eq(d[4], 0xf7cb5388);	/* esp, cut to 32 bits */
	ck_assert_uint_eq(d[5], 0xf7cb5398);	/* ebp */
	ck_assert_uint_eq(d[6], 8);		/* esi */
	ck_assert_uint_eq(d[7], 0);		/* edi */
	ck_assert_uint_eq(d[8], 0x565b1725);	/* eip, cut to 32 bits */
	ck_assert_uint_eq(d[a->dwarf_pc], pi_arch_reg_value(a, &r, a->dwarf_pc));
	ck_assert_uint_eq(pi_arch_reg_read(pi_arch_reg_by_name(a, "eflags"), &r), 0x212);
	/* A set of another size is refused. */
	ck_assert(!pi_arch_regs_to_dwarf(a, &r, sizeof r - 8, d, &known));
	ck_assert_uint_eq(known, 0);
}
END_TEST

/* x86-64's numbering (the psABI): rax 0, rdx 1, rcx 2, rbx 3, rsi 4,
 * rdi 5, rbp 6, rsp 7, r8-r15 8-15, rip 16. */
START_TEST(captured_x86_64_registers)
{
	struct x86_64_regs r;
	memset(&r, 0, sizeof r);
	r.rip = 0x5627e1f991ed;
	r.rsp = 0x7f0087702ec0;
	r.rbp = 0x7f0087702ee0;
	r.rax = 1, r.rdx = 2, r.rcx = 3, r.rbx = 4, r.rsi = 5, r.rdi = 6;
	r.r8 = 8, r.r15 = 15;
	r.fs_base = 0x7f0087703640;
	const struct pi_arch *a = pi_arch_get(PI_ARCH_X86_64);
	uint64_t d[PI_ARCH_MAX_REGS], known;
	ck_assert(pi_arch_regs_to_dwarf(a, &r, sizeof r, d, &known));
	ck_assert_uint_eq(known, (1ULL << 17) - 1);
	const uint64_t want[17] = { 1, 2, 3, 4, 5, 6, 0x7f0087702ee0, 0x7f0087702ec0,
				    8, 0, 0, 0, 0, 0, 0, 15, 0x5627e1f991ed };
	for (int i = 0; i < 17; i++)
		ck_assert_uint_eq(d[i], want[i]);
	ck_assert_uint_eq(pi_arch_reg_read(pi_arch_reg_by_name(a, a->thread_pointer), &r),
			  0x7f0087703640);
}
END_TEST

/* aarch64's user_pt_regs: x0-x30, sp, pc, pstate. */
START_TEST(aarch64_registers)
{
	uint64_t set[34];
	for (int i = 0; i < 34; i++)
		set[i] = 0x1000 + (uint64_t)i;
	const struct pi_arch *a = pi_arch_get(PI_ARCH_AARCH64);
	uint64_t d[PI_ARCH_MAX_REGS], known;
	ck_assert(pi_arch_regs_to_dwarf(a, set, sizeof set, d, &known));
	for (int i = 0; i <= 31; i++)
		ck_assert_uint_eq(d[i], 0x1000 + (uint64_t)i);	/* x0-x30, sp */
	ck_assert_uint_eq(d[a->dwarf_pc], 0x1020);
	ck_assert(!a->pc_is_dwarf);
	ck_assert_uint_eq(known, (1ULL << 33) - 1);
	ck_assert_uint_eq(d[a->dwarf_fp], 0x101d);	/* x29 */
}
END_TEST

static enum pi_call_kind call_at(enum pi_arch_id id, const uint8_t *code, uint64_t ra,
				 uint64_t *target)
{
	*target = 0;
	return pi_arch_get(id)->call_before(code, ra, target);
}

/* The bytes before return addresses, from objdump of real binaries. */
START_TEST(captured_call_sites)
{
	uint64_t t;
	/* x86-64, pinspect: "e8 bb 9e 00 00  call 1af70" returning to 0x110b5. */
	static const uint8_t direct[] = { 0xff, 0xff, 0x90, 0xe8, 0xbb, 0x9e, 0x00, 0x00 };
	ck_assert_int_eq(call_at(PI_ARCH_X86_64, direct, 0x110b5, &t), PI_DIRECT_CALL);
	ck_assert_uint_eq(t, 0x1af70);
	/* "ff d0  call *%rax" (_init), returning to 0xa012. */
	static const uint8_t via_reg[] = { 0x00, 0x48, 0x85, 0xc0, 0x74, 0x02, 0xff, 0xd0 };
	ck_assert_int_eq(call_at(PI_ARCH_X86_64, via_reg, 0xa012, &t), PI_SOME_CALL);
	/* "ff 15 97 9f 05 00  call *0x59f97(%rip)" (_start, to libc). */
	static const uint8_t via_got[] = { 0xff, 0xff, 0xff, 0x15, 0x97, 0x9f, 0x05, 0x00 };
	ck_assert_int_eq(call_at(PI_ARCH_X86_64, via_got, 0xb041, &t), PI_SOME_CALL);
	/* "74 02 ... 48 85 c0": no call ends here. */
	static const uint8_t none[] = { 0x48, 0x85, 0xc0, 0x74, 0x02, 0x48, 0x85, 0xc0 };
	ck_assert_int_eq(call_at(PI_ARCH_X86_64, none, 0x1000, &t), PI_NOT_A_CALL);

	/* i386, pi-stacks32: "50 e8 e5 ff ff ff  push; call 1497 <pi_recurse>"
	 * returning to 0x14b2, and "ff 75 08 e8 a2 ff ff ff" to 0x14f5. */
	static const uint8_t i386_a[] = { 0x43, 0xff, 0x50, 0xe8, 0xe5, 0xff, 0xff, 0xff };
	static const uint8_t i386_b[] = { 0xff, 0x75, 0x08, 0xe8, 0xa2, 0xff, 0xff, 0xff };
	ck_assert_int_eq(call_at(PI_ARCH_I386, i386_a, 0x14b2, &t), PI_DIRECT_CALL);
	ck_assert_uint_eq(t, 0x1497);
	ck_assert_int_eq(call_at(PI_ARCH_I386, i386_b, 0x14f5, &t), PI_DIRECT_CALL);
	ck_assert_uint_eq(t, 0x1497);
	/* A call across the top of the 4 GiB space wraps, as the CPU does. */
	static const uint8_t wraps[] = { 0, 0, 0, 0xe8, 0x00, 0x10, 0x00, 0x00 };
	ck_assert_int_eq(call_at(PI_ARCH_I386, wraps, 0xfffff800, &t), PI_DIRECT_CALL);
	ck_assert_uint_eq(t, 0x800);
	ck_assert_int_eq(call_at(PI_ARCH_I386, via_reg, 0x1000, &t), PI_SOME_CALL);

	/* aarch64: "bl" forward and back, "blr x1", and "ret". */
	static const uint8_t bl_fwd[] = { 0x10, 0x00, 0x00, 0x94 };	/* bl +0x40 */
	ck_assert_int_eq(call_at(PI_ARCH_AARCH64, bl_fwd, 0x1004, &t), PI_DIRECT_CALL);
	ck_assert_uint_eq(t, 0x1040);
	static const uint8_t bl_back[] = { 0xff, 0xff, 0xff, 0x97 };	/* bl -4 */
	ck_assert_int_eq(call_at(PI_ARCH_AARCH64, bl_back, 0x1004, &t), PI_DIRECT_CALL);
	ck_assert_uint_eq(t, 0xffc);
	static const uint8_t blr[] = { 0x20, 0x00, 0x3f, 0xd6 };	/* blr x1 */
	ck_assert_int_eq(call_at(PI_ARCH_AARCH64, blr, 0x1004, &t), PI_SOME_CALL);
	static const uint8_t ret[] = { 0xc0, 0x03, 0x5f, 0xd6 };	/* ret */
	ck_assert_int_eq(call_at(PI_ARCH_AARCH64, ret, 0x1004, &t), PI_NOT_A_CALL);
}
END_TEST

START_TEST(signal_trampolines)
{
	const struct pi_arch *x64 = pi_arch_get(PI_ARCH_X86_64), *x86 = pi_arch_get(PI_ARCH_I386),
			     *arm = pi_arch_get(PI_ARCH_AARCH64);
	uint8_t code[16];
	/* glibc's __restore_rt on x86-64. */
	static const uint8_t rt64[] = { 0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05 };
	memset(code, 0x90, sizeof code);
	memcpy(code, rt64, sizeof rt64);
	ck_assert(x64->is_sigreturn(code));
	ck_assert(!x86->is_sigreturn(code));
	/* i386: __restore_rt / __kernel_rt_sigreturn, and plain sigreturn. */
	static const uint8_t rt32[] = { 0xb8, 0xad, 0x00, 0x00, 0x00, 0xcd, 0x80 };
	static const uint8_t plain32[] = { 0x58, 0xb8, 0x77, 0x00, 0x00, 0x00, 0xcd, 0x80 };
	memset(code, 0x90, sizeof code);
	memcpy(code, rt32, sizeof rt32);
	ck_assert(x86->is_sigreturn(code));
	ck_assert(!x64->is_sigreturn(code));
	memcpy(code, plain32, sizeof plain32);
	ck_assert(x86->is_sigreturn(code));
	code[2] = 0xad;	/* mov $173 after a pop: no such trampoline */
	ck_assert(!x86->is_sigreturn(code));
	/* aarch64: mov x8, #139; svc #0. */
	static const uint8_t rt_arm[] = { 0x68, 0x11, 0x80, 0xd2, 0x01, 0x00, 0x00, 0xd4 };
	memcpy(code, rt_arm, sizeof rt_arm);
	ck_assert(arm->is_sigreturn(code));
	code[0] = 0x48;	/* mov x8, #138 */
	ck_assert(!arm->is_sigreturn(code));
}
END_TEST

/* pi_lock_a of a -m32 pi-locks deadlock2, read from its memory while
 * thread 4268 held it and another waited: __lock 2 (contended), __count
 * 0, __owner 4268, __kind 512 (no elision), __nusers 1. Read by x86-64's
 * layout, the same bytes would say __kind 1 (recursive): the mistake that
 * called such waits "not a mutex". */
START_TEST(captured_i386_mutex)
{
	static const uint8_t bytes[24] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					   0xac, 0x10, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
					   0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	struct pi_mutex_words m;
	ck_assert(pi_arch_mutex_decode(pi_arch_get(PI_ARCH_I386), bytes, sizeof bytes, &m));
	ck_assert_uint_eq(m.lock, 2);
	ck_assert_uint_eq(m.count, 0);
	ck_assert_int_eq(m.owner, 4268);
	ck_assert_int_eq(m.kind, 512);
	ck_assert_uint_eq(m.nusers, 1);
	ck_assert_uint_eq(pi_arch_get(PI_ARCH_I386)->mutex.size, 24);

	ck_assert(pi_arch_mutex_decode(pi_arch_get(PI_ARCH_X86_64), bytes, sizeof bytes, &m));
	ck_assert_int_eq(m.kind, 1);
	ck_assert_uint_eq(m.nusers, 512);

	/* Cut short: the fields not read are 0, never bytes beyond. */
	ck_assert(pi_arch_mutex_decode(pi_arch_get(PI_ARCH_I386), bytes, 12, &m));
	ck_assert_int_eq(m.owner, 4268);
	ck_assert_int_eq(m.kind, 0);
	ck_assert_uint_eq(m.nusers, 0);
	ck_assert(!pi_arch_mutex_decode(pi_arch_get(PI_ARCH_I386), bytes, 3, &m));
}
END_TEST

#ifndef PI_UNIT_PORTABLE
/* The system call numbers the lock readers look for, by ABI. */
START_TEST(futex_numbers)
{
	if (pi_arch_host()->id != PI_ARCH_X86_64)
		return;
	ck_assert_int_eq(pi_futex_nr(PI_ABI_I386, true), 240);
	ck_assert_int_eq(pi_futex_nr(PI_ABI_X32, true), 202 | 0x40000000);
	ck_assert_int_eq(pi_futex_nr(PI_ABI_NATIVE, true), pi_arch_host()->nr_futex);
	ck_assert_int_eq(pi_futex_nr(PI_ABI_I386, false), pi_arch_host()->nr_futex);
	ck_assert_int_eq(pi_arch_get(PI_ARCH_AARCH64)->nr_futex, 98);
	ck_assert_ptr_eq(pi_abi_arch(PI_ABI_I386, true), pi_arch_get(PI_ARCH_I386));
	ck_assert_ptr_null(pi_abi_arch(PI_ABI_X32, true));
	ck_assert_ptr_eq(pi_abi_arch(PI_ABI_X32, false), pi_arch_host());
}
END_TEST
#endif

START_TEST(words_by_pointer_size)
{
	static const uint8_t w[8] = { 0x78, 0x56, 0x34, 0x12, 0xef, 0xcd, 0xab, 0x90 };
	ck_assert_uint_eq(pi_arch_word(pi_arch_get(PI_ARCH_I386), w), 0x12345678);
	ck_assert_uint_eq(pi_arch_word(pi_arch_get(PI_ARCH_X86_64), w), 0x90abcdef12345678ULL);
}
END_TEST

Suite *arch_suite(void)
{
	Suite *s = suite_create("arch");
	TCase *tc = tcase_create("table");
	tcase_add_test(tc, every_row_is_complete);
	tcase_add_test(tc, row_from_the_elf_header);
	tcase_add_test(tc, captured_i386_registers);
	tcase_add_test(tc, captured_x86_64_registers);
	tcase_add_test(tc, aarch64_registers);
	tcase_add_test(tc, captured_call_sites);
	tcase_add_test(tc, signal_trampolines);
	tcase_add_test(tc, captured_i386_mutex);
#ifndef PI_UNIT_PORTABLE
	tcase_add_test(tc, futex_numbers);
#endif
	tcase_add_test(tc, words_by_pointer_size);
	suite_add_tcase(s, tc);
	return s;
}
