/* The vDSO copied out of a process: a process may make its vDSO writable
 * and rewrite it, or map something else under the name, so the bytes are
 * an ELF image only if they say so. */
#include <ctype.h>

#include "elf/vdso.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly the input's size: libelf gets a writable image,
	 * as pinspect gives it, and reading past it is caught. */
	void *image = malloc(size ? size : 1);
	if (!image)
		abort();
	memcpy(image, data, size);

	struct pi_vdso v;
	memset(&v, 0, sizeof v);
	int rc = pi_vdso_decode(image, size, &v);
	fz_require(rc == 0 || v.symbols.n == 0);
	fz_require(fz_terminated(v.build_id, sizeof v.build_id));
	for (const char *c = v.build_id; *c; c++)
		fz_require(isxdigit((unsigned char)*c));
	fz_require(fz_terminated(v.soname, sizeof v.soname));
	for (size_t i = 0; i < v.symbols.n; i++)
		fz_require(v.symbols.v[i] && v.symbols.v[i][0]);
	pi_strv_free(&v.symbols);
	free(image);
	return 0;
}
