/* The unit tests: one Check suite per module, over captured /proc text
 * (tests/fixtures/proc/NAME/FILE) and hostile input. */
#ifndef PI_TEST_UNIT_H
#define PI_TEST_UNIT_H

#include <check.h>
#include <stddef.h>

/* Reads tests/fixtures/proc/NAME/FILE (the test fails if it cannot).
 * Returns a NUL-terminated copy to free, its length in *len. */
char *fixture(const char *name, const char *file, size_t *len);

Suite *scan_suite(void);
Suite *status_suite(void);
Suite *stat_suite(void);
Suite *sched_suite(void);
Suite *syscall_suite(void);
Suite *maps_suite(void);
Suite *lists_suite(void);
Suite *escape_suite(void);
Suite *analysis_suite(void);
Suite *options_suite(void);
Suite *vdso_suite(void);
Suite *fuzz_suite(void);
Suite *locks_suite(void);
Suite *lock_bounds_suite(void);	/* many threads, and --timeout (test_lock_bounds.c) */
Suite *tls_bounds_suite(void);	/* libthread_db's bounds (test_tls_bounds.c) */
Suite *tls_layout_suite(void);	/* TLS layouts and the hand-walked thread list (test_tls_layout.c) */
Suite *table_suite(void);	/* the live view's table (test_table.c) */
Suite *sample_suite(void);
Suite *sandbox_suite(void);	/* src/sandbox/ (test_sandbox.c) */
Suite *stack_sandbox_suite(void);	/* src/collect/stack_sandbox.c (test_stack_sandbox.c) */
Suite *debugpaths_suite(void);
Suite *target_open_suite(void);
Suite *kinds_suite(void);	/* the table of finding kinds and its builder (test_kinds.c) */
Suite *reasons_suite(void);	/* the table of reasons (test_reasons.c) */
Suite *check_suite(void);	/* the health scans (test_check.c) */
Suite *golden_suite(void);	/* the snapshot rendered, against tests/expected (test_golden.c) */
Suite *fds_suite(void);		/* descriptors, file locks, socket tables (test_fds.c) */
Suite *waits_scan_suite(void);	/* deadlocks across processes, forked here (test_waits_scan.c) */
Suite *columns_suite(void);	/* the column registry, -o and the config file (test_columns.c) */
Suite *record_suite(void);	/* recordings: codec, hostile chunks, the file's index (test_record.c) */
Suite *live_suite(void);	/* meters, mouse hit-testing, htop columns (test_live.c) */
Suite *snapshot_view_suite(void);	/* sections, summary, D waits (test_snapshot_view.c) */
Suite *arch_suite(void);	/* the architecture table, src/arch (test_arch.c) */
Suite *rust_demangle_suite(void);	/* Rust names (test_rust_demangle.c) */
Suite *goroutines_suite(void);	/* Go's pc-value tables and goroutines (test_goroutines.c) */
Suite *python_suite(void);	/* CPython's threads and frames (test_python.c) */
Suite *runtime_suite(void);	/* Go's frames and sections, where stacks end (test_runtime.c) */
Suite *profile_suite(void);	/* --sample's counting and report (test_profile.c) */
Suite *taskfiles_suite(void);	/* --sample's files kept open (test_taskfiles.c) */

#endif
