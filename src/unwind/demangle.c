#include "unwind/demangle.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

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
