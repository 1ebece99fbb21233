/* What pinspect knows of runtimes without reading them: Go's sections and
 * outermost frames, and where a stack truly ends (runtime/go.h,
 * runtime/frames.h). */
#include <stdlib.h>
#include <string.h>

#include "runtime/frames.h"
#include "runtime/go.h"
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

Suite *runtime_suite(void)
{
	Suite *s = suite_create("runtime");
	TCase *tc = tcase_create("go");
	tcase_add_test(tc, go_sections);
	tcase_add_test(tc, go_outermost);
	tcase_add_test(tc, pc_in_code);
	suite_add_tcase(s, tc);
	return s;
}
