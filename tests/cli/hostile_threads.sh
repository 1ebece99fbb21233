#!/bin/bash
# A process that damages what libthread_db reads from its memory
# (pi-hostile-threads): a thread-list entry that points back at itself
# (in the middle of the list, and at its end), and a forged size of struct
# pthread. Every mode must finish, exit with
# its documented status, show the rest of the snapshot (threads, stacks),
# and say why the TLS data is unavailable; the threads found before the
# walk was stopped keep theirs.
# The scans look at every task: in a PID namespace of its own, this test
# sees its own helper alone, not the other tests' (own_pidns.sh).
. "$(dirname "$0")/own_pidns.sh"
. "$(dirname "$0")/lib.sh"

# A generous bound, there so that a regression fails instead of hanging
# the suite: a snapshot of this helper takes well under a second (under
# valgrind, tens of seconds).
PINSPECT_TIMEOUT=60
[ "${PINSPECT_VALGRIND:-}" = 1 ] && PINSPECT_TIMEOUT=600

# finished MODE WHAT: pinspect finished by itself, and did not crash.
finished() {
	check "$1: $2 finishes (not killed after ${PINSPECT_TIMEOUT}s)" \
		test "$STATUS" != 124 -a "$STATUS" != 137
	check "$1: $2 does not crash (exit status $STATUS < 128)" test "$STATUS" -lt 128
}

for mode in selfloop tailloop hugesize; do
	start_helper pi-hostile-threads "$mode"
	pid=$HELPER_PID
	walker1=$(tids_named "$pid" walker-1)

	case $mode in
	selfloop)
		# Walked: the main thread (its own list), then walker-4, -3,
		# -2 (newest first), and walker-2 again: walker-1 is never
		# reached.
		reason='loops back on itself'
		tls_kept='["pi-hostile-thre", "walker-2", "walker-3", "walker-4"]'
		unavailable_line="^  tls \\(thread $walker1\\): glibc's list of threads .*$reason"
		;;
	tailloop)
		# walker-1, the last on the list, comes round again: every
		# thread was found, and the walk is said to be cut short.
		reason='loops back on itself'
		tls_kept='["pi-hostile-thre", "walker-1", "walker-2", "walker-3", "walker-4"]'
		unavailable_line="^  thread_list: glibc's list of threads .*$reason"
		;;
	hugesize)
		reason="_thread_db_\\*\\) is not that of pinspect's glibc"
		tls_kept='[]'
		unavailable_line="^  tls \\(all threads\\): glibc's description of its thread structures .*$reason"
		;;
	esac

	run_pinspect "$pid"
	finished "$mode" "pinspect PID"
	status_is "$mode: pinspect PID exits 0" 0
	out_has "$mode: the threads are listed" "^  [0-9]+ +walker-4 +S sleeping"
	out_has "$mode: their stacks are shown" "walker\\+0x[0-9a-f]+ +pi-hostile-threads"
	out_has "$mode: TLS is said to be unavailable, with the reason" "$unavailable_line"

	run_pinspect --json "$pid"
	finished "$mode" "--json PID"
	status_is "$mode: --json PID exits 0" 0
	jq_check "$mode: JSON: every thread is there, with its user stack" \
		'[.threads[].comm] == ["pi-hostile-thre", "walker-1", "walker-2", "walker-3", "walker-4"]
		 and all(.threads[]; (.user_stack | length) > 0)'
	jq_check "$mode: JSON: TLS of the threads found before the stop, null for the others" \
		"[.threads[] | select(.tls != null) | .comm] == $tls_kept
		 and all(.threads[] | select(.tls != null); .tls.source == \"libthread_db\"
		                                            and .tls.tcb_self_pointer_ok == true)"
	jq_check "$mode: JSON: the unavailable list gives the reason, once" \
		'[.unavailable[] | select(.reason | test($r))] | length == 1
		 and (.[0].item == (if $mode == "tailloop" then "thread_list" else "tls" end))' \
		--arg r "$reason" --arg mode "$mode"

	# walker-3 and walker-4 deadlock: the scans read the process again
	# in full, the walk of its thread list included.
	for scan in --deadlocks --check; do
		run_pinspect "$scan"
		finished "$mode" "$scan"
		status_is "$mode: $scan exits 1 (found the deadlock)" 1
		out_has "$mode: $scan reports the deadlock" \
			"process $pid \(pi-hostile-thre\): 2 threads wait for each other"
	done

	run_pinspect --batch -n 1 -H --top "$pid"
	finished "$mode" "batch"
	status_is "$mode: batch exits 0" 0
	out_has "$mode: batch shows the threads" " walker-4: .*pi-hostile-threads $mode"

	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
done

done_testing
