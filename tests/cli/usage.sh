#!/bin/bash
# The command line: help, version, usage errors and their exit statuses,
# PIDs that do not exist, and a TID given for a PID.
. "$(dirname "$0")/lib.sh"

run_pinspect --help
status_is "--help exits 0" 0
out_has "--help shows the usage line" '^Usage: pinspect \[OPTION\]\.\.\. PID'
for opt in --json --no-ptrace --hung-after --help --version; do
	out_has "--help lists $opt" -- "$opt"
done
out_has "--help documents the exit statuses" 'Exit status: 0 success \(a scan: nothing found\), 1 a scan found something,'
out_has "--help documents the exit statuses, continued" '^2 usage error, 3 no such process'
for opt in --hung --zombies --deadlocks --check --metrics; do
	out_has "--help lists $opt" -- "^ +$opt "
done

run_pinspect --version
status_is "--version exits 0" 0
out_has "--version names the program and version" '^pinspect [0-9]+\.[0-9]+'

# No PID means the live view, which needs a terminal (tests/cli/live.sh).
run_pinspect
status_is "no PID, and no terminal: a usage error (2)" 2
err_has "no PID, and no terminal: points to batch mode" 'pinspect --batch'

run_pinspect abc
status_is "a non-numeric PID is a usage error (2)" 2
err_has "a non-numeric PID is named in the message" "'abc' is not a process ID"

run_pinspect 0
status_is "PID 0 is a usage error (2)" 2
run_pinspect -- -5
status_is "a negative PID is a usage error (2)" 2

run_pinspect --frobnicate 1
status_is "an unknown option is a usage error (2)" 2
err_has "an unknown option is named" "unknown option '--frobnicate'"

run_pinspect --hung-after
status_is "--hung-after without a value is a usage error" 2
run_pinspect --hung-after soon 1
status_is "--hung-after with a non-number is a usage error" 2
err_has "--hung-after: the bad value is named" "'soon' is not a number of seconds"

# A PID nobody has: the largest the kernel allows is almost never in use.
missing=4194304
while [ -e "/proc/$missing" ]; do missing=$((missing - 1)); done

run_pinspect "$missing"
status_is "a PID that does not exist exits 3" 3
err_has "a missing PID: clear message" "PID $missing: no such process"
check "a missing PID prints nothing on stdout" test ! -s "$TEST_TMP/out"

run_pinspect --json "$missing"
status_is "--json, missing PID: exits 3" 3
jq_check "--json, missing PID: an error document for scripts" \
	'.pid == $pid and .error.code == "no_such_process" and .schema_version == 1' --argjson pid "$missing"

# Several PIDs: each is shown; the exit status is the worst.
start_helper pi-threads -n 2
run_pinspect --json "$HELPER_PID" "$missing" "$$"
status_is "several PIDs, one missing: exits 3" 3
check "several PIDs: one JSON document per line, in order" \
	test "$(jq -c '[.pid, (.error.code // "ok")]' "$TEST_TMP/out" | tr -d '\n')" = \
	"[$HELPER_PID,\"ok\"][$missing,\"no_such_process\"][$$,\"ok\"]"

# A TID is shown as its process.
tid=$(ls "/proc/$HELPER_PID/task" | sort -n | tail -1)
run_pinspect --json "$tid"
status_is "a TID exits 0" 0
err_has "a TID: says whose thread it is" "$tid is a thread of process $HELPER_PID"
jq_check "a TID: the process is shown" '.pid == $pid' --argjson pid "$HELPER_PID"

done_testing
