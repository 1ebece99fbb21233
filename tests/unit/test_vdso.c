#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <unistd.h>

#include "elf/vdso.h"
#include "proc/memory.h"
#include "unit.h"

START_TEST(a_real_vdso)
{
	/* The vDSO of our parent (make, or the shell), copied out of it as
	 * pinspect does: our own is hidden when valgrind runs the tests. */
	pid_t parent = getppid();
	char path[64], line[512];
	uint64_t start = 0, end = 0;
	snprintf(path, sizeof path, "/proc/%d/maps", (int)parent);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f))
		if (strstr(line, "[vdso]"))
			sscanf(line, "%" SCNx64 "-%" SCNx64, &start, &end);
	fclose(f);
	ck_assert_uint_gt(end, start);
	void *copy = malloc(end - start);
	ck_assert_int_eq(pi_mem_read(parent, start, copy, end - start), (ssize_t)(end - start));

	struct pi_vdso v;
	memset(&v, 0, sizeof v);
	ck_assert_int_eq(pi_vdso_decode(copy, end - start, &v), 0);
	ck_assert_str_eq(v.soname, "linux-vdso.so.1");
	ck_assert_uint_eq(strlen(v.build_id), 40);
	int found = 0;
	for (size_t i = 0; i < v.symbols.n; i++)
		found |= strcmp(v.symbols.v[i], "__vdso_clock_gettime") == 0;
	ck_assert_msg(found, "__vdso_clock_gettime not among %zu symbols", v.symbols.n);
	pi_strv_free(&v.symbols);
	free(copy);
}
END_TEST

START_TEST(not_an_elf_image)
{
	char junk[4096];
	memset(junk, 0x41, sizeof junk);
	struct pi_vdso v;
	memset(&v, 0, sizeof v);
	ck_assert_int_eq(pi_vdso_decode(junk, sizeof junk, &v), -EINVAL);
	ck_assert_uint_eq(v.symbols.n, 0);
	/* An ELF header and nothing behind it. */
	memcpy(junk, "\177ELF\2\1\1", 7);
	pi_vdso_decode(junk, 64, &v);
	ck_assert_uint_eq(v.symbols.n, 0);
	pi_strv_free(&v.symbols);
}
END_TEST

Suite *vdso_suite(void)
{
	Suite *s = suite_create("vdso");
	TCase *tc = tcase_create("vdso");
	tcase_add_test(tc, a_real_vdso);
	tcase_add_test(tc, not_an_elf_image);
	suite_add_tcase(s, tc);
	return s;
}
