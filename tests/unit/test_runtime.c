/* What pinspect knows of runtimes without reading them: Go's sections and
 * outermost frames, and where a stack truly ends (runtime/go.h,
 * runtime/frames.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/frames.h"
#include "runtime/go.h"
#include "runtime/jvm.h"
#include "unit.h"

START_TEST(go_sections)
{
	ck_assert(pi_go_section_name(".gopclntab"));
	ck_assert(pi_go_section_name(".go.buildinfo"));
	ck_assert(pi_go_section_name(".note.go.buildid"));
	ck_assert(!pi_go_section_name(".text"));
	ck_assert(!pi_go_section_name(".gopclntab2"));
	ck_assert(!pi_go_section_name(NULL));
}
END_TEST

START_TEST(go_outermost)
{
	/* as Go 1.19 names them: assembly functions with ".abi0" */
	ck_assert(pi_frame_is_outermost("runtime.goexit.abi0"));
	ck_assert(pi_frame_is_outermost("runtime.goexit"));
	ck_assert(pi_frame_is_outermost("runtime.mstart.abi0"));
	ck_assert(pi_frame_is_outermost("runtime.rt0_go.abi0"));
	ck_assert(pi_frame_is_outermost("runtime.mcall"));
	ck_assert(pi_frame_is_outermost("runtime.morestack.abi0"));
	/* the functions those call are not */
	ck_assert(!pi_frame_is_outermost("runtime.mstart0"));
	ck_assert(!pi_frame_is_outermost("runtime.mstart1"));
	ck_assert(!pi_frame_is_outermost("runtime.goexit1"));
	ck_assert(!pi_frame_is_outermost("runtime.park_m"));
	ck_assert(!pi_frame_is_outermost("runtime.abi0"));
	ck_assert(!pi_frame_is_outermost("main.mstart"));
	ck_assert(!pi_frame_is_outermost("_start"));
	ck_assert(!pi_frame_is_outermost(NULL));
}
END_TEST

START_TEST(pc_in_code)
{
	struct pi_vma v[3];
	memset(v, 0, sizeof v);
	v[0].start = 0x400000, v[0].end = 0x482000, strcpy(v[0].perms, "r-xp");
	v[1].start = 0x512000, v[1].end = 0x52a000, strcpy(v[1].perms, "rw-p");
	v[2].start = 0x7f0000000000, v[2].end = 0x7f0000001000, strcpy(v[2].perms, "rwxp");
	ck_assert(pi_frame_pc_executable(v, 3, 0x400000));
	ck_assert(pi_frame_pc_executable(v, 3, 0x481fff));
	ck_assert(!pi_frame_pc_executable(v, 3, 0x482000));	/* in no mapping */
	ck_assert(!pi_frame_pc_executable(v, 3, 0x52a780 - 0x1000));	/* data */
	ck_assert(pi_frame_pc_executable(v, 3, 0x7f0000000800));	/* JIT code */
	ck_assert(!pi_frame_pc_executable(v, 3, 0));
	ck_assert(!pi_frame_pc_executable(v, 0, 0x400000));
}
END_TEST

static const char *lookup(const struct pi_perfmap *m, uint64_t pc, uint64_t *off)
{
	*off = ~0ull;
	return pi_perfmap_lookup(m, pc, off);
}

START_TEST(perfmap_lines)
{
	/* as HotSpot's jcmd Compiler.perfmap writes it, and as perf-map
	 * agents write it (no 0x) */
	static const char text[] =
		"0x00007f298cec71c0 0x0000000000000270 java.lang.Object jdk.internal.misc.Unsafe.get()\n"
		"7f298cec8000 40 Interpreter\n"
		"not a line\n"
		"\n"
		"7f298cec9000\n"
		"7f298cec9000 0 empty\n"
		"ffffffffffffffff 10 wraps\n"
		"11112222333344445 10 seventeen digits\n"
		"7f298cec9000 10 \n"
		"7f298ceca000 10 cut at the end";
	struct pi_perfmap m;
	pi_perfmap_parse(text, sizeof text - 1, &m);
	ck_assert_uint_eq(m.n, 2);
	uint64_t off;
	ck_assert_str_eq(lookup(&m, 0x7f298cec71c0, &off), "java.lang.Object jdk.internal.misc.Unsafe.get()");
	ck_assert_uint_eq(off, 0);
	ck_assert_str_eq(lookup(&m, 0x7f298cec742f, &off), "java.lang.Object jdk.internal.misc.Unsafe.get()");
	ck_assert_uint_eq(off, 0x26f);
	ck_assert_ptr_null(lookup(&m, 0x7f298cec7430, &off));	/* just past it */
	ck_assert_ptr_null(lookup(&m, 0x7f298cec71bf, &off));	/* just before */
	ck_assert_str_eq(lookup(&m, 0x7f298cec8010, &off), "Interpreter");
	ck_assert_uint_eq(off, 0x10);
	ck_assert_ptr_null(lookup(&m, 0x7f298ceca004, &off));
	ck_assert_ptr_null(lookup(&m, 0, &off));
	pi_perfmap_free(&m);
	ck_assert_ptr_null(lookup(&m, 0x7f298cec8010, &off));
}
END_TEST

START_TEST(perfmap_reused_memory)
{
	/* The JIT freed code and wrote new code over it: the later line
	 * wins, whether it starts before, at or after the older one. */
	static const char text[] = "1000 100 old-a\n"
				   "1040 10 old-b\n"
				   "1000 100 new-a\n"
				   "2000 10 old-c\n"
				   "1ff0 100 new-c\n";
	struct pi_perfmap m;
	pi_perfmap_parse(text, sizeof text - 1, &m);
	uint64_t off;
	ck_assert_str_eq(lookup(&m, 0x1045, &off), "new-a");
	ck_assert_uint_eq(off, 0x45);
	ck_assert_str_eq(lookup(&m, 0x2005, &off), "new-c");
	ck_assert_uint_eq(off, 0x15);
	pi_perfmap_free(&m);
}
END_TEST

START_TEST(perfmap_bounds)
{
	/* a name longer than PI_PERFMAP_MAX_NAME is cut there; a NUL in a
	 * line refuses the line */
	size_t len = 64 + 3 * PI_PERFMAP_MAX_NAME;
	char *text = malloc(len);
	int n = snprintf(text, len, "1000 10 ");
	memset(text + n, 'x', 2 * PI_PERFMAP_MAX_NAME);
	n += 2 * PI_PERFMAP_MAX_NAME;
	memcpy(text + n, "\n2000 10 a\0b\n", 14);
	n += 14;
	struct pi_perfmap m;
	pi_perfmap_parse(text, (size_t)n, &m);
	ck_assert_uint_eq(m.n, 1);
	uint64_t off;
	ck_assert_uint_eq(strlen(lookup(&m, 0x1000, &off)), PI_PERFMAP_MAX_NAME);
	ck_assert_ptr_null(lookup(&m, 0x2000, &off));
	pi_perfmap_free(&m);
	free(text);

	/* no more than PI_PERFMAP_MAX_ENTRIES entries are kept */
	size_t lines = PI_PERFMAP_MAX_ENTRIES + 10;
	text = malloc(lines * 16);
	size_t at = 0;
	for (size_t i = 0; i < lines; i++)
		at += (size_t)sprintf(text + at, "%zx 1 f\n", i + 1);
	pi_perfmap_parse(text, at, &m);
	ck_assert_uint_eq(m.n, PI_PERFMAP_MAX_ENTRIES);
	pi_perfmap_free(&m);
	free(text);
}
END_TEST

START_TEST(jvm_code)
{
	struct pi_vma v[3];
	memset(v, 0, sizeof v);
	v[0].start = 0x1000, v[0].end = 0x2000, strcpy(v[0].perms, "r-xp");
	v[0].path = "/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so";
	v[1].start = 0x3000, v[1].end = 0x4000, strcpy(v[1].perms, "rwxp");
	v[2].start = 0x5000, v[2].end = 0x6000, strcpy(v[2].perms, "rw-p");
	ck_assert(pi_jvm_mapped(v, 3));
	ck_assert(!pi_jvm_mapped(v + 1, 2));
	ck_assert(!pi_jvm_code_at(v, 3, 0x1800));	/* libjvm's own code: symbols */
	ck_assert(pi_jvm_code_at(v, 3, 0x3800));
	ck_assert(!pi_jvm_code_at(v, 3, 0x5800));	/* not executable */
	ck_assert(!pi_jvm_code_at(v, 3, 0x7000));
	v[0].path = "/opt/libjvm.so.1";
	ck_assert(!pi_jvm_mapped(v, 3));
}
END_TEST

Suite *runtime_suite(void)
{
	Suite *s = suite_create("runtime");
	TCase *tc = tcase_create("go");
	tcase_add_test(tc, go_sections);
	tcase_add_test(tc, go_outermost);
	tcase_add_test(tc, pc_in_code);
	tcase_add_test(tc, perfmap_lines);
	tcase_add_test(tc, perfmap_reused_memory);
	tcase_add_test(tc, perfmap_bounds);
	tcase_add_test(tc, jvm_code);
	suite_add_tcase(s, tc);
	return s;
}
