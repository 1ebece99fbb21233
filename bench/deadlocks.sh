#!/bin/bash
# bench/deadlocks.sh — the system-wide deadlock scan, now across processes
# too, against lsof over the same machine.
#
# 10,000 tasks and 20,000 descriptors: ten processes of 1,000 threads,
# each thread waiting on another process (half a pipe, half a UNIX socket:
# tests/helpers/pi-waits threads), each process holding 2,000 descriptors;
# and two processes in a pipe cycle, so that the scan confirms a deadlock
# across processes. The anchor is `lsof -n`, which an administrator would
# run to see who holds which pipe and socket. The issue's bar: below the
# wall time of lsof -n.
#
# Usage: bench/deadlocks.sh [RUNS]   (default 9)
. "$(dirname "$0")/lib.sh"
need_built
command -v lsof >/dev/null || { echo "bench: lsof is not installed" >&2; exit 2; }
runs=${1:-9}

ulimit -n 4096
start_waits() {
	local out
	out=$(mktemp)
	"$HELPERS/pi-waits" "$@" >"$out" 2>&1 &
	bench_pids+=($!)
	for i in $(seq 1 600); do grep -q '^ready$' "$out" && break; sleep 0.05; done
	bench_pids+=($(sed -n 's/^peer //p' "$out"))
	rm -f "$out"
}
for i in $(seq 1 10); do
	start_waits threads 1000 2000
done
start_waits cycle

tasks=$(ls -d /proc/[0-9]*/task/[0-9]* 2>/dev/null | wc -l)
fds=$(ls /proc/[0-9]*/fd 2>/dev/null | grep -c '^[0-9]')
"$PINSPECT" --deadlocks --json >"$BENCH_TMP/scan.json"
echo "on the machine: $tasks tasks, $fds descriptors"
jq -r '"pinspect --deadlocks: \(.process_deadlocks) deadlock(s) across processes, \(.deadlocks) lock cycle(s)"' \
	"$BENCH_TMP/scan.json"

compare "$runs" pinspect lsof -- "$PINSPECT" --deadlocks -- lsof -n
printf '%-44s %10s\n' "the whole machine" "wall time"
printf '%-44s %10s\n' "pinspect --deadlocks" "$(ms "$MEDIAN_A")"
printf '%-44s %10s\n' "lsof -n" "$(ms "$MEDIAN_B")"
echo "ratio $(ratio "$MEDIAN_A" "$MEDIAN_B") (median of $runs alternating runs; the bar is below 1)"
