/* A Go program's .gopclntab (runtime/gopclntab.c) and a goroutine's
 * stack walked with it (runtime/goroutines.c): the section is the
 * target's file, the stack its memory. The input is the section; the
 * stack is the input again, read at any address as the bytes at that
 * address modulo its length (so return addresses and frame sizes are
 * whatever the fuzzer makes them), and so is the inline tree of each
 * function (go:func.* is at an address the input picks): its call sites,
 * names and depth. Properties: every lookup and walk returns, within its
 * bounds (inlined calls at most PI_GO_MAX_INLINE_DEPTH in a row); names
 * are NUL-terminated inside the input. */
#include <stdbool.h>

#include "fuzz.h"
#include "runtime/goroutines.h"

static const uint8_t *input;
static size_t input_len;

static bool read_input(void *arg, uint64_t addr, void *buf, size_t len)
{
	(void)arg;
	if (!input_len)
		return false;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = input[(addr + i) % input_len];
	return true;
}

static void in_input(const char *s)
{
	if (!s)
		return;
	fz_require((const uint8_t *)s >= input && (const uint8_t *)s < input + input_len);
	fz_require(memchr(s, '\0', input_len - (size_t)((const uint8_t *)s - input)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	input = data;
	input_len = size;
	struct pi_gopcln t;
	if (pi_gopcln_init(&t, data, size, 0, 0x401000) != 0)
		return 0;
	struct pi_go_walk w;
	memset(&w, 0, sizeof w);
	w.read = read_input;
	w.pcln = &t;
	w.gofunc = size > 80 ? 1 + data[72] * 16u : 0;
	struct pi_go_frame frames[16];
	for (uint64_t k = 0; k < 8; k++) {
		uint64_t pc = t.text_start + k * 0x11;
		struct pi_gofunc f;
		if (pi_gopcln_func(&t, pc, &f)) {
			in_input(f.name);
			in_input(pi_gopcln_file(&t, &f, pc));
			int32_t v;
			pi_gopcln_value(&t, &f, f.pcln, pc, &v);
			pi_gopcln_pcdata(&t, &f, PI_GO_PCDATA_INLTREEINDEX, pc, &v);
			uint32_t off;
			if (pi_gopcln_funcdata(&t, &f, PI_GO_FUNCDATA_INLTREE, &off))
				in_input(pi_gopcln_name(&t, off));
		}
		const char *stop;
		size_t n = pi_go_unwind(&w, 0x1000 * k, pc, k & 1, frames, 16, &stop);
		fz_require(n <= 16);
		size_t run = 0;
		for (size_t i = 0; i < n; i++) {
			in_input(frames[i].function);
			in_input(frames[i].file);
			run = frames[i].inlined ? run + 1 : 0;
			fz_require(run <= PI_GO_MAX_INLINE_DEPTH);
		}
	}
	return 0;
}
