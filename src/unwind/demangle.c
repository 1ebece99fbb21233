#include "unwind/demangle.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "runtime/rust_demangle.h"

typedef char *(*cxa_demangle_fn)(const char *, char *, size_t *, int *);

static cxa_demangle_fn demangle;
static int tried;
static bool missed;

bool pi_demangle_load(void)
{
	if (!tried) {
		tried = 1;
		void *lib = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
		if (lib)
			demangle = (cxa_demangle_fn)dlsym(lib, "__cxa_demangle");
	}
	return demangle != NULL;
}

bool pi_demangle_missed(void)
{
	return missed;
}

char *pi_demangle(const char *name)
{
	/* Rust's names first: a legacy one is also a valid C++ name, which
	 * libstdc++ would print with its hash ("...::lock::h0123...") where
	 * gdb drops it. Neither needs a library. */
	if (pi_rust_is_mangled(name)) {
		char *rust = pi_rust_demangle(name);
		if (rust || strncmp(name, "_Z", 2) != 0)
			return rust;
	}
	if (!name || strncmp(name, "_Z", 2) != 0)
		return NULL;
	pi_demangle_load();
	missed |= !demangle;
	if (!demangle)
		return NULL;
	int status = -1;
	char *out = demangle(name, NULL, NULL, &status);
	return status == 0 ? out : NULL;
}
