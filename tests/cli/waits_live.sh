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
# (Other suites running beside this one may have cycles of their own: the
# line names the first three, and counts the rest.)
out_has "batch: the summary names the processes waiting for each other" \
	"^Deadlocks: .*[0-9]+ processes in cycles of processes waiting for each other: .*(\\b$a \\(pi-waits\\)|and [0-9]+ more)"
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
	"^Deadlocks: .*processes in cycles of processes waiting for each other: .*(\\b$a \\(pi-waits\\)|and [0-9]+ more)"
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
see "live: with the cycle gone, the Deadlocks line is drawn again" "^Deadlocks: "
not_see "live: ... and names neither process (other suites' cycles may be named)" \
	"^Deadlocks: .*\\b($a|$b) \\(pi-waits\\)"
not_see "live: ... and its processes are not flagged" "deadlock with process $b"
keys q
see "live: q quits again" '^exit=0$'

# --- The look across processes runs on the look's own thread: a key is
# answered while it runs. PINSPECT_TEST_LOOK_GATE (for tests alone) holds
# a look made on that thread at its look across processes while the file
# exists; the first look, made in place before the first screen, is not
# held. A shared-mutex cycle started after that first look is then found
# by the held look, once the gate opens.
gate=$TEST_TMP/look-gate
touch "$gate"
PANE_ENV="PINSPECT_TEST_LOOK_GATE=$gate"
tm_start
live -d 0.5
see "held look: the live view is up, its first look made" '^Deadlocks: .*looked for'
pinspect_pid=$(live_pid)
start_helper pi-waits mutexcycle
c=$HELPER_PID
d=$(sed -n 's/^peer //p' "$HELPER_OUT")
track "$d"
# held_look: a thread of pinspect other than the main one sleeps at the
# gate (nanosleep), i.e. a look is under way and held.
held_look() {
	local task
	for task in /proc/"$pinspect_pid"/task/*; do
		[ "${task##*/}" = "$pinspect_pid" ] && continue
		case $(cat "$task/wchan" 2>/dev/null) in *nanosleep*) return 0 ;; esac
	done
	return 1
}
# The next look starts 10 s after the first: wait for it (generously:
# this says only that it came, not how fast).
for i in $(seq 1 $((WAIT_S * 3 * 10))); do held_look && break; sleep 0.1; done
check "held look: a look is under way on a thread of its own, held at the gate" held_look
keys p
see "held look: the key is answered (problems only) while the look runs" '^Showing .*; problems only'
check "held look: ... and the look was still under way when it was" held_look
not_see "held look: its cycle is not known before the look ends" "deadlock with process $d"
rm -f "$gate"
see "held look: once the gate opens, the look ends and names the shared-mutex cycle" \
	"^Deadlocks: .*processes in cycles of processes waiting for each other: .*(\\b($c|$d) \\(pi-waits\\)|and [0-9]+ more)"
see "held look: ... and flags its processes" "^ +$c +root +S .* deadlock with process $d +"
keys q
see "held look: q quits" '^exit=0$'
vg_clean "live view with a held look"
done_testing
