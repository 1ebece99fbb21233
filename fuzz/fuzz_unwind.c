/* The unwinder (unwind/unwinder.c) over a hostile stack copy and hostile
 * registers. A thread's stack is its own memory: every return address,
 * saved register and frame pointer in it may be a lie, and libdwfl
 * follows them through the unwind tables of real modules.
 *
 * The session is the fuzzer's own process, set up once: its real modules
 * (this program, libc, libdw...) and its real vDSO, so that the program
 * counters the input picks land in real code with real unwind tables. The
 * input is
 *   module (1 byte), pc offset (4), sp offset in the copy (2),
 *   flags (1: bit 0 rbp known, bit 1 rbx and r12-r15 known), rbp (8),
 *   rbx, r12-r15 (8 each, with flag bit 1),
 *   then the stack copy itself,
 * and any 8-byte word of it (or rbp) whose top 16 bits are 0xc0de is
 * taken as a code address (module in bits 32-39, offset in the low 32),
 * one whose top bits are 0x57ac as an address in the copy: so that a few
 * mutations build chains of frames.
 *
 * Not covered here: collect/stacks.c's frame-pointer recovery and
 * call-site checks are static functions that read a live process; they
 * are exercised by the end-to-end tests only. */
#include <stdbool.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "fuzz.h"
#include "proc/maps.h"
#include "unwind/unwinder.h"

enum {
	MAX_FRAMES = 64,
	MAX_STACK = 64 << 10,
	MAX_CODE = 64,
};

static const uint64_t stack_start = 0x7ffc00000000ULL;	/* nothing of ours is there */

static struct pi_unwinder *unwinder;
static struct pi_vma *vmas;
static size_t nvmas;
static struct { uint64_t start, len; } code[MAX_CODE];
static size_t ncode;
static uint8_t *vdso_copy;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		abort();
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	if (!buf)
		abort();
	*len = n;
	return buf;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	unsetenv("DEBUGINFOD_URLS");	/* never the network */
	size_t len;
	char *maps = slurp("/proc/self/maps", &len);
	pi_maps_parse(maps, len, &vmas, &nvmas);
	free(maps);

	size_t vdso_size = 0;
	for (size_t i = 0; i < nvmas; i++) {
		const struct pi_vma *v = &vmas[i];
		if (v->path && strcmp(v->path, "[vdso]") == 0 && getauxval(AT_SYSINFO_EHDR) == v->start) {
			vdso_size = v->end - v->start;
			vdso_copy = malloc(vdso_size);
			memcpy(vdso_copy, (const void *)(uintptr_t)v->start, vdso_size);
		}
		if (v->perms[2] == 'x' && v->path && ncode < MAX_CODE) {
			code[ncode].start = v->start;
			code[ncode].len = v->end - v->start;
			ncode++;
		}
	}
	if (pi_unwinder_new(getpid(), vmas, nvmas, vdso_copy, vdso_size, &unwinder) != 0 || !ncode) {
		fprintf(stderr, "fuzz_unwind: no unwinder session over this process\n");
		abort();
	}
	return 0;
}

static uint64_t relocate(uint64_t w)
{
	switch (w >> 48) {
	case 0xc0de: {
		size_t m = ((w >> 32) & 0xff) % ncode;
		return code[m].start + (w & 0xffffffff) % code[m].len;
	}
	case 0x57ac:
		return stack_start + (w & 0xffff);
	}
	return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	size_t m = fz_take(&f, 1) % ncode;
	uint64_t pc = code[m].start + fz_take(&f, 4) % code[m].len;
	uint64_t sp_off = fz_take(&f, 2);
	uint8_t flags = (uint8_t)fz_take(&f, 1);
	uint64_t rbp = relocate(fz_take(&f, 8));
	/* rbx, r12..r15: what a thread stopped for its stack also gives. */
	const struct pi_arch *a = pi_arch_get(PI_ARCH_X86_64);
	uint64_t callee[PI_ARCH_MAX_REGS] = { 0 };
	uint64_t callee_known = 0;
	if (flags & 2)
		for (int r = 0; r < (int)a->dwarf_nregs; r++)
			if (r == 3 || (r >= 12 && r <= 15)) {
				callee[r] = relocate(fz_take(&f, 8));
				callee_known |= 1ULL << r;
			}

	size_t len = f.n < MAX_STACK ? f.n : MAX_STACK;
	len &= ~(size_t)7;
	uint8_t *stack = malloc(len ? len : 1);
	memcpy(stack, f.p, len);
	for (size_t i = 0; i < len; i += 8) {
		uint64_t w;
		memcpy(&w, stack + i, 8);
		w = relocate(w);
		memcpy(stack + i, &w, 8);
	}

	struct pi_unwind_start start;
	memset(&start, 0, sizeof start);
	start.arch = a;
	start.regs[a->dwarf_pc] = pc;
	start.regs[a->dwarf_sp] = stack_start + (len ? sp_off % len : 0);
	start.known = 1ULL << a->dwarf_pc | 1ULL << a->dwarf_sp;
	if (flags & 1) {
		start.regs[a->dwarf_fp] = rbp;
		start.known |= 1ULL << a->dwarf_fp;
	}
	for (int r = 0; r < (int)a->dwarf_nregs; r++)
		if (callee_known & (1ULL << r)) {
			start.regs[r] = callee[r];
			start.known |= 1ULL << r;
		}
	start.stack = stack;
	start.stack_start = stack_start;
	start.stack_len = len;

	struct pi_unwind_result r;
	pi_unwind(unwinder, getpid(), &start, MAX_FRAMES, &r);
	fz_require(r.nframes <= MAX_FRAMES);
	fz_require(r.nframes == 0 || r.frames != NULL);
	if (r.nframes)
		fz_require(r.frames[0].pc == pc);
	pi_unwind_result_free(&r);
	free(stack);
	return 0;
}
