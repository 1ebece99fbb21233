/* arch — everything that depends on the target's CPU, behind one table.
 *
 * One row (struct pi_arch) per architecture a target process may have:
 * x86-64, i386 (a 32-bit process on an x86-64 kernel) and aarch64. A row
 * holds facts (pointer size, registers and their DWARF numbers and names,
 * which are the stack, frame and program counter, the thread pointer, the
 * red zone, the TLS layout, pthread_mutex_t's layout, the system call
 * numbers the decoders look for) and pure functions (what code before a
 * return address is a call, what code at one is the signal trampoline).
 * Everything else asks the row of its target, chosen once per process by
 * its executable's ELF class and machine (pi_arch_from_ehdr), and never
 * names a register or a constant of one CPU itself.
 *
 * Registers come from the host: ptrace and perf hand a 32-bit task's
 * registers in the x86-64 layout (struct user_regs_struct), zero-extended.
 * So a row's registers say where each lies in the host's register set
 * (host_offset) and how wide it is; pi_arch_regs_to_dwarf turns a set into
 * the DWARF-numbered array the unwinder takes. */
#ifndef PI_ARCH_ARCH_H
#define PI_ARCH_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pi_arch_id {
	PI_ARCH_X86_64,
	PI_ARCH_I386,
	PI_ARCH_AARCH64,
	PI_ARCH_COUNT,
};

/* The most DWARF-numbered registers any row hands the unwinder (aarch64:
 * x0-x30, sp, and the program counter kept at index 32). */
enum { PI_ARCH_MAX_REGS = 33 };

/* Where the thread pointer points, relative to the TLS blocks: variant I
 * (aarch64: the blocks follow the thread control block) or variant II
 * (x86: the blocks lie below it, the executable's block right below). */
enum pi_tls_variant {
	PI_TLS_VARIANT_I = 1,
	PI_TLS_VARIANT_II = 2,
};

struct pi_arch_reg {
	const char *name;	/* as the ABI and gdb call it: "rip", "eip", "x29" */
	int dwarf;		/* its DWARF number; -1: none the unwinder uses */
	unsigned host_offset;	/* byte offset in the host's ptrace register set */
	unsigned width;		/* bytes that are the register (4 for i386) */
	bool shown;		/* listed among a thread's registers in a snapshot */
	bool in_sample;		/* a perf sample holds it (else unknown then) */
};

/* glibc's struct __pthread_mutex_s, byte offsets of its fields (i386 puts
 * __kind before __nusers, x86-64 and aarch64 after). */
struct pi_mutex_layout {
	unsigned size;		/* sizeof(pthread_mutex_t), also std::mutex */
	unsigned lock, count, owner, nusers, kind;
	unsigned span;		/* bytes from lock to the end of the last field */
};

/* The fields of a mutex, decoded from its bytes by a row's layout. */
struct pi_mutex_words {
	uint32_t lock;
	uint32_t count;
	int32_t owner;
	uint32_t nusers;
	int32_t kind;
};

/* How the code before a return address called. */
enum pi_call_kind {
	PI_NOT_A_CALL,		/* it is no return address */
	PI_SOME_CALL,		/* a call that cannot be followed (indirect) */
	PI_DIRECT_CALL,		/* a direct call to a known target */
};

struct pi_arch {
	enum pi_arch_id id;
	const char *name;	/* "x86_64", "i386", "aarch64" (the JSON abi) */
	unsigned char elf_class;	/* ELFCLASS32 or ELFCLASS64 */
	uint16_t elf_machine;	/* EM_X86_64, EM_386, EM_AARCH64 */
	unsigned ptr_size;	/* bytes in a pointer and a stack slot */

	/* Registers: all a snapshot shows, each with its DWARF number. */
	const struct pi_arch_reg *regs;
	size_t nregs;
	size_t host_regs_size;	/* size of the host register set it reads */
	unsigned dwarf_nregs;	/* DWARF registers 0..n-1 go to the unwinder */
	int dwarf_sp, dwarf_fp, dwarf_pc;
	/* The program counter is a DWARF register (x86: the return address
	 * column); otherwise (aarch64) it is set apart from the registers. */
	bool pc_is_dwarf;
	const char *sp_name, *fp_name, *pc_name;

	/* The thread pointer: where TLS and glibc's thread descriptor are;
	 * its name is a register of the row when the host's register set
	 * holds it (x86-64's fs_base, i386's gs_base: the base of the
	 * segment in %gs, which the kernel gives for a 32-bit task too), and
	 * only a name otherwise (aarch64's tpidr_el0, a set of its own). */
	const char *thread_pointer;	/* "fs_base", "gs_base", "tpidr_el0" */
	enum pi_tls_variant tls_variant;
	/* pinspect reads and checks TLS (src/tls) for this row's processes;
	 * when false it says so, and never gives a verdict. */
	bool tls_checked;
	/* glibc's thread control block at the thread pointer (tcbhead_t):
	 * the byte offset of its pointer to the thread's DTV, of its two
	 * pointers to itself (x86: tcb and self; -1: none, as on aarch64),
	 * and in variant I the bytes it takes before the first TLS block. */
	int tcb_dtv;
	int tcb_self[2];
	unsigned tcb_size;

	/* Bytes below the stack pointer a leaf function may use without
	 * moving it: a stack copy starts that far below sp. */
	unsigned red_zone;

	struct pi_mutex_layout mutex;

	/* System calls the decoders look for, by number in this ABI. */
	long nr_futex;
	long nr_rt_sigreturn;
	uint32_t seccomp_arch;	/* its table in libseccomp (an AUDIT_ARCH_* value) */

	/* Call sites: call_window bytes ending at a return address ra are
	 * read; call_before says whether they end in a call, and for a
	 * direct one, its target. */
	unsigned call_window;
	enum pi_call_kind (*call_before)(const uint8_t *code, uint64_t ra, uint64_t *target);
	/* Signal frames: sigreturn_window bytes at ra are the signal
	 * trampoline (rt_sigreturn), which the kernel makes a signal
	 * handler's return address. */
	unsigned sigreturn_window;
	bool (*is_sigreturn)(const uint8_t *code);
};

const struct pi_arch *pi_arch_get(enum pi_arch_id id);
/* pinspect's own architecture: the row of a native process. */
const struct pi_arch *pi_arch_host(void);
/* The row of an ELF class and machine, or NULL (x32, other CPUs). */
const struct pi_arch *pi_arch_from_elf(unsigned elf_class, unsigned machine);
/* The row of an ELF file whose first len bytes are ehdr (its e_ident, then
 * e_type and e_machine in the file's byte order), or NULL. */
const struct pi_arch *pi_arch_from_ehdr(const unsigned char *ehdr, size_t len);
/* The row a name ("i386") gives, or NULL. */
const struct pi_arch *pi_arch_by_name(const char *name);

/* A register set of the host's layout (size bytes) into DWARF numbering:
 * dwarf[n] for every register n the unwinder takes, bit n of *known set.
 * Returns false when size is not the row's host_regs_size. */
bool pi_arch_regs_to_dwarf(const struct pi_arch *a, const void *host_regs, size_t size,
			   uint64_t dwarf[PI_ARCH_MAX_REGS], uint64_t *known);
/* One register of a host register set, by DWARF number, cut to its width
 * (0 when the row has no such register). */
uint64_t pi_arch_reg_value(const struct pi_arch *a, const void *host_regs, int dwarf);
/* The register named name in the row, or NULL. */
const struct pi_arch_reg *pi_arch_reg_by_name(const struct pi_arch *a, const char *name);
/* A value of register r read from a host set (cut to its width). */
uint64_t pi_arch_reg_read(const struct pi_arch_reg *r, const void *host_regs);

/* The thread pointer in a host register set of size bytes, when the row
 * has it among its registers; 0 when not (or size is not the row's). */
uint64_t pi_arch_thread_pointer(const struct pi_arch *a, const void *host_regs, size_t size);

/* A pointer-sized little-endian word at p (all rows are little-endian). */
uint64_t pi_arch_word(const struct pi_arch *a, const uint8_t *p);

/* The fields of a mutex from its first n bytes (missing ones are 0).
 * Returns false when n does not reach its lock word. */
bool pi_arch_mutex_decode(const struct pi_arch *a, const uint8_t *bytes, size_t n,
			  struct pi_mutex_words *out);

#endif
