/* The x86 rows: x86-64, and i386 processes on an x86-64 kernel. Both are
 * read through the x86-64 register set (struct user_regs_struct), which
 * ptrace and perf use for a 32-bit task too, zero-extended. */
#include <elf.h>
#include <linux/audit.h>
#include <string.h>

#include "arch/rows.h"

#if defined(__x86_64__)
#include <stddef.h>
#include <sys/user.h>
#endif

/* Byte offsets in the x86-64 struct user_regs_struct (the kernel's ABI:
 * fixed, and checked against the header on an x86-64 build). */
enum {
	R15 = 0, R14 = 8, R13 = 16, R12 = 24, RBP = 32, RBX = 40, R11 = 48, R10 = 56,
	R9 = 64, R8 = 72, RAX = 80, RCX = 88, RDX = 96, RSI = 104, RDI = 112,
	ORIG_RAX = 120, RIP = 128, CS = 136, EFLAGS = 144, RSP = 152, SS = 160,
	FS_BASE = 168, GS_BASE = 176, DS = 184, ES = 192, FS = 200, GS = 208,
	USER_REGS_SIZE = 216,
};

#if defined(__x86_64__)
_Static_assert(offsetof(struct user_regs_struct, rip) == RIP, "user_regs_struct layout");
_Static_assert(offsetof(struct user_regs_struct, rsp) == RSP, "user_regs_struct layout");
_Static_assert(offsetof(struct user_regs_struct, rbp) == RBP, "user_regs_struct layout");
_Static_assert(offsetof(struct user_regs_struct, fs_base) == FS_BASE, "user_regs_struct layout");
_Static_assert(sizeof(struct user_regs_struct) == USER_REGS_SIZE, "user_regs_struct layout");
#endif

/* Code before a return address: "call rel32" (e8 and 4 bytes) right before
 * it, or "call r/m" (ff /2) in one of its 2- to 7-byte encodings. The same
 * on both: i386's encodings are x86-64's without the REX prefix. */
static enum pi_call_kind call_before(const uint8_t code[8], uint64_t ra, uint64_t *target)
{
	if (code[3] == 0xe8) {
		int32_t rel;
		memcpy(&rel, code + 4, 4);
		*target = ra + (uint64_t)(int64_t)rel;
		return PI_DIRECT_CALL;
	}
	for (int k = 2; k <= 7; k++)
		if (code[8 - k] == 0xff && ((code[9 - k] >> 3) & 7) == 2)
			return PI_SOME_CALL;
	return PI_NOT_A_CALL;
}

static enum pi_call_kind call_before_i386(const uint8_t *code, uint64_t ra, uint64_t *target)
{
	enum pi_call_kind k = call_before(code, ra, target);
	if (k == PI_DIRECT_CALL)
		*target &= 0xffffffffu;	/* the address space wraps at 4 GiB */
	return k;
}

/* glibc's sa_restorer, __restore_rt: "mov $15, %rax; syscall". */
static bool is_sigreturn_x86_64(const uint8_t *code)
{
	static const uint8_t restorer[] = { 0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05 };
	return memcmp(code, restorer, sizeof restorer) == 0;
}

/* i386: glibc's __restore_rt and the vDSO's __kernel_rt_sigreturn are
 * "mov $173, %eax; int $0x80"; a handler installed without SA_SIGINFO
 * returns through "pop %eax; mov $119, %eax; int $0x80" (sigreturn). */
static bool is_sigreturn_i386(const uint8_t *code)
{
	static const uint8_t rt[] = { 0xb8, 0xad, 0x00, 0x00, 0x00, 0xcd, 0x80 };
	static const uint8_t plain[] = { 0x58, 0xb8, 0x77, 0x00, 0x00, 0x00, 0xcd, 0x80 };
	return memcmp(code, rt, sizeof rt) == 0 || memcmp(code, plain, sizeof plain) == 0;
}

#define REG64(name, dwarf, off, shown) { name, dwarf, off, 8, shown, true }
#define NOT_SAMPLED64(name, off, shown) { name, -1, off, 8, shown, false }
static const struct pi_arch_reg x86_64_regs[] = {
	REG64("rip", 16, RIP, true), REG64("rsp", 7, RSP, true), REG64("rbp", 6, RBP, true),
	REG64("rax", 0, RAX, true), REG64("rbx", 3, RBX, true), REG64("rcx", 2, RCX, true),
	REG64("rdx", 1, RDX, true), REG64("rsi", 4, RSI, true), REG64("rdi", 5, RDI, true),
	REG64("r8", 8, R8, true), REG64("r9", 9, R9, true), REG64("r10", 10, R10, true),
	REG64("r11", 11, R11, true), REG64("r12", 12, R12, true), REG64("r13", 13, R13, true),
	REG64("r14", 14, R14, true), REG64("r15", 15, R15, true),
	REG64("eflags", -1, EFLAGS, true), NOT_SAMPLED64("fs_base", FS_BASE, true),
	NOT_SAMPLED64("orig_rax", ORIG_RAX, true), NOT_SAMPLED64("gs_base", GS_BASE, false),
	REG64("cs", -1, CS, false), REG64("ss", -1, SS, false), NOT_SAMPLED64("ds", DS, false),
	NOT_SAMPLED64("es", ES, false), NOT_SAMPLED64("fs", FS, false),
	NOT_SAMPLED64("gs", GS, false),
};
#undef REG64
#undef NOT_SAMPLED64

/* i386's DWARF numbers (the System V i386 psABI): eax 0, ecx 1, edx 2,
 * ebx 3, esp 4, ebp 5, esi 6, edi 7, eip 8. */
#define REG32(name, dwarf, off, shown) { name, dwarf, off, 4, shown, true }
#define NOT_SAMPLED32(name, off, shown) { name, -1, off, 4, shown, false }
static const struct pi_arch_reg i386_regs[] = {
	REG32("eip", 8, RIP, true), REG32("esp", 4, RSP, true), REG32("ebp", 5, RBP, true),
	REG32("eax", 0, RAX, true), REG32("ebx", 3, RBX, true), REG32("ecx", 1, RCX, true),
	REG32("edx", 2, RDX, true), REG32("esi", 6, RSI, true), REG32("edi", 7, RDI, true),
	REG32("eflags", -1, EFLAGS, true), NOT_SAMPLED32("orig_eax", ORIG_RAX, true),
	REG32("cs", -1, CS, false), REG32("ss", -1, SS, false), NOT_SAMPLED32("ds", DS, false),
	NOT_SAMPLED32("es", ES, false), NOT_SAMPLED32("fs", FS, false),
	NOT_SAMPLED32("gs", GS, false), NOT_SAMPLED32("gs_base", GS_BASE, false),
};
#undef REG32
#undef NOT_SAMPLED32

const struct pi_arch pi_arch_x86_64 = {
	.id = PI_ARCH_X86_64,
	.name = "x86_64",
	.elf_class = ELFCLASS64,
	.elf_machine = EM_X86_64,
	.ptr_size = 8,
	.regs = x86_64_regs,
	.nregs = sizeof x86_64_regs / sizeof x86_64_regs[0],
	.host_regs_size = USER_REGS_SIZE,
	.dwarf_nregs = 17,
	.dwarf_sp = 7,
	.dwarf_fp = 6,
	.dwarf_pc = 16,
	.pc_is_dwarf = true,
	.sp_name = "rsp",
	.fp_name = "rbp",
	.pc_name = "rip",
	.thread_pointer = "fs_base",
	.tls_variant = PI_TLS_VARIANT_II,
	.tls_checked = true,
	/* tcbhead_t: tcb, dtv, self, then the rest. */
	.tcb_dtv = 8,
	.tcb_self = { 0, 16 },
	.red_zone = 128,
	.mutex = { .size = 40, .lock = 0, .count = 4, .owner = 8, .nusers = 12, .kind = 16,
		   .span = 20 },
	.nr_futex = 202,
	.nr_rt_sigreturn = 15,
	.seccomp_arch = AUDIT_ARCH_X86_64,
	.call_window = 8,
	.call_before = call_before,
	.sigreturn_window = 9,
	.is_sigreturn = is_sigreturn_x86_64,
};

/* i386 has no red zone. Its thread pointer is the base of the segment in
 * %gs (a GDT entry set with set_thread_area): the kernel gives it as
 * gs_base in a stopped 32-bit task's register set; a perf sample does not
 * hold it, and a thread that is not stopped has it from glibc's thread
 * list in its memory (src/tls/threadlist.h). glibc's TCB is x86-64's with
 * 4-byte words. */
const struct pi_arch pi_arch_i386 = {
	.id = PI_ARCH_I386,
	.name = "i386",
	.elf_class = ELFCLASS32,
	.elf_machine = EM_386,
	.ptr_size = 4,
	.regs = i386_regs,
	.nregs = sizeof i386_regs / sizeof i386_regs[0],
	.host_regs_size = USER_REGS_SIZE,
	.dwarf_nregs = 9,
	.dwarf_sp = 4,
	.dwarf_fp = 5,
	.dwarf_pc = 8,
	.pc_is_dwarf = true,
	.sp_name = "esp",
	.fp_name = "ebp",
	.pc_name = "eip",
	.thread_pointer = "gs_base",
	.tls_variant = PI_TLS_VARIANT_II,
	.tls_checked = true,
	.tcb_dtv = 4,
	.tcb_self = { 0, 8 },
	.red_zone = 0,
	/* __lock, __count, __owner, __kind, __nusers: i386 keeps __kind
	 * before __nusers, where x86-64 puts it after. */
	.mutex = { .size = 24, .lock = 0, .count = 4, .owner = 8, .kind = 12, .nusers = 16,
		   .span = 20 },
	.nr_futex = 240,
	.nr_rt_sigreturn = 173,
	.seccomp_arch = AUDIT_ARCH_I386,
	.call_window = 8,
	.call_before = call_before_i386,
	.sigreturn_window = 8,
	.is_sigreturn = is_sigreturn_i386,
};
