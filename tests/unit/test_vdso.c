#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <unistd.h>

#include "elf/vdso.h"
#include "elf/vdso_sandbox.h"
#include "proc/memory.h"
#include "unit.h"

/* The vDSO of our parent (make, or the shell), copied out of it as
 * pinspect does: our own is hidden when valgrind runs the tests. */
static void *parent_vdso(size_t *size)
{
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
	*size = end - start;
	return copy;
}

static void assert_real_vdso(const struct pi_vdso *v)
{
	ck_assert_str_eq(v->soname, "linux-vdso.so.1");
	ck_assert_uint_eq(strlen(v->build_id), 40);
	int found = 0;
	for (size_t i = 0; i < v->symbols.n; i++)
		found |= strcmp(v->symbols.v[i], "__vdso_clock_gettime") == 0;
	ck_assert_msg(found, "__vdso_clock_gettime not among %zu symbols", v->symbols.n);
}

START_TEST(a_real_vdso)
{
	size_t size;
	void *copy = parent_vdso(&size);
	struct pi_vdso v;
	memset(&v, 0, sizeof v);
	ck_assert_int_eq(pi_vdso_decode(copy, size, &v), 0);
	assert_real_vdso(&v);
	pi_strv_free(&v.symbols);
	free(copy);
}
END_TEST

START_TEST(a_real_vdso_in_the_sandbox)
{
	size_t size;
	void *copy = parent_vdso(&size);
	struct pi_vdso direct, boxed;
	memset(&direct, 0, sizeof direct);
	memset(&boxed, 0, sizeof boxed);
	ck_assert_int_eq(pi_vdso_decode(copy, size, &direct), 0);
	ck_assert_int_eq(pi_vdso_decode_sandboxed(copy, size, &boxed), 0);
	assert_real_vdso(&boxed);
	/* The very same as decoded in-process. */
	ck_assert_str_eq(boxed.build_id, direct.build_id);
	ck_assert_str_eq(boxed.soname, direct.soname);
	ck_assert_uint_eq(boxed.symbols.n, direct.symbols.n);
	for (size_t i = 0; i < direct.symbols.n; i++)
		ck_assert_str_eq(boxed.symbols.v[i], direct.symbols.v[i]);
	pi_strv_free(&direct.symbols);
	pi_strv_free(&boxed.symbols);
	/* Not ELF: the decoder's own answer comes through. */
	memset(copy, 0x41, size);
	ck_assert_int_eq(pi_vdso_decode_sandboxed(copy, size, &boxed), -EINVAL);
	ck_assert_uint_eq(boxed.symbols.n, 0);
	free(copy);
}
END_TEST

/* Decoders standing in for libelf on a crafted image. */
static int decoder_crashes(void *image, size_t size, struct pi_vdso *v)
{
	(void)image;
	(void)size;
	(void)v;
	raise(SIGSEGV);
	return 0;
}

static int decoder_hangs(void *image, size_t size, struct pi_vdso *v)
{
	(void)image;
	(void)size;
	(void)v;
	for (volatile int n = 0;; n++)
		;
	return 0;
}

static int decoder_bad_build_id(void *image, size_t size, struct pi_vdso *v)
{
	(void)image;
	(void)size;
	snprintf(v->build_id, sizeof v->build_id, "e0\033[2Jff");
	return 0;
}

static int decoder_odd_error(void *image, size_t size, struct pi_vdso *v)
{
	(void)image;
	(void)size;
	(void)v;
	return -PI_ERR_NO_VDSO;
}

static int decoder_floods(void *image, size_t size, struct pi_vdso *v)
{
	(void)image;
	(void)size;
	char name[400];
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof name, "f%d", i);
		pi_strv_push(&v->symbols, name, strlen(name));
	}
	memset(name, 'x', 300);	/* longer than PI_VDSO_MAX_NAME */
	pi_strv_push(&v->symbols, name, 300);
	return 0;
}

START_TEST(a_failing_decoder_costs_only_the_vdso)
{
	struct pi_sandbox_config cfg;
	pi_sandbox_config_init(&cfg);
	cfg.timeout_ms = 300;
	char image[64] = "\177ELF";
	struct pi_vdso v;
	memset(&v, 0, sizeof v);
	ck_assert_int_eq(pi_vdso_decode_sandboxed_with(&cfg, decoder_crashes, image, sizeof image, &v),
			 -PI_ERR_SANDBOX_CRASHED);
	ck_assert_int_eq(pi_vdso_decode_sandboxed_with(&cfg, decoder_hangs, image, sizeof image, &v),
			 -PI_ERR_SANDBOX_TIMEOUT);
	/* The others end by themselves: time enough for valgrind. */
	cfg.timeout_ms = 20000;
	/* What a subverted decoder sends is checked, and none of it kept. */
	ck_assert_int_eq(pi_vdso_decode_sandboxed_with(&cfg, decoder_bad_build_id, image, sizeof image, &v),
			 -PI_ERR_SANDBOX_REPLY);
	ck_assert_str_eq(v.build_id, "");
	ck_assert_int_eq(pi_vdso_decode_sandboxed_with(&cfg, decoder_odd_error, image, sizeof image, &v),
			 -PI_ERR_SANDBOX_REPLY);
	/* Too many symbols: the child sends the first PI_VDSO_MAX_SYMBOLS
	 * and leaves out names too long, as the root side checks. */
	ck_assert_int_eq(pi_vdso_decode_sandboxed_with(&cfg, decoder_floods, image, sizeof image, &v), 0);
	ck_assert_uint_eq(v.symbols.n, PI_VDSO_MAX_SYMBOLS);
	ck_assert_str_eq(v.symbols.v[0], "f0");
	pi_strv_free(&v.symbols);
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
	tcase_add_test(tc, a_real_vdso_in_the_sandbox);
	tcase_add_test(tc, a_failing_decoder_costs_only_the_vdso);
	tcase_add_test(tc, not_an_elf_image);
	suite_add_tcase(s, tc);
	return s;
}
