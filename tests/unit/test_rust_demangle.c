/* Rust names, both manglings, as gdb prints them: the examples of the v0
 * RFC and of rustc's own demangler, real names from std, and hostile
 * names that must be refused quickly and without deep recursion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rust_demangle.h"
#include "unwind/demangle.h"
#include "unit.h"

static void expect(const char *mangled, const char *want)
{
	char *got = pi_rust_demangle(mangled);
	ck_assert_msg(got != NULL, "%s: not demangled", mangled);
	ck_assert_str_eq(got, want);
	free(got);
}

static void refused(const char *mangled)
{
	char *got = pi_rust_demangle(mangled);
	ck_assert_msg(got == NULL, "%s: demangled as %s", mangled, got ? got : "");
	free(got);
}

START_TEST(v0_paths)
{
	expect("_RNvMNtNtNtNtCsjrHSEGnQ3l9_3std3sys4sync5mutex5futexNtB2_5Mutex14lock_contended",
	       "<std::sys::sync::mutex::futex::Mutex>::lock_contended");
	expect("_RNvC6_123foo3bar", "123foo::bar");
	expect("_RNvNtCs1234_7mycrate3foo3bar", "mycrate::foo::bar");
	expect("_RNCNCNgCs6DXkGYLi8lr_2cc5spawn00B5_", "cc::spawn::{closure#0}::{closure#0}");
	expect("_RNvNvMCs4fqI2P2rA04_13const_genericINtB4_3FooKpE3foo3FOO",
	       "<const_generic::Foo<_>>::foo::FOO");
	/* a vendor suffix is left off, the instantiating crate not shown */
	expect("_RNvCs1234_7mycrate3foo.llvm.9D1C9369", "mycrate::foo");
	expect("_RINvNtC3std3mem8align_ofjEC3std", "std::mem::align_of::<usize>");
}
END_TEST

START_TEST(v0_generics)
{
	expect("_RINvNtC3std3mem8align_ofjE", "std::mem::align_of::<usize>");
	expect("_RMC0INtC8arrayvec8ArrayVechKj7b_E", "<arrayvec::ArrayVec<u8, 123>>");
	expect("_RIC0Kb1_E", "::<true>");
	expect("_RIC0Kc61_E", "::<'a'>");
	expect("_RIC0Kc2202_E", "::<'\\u{2202}'>");
	expect("_RIC0Kanb_E", "::<-11>");
	expect("_RINbNbCskIICzLVDPPb_5alloc5alloc8box_freeDINbNiB4_5boxed5FnBoxuEp6OutputuEL_"
	       "ECs1iopQbuBiw2_3std",
	       "alloc::alloc::box_free::<dyn alloc::boxed::FnBox<(), Output = ()>>");
	expect("_RNCINkXs25_NgCsbmNqQUJIY6D_4core5sliceINyB9_4IterhENuNgNoBb_4iter8iterator8Iterator"
	       "9rpositionNCNgNpB9_6memchr7memrchrs_0E0Bb_",
	       "<core::slice::Iter<u8> as core::iter::iterator::Iterator>::rposition::"
	       "<core::slice::memchr::memrchr::{closure#1}>::{closure#0}");
}
END_TEST

START_TEST(v0_types)
{
	/* references, pointers, slices, arrays, tuples, fn pointers */
	expect("_RINvC1a1fRhE", "a::f::<&u8>");
	expect("_RINvC1a1fQShE", "a::f::<&mut [u8]>");
	expect("_RINvC1a1fPeOuE", "a::f::<*const str, *mut ()>");
	expect("_RINvC1a1fAhj4_E", "a::f::<[u8; 4]>");
	expect("_RINvC1a1fThEThmEE", "a::f::<(u8,), (u8, u32)>");
	expect("_RINvC1a1fFhEuE", "a::f::<fn(u8)>");
	expect("_RINvC1a1fFUKCEmE", "a::f::<unsafe extern \"C\" fn() -> u32>");
	expect("_RINvC1a1fFG_RL0_hEhE", "a::f::<for<'a> fn(&'a u8) -> u8>");
	/* a punycode identifier is left encoded, and said */
	expect("_RNvCs4fqI2P2rA04_11utf8_identsu8gdel_5qa", "utf8_idents::punycode{gdel-5qa}");
	expect("_RNvC1au6_5ca35b", "a::punycode{5ca35b}");
}
END_TEST

START_TEST(legacy_names)
{
	expect("_ZN3std2io5stdio6_print17he48522be5b0a80d9E", "std::io::stdio::_print");
	expect("_ZN71_$LT$Test$u20$$u2b$$u20$$u27$static$u20$as$u20$foo..Bar$LT$Test$GT$$GT$"
	       "3bar17h930b740aa94f1d3aE",
	       "<Test + 'static as foo::Bar<Test>>::bar");
	expect("_ZN54_$LT$I$u20$as$u20$core..iter..traits..IntoIterator$GT$9into_iter"
	       "17h8581507801fb8615E",
	       "<I as core::iter::traits::IntoIterator>::into_iter");
	expect("_ZN3foo3bar17h05af221e174051e9E.llvm.12345", "foo::bar");
	expect("_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$u7b$"
	       "closure$u7d$$u7d$$GT$17h3fc2cfb1ec1ab3dcE",
	       "core::ptr::drop_in_place<std::rt::lang_start<()>::{{closure}}>");
	/* C++ names are not Rust's: no hash */
	ck_assert(!pi_rust_is_mangled("_ZN3foo3barE"));
	ck_assert(!pi_rust_is_mangled("_ZN3foo17hnothexnothexnothE"));
	ck_assert(!pi_rust_is_mangled("main"));
	ck_assert(pi_rust_is_mangled("_ZN3foo17h05af221e174051e9E"));
}
END_TEST

/* pi_demangle, which the symbolizer calls, takes Rust's names first: a
 * legacy name would otherwise keep its hash (libstdc++ reads it as C++). */
START_TEST(through_pi_demangle)
{
	char *s = pi_demangle("_ZN3std2io5stdio6_print17he48522be5b0a80d9E");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "std::io::stdio::_print");
	free(s);
	s = pi_demangle("_RNvNtCs1234_7mycrate3foo3bar");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "mycrate::foo::bar");
	free(s);
	ck_assert_ptr_null(pi_demangle("_RNvC"));
	ck_assert_ptr_null(pi_demangle("main"));
}
END_TEST

START_TEST(hostile_names)
{
	refused("_R");
	refused("_RNvC");
	refused("_RNvC3ab");			/* identifier past the end */
	refused("_RNvC99999999999999999999999a");	/* length overflow */
	refused("_RNvC1a1\x1b");		/* a control byte */
	refused("_RNvC1a2\x01\x02");
	refused("_R0NvC1a1b");			/* an encoding version */
	refused("_RB_");			/* back-reference to itself */
	refused("_RNvB0_1a");			/* back-reference forward of itself */
	refused("_RNvC1a1bZZ");			/* trailing garbage */
	refused("_RIC1aKb2_E");			/* a bool of 2 */
	refused("_RINvC1a1fRL1_hE");		/* an unbound lifetime */
	refused("_RC1azzzzzzzzzzzzzzzzzzzzzzzzzzzzzz_");
	refused("_ZN3foo17h05af221e174051e9E$$");
	refused("_ZN3$u1b$17h05af221e174051e9E");	/* an escape of a control byte */
	refused("_ZN5a$XY$17h05af221e174051e9E");	/* unknown escape */
	refused("_ZN9a17h05af221e174051e9E");		/* length past the end */

	/* Deep nesting: refused at PI_RUST_MAX_DEPTH, not by the stack. */
	size_t n = 100000;
	char *deep = malloc(16 + n + 8);
	for (int kind = 0; kind < 2; kind++) {
		strcpy(deep, "_RINvC1a1f");
		size_t at = strlen(deep);
		memset(deep + at, kind ? 'S' : 'R', n);
		strcpy(deep + at + n, "hE");
		refused(deep);
	}
	free(deep);
}
END_TEST

/* A back-reference, as the mangling writes it, to position target. */
static void put_backref(char *s, size_t target)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char tmp[16];
	size_t n = 0;
	strcat(s, "B");
	if (target) {
		size_t x = target - 1;
		do
			tmp[n++] = digits[x % 62];
		while ((x /= 62) != 0);
		while (n)
			strncat(s, &tmp[--n], 1);
	}
	strcat(s, "_");
}

START_TEST(output_is_bounded)
{
	/* Each tuple holds the one before it twice, by back-reference: 40
	 * levels would print 2^40 "u8"s. It stops at PI_RUST_MAX_OUT. */
	char bomb[2048] = "_R";
	char *body = bomb + 2;
	strcat(body, "INvC1a1f");
	size_t prev = strlen(body);
	strcat(body, "ThhE");
	for (int i = 0; i < 40; i++) {
		size_t here = strlen(body);
		strcat(body, "T");
		put_backref(body, prev);
		put_backref(body, prev);
		strcat(body, "E");
		prev = here;
	}
	strcat(body, "E");
	refused(bomb);

	/* ... while a few levels of it are read. */
	strcpy(body, "INvC1a1f");
	prev = strlen(body);
	strcat(body, "ThhE");
	strcat(body, "T");
	put_backref(body, prev);
	put_backref(body, prev);
	strcat(body, "EE");
	expect(bomb, "a::f::<(u8, u8), ((u8, u8), (u8, u8))>");

	/* Many generic arguments: 100 fit, 200 are past the bound. */
	for (size_t count = 100; count <= 200; count += 100) {
		char *name = malloc(16 + count * 40);
		strcpy(name, "_RINvC1a1f");
		for (size_t i = 0; i < count; i++)
			strcat(name, "C30abcdefghijabcdefghijabcdefghij");
		strcat(name, "E");
		char *got = pi_rust_demangle(name);
		if (count == 100) {
			ck_assert_ptr_nonnull(got);
			ck_assert_uint_eq(strlen(got), strlen("a::f::<>") + 100 * 30 + 99 * 2);
		} else {
			ck_assert_ptr_null(got);
		}
		free(got);
		free(name);
	}
}
END_TEST

Suite *rust_demangle_suite(void)
{
	Suite *s = suite_create("rust_demangle");
	TCase *tc = tcase_create("names");
	tcase_add_test(tc, v0_paths);
	tcase_add_test(tc, v0_generics);
	tcase_add_test(tc, v0_types);
	tcase_add_test(tc, legacy_names);
	tcase_add_test(tc, through_pi_demangle);
	tcase_add_test(tc, hostile_names);
	tcase_add_test(tc, output_is_bounded);
	suite_add_tcase(s, tc);
	return s;
}
