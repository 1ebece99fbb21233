#!/bin/bash
# Processes that exit while pinspect reads them: no crash, no garbage.
# Each run either shows a whole process (exit 0, valid JSON) or says it
# exited (exit 3, with a message). Threads that come and go mid-read are
# simply left out.
. "$(dirname "$0")/lib.sh"

runs=${PINSPECT_VANISH_RUNS:-150}
[ "${PINSPECT_VALGRIND:-}" = 1 ] && runs=15
bad=0
seen_ok=0
seen_gone=0
for i in $(seq 1 "$runs"); do
	# A process that lives a random few milliseconds.
	sleep "0.00$((RANDOM % 9))" &
	victim=$!
	run_pinspect --json "$victim"
	case "$STATUS" in
	0)
		if jq -e '.pid' "$TEST_TMP/out" >/dev/null 2>&1; then
			seen_ok=$((seen_ok + 1))
		else
			bad=$((bad + 1))
			echo "# run $i: exit 0 but invalid JSON: $(head -c 300 "$TEST_TMP/out")"
		fi
		;;
	3)
		if grep -Eq "PID $victim: (no such process|the process exited while it was being read)" "$TEST_TMP/err"; then
			seen_gone=$((seen_gone + 1))
		else
			bad=$((bad + 1))
			echo "# run $i: exit 3 without the message: $(cat "$TEST_TMP/err")"
		fi
		;;
	*)
		bad=$((bad + 1))
		echo "# run $i: exit status $STATUS: $(cat "$TEST_TMP/err")"
		;;
	esac
	wait "$victim" 2>/dev/null
done
echo "# $seen_ok complete snapshots, $seen_gone reported as gone"
check "every run of $runs gave a whole snapshot or a clear 'exited' (exit 3)" test "$bad" = 0

# Threads that come and go: a process starting and ending threads all the
# time. Every snapshot must be whole and valid.
bad=0
start_helper pi-threads -n 50 -c
for i in $(seq 1 20); do
	run_pinspect --json "$HELPER_PID" "$$"
	if [ "$STATUS" != 0 ] || [ "$(jq -s 'length' "$TEST_TMP/out" 2>/dev/null)" != 2 ]; then
		bad=$((bad + 1))
		echo "# run $i: status $STATUS: $(head -c 300 "$TEST_TMP/err")"
	fi
done
check "snapshots of busy processes are whole" test "$bad" = 0

done_testing
