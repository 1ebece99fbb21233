#!/bin/bash
# Stuck in user space: lock owners, wait chains and deadlocks, read from
# the target's memory without stopping it, with and without --no-ptrace;
# and no false alarm for condition variables and semaphores. Then stacks
# grouped, for a process with many threads.
. "$(dirname "$0")/lib.sh"

# verdicts: the lock findings, "kind:tid:pid,pid..." sorted, on one line.
verdicts() {
	jq -r '[.findings[] | select(.kind == "deadlock" or .kind == "wait_chain")
		| "\(.kind):\(.tid):\(.pids | sort | map(tostring) | join(","))"] | sort | join(" ")' "$TEST_TMP/out"
}

# lock_of TID: "kind owner symbol" of a thread's lock.
lock_of() {
	jq -r --argjson t "$1" '.threads[] | select(.tid == $t) | .lock
		| if . == null then "none" else "\(.kind) \(.owner_tid) \(.symbol)" end' "$TEST_TMP/out"
}

for opt in "" --no-ptrace; do
	what=${opt:-default}

	# Two threads, each holding the lock the other wants.
	start_helper pi-locks deadlock2
	read -r t1 t2 < <(sed -n 2p "$HELPER_OUT")
	run_pinspect --json $opt "$HELPER_PID"
	status_is "$what, deadlock2: exits 0" 0
	check "$what, deadlock2: one deadlock of both threads, nothing else" \
		test "$(verdicts)" = "deadlock:$t1:$(printf '%s\n' "$t1" "$t2" | sort | paste -sd,)"
	check "$what, deadlock2: t1 waits for pi_lock_b, held by t2" test "$(lock_of "$t1")" = "mutex $t2 pi_lock_b"
	check "$what, deadlock2: t2 waits for pi_lock_a, held by t1" test "$(lock_of "$t2")" = "mutex $t1 pi_lock_a"
	jq_check "$what, deadlock2: the finding names the locks and points to the man page" \
		'[.findings[] | select(.kind == "deadlock")][0] | (.message | test("pi_lock_a") and test("pi_lock_b"))
		 and .see == "pinspect(1) LOCKS"'
	jq_check "$what, deadlock2: the locks held, by whom" \
		'[.held_locks[] | "\(.symbol) \(.owner_tid)"] | sort == ([$a, $b] | sort)' \
		--arg a "pi_lock_a $t1" --arg b "pi_lock_b $t2"
	jq_check "$what, deadlock2: the lock words and operation as read" \
		'[.threads[].lock | select(.) | .operation == "FUTEX_WAIT" and .word == 2 and .shared == false] | all'
	kill -KILL "$HELPER_PID"

	# Three threads in a cycle.
	start_helper pi-locks deadlock3
	read -r t1 t2 t3 < <(sed -n 2p "$HELPER_OUT")
	run_pinspect --json $opt "$HELPER_PID"
	check "$what, deadlock3: one deadlock of the three threads" \
		test "$(verdicts)" = "deadlock:$t1:$(printf '%s\n' "$t1" "$t2" "$t3" | sort | paste -sd,)"
	check "$what, deadlock3: t3 waits for pi_lock_a, held by t1" test "$(lock_of "$t3")" = "mutex $t1 pi_lock_a"
	kill -KILL "$HELPER_PID"

	# Priority-inheritance mutexes: the kernel refuses the lock that would
	# close the cycle (EDEADLK), and glibc parks that thread for good.
	start_helper pi-locks pi
	read -r t1 t2 < <(sed -n 2p "$HELPER_OUT")
	run_pinspect --json $opt "$HELPER_PID"
	jq_check "$what, pi: one deadlock of both threads" \
		'[.findings[] | select(.kind == "deadlock" or .kind == "wait_chain")]
		 | length == 1 and .[0].kind == "deadlock" and (.[0].pids | sort) == ([$a, $b] | sort)' \
		--argjson a "$t1" --argjson b "$t2"
	jq_check "$what, pi: one thread waits on a PI mutex, the other is in glibc's deadlock trap" \
		'[.threads[].lock | select(.) | .kind] | sort == ["deadlock_trap", "pi_mutex"]'
	jq_check "$what, pi: the PI mutexes are held, and known as such" \
		'[.held_locks[] | .priority_inheritance] == [true, true]'
	kill -KILL "$HELPER_PID"

	# A recursive mutex held twice by a sleeping thread: a wait, no deadlock.
	start_helper pi-locks recursive
	read -r t1 t2 < <(sed -n 2p "$HELPER_OUT")
	run_pinspect --json $opt "$HELPER_PID"
	check "$what, recursive: a wait chain rooted at the holder, not a deadlock" \
		test "$(verdicts)" = "wait_chain:$t1:$t2"
	jq_check "$what, recursive: held twice" \
		'.held_locks == [.held_locks[0]] and .held_locks[0].depth == 2 and .held_locks[0].owner_tid == $t' \
		--argjson t "$t1"
	jq_check "$what, recursive: the root is named, asleep" \
		'[.findings[] | select(.kind == "wait_chain")][0].message | test("asleep in clock_nanosleep")'
	kill -KILL "$HELPER_PID"

	# A chain: t1 waits for t2, which waits for t3, which sleeps.
	start_helper pi-locks chain
	read -r t1 t2 t3 < <(sed -n 2p "$HELPER_OUT")
	run_pinspect --json $opt "$HELPER_PID"
	check "$what, chain: one chain, rooted at t3, with t1 and t2 waiting" \
		test "$(verdicts)" = "wait_chain:$t3:$(printf '%s\n' "$t1" "$t2" | sort | paste -sd,)"
	jq_check "$what, chain: the message follows the chain to the root" \
		'[.findings[] | select(.kind == "wait_chain")][0].message
		 | test("t1\\) waits for mutex pi_lock_a held by thread [0-9]+ \\(t2\\), which waits for mutex pi_lock_b held by thread [0-9]+ \\(t3\\), which is asleep in clock_nanosleep")'
	kill -KILL "$HELPER_PID"

	# No false alarms: a condition variable and a semaphore are not locks.
	for mode in condvar semaphore; do
		start_helper pi-locks "$mode"
		read -r t1 < <(sed -n 2p "$HELPER_OUT")
		run_pinspect --json $opt "$HELPER_PID"
		check "$what, $mode: waiting, never a deadlock or a chain" test "$(verdicts)" = ""
		check "$what, $mode: seen as a futex that is not a mutex, with no owner" \
			test "$(lock_of "$t1" | cut -d' ' -f1-2)" = "not_a_mutex null"
		kill -KILL "$HELPER_PID"
	done

	# A mutex shared between two processes: held by the other one.
	start_helper pi-locks shared
	read -r t1 child < <(sed -n 2p "$HELPER_OUT")
	track "$child"
	run_pinspect --json $opt "$HELPER_PID"
	check "$what, shared: a chain to the holder in the other process" \
		test "$(verdicts)" = "wait_chain:$t1:$t1"
	jq_check "$what, shared: the holder is the other process, named" \
		'[.threads[].lock | select(.)][0] | .kind == "mutex" and .shared == true
		 and .owner_tid == $c and .owner_pid == $c and .owner_comm == "pi-locks"' --argjson c "$child"
	jq_check "$what, shared: the message says what the holder is doing" \
		'[.findings[] | select(.kind == "wait_chain")][0].message | test("of process [0-9]+, which is asleep in pause")'
	kill -KILL "$HELPER_PID" "$child"

	# C++ std::mutex: the same, names demangled.
	start_helper pi-cxx deadlock
	run_pinspect --json $opt "$HELPER_PID"
	jq_check "$what, C++ std::mutex cycle: a deadlock over pi::lock_a and pi::lock_b" \
		'[.findings[] | select(.kind == "deadlock")] | length == 1
		 and (.[0].message | test("pi::lock_a") and test("pi::lock_b"))'
	kill -KILL "$HELPER_PID"

	# pthread_join: the joiner sleeps on the joined thread's TID, which
	# the kernel clears when it exits.
	start_helper pi-locks join
	read -r t1 t2 < <(sed -n 2p "$HELPER_OUT")
	run_pinspect --json $opt "$HELPER_PID"
	check "$what, join: t1 joins t2" test "$(lock_of "$t1" | cut -d' ' -f1-2)" = "join $t2"
	check "$what, join: no deadlock, t2 only sleeps" test "$(verdicts)" = ""
	run_pinspect $opt "$HELPER_PID"
	out_has "$what, join: in words" "joins thread $t2 \\(pthread_join: waits for it to exit\\)"
	kill -KILL "$HELPER_PID"

	# t1 holds pi_lock_a and joins t2, which wants pi_lock_a.
	start_helper pi-locks joincycle
	read -r t1 t2 < <(sed -n 2p "$HELPER_OUT")
	run_pinspect --json $opt "$HELPER_PID"
	check "$what, joincycle: a deadlock of the joiner and the joined" \
		test "$(verdicts)" = "deadlock:$t1:$(printf '%s\n' "$t1" "$t2" | sort | paste -sd,)"
	check "$what, joincycle: t2 waits for pi_lock_a, held by t1" test "$(lock_of "$t2")" = "mutex $t1 pi_lock_a"
	kill -KILL "$HELPER_PID"
done

# In a container (a PID namespace of its own), the owner in a mutex is
# the number the process sees; pinspect translates it to the TID it sees.
if start_helper_in_pidns pi-locks deadlock2; then
	both=$(tids_named "$HELPER_PID" t1 t2)
	t1=${both%,*} t2=${both#*,}
	[ "$(cat /proc/"$t1"/comm)" = t1 ] || { t=$t1; t1=$t2; t2=$t; }
	for opt in "" --no-ptrace; do
		run_pinspect --json $opt "$HELPER_PID"
		check "in a PID namespace${opt:+, $opt}: one deadlock of both threads, by the TIDs we see" \
			test "$(verdicts)" = "deadlock:$t1:$both"
		check "in a PID namespace${opt:+, $opt}: t1 waits for pi_lock_b, held by t2 (as we number it)" \
			test "$(lock_of "$t1")" = "mutex $t2 pi_lock_b"
	done
	jq_check "in a PID namespace: the locks held, by whom, as we number them" \
		'[.held_locks[] | "\(.symbol) \(.owner_tid)"] | sort == ([$a, $b] | sort)' \
		--arg a "pi_lock_a $t1" --arg b "pi_lock_b $t2"
	kill -KILL "$HELPER_PID"
else
	for what in "one deadlock" "t1 waits for pi_lock_b" "one deadlock, --no-ptrace" "t1, --no-ptrace" "held"; do
		skip "in a PID namespace: $what" "unshare cannot make a PID namespace here"
	done
fi

# Text: what a person reads.
start_helper pi-locks chain
run_pinspect "$HELPER_PID"
out_has "text: each waiting thread says for what and whom" '^ +lock +waits for mutex pi_lock_a \(0x[0-9a-f]+\), held by thread [0-9]+ \(t2\)$'
out_has "text: the locks held" '^LOCKS HELD$'
out_has "text: the wait chain finding" '^  wait_chain +thread [0-9]+ \(t1\) waits for mutex pi_lock_a'
out_has "text: see LOCKS" 'see pinspect\(1\), LOCKS'
kill -KILL "$HELPER_PID"

# Another user's process: no memory, so no lock verdicts, and why.
if need_root "locks of another user's process (runs pinspect as nobody)"; then
	start_helper pi-locks deadlock2
	setpriv --reuid=65534 --regid=65534 --clear-groups "$PINSPECT_BIN" --json "$HELPER_PID" >"$TEST_TMP/out" 2>/dev/null
	jq_check "another user's process: no lock verdict is guessed, and the reason is given" \
		'([.threads[].lock] | all(. == null)) and ([.findings[].kind] | index("deadlock")) == null
		 and ([.unavailable[] | select(.item == "syscall")][0].reason | test("permission denied"))'
	kill -KILL "$HELPER_PID"
fi

# --- Grouped stacks. ----------------------------------------------------
start_helper pi-threads -n 300 -d 4
run_pinspect --json "$HELPER_PID"
jq_check "stack groups: two, the rare one (main) first, with every TID" \
	'(.stack_groups | length) == 2 and .stack_groups[0].count == 1 and .stack_groups[1].count == 300
	 and (.stack_groups[0].tids == [.pid]) and ([.stack_groups[].tids[]] | length) == 301
	 and ([.stack_groups[1].frames[] | select(.inline | not) | .function] | index("pi_depth_4")) != null'
run_pinspect "$HELPER_PID"
threads_lines=$(sed -n '/^THREADS$/,/^FINDINGS$/p' "$TEST_TMP/out" | wc -l)
check "grouped text: 301 threads take $threads_lines lines (a screen: under 50)" test "$threads_lines" -lt 50
out_has "grouped text: the big group with its count, TID ranges and names" '^  300 threads: [0-9][0-9, .()a-z-]* \(worker-0 \.\.\. worker-299\)$'

done_testing
