/* Rust names (runtime/rust_demangle.c): a symbol table is the target's,
 * and so is every name in it. The input is one name (NUL-free, with "_R"
 * or "_ZN" in front when its first byte says so, to reach the grammars
 * quickly). Properties: the demangler returns, without a sanitizer
 * report; its output is non-empty printable ASCII of at most
 * PI_RUST_MAX_OUT bytes; and a name pi_rust_demangle reads is one
 * pi_rust_is_mangled recognises. */
#include "fuzz.h"
#include "runtime/rust_demangle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	static const char *const prefixes[] = { "", "_R", "_ZN" };
	const char *prefix = prefixes[data[0] % 3];
	size_t plen = strlen(prefix);
	char *name = malloc(plen + size);
	if (!name)
		abort();
	memcpy(name, prefix, plen);
	size_t n = plen;
	for (size_t i = 1; i < size; i++)
		if (data[i])
			name[n++] = (char)data[i];
	name[n] = 0;

	char *out = pi_rust_demangle(name);
	if (out) {
		size_t len = strlen(out);
		fz_require(len > 0 && len <= PI_RUST_MAX_OUT);
		for (size_t i = 0; i < len; i++)
			fz_require(out[i] >= 0x20 && out[i] < 0x7f);
		fz_require(pi_rust_is_mangled(name));
	}
	free(out);
	free(name);
	return 0;
}
