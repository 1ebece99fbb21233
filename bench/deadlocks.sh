#!/bin/bash
# bench/deadlocks.sh — the system-wide deadlock scan, now across processes
# too, against lsof over the same machine.
#
# 10,000 tasks and 20,000 descriptors: ten processes of 1,000 threads,
# each thread waiting on another process (half a pipe, half a UNIX socket:
# tests/helpers/pi-waits threads), and twenty processes holding 1,000
# descriptors each; and two processes in a pipe cycle, so that the scan
# confirms a deadlock across processes. (lsof reads every thread's
# descriptor table: a thousand threads holding thousands of descriptors
# each would take it hours.) The anchor is `lsof -n`, which an administrator would
# run to see who holds which pipe and socket. The issue's bar: below the
# wall time of lsof -n.
#
# lsof takes minutes on such a machine (it stats every descriptor through
# a child process), so it runs once, timed; pinspect runs RUNS times
# around it, and its median is compared.
#
# Usage: bench/deadlocks.sh [RUNS]   (default 5)
. "$(dirname "$0")/lib.sh"
need_built
command -v lsof >/dev/null || { echo "bench: lsof is not installed" >&2; exit 2; }
runs=${1:-5}

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
	start_waits threads 1000
done
for i in $(seq 1 20); do
	start_waits threads 1 1000
done
start_waits cycle

tasks=$(ls -d /proc/[0-9]*/task/[0-9]* 2>/dev/null | wc -l)
fds=$(ls /proc/[0-9]*/fd 2>/dev/null | grep -c '^[0-9]')
"$PINSPECT" --deadlocks --json >"$BENCH_TMP/scan.json"
echo "on the machine: $tasks tasks, $fds descriptors"
jq -r '"pinspect --deadlocks: \(.process_deadlocks) deadlock(s) across processes, \(.deadlocks) lock cycle(s)"' \
	"$BENCH_TMP/scan.json"

"$PINSPECT" --deadlocks >/dev/null 2>&1	# page cache, dynamic linker
: >"$BENCH_TMP/a"
for i in $(seq 1 "$runs"); do
	time_us "$PINSPECT" --deadlocks >>"$BENCH_TMP/a"
	[ "$i" = $(((runs + 1) / 2)) ] && lsof_us=$(time_us lsof -n)
done
pinspect_us=$(median <"$BENCH_TMP/a")
printf '%-44s %10s\n' "the whole machine" "wall time"
printf '%-44s %10s\n' "pinspect --deadlocks (median of $runs)" "$(ms "$pinspect_us")"
printf '%-44s %10s\n' "lsof -n (once)" "$(ms "$lsof_us")"
echo "ratio $(ratio "$pinspect_us" "$lsof_us") (the bar is below 1)"
