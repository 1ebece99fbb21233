#include <stdlib.h>

#include "unit.h"

int main(void)
{
	SRunner *sr = srunner_create(scan_suite());
	srunner_add_suite(sr, status_suite());
	srunner_add_suite(sr, stat_suite());
	srunner_add_suite(sr, sched_suite());
	srunner_add_suite(sr, syscall_suite());
	srunner_add_suite(sr, fds_suite());
	srunner_add_suite(sr, golden_suite());
	srunner_add_suite(sr, waits_scan_suite());
	srunner_add_suite(sr, maps_suite());
	srunner_add_suite(sr, lists_suite());
	srunner_add_suite(sr, escape_suite());
	srunner_add_suite(sr, analysis_suite());
	srunner_add_suite(sr, options_suite());
	srunner_add_suite(sr, vdso_suite());
	srunner_add_suite(sr, fuzz_suite());
	srunner_add_suite(sr, locks_suite());
	srunner_add_suite(sr, lock_bounds_suite());
	srunner_add_suite(sr, tls_bounds_suite());
	srunner_add_suite(sr, tls_layout_suite());
	srunner_add_suite(sr, table_suite());
	srunner_add_suite(sr, check_suite());
	srunner_add_suite(sr, sample_suite());
	srunner_add_suite(sr, sandbox_suite());
	srunner_add_suite(sr, stack_sandbox_suite());
	srunner_add_suite(sr, debugpaths_suite());
	srunner_add_suite(sr, target_open_suite());
	srunner_add_suite(sr, reasons_suite());
	srunner_add_suite(sr, kinds_suite());
	srunner_add_suite(sr, columns_suite());
	srunner_add_suite(sr, snapshot_view_suite());
	srunner_add_suite(sr, arch_suite());
	srunner_add_suite(sr, rust_demangle_suite());
	srunner_add_suite(sr, runtime_suite());
	srunner_add_suite(sr, goroutines_suite());
	srunner_add_suite(sr, python_suite());
	srunner_add_suite(sr, live_suite());
	srunner_add_suite(sr, record_suite());
	srunner_add_suite(sr, profile_suite());
	srunner_add_suite(sr, taskfiles_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
