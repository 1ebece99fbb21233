/* fuzz — what the libFuzzer targets share.
 *
 * Each target feeds the fuzzer's bytes to pinspect's own parsers and
 * decoders, compiled from the same sources as libpinspect.a but with clang
 * and the address, undefined-behaviour and fuzzer sanitizers. The bytes
 * stand for what a hostile target controls. A target crashes (and so fails
 * `make check-fuzz`) on a memory error, a leak, undefined behaviour, or a
 * broken property it checks with fz_require. */
#ifndef PI_FUZZ_H
#define PI_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property of the output that must hold whatever the input: abort, so
 * that libFuzzer keeps the input as a crash. */
#define fz_require(cond)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, \
				#cond);                                                   \
			abort();                                                          \
		}                                                                         \
	} while (0)

/* A cursor that takes fixed-size values off the front of the input (zeros
 * once it runs out), so that one input drives a structured scenario. */
struct fz {
	const uint8_t *p;
	size_t n;
};

static inline uint64_t fz_take(struct fz *f, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++) {
		v <<= 8;
		if (f->n) {
			v |= *f->p++;
			f->n--;
		}
	}
	return v;
}

/* A NUL-free C string made of bytes of the input (at most max). */
static inline char *fz_string(struct fz *f, size_t max)
{
	size_t len = fz_take(f, 1) % (max + 1);
	if (len > f->n)
		len = f->n;
	char *s = malloc(len + 1);
	if (!s)
		abort();
	for (size_t i = 0; i < len; i++)
		s[i] = f->p[i] ? (char)f->p[i] : '?';
	s[len] = '\0';
	f->p += len;
	f->n -= len;
	return s;
}

/* True if s[0..len) holds a NUL (C strings that must end inside a
 * fixed-size field). */
static inline int fz_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

#endif
