#!/bin/bash
# bench/waits.sh — what looking across processes costs a snapshot:
# `pinspect --json PID` against `pinspect --json --no-waits PID`, on a
# process whose threads all wait on another process (half read a pipe,
# half a UNIX socket; tests/helpers/pi-waits threads N), so that every
# thread's wait is resolved and the machine's descriptors are indexed.
#
# The issue's bar: at 1,000 threads, at most 1.3x the snapshot without.
#
# Usage: bench/waits.sh [RUNS]   (default 15 runs per command)
. "$(dirname "$0")/lib.sh"
need_built
runs=${1:-15}
BENCH_TMP=$(mktemp -d)
trap 'bench_cleanup; rm -rf "$BENCH_TMP"' EXIT

printf '%-8s %12s %12s %8s\n' threads waits no-waits ratio
for n in 1 100 1000; do
	out=$BENCH_TMP/helper
	"$HELPERS/pi-waits" threads "$n" >"$out" 2>&1 &
	pid=$!
	bench_pids+=("$pid")
	for i in $(seq 1 600); do grep -q '^ready$' "$out" && break; sleep 0.05; done
	bench_pids+=("$(sed -n 's/^peer //p' "$out")")
	compare "$runs" waits no-waits -- "$PINSPECT" --json "$pid" -- "$PINSPECT" --json --no-waits "$pid"
	printf '%-8s %12s %12s %8s\n' "$n" "$(ms "$MEDIAN_A")" "$(ms "$MEDIAN_B")" \
		"$(ratio "$MEDIAN_A" "$MEDIAN_B")"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
done
echo "(median wall time of $runs alternating runs; $(ls /proc | grep -c '^[0-9]') processes on the machine; the bar is 1.3 at 1000 threads)"
