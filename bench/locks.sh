#!/bin/bash
# bench/locks.sh — what the lock and deadlock analysis costs.
#
# Two processes of 1,000 threads, 8 calls deep: in one every thread waits
# on a mutex (each wait is read from memory and analysed), in the other on
# a pipe (nothing to analyse). The snapshots read the same /proc files;
# the difference is the lock analysis. The issue's bar: at most 10% more.
#
# Usage: bench/locks.sh [RUNS]   (default 15)
. "$(dirname "$0")/lib.sh"
need_built
runs=${1:-15}

start_threads 1000 -d 8 -m mutex
mutex_pid=$BENCH_PID
start_threads 1000 -d 8 -m pipe
pipe_pid=$BENCH_PID

waiting=$("$PINSPECT" --json "$mutex_pid" | jq '[.threads[].lock | select(. and .kind == "mutex")] | length')
chains=$("$PINSPECT" --json "$mutex_pid" | jq -r '[.findings[] | select(.kind == "wait_chain")][0].message')
echo "threads waiting on a mutex, as pinspect sees them: $waiting"
echo "finding: $chains" | cut -c1-150

compare "$runs" mutex pipe -- "$PINSPECT" --json "$mutex_pid" -- "$PINSPECT" --json "$pipe_pid"
printf '%-28s %10s\n' "1000 threads waiting on" "pinspect --json"
printf '%-28s %10s\n' "a mutex (locks analysed)" "$(ms "$MEDIAN_A")"
printf '%-28s %10s\n' "a pipe (nothing to analyse)" "$(ms "$MEDIAN_B")"
echo "ratio $(ratio "$MEDIAN_A" "$MEDIAN_B") (median of $runs alternating runs; the bar is 1.10)"
