#!/bin/bash
# The live view samples the selected process (S on its snapshot page), as
# a person would use it in a terminal (tmux): a countdown while it
# samples, the view answering keys meanwhile, the report (per state and
# per thread group) on a page that scrolls; Esc cancels, q quits at once,
# and no thread of the target is left stopped or traced, with perf
# events allowed and with them denied (running threads then held for
# microseconds each tick).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.sh"

if ! command -v tmux >/dev/null; then
	not_ok "tmux is installed (apt-get install tmux) to test the live view"
	done_testing
	exit
fi

# pi-phases: "spin" always running in pi_phase_spin, "piper" always
# blocked reading a pipe, "phases" in four phases, "writer".
start_helper pi-phases
pid=$HELPER_PID

# untouched DESCRIPTION: no thread of the target is stopped or traced.
untouched() {
	check "$1" bash -c "! grep -qsE '^TracerPid:[[:space:]]*[1-9]' /proc/$pid/task/*/status &&
		! grep -qsE '^State:[[:space:]]*[tT]' /proc/$pid/task/*/status"
}

# Quitting mid-sample waits for the tick under way only: 5 s says it did
# not wait for the sample's end. Under valgrind a tick takes seconds: the
# last one may end past the 5 s, and each is given --timeout 60 (as
# lib.sh gives run_pinspect) to symbolize its stacks.
if [ "${PINSPECT_VALGRIND:-}" = 1 ]; then
	QUIT_S=60 TOOK='[0-9]+\.[0-9]' BUDGET=(--timeout 60)
else
	QUIT_S=5 TOOK='5\.[0-9]' BUDGET=()
fi

# seconds_left: the countdown on the screen now ("" when none).
seconds_left() {
	screen | sed -nE 's/.* ([0-9]+\.[0-9]) s left, [0-9]+ ticks.*/\1/p' | head -1
}

tm_start
live --top "$pid" -d 0.5 "${BUDGET[@]}"
see "--top: the helper's threads" "^ +[0-9]+ root .* spin"
keys Enter
see "Enter opens the snapshot of its process" "^Snapshot of process $pid "
see "the snapshot page's key bar lists S" "^Snapshot of process $pid .* S: sample"

keys S
see "S starts sampling: the page says so, and how to cancel" "^Sampling process $pid +Esc: cancel +q: quit"
see "a countdown: the time left, the ticks and samples taken" \
	"^sampling process $pid for 5 s at 20 Hz: [0-9]+\.[0-9] s left, [0-9]+ ticks, [0-9]+ samples"
first=$(seconds_left)
# (The countdown moves by a second in about a second; 3 s only says it
# did not stand still.)
wait_screen "s left" 3
sleep 1
second=$(seconds_left)
check "the countdown goes down ($first s, then $second s)" \
	awk -v a="$first" -v b="$second" 'BEGIN { exit !(a != "" && b != "" && b + 0 < a + 0) }'
# The view answers keys while it samples: the help, and back.
keys '?' End
see "while sampling, ? shows the help, which tells of S" 'allowed\), S samples$'
keys Escape
see "... and Esc comes back to the sampling page" "^Sampling process $pid |^Sample of process $pid "
see "after 5 s, the report: what was sampled, how long, how often" \
	"^pinspect: process $pid \\(pi-phases\\) sampled for $TOOK s at 20 Hz: [0-9]+ ticks of 100 asked"
see "... with the page's keys" "^Sample of process $pid +Esc: back to the snapshot +q: quit"
see "... the share of each state" '^  on CPU +[0-9.]+% +[0-9]+$'
see "... the hottest on-CPU stack: spin's, in pi_phase_spin" '^ +[0-9.]+% +[0-9]+ +spin +pi_phase_spin <- '
keys End
see "End scrolls to the thread groups: piper off the CPU all its time" \
	'^  piper \(1 thread, [0-9]+ samples\): on CPU 0\.0%, off CPU 100\.0%'
see "... the page says where it is" '^lines [0-9]+-[0-9]+ of [0-9]+ of the sample.s report'
keys Home
see "Home goes back to the top" "^pinspect: process $pid \\(pi-phases\\) sampled"
keys Escape
see "Esc goes back to the snapshot" "^Snapshot of process $pid "
see "... which says so" '^back from the sample$'
untouched "after a sample, no thread is stopped or traced"

# Esc while sampling cancels it.
keys S
see "S again: sampling" "^Sampling process $pid "
keys Escape
see "Esc while sampling cancels, back to the snapshot" '^sampling cancelled$'
untouched "cancelled: no thread is stopped or traced"

# q while sampling quits the view at once (the tick under way ends
# first: well within 5 s, which only says it did not wait for the
# sample's end).
keys S
see "S once more: sampling" "^Sampling process $pid "
t0=$SECONDS
keys q
see "q while sampling quits the view" '^exit=0$' "$QUIT_S"
if [ "${PINSPECT_VALGRIND:-}" != 1 ]; then
	check "... before the sample's 5 s were up ($((SECONDS - t0)) s)" test $((SECONDS - t0)) -lt 5
fi
untouched "quit while sampling: no thread is stopped or traced"
vg_clean "sampling from the live view, cancelling it and quitting mid-sample"

# Perf events denied: running threads are stopped for microseconds each
# tick; q mid-sample leaves none stopped or traced.
clear_pane
live_command --top "$pid" -d 0.5 "${BUDGET[@]}"
keys "$HELPERS/pi-no-perf $LIVE_CMD" Enter
see "perf denied: --top" "^ +[0-9]+ root .* spin"
keys Enter S
see "perf denied: S samples" "^Sampling process $pid "
sleep 1
keys q
see "perf denied: q while sampling quits the view" '^exit=0$' "$QUIT_S"
untouched "perf denied, quit while sampling: no thread is stopped or traced"
vg_clean "sampling from the live view with perf denied, quit mid-sample"

done_testing
