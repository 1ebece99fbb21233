#include <stdio.h>
#include <stdlib.h>

#include "unit.h"
#include "util/buf.h"

char *fixture(const char *name, const char *file, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/proc/%s/%s", PI_FIXTURES, name, file);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "fixture %s is missing", path);
	struct pi_buf b = PI_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		pi_buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return pi_buf_steal(&b);
}
