/* Where separate debug files are looked for: names from a module's own
 * ELF and DWARF are hostile, and only the debug directories may come out. */
#include <stdint.h>
#include <string.h>

#include "unwind/debugpaths.h"
#include "unit.h"

START_TEST(debuglink_names)
{
	ck_assert(pi_debuglink_name_ok("libfoo.so.debug"));
	ck_assert(pi_debuglink_name_ok(".hidden.debug"));
	ck_assert(!pi_debuglink_name_ok(NULL));
	ck_assert(!pi_debuglink_name_ok(""));
	ck_assert(!pi_debuglink_name_ok("."));
	ck_assert(!pi_debuglink_name_ok(".."));
	ck_assert(!pi_debuglink_name_ok("../../etc/shadow"));
	ck_assert(!pi_debuglink_name_ok("/etc/shadow"));
	ck_assert(!pi_debuglink_name_ok("sub/x.debug"));
	char long_name[300];
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	ck_assert(!pi_debuglink_name_ok(long_name));
}
END_TEST

START_TEST(debuglink_places)
{
	char out[3][4096];
	size_t n = pi_debuglink_paths("/opt/app/lib/libfoo.so", "libfoo.debug", out, 3);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(out[0], "/opt/app/lib/libfoo.debug");
	ck_assert_str_eq(out[1], "/opt/app/lib/.debug/libfoo.debug");
	ck_assert_str_eq(out[2], "/usr/lib/debug/opt/app/lib/libfoo.debug");

	/* A link naming the module itself leaves out that place. */
	n = pi_debuglink_paths("/lib/libfoo.so", "libfoo.so", out, 3);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(out[0], "/lib/.debug/libfoo.so");
	ck_assert_str_eq(out[1], "/usr/lib/debug/lib/libfoo.so");

	/* Hostile names, and modules without an absolute path, give none. */
	ck_assert_uint_eq(pi_debuglink_paths("/lib/libfoo.so", "../../../etc/shadow", out, 3), 0);
	ck_assert_uint_eq(pi_debuglink_paths("/lib/libfoo.so", "..", out, 3), 0);
	ck_assert_uint_eq(pi_debuglink_paths("/lib/libfoo.so", "", out, 3), 0);
	ck_assert_uint_eq(pi_debuglink_paths("libfoo.so", "x.debug", out, 3), 0);
	ck_assert_uint_eq(pi_debuglink_paths(NULL, "x.debug", out, 3), 0);
	ck_assert_uint_eq(pi_debuglink_paths("/x", "x.debug", out, 1), 1);
}
END_TEST

START_TEST(build_id_places)
{
	char out[256];
	const uint8_t id[] = { 0xab, 0x01, 0xff, 0x10 };
	ck_assert(pi_build_id_path(id, sizeof id, out, sizeof out));
	ck_assert_str_eq(out, "/usr/lib/debug/.build-id/ab/01ff10.debug");

	uint8_t big[64];
	memset(big, 0x5a, sizeof big);
	ck_assert(pi_build_id_path(big, 64, out, sizeof out));
	ck_assert_uint_eq(strlen(out), strlen("/usr/lib/debug/.build-id/5a/") + 126 + 6);
	ck_assert(!pi_build_id_path(big, 65, out, sizeof out));
	ck_assert(!pi_build_id_path(id, 2, out, sizeof out));
	ck_assert(!pi_build_id_path(id, 0, out, sizeof out));
	/* Never written past the space given. */
	ck_assert(!pi_build_id_path(big, 64, out, 100));
}
END_TEST

START_TEST(alt_file_places)
{
	char out[4096];
	const char *debug = "/usr/lib/debug/.build-id/ab/cdef.debug";
	ck_assert(pi_alt_path(debug, "/usr/lib/debug/.dwz/x86_64-linux-gnu/libc6.debug", out,
			      sizeof out));
	ck_assert_str_eq(out, "/usr/lib/debug/.dwz/x86_64-linux-gnu/libc6.debug");
	ck_assert(pi_alt_path(debug, "../../.dwz/foo.debug", out, sizeof out));
	ck_assert_str_eq(out, "/usr/lib/debug/.dwz/foo.debug");
	ck_assert(pi_alt_path("/usr/lib/debug/usr/lib/libfoo.so.debug", "./x//y.debug", out,
			      sizeof out));
	ck_assert_str_eq(out, "/usr/lib/debug/usr/lib/x/y.debug");

	/* Out of the debug directory, lexically: refused. */
	ck_assert(!pi_alt_path(debug, "../../../../../../etc/shadow", out, sizeof out));
	ck_assert(!pi_alt_path(debug, "/tmp/fifo", out, sizeof out));
	ck_assert(!pi_alt_path(debug, "/usr/lib/debug/../../../etc/shadow", out, sizeof out));
	ck_assert(!pi_alt_path(debug, "/usr/lib/debugger/x", out, sizeof out));
	ck_assert(!pi_alt_path(debug, "/usr/lib/debug", out, sizeof out));
	ck_assert(!pi_alt_path(debug, "/usr/lib/debug/..", out, sizeof out));
	ck_assert(!pi_alt_path("/opt/app/libfoo.so", "foo.debug", out, sizeof out));
	ck_assert(!pi_alt_path(debug, "", out, sizeof out));
	ck_assert(!pi_alt_path(NULL, "x.debug", out, sizeof out));
	ck_assert(!pi_alt_path(debug, "/usr/lib/debug/x.debug", out, 10));
}
END_TEST

START_TEST(debuglink_crc)
{
	/* The standard CRC-32 check value, which objcopy's
	 * --add-gnu-debuglink computes too. */
	ck_assert_uint_eq(pi_debuglink_crc(0, "123456789", 9), 0xcbf43926u);
	uint32_t crc = pi_debuglink_crc(0, "1234", 4);
	ck_assert_uint_eq(pi_debuglink_crc(crc, "56789", 5), 0xcbf43926u);
	ck_assert_uint_eq(pi_debuglink_crc(0, "", 0), 0);
}
END_TEST

START_TEST(broker_requests)
{
	/* What a sandboxed decoder, perhaps subverted, may ask the broker
	 * for: the debug directories, and a plain name beside a module or
	 * in its .debug/; nothing else, however it is spelt. */
	const char *modules[] = { "/opt/app/bin/app", "/usr/lib/x86_64-linux-gnu/libc.so.6" };
	size_t n = 2;
	ck_assert(pi_debug_path_allowed("/usr/lib/debug/.build-id/ab/cdef.debug", modules, n));
	ck_assert(pi_debug_path_allowed("/usr/lib/debug/.dwz/x86_64-linux-gnu/libc6.debug", modules, n));
	ck_assert(pi_debug_path_allowed("/usr/lib/debug/opt/app/bin/app.debug", modules, n));
	ck_assert(pi_debug_path_allowed("/opt/app/bin/app.debug", modules, n));
	ck_assert(pi_debug_path_allowed("/opt/app/bin/.debug/app.debug", modules, n));
	ck_assert(pi_debug_path_allowed("/usr/lib/x86_64-linux-gnu/.debug/libc.so.6.debug", modules, n));

	ck_assert(!pi_debug_path_allowed(NULL, modules, n));
	ck_assert(!pi_debug_path_allowed("", modules, n));
	ck_assert(!pi_debug_path_allowed("usr/lib/debug/x.debug", modules, n));
	ck_assert(!pi_debug_path_allowed("/etc/shadow", modules, n));
	ck_assert(!pi_debug_path_allowed("/usr/lib/debug/../../../etc/shadow", modules, n));
	ck_assert(!pi_debug_path_allowed("/usr/lib/debug/./x.debug", modules, n));
	ck_assert(!pi_debug_path_allowed("/usr/lib/debug//x.debug", modules, n));
	ck_assert(!pi_debug_path_allowed("/usr/lib/debug", modules, n));
	ck_assert(!pi_debug_path_allowed("/usr/lib/debugger/x", modules, n));
	ck_assert(!pi_debug_path_allowed("/opt/app/bin/../../../etc/shadow", modules, n));
	ck_assert(!pi_debug_path_allowed("/opt/app/x.debug", modules, n));
	ck_assert(!pi_debug_path_allowed("/opt/app/bin/sub/x.debug", modules, n));
	ck_assert(!pi_debug_path_allowed("/opt/app/bin/.debug/sub/x.debug", modules, n));
	ck_assert(!pi_debug_path_allowed("/opt/app/bin/", modules, n));
	ck_assert(!pi_debug_path_allowed("/opt/app/bin/..", modules, n));
	ck_assert(!pi_debug_path_allowed("/opt/app/bin/app.debug", NULL, 0));
	char long_path[5000];
	memset(long_path, 'a', sizeof long_path);
	memcpy(long_path, "/usr/lib/debug/", 15);
	long_path[sizeof long_path - 1] = '\0';
	ck_assert(!pi_debug_path_allowed(long_path, modules, n));
}
END_TEST

Suite *debugpaths_suite(void)
{
	Suite *s = suite_create("debugpaths");
	TCase *tc = tcase_create("debugpaths");
	tcase_add_test(tc, debuglink_names);
	tcase_add_test(tc, debuglink_places);
	tcase_add_test(tc, build_id_places);
	tcase_add_test(tc, alt_file_places);
	tcase_add_test(tc, debuglink_crc);
	tcase_add_test(tc, broker_requests);
	suite_add_tcase(s, tc);
	return s;
}
