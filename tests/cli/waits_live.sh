#!/bin/bash
# Processes waiting for each other (a pipe cycle) in the live view and
# batch mode: the FLAGS column and the Deadlocks summary line name them,
# from the periodic look for deadlocks (the sweep's processes with every
# thread asleep, read in full only when each thread waits with no
# timeout), not from every refresh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.sh"

start_helper pi-waits cycle
a=$HELPER_PID
b=$(sed -n 's/^peer //p' "$HELPER_OUT")
track "$b"
wait_state "$a" S
wait_state "$b" S
# A pipe whose writer only sleeps: waiting, never a deadlock.
start_helper pi-waits pipe
waiting=$HELPER_PID
writer=$(sed -n 's/^peer //p' "$HELPER_OUT")
track "$writer"

run_pinspect --batch -n 1 -o pid,flags,command
status_is "batch: exits 0" 0
out_has "batch: the summary names the processes waiting for each other" \
	"^Deadlocks: .*2 processes in cycles of processes waiting for each other: .*\\b$a \\(pi-waits\\)"
out_has "batch: each process of the cycle is flagged, naming the one it waits for (a)" \
	"^ +$a +deadlock with process $b +"
out_has "batch: ... (b)" "^ +$b +deadlock with process $a +"
out_lacks "batch: a reader whose writer sleeps is not flagged" "^ +$waiting +deadlock"
out_lacks "batch: nor its writer" "^ +$writer +deadlock"
run_pinspect --batch -n 1 -H --top "$a" -o tid,flags
out_has "batch --top: the thread names the process it waits for" "^ +$a +deadlock with process $b *$"
run_pinspect --batch -n 1 --json -o pid,flags
jq_check "batch --json: both rows flagged deadlock" \
	'[.tasks[] | select(.pid == $a or .pid == $b) | .flags | index("deadlock") != null] == [true, true]' \
	--argjson a "$a" --argjson b "$b"
jq_check "batch --json: one process_deadlock finding naming both, not a lock cycle" \
	'([.findings[] | select(.kind == "process_deadlock" and ((.pids | sort) == ([$a, $b] | sort)))] | length == 1)
	 and ([.findings[] | select(.kind == "deadlock" and (.pid == $a or .pid == $b))] | length == 0)' \
	--argjson a "$a" --argjson b "$b"

if ! command -v tmux >/dev/null; then
	not_ok "tmux is installed (apt-get install tmux) to test the live view"
	done_testing
	exit
fi
tm_start
live -d 0.5
see "live: the summary line names the cycle of processes" \
	"^Deadlocks: .*processes in cycles of processes waiting for each other: .*\\b$a \\(pi-waits\\)"
keys p
see "live, problems only: the first process of the cycle, flagged" "^ +$a +root +S .* deadlock with process $b +"
see "live, problems only: the second" "^ +$b +root +S .* deadlock with process $a +"
not_see "live, problems only: the reader of a sleeping writer is no problem" "^ +$waiting "
keys q
see "live: q quits" '^exit=0$'
vg_clean "live view with a cycle of processes"

# Once the cycle is broken, the next look drops it.
kill -KILL "$a" "$b"
live -d 0.5
see "live: with the cycle gone, no process cycle is named" "^Deadlocks: (none|[0-9]+ threads? in)" 
not_see "live: ... and its processes are not flagged" "deadlock with process $b"
keys q
see "live: q quits again" '^exit=0$'
done_testing
