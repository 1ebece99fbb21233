#!/bin/bash
# bench/lockchain.sh — the lock analysis on long wait chains.
#
# A process of N threads each waiting for the next one's mutex (one wait
# chain N threads long, its last thread asleep), against a process of as
# many threads waiting on a pipe (nothing to analyse): both snapshots read
# the same /proc files and copy as many stacks, so the ratio is what the
# chain costs the lock analysis. It should stay flat as N grows: the
# analysis is linear in threads (it used to be cubic: 10,000 threads took
# over a minute). The snapshots run with --timeout=0, no budget, so that
# the whole read is timed.
#
# Usage: bench/lockchain.sh [RUNS] [N...]   (default 5 runs; 1000 4000 10000)
. "$(dirname "$0")/lib.sh"
need_built
runs=${1:-5}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 4000 10000)

# start_lockchain N MODE: sets BENCH_PID and CHAIN_ROOT (its last TID).
start_lockchain() {
	local out
	out=$(mktemp)
	"$HELPERS/pi-lockchain" "$1" "$2" >"$out" 2>&1 &
	BENCH_PID=$!
	bench_pids+=("$BENCH_PID")
	local i
	for i in $(seq 1 1200); do
		if grep -q '^ready$' "$out"; then
			CHAIN_ROOT=$(sed -n 2p "$out" | cut -d' ' -f2)
			rm -f "$out"
			return 0
		fi
		sleep 0.05
	done
	echo "bench: pi-lockchain $1 $2 did not get ready: $(cat "$out")" >&2
	exit 1
}

printf '%-8s %14s %14s %7s\n' threads "chain (ms)" "pipe (ms)" ratio
for n in "${sizes[@]}"; do
	start_lockchain "$n" chain
	chain_pid=$BENCH_PID
	root=$CHAIN_ROOT
	start_lockchain "$n" pipe
	pipe_pid=$BENCH_PID
	found=$("$PINSPECT" --timeout=0 --json "$chain_pid" |
		jq --argjson r "$root" '[.findings[] | select(.kind == "wait_chain" and .tid == $r)] | length')
	if [ "$found" != 1 ]; then
		echo "bench: the chain of $n threads was not found (rooted at $root)" >&2
		exit 1
	fi
	compare "$runs" chain pipe -- "$PINSPECT" --timeout=0 "$chain_pid" -- "$PINSPECT" --timeout=0 "$pipe_pid"
	printf '%-8s %14s %14s %7s\n' "$n" "$(ms "$MEDIAN_A")" "$(ms "$MEDIAN_B")" "$(ratio "$MEDIAN_A" "$MEDIAN_B")"
	kill -KILL "$chain_pid" "$pipe_pid" 2>/dev/null
	wait "$chain_pid" "$pipe_pid" 2>/dev/null
done
echo "(median of $runs alternating runs of pinspect PID; pinspect $("$PINSPECT" --version | cut -d' ' -f2))"
