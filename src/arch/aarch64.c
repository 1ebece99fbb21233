/* The aarch64 row. Its registers are read through the kernel's
 * struct user_pt_regs (x0-x30, sp, pc, pstate), the set ptrace and perf
 * give on an aarch64 host. */
#include <elf.h>
#include <linux/audit.h>
#include <string.h>

#include "arch/rows.h"

#ifndef EM_AARCH64
#define EM_AARCH64 183
#endif

enum {
	X0 = 0,			/* x0-x30: 8 bytes each */
	SP = 31 * 8,
	PC = 32 * 8,
	PSTATE = 33 * 8,
	USER_PT_REGS_SIZE = 34 * 8,
	PC_INDEX = 32,		/* where the program counter goes in the unwinder's array */
};

static uint32_t insn_at(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* The instruction before a return address: "bl imm26" (direct, to
 * pc + imm26 * 4) or "blr xN" (indirect). */
static enum pi_call_kind call_before(const uint8_t *code, uint64_t ra, uint64_t *target)
{
	uint32_t insn = insn_at(code);
	if ((insn & 0xfc000000u) == 0x94000000u) {
		int64_t imm = (int64_t)(insn & 0x03ffffffu);
		if (imm & 0x02000000)
			imm -= 0x04000000;
		*target = ra - 4 + (uint64_t)(imm * 4);
		return PI_DIRECT_CALL;
	}
	if ((insn & 0xfffffc1fu) == 0xd63f0000u)
		return PI_SOME_CALL;
	return PI_NOT_A_CALL;
}

/* The vDSO's __kernel_rt_sigreturn: "mov x8, #139; svc #0". */
static bool is_sigreturn(const uint8_t *code)
{
	return insn_at(code) == 0xd2801168u && insn_at(code + 4) == 0xd4000001u;
}

#define R(name, n) { name, n, X0 + 8 * (n), 8, true, true }
static const struct pi_arch_reg regs[] = {
	{ "pc", PC_INDEX, PC, 8, true, true }, { "sp", 31, SP, 8, true, true },
	R("x29", 29), R("x30", 30),
	R("x0", 0), R("x1", 1), R("x2", 2), R("x3", 3), R("x4", 4), R("x5", 5), R("x6", 6),
	R("x7", 7), R("x8", 8), R("x9", 9), R("x10", 10), R("x11", 11), R("x12", 12),
	R("x13", 13), R("x14", 14), R("x15", 15), R("x16", 16), R("x17", 17), R("x18", 18),
	R("x19", 19), R("x20", 20), R("x21", 21), R("x22", 22), R("x23", 23), R("x24", 24),
	R("x25", 25), R("x26", 26), R("x27", 27), R("x28", 28),
	{ "pstate", -1, PSTATE, 8, true, true },
};
#undef R

const struct pi_arch pi_arch_aarch64 = {
	.id = PI_ARCH_AARCH64,
	.name = "aarch64",
	.elf_class = ELFCLASS64,
	.elf_machine = EM_AARCH64,
	.ptr_size = 8,
	.regs = regs,
	.nregs = sizeof regs / sizeof regs[0],
	.host_regs_size = USER_PT_REGS_SIZE,
	.dwarf_nregs = 32,	/* x0-x30 and sp; the pc is set apart */
	.dwarf_sp = 31,
	.dwarf_fp = 29,
	.dwarf_pc = PC_INDEX,
	.pc_is_dwarf = false,
	.sp_name = "sp",
	.fp_name = "x29",
	.pc_name = "pc",
	.thread_pointer = "tpidr_el0",
	.tls_variant = PI_TLS_VARIANT_I,
	.tls_checked = true,
	/* tcbhead_t is a DTV pointer and a private word (16 bytes), with no
	 * pointer to itself: glibc's struct pthread lies right below it, and
	 * the TLS blocks above. */
	.tcb_dtv = 0,
	.tcb_self = { -1, -1 },
	.tcb_size = 16,
	.red_zone = 0,
	/* The generic layout: __kind after __nusers, 48 bytes in all. */
	.mutex = { .size = 48, .lock = 0, .count = 4, .owner = 8, .nusers = 12, .kind = 16,
		   .span = 20 },
	.nr_futex = 98,
	.nr_rt_sigreturn = 139,
	.seccomp_arch = AUDIT_ARCH_AARCH64,
	.call_window = 4,
	.call_before = call_before,
	.sigreturn_window = 8,
	.is_sigreturn = is_sigreturn,
};
