#!/bin/bash
# bench/snapshot.sh — the cost of `pinspect --no-ptrace --json PID` against
# `cat` reading the very same /proc files of that process in one process.
#
# The target is a pi-threads helper with 1, 100 and 1,000 threads, each
# blocked in read() 8 calls deep. The issue's bar: at 1,000 threads,
# pinspect's wall time is at most 1.3x cat's.
#
# Usage: bench/snapshot.sh [RUNS]   (default 21 runs per command)
. "$(dirname "$0")/lib.sh"
need_built
runs=${1:-21}

# The files pinspect reads for a process (see src/collect/): its own,
# then for each thread its task directory's.
snapshot_files() {
	local pid=$1 t
	printf '%s\n' /proc/"$pid"/{stat,status,cmdline,cgroup,smaps,auxv} \
		/proc/thread-self/sched /proc/sys/kernel/hung_task_timeout_secs
	for t in /proc/"$pid"/task/*; do
		printf '%s\n' "$t"/{stat,status,sched,schedstat,syscall,wchan,stack,children}
	done
}

printf '%-8s %12s %12s %8s\n' threads pinspect cat ratio
for n in 1 100 1000; do
	start_threads "$n" -d 8
	pid=$BENCH_PID
	mapfile -t files < <(snapshot_files "$pid")
	compare "$runs" pinspect cat -- "$PINSPECT" --no-ptrace --json "$pid" -- cat "${files[@]}"
	printf '%-8s %12s %12s %8s\n' "$n" "$(ms "$MEDIAN_A")" "$(ms "$MEDIAN_B")" \
		"$(ratio "$MEDIAN_A" "$MEDIAN_B")"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
done
echo "(median wall time of $runs alternating runs; ratio = pinspect / cat; the bar is 1.3 at 1000 threads)"
