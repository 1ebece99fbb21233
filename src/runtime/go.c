#include "runtime/go.h"

#include <string.h>

bool pi_go_section_name(const char *name)
{
	static const char *const go_sections[] = { ".go.buildinfo", ".gopclntab", ".note.go.buildid" };
	if (!name)
		return false;
	for (size_t i = 0; i < sizeof go_sections / sizeof go_sections[0]; i++)
		if (strcmp(name, go_sections[i]) == 0)
			return true;
	return false;
}

bool pi_go_is_outermost(const char *function)
{
	/* Go's own traceback stops at these (the TOPFRAME functions, and
	 * the two that switch to g0, whose frame on g0 has no caller). */
	static const char *const outermost[] = { "runtime.goexit", "runtime.mstart", "runtime.rt0_go",
						 "runtime.mcall", "runtime.morestack" };
	if (!function || strncmp(function, "runtime.", 8) != 0)
		return false;
	size_t len = strlen(function);
	if (len > 5 && strcmp(function + len - 5, ".abi0") == 0)
		len -= 5;
	for (size_t i = 0; i < sizeof outermost / sizeof outermost[0]; i++)
		if (strlen(outermost[i]) == len && strncmp(function, outermost[i], len) == 0)
			return true;
	return false;
}
