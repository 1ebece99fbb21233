/* The unit tests that hold on any host, cross-built (tests/cross/aarch64.sh)
 * and run under qemu-user: the pure /proc parsers, the escape, and the
 * architecture table, whose host row is then aarch64's. TAP, one line per
 * test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

jmp_buf pi_ck_jump;

Suite *suite_create(const char *name)
{
	Suite *s = calloc(1, sizeof *s);
	s->name = name;
	return s;
}

TCase *tcase_create(const char *name)
{
	TCase *tc = calloc(1, sizeof *tc);
	tc->name = name;
	return tc;
}

void suite_add_tcase(Suite *s, TCase *tc)
{
	if (s->n < (int)(sizeof s->cases / sizeof s->cases[0]))
		s->cases[s->n++] = tc;
}

void pi_ck_add(TCase *tc, const char *name, pi_ck_fn fn)
{
	if (tc->n < (int)(sizeof tc->tests / sizeof tc->tests[0])) {
		tc->tests[tc->n].name = name;
		tc->tests[tc->n++].fn = fn;
	}
}

void pi_ck_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	longjmp(pi_ck_jump, 1);
}

Suite *scan_suite(void);
Suite *status_suite(void);
Suite *stat_suite(void);
Suite *sched_suite(void);
Suite *maps_suite(void);
Suite *lists_suite(void);
Suite *escape_suite(void);
Suite *arch_suite(void);
Suite *tls_layout_suite(void);

/* Runs one test: 0, or 1 when an assertion failed. */
static int run_one(pi_ck_fn fn)
{
	if (setjmp(pi_ck_jump))
		return 1;
	fn(0);
	return 0;
}

int main(void)
{
	Suite *(*const suites[])(void) = { scan_suite, status_suite, stat_suite, sched_suite,
					   maps_suite, lists_suite, escape_suite, arch_suite,
					   tls_layout_suite };
	int n = 0, failed = 0;
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
		Suite *s = suites[i]();
		for (int c = 0; c < s->n; c++)
			for (int t = 0; t < s->cases[c]->n; t++) {
				int bad = run_one(s->cases[c]->tests[t].fn);
				failed += bad;
				printf("%s %d - %s: %s\n", bad ? "not ok" : "ok", ++n, s->name,
				       s->cases[c]->tests[t].name);
				fflush(stdout);
			}
	}
	printf("1..%d\n", n);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
