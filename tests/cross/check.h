/* check.h for the cross-built unit tests (tests/cross/aarch64.sh): the
 * part of Check's API the portable suites use, so that the same test
 * sources run on a target where no Check library is installed (an aarch64
 * build run under qemu-user). A failed assertion ends its test (longjmp)
 * and is printed with its place; the runner (tests/cross/main.c) prints a
 * TAP line per test. */
#ifndef PI_CROSS_CHECK_H
#define PI_CROSS_CHECK_H

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*pi_ck_fn)(int);

typedef struct TCase {
	const char *name;
	struct {
		const char *name;
		pi_ck_fn fn;
	} tests[128];
	int n;
} TCase;

typedef struct Suite {
	const char *name;
	TCase *cases[16];
	int n;
} Suite;

extern jmp_buf pi_ck_jump;

Suite *suite_create(const char *name);
TCase *tcase_create(const char *name);
void suite_add_tcase(Suite *s, TCase *tc);
void pi_ck_add(TCase *tc, const char *name, pi_ck_fn fn);
void pi_ck_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

#define tcase_add_test(tc, fn) pi_ck_add((tc), #fn, (fn))
#define START_TEST(name) static void name(int _i __attribute__((unused)))
#define END_TEST

#define ck_assert_msg(cond, ...) \
	((cond) ? (void)0 : pi_ck_fail(__FILE__, __LINE__, __VA_ARGS__))
#define ck_assert(cond) ck_assert_msg(cond, "assertion failed: %s", #cond)
#define ck_abort_msg(...) pi_ck_fail(__FILE__, __LINE__, __VA_ARGS__)

#define PI_CK_CMP(type, fmt, a, op, b) do { \
		type _a = (type)(a); \
		type _b = (type)(b); \
		if (!(_a op _b)) \
			pi_ck_fail(__FILE__, __LINE__, "%s " #op " %s: " fmt " vs " fmt, #a, #b, _a, _b); \
	} while (0)
#define ck_assert_int_eq(a, b) PI_CK_CMP(intmax_t, "%jd", a, ==, b)
#define ck_assert_int_ne(a, b) PI_CK_CMP(intmax_t, "%jd", a, !=, b)
#define ck_assert_int_lt(a, b) PI_CK_CMP(intmax_t, "%jd", a, <, b)
#define ck_assert_int_le(a, b) PI_CK_CMP(intmax_t, "%jd", a, <=, b)
#define ck_assert_int_gt(a, b) PI_CK_CMP(intmax_t, "%jd", a, >, b)
#define ck_assert_int_ge(a, b) PI_CK_CMP(intmax_t, "%jd", a, >=, b)
#define ck_assert_uint_eq(a, b) PI_CK_CMP(uintmax_t, "%ju", a, ==, b)
#define ck_assert_uint_ne(a, b) PI_CK_CMP(uintmax_t, "%ju", a, !=, b)
#define ck_assert_uint_lt(a, b) PI_CK_CMP(uintmax_t, "%ju", a, <, b)
#define ck_assert_uint_le(a, b) PI_CK_CMP(uintmax_t, "%ju", a, <=, b)
#define ck_assert_uint_gt(a, b) PI_CK_CMP(uintmax_t, "%ju", a, >, b)
#define ck_assert_uint_ge(a, b) PI_CK_CMP(uintmax_t, "%ju", a, >=, b)
#define ck_assert_ptr_eq(a, b) PI_CK_CMP(const void *, "%p", a, ==, b)
#define ck_assert_ptr_ne(a, b) PI_CK_CMP(const void *, "%p", a, !=, b)
#define ck_assert_ptr_null(a) ck_assert_ptr_eq(a, NULL)
#define ck_assert_ptr_nonnull(a) ck_assert_ptr_ne(a, NULL)
#define ck_assert_str_eq(a, b) do { \
		const char *_a = (a), *_b = (b); \
		if (!_a || !_b || strcmp(_a, _b) != 0) \
			pi_ck_fail(__FILE__, __LINE__, "%s == %s: \"%s\" vs \"%s\"", #a, #b, \
				   _a ? _a : "(null)", _b ? _b : "(null)"); \
	} while (0)
#define ck_assert_str_ne(a, b) ck_assert(strcmp((a), (b)) != 0)

#endif
