#!/bin/bash
# Bounded work on a target that is slow to read: the lock analysis of
# thousands of threads waiting on each other (a chain, a cycle), and the
# time budget (--timeout) that cuts a read short and says what it left.
# The "does not hang" checks run pinspect under `timeout 120`: a generous
# wall-clock bound, not a measure of speed (the lock analysis used to take
# cubic time, over a minute at 10,000 threads).
. "$(dirname "$0")/lib.sh"

N=2000

# run_bounded ARGS...: run_pinspect under timeout 120 (status 124: it hung).
run_bounded() {
	timeout 120 "$PINSPECT_BIN" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	STATUS=$?
}

# A chain: w0 waits for w1, ..., w1998 for w1999, which sleeps.
start_helper pi-lockchain "$N" chain
read -r first last < <(sed -n 2p "$HELPER_OUT")
chain_pid=$HELPER_PID

run_bounded --json "$chain_pid"
status_is "chain of $N: the snapshot finishes (timeout 120) and exits 0" 0
jq_check "chain of $N: one wait chain, rooted at the last thread, which sleeps" \
	'[.findings[] | select(.kind == "wait_chain")] | length == 1 and .[0].tid == $last
	 and (.[0].message | test("w1999 \\(|\\(w1999\\)")) and (.[0].message | test("asleep in (clock_)?nanosleep"))' \
	--argjson last "$last"
jq_check "chain of $N: every other thread waits on it" \
	'[.findings[] | select(.kind == "wait_chain")][0] | (.pids | length) == ($n - 1) and (.pids | index($first)) != null' \
	--argjson n "$N" --argjson first "$first"
jq_check "chain of $N: a chain is not a deadlock" '[.findings[] | select(.kind == "deadlock")] | length == 0'
jq_check "chain of $N: nothing missing with the default budget" \
	'[.unavailable[] | select(.reason | test("--timeout"))] | length == 0'

run_bounded --deadlocks --json
check "chain of $N: --deadlocks finishes (timeout 120)" test "$STATUS" = 0 -o "$STATUS" = 1
jq_check "chain of $N: --deadlocks finds no deadlock in it" \
	'[.findings[] | select(.kind == "deadlock" and .pid == $p)] | length == 0' --argjson p "$chain_pid"

# The budget: a tiny one cuts the same snapshot short. What the process
# is and its threads are still shown; what was not read is said; exit 0.
run_bounded --timeout=0.01 "$chain_pid"
status_is "--timeout=0.01: the snapshot exits 0" 0
out_has "--timeout=0.01: the header is printed" "^pinspect: process $chain_pid \\(pi-lockchain\\)"
for section in IDENTITY STATE MEMORY THREADS FINDINGS UNAVAILABLE; do
	out_has "--timeout=0.01: section $section is printed" "^$section\$"
done
out_has "--timeout=0.01: user stacks not read in time are said so" \
	'^  user_stack.*: not read within --timeout 0.01 s'
out_has "--timeout=0.01: the lock analysis left unfinished is said so" \
	'^  lock_analysis: not finished within --timeout 0.01 s'
out_lacks "--timeout=0.01: no unknown left as a silent zero or an errno number" 'Unknown error'
run_bounded --json --timeout=0.01 "$chain_pid"
status_is "--timeout=0.01 --json: exits 0" 0
jq_check "--timeout=0.01 --json: the threads are there, the cut is in unavailable" \
	'(.threads | length) > 0 and ([.unavailable[] | select(.reason | test("within --timeout 0.01 s"))] | length) > 0'

# The live view: Enter opens the snapshot page of this process, read
# within the budget, which says what it left; u reads it again with the
# stacks, within the budget too; q leaves the page, q quits.
if command -v tmux >/dev/null; then
	. "$(dirname "$0")/tmux.sh"
	tm_start
	live --top "$chain_pid" --timeout=0.01 -d 0.5
	see "live view --top of the chain, --timeout=0.01: the table is shown" "^ +[0-9]+ .* w[0-9]+"
	keys Enter
	see "Enter: the snapshot page opens" "^Snapshot of process $chain_pid "
	keys G
	see "... and says what was not read within --timeout" "not read within --timeout 0.01 s"
	keys u
	see "u: read again with the stacks, within the budget too" 'user stacks under THREADS'
	keys q
	see "q: back to the table" "^ +[0-9]+ .* w[0-9]+"
	keys q
	see "q quits, status 0" '^exit=0$'
	vg_clean "--top --timeout=0.01 of a 2,000-thread chain, and its snapshot page"
else
	not_ok "tmux is installed (apt-get install tmux) to test the live view"
fi

# --timeout=0: no limit.
run_bounded --json --timeout=0 "$chain_pid"
status_is "--timeout=0 (no limit): exits 0" 0
jq_check "--timeout=0: the whole chain, nothing cut" \
	'([.findings[] | select(.kind == "wait_chain")] | length) == 1
	 and ([.unavailable[] | select(.reason | test("--timeout"))] | length) == 0'
kill -KILL "$chain_pid"

# A cycle of N threads: one deadlock, in a snapshot and in the scan.
start_helper pi-lockchain "$N" cycle
read -r first last < <(sed -n 2p "$HELPER_OUT")
cycle_pid=$HELPER_PID
run_bounded --json "$cycle_pid"
status_is "cycle of $N: the snapshot finishes (timeout 120) and exits 0" 0
jq_check "cycle of $N: one deadlock of all $N threads, no chain" \
	'([.findings[] | select(.kind == "deadlock")] | length == 1 and (.[0].pids | length) == $n)
	 and ([.findings[] | select(.kind == "wait_chain")] | length == 0)' --argjson n "$N"
run_bounded --deadlocks --json
status_is "cycle of $N: --deadlocks finishes (timeout 120) and exits 1 (found)" 1
jq_check "cycle of $N: --deadlocks reports the $N-thread cycle" \
	'[.findings[] | select(.kind == "deadlock" and .pid == $p)] | length == 1 and (.[0].pids | length) == $n' \
	--argjson p "$cycle_pid" --argjson n "$N"
# A scan's budget is per process it reads again: too small to read this
# one, it says so rather than call it clean.
run_bounded --deadlocks --json --timeout=0.01
check "cycle of $N: --deadlocks --timeout=0.01 finishes" test "$STATUS" = 0 -o "$STATUS" = 1
jq_check "cycle of $N: --deadlocks --timeout=0.01 lists it as not checked in time" \
	'(.locks_timed_out | index($p)) != null' --argjson p "$cycle_pid"
run_bounded --deadlocks --timeout=0.01
out_has "cycle of $N: the text says it was not checked within the budget" \
	"not checked within --timeout 0.01 s: the locks of PIDs.* $cycle_pid( |\$)"
kill -KILL "$cycle_pid"

# A stack 60,000 calls deep, with --max-frames=100000: the frames are
# gathered in a growing array (not reallocated per frame), and the budget
# cuts the stack where it ran out, saying so.
start_helper pi-stacks recurse 60000
run_bounded --json --max-frames=100000 --timeout=0.01 "$HELPER_PID"
status_is "60,000 frames, --timeout=0.01: exits 0" 0
# Cut while its frames were gathered, or not reached at all.
jq_check "60,000 frames, --timeout=0.01: the recurser's stack is cut by the budget, and says so" \
	'. as $p | [.threads[] | select(.comm == "recurser")][0]
	 | ((.unwind.truncated_reason // "") | test("within --timeout 0.01|within --timeout:"))
	   or ([$p.unavailable[] | select(.item == "user_stack" and (.reason | test("within --timeout 0.01 s")))]
	       | length > 0)
	 and ((.user_stack // []) | length) < 60000'
kill -KILL "$HELPER_PID"

# Usage errors: exit 2 and a message.
for bad in abc -1 '' 1e9 nan inf ' 5' 86401 5s; do
	run_pinspect --timeout="$bad" 1
	status_is "--timeout='$bad' is a usage error (exit 2)" 2
	err_has "--timeout='$bad': the message says what is wanted" \
		"--timeout: '.*' is not a number of seconds from 0 to 86400"
done
run_pinspect 1 --timeout
status_is "--timeout without a value is a usage error" 2

done_testing
