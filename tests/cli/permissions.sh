#!/bin/bash
# Another user's process: pinspect shows what an unprivileged user may
# read, marks the rest unavailable with the reason, and still exits 0.
# Needs root, to run pinspect as an unprivileged user against root's
# helper.
. "$(dirname "$0")/lib.sh"

if ! need_root "another user's process (runs pinspect as nobody)"; then
	done_testing
	exit
fi
nobody=$(id -u nobody 2>/dev/null || echo 65534)

start_helper pi-threads -n 2
pid=$HELPER_PID

as_nobody() {
	setpriv --reuid="$nobody" --regid="$nobody" --clear-groups "$@"
}

# run_pinspect as nobody (valgrind too, when asked).
STATUS=0
if [ "${PINSPECT_VALGRIND:-}" = 1 ]; then
	as_nobody valgrind --quiet --error-exitcode=97 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		--suppressions="$abs_top_srcdir/tests/valgrind.supp" \
		"$PINSPECT_BIN" --json "$pid" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || STATUS=$?
else
	as_nobody "$PINSPECT_BIN" --json "$pid" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || STATUS=$?
fi
status_is "another user's process: exits 0" 0
jq_check "what anyone may read is shown: state, threads, switches, time off the CPU" \
	'.state.code == "S" and (.threads | length) == 3 and .comm == "pi-threads"
	 and ([.threads[].voluntary_ctxt_switches | type == "number"] | all)
	 and ([.threads[].off_cpu_seconds | type == "number"] | all)'
jq_check "what needs privilege is null: maps, syscalls, kernel stacks, executable" \
	'.maps == null and .vdso == null and .exe == null and
	 ([.threads[].syscall] | all(. == null)) and ([.threads[].kernel_stack] | all(. == null))'
jq_check "every null is explained as permission denied, per-thread items once for all threads" \
	'.unavailable as $u
	 | ([$u[] | select(.item == "maps" or .item == "exe" or .item == "auxv")]
	    | length == 3 and all(.reason | test("permission denied: another user.s process")))
	 and ([$u[] | select(.item == "kernel_stack")]
	      | length == 1 and .[0].all_threads and (.[0].reason | test("root only")))
	 and ([$u[] | select(.item == "syscall" or .item == "wchan")]
	      | length == 2 and all(.all_threads))'
jq_check "a hidden wchan is null, not an empty 'not waiting'" '[.threads[].wchan] | all(. == null)'
jq_check "each reason has its key: permission_denied for every refusal" \
	'[.unavailable[] | select(.item == "maps" or .item == "exe" or .item == "kernel_stack")]
	 | length == 3 and all(.code == "permission_denied")'

as_nobody "$PINSPECT_BIN" "$pid" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
STATUS=$?
status_is "another user's process, text: exits 0" 0
out_has "text: the unavailable section explains" '^UNAVAILABLE$'
out_has "text: maps: permission denied, and what to do" '^  maps: permission denied: another user.s process \(run as root'
out_has "text: kernel stacks are root only" '^  kernel_stack \(all threads\): permission denied: kernel stacks are readable by root only'
out_has "text: the mappings line says unavailable" '^  Mappings +unavailable'
out_has "text: the threads' wait channel says unavailable" '^  [0-9]+ +worker-0 +S sleeping +unavailable +unavailable '

done_testing
