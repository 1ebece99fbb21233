#!/bin/bash
# bench/check.sh — a system-wide scan against ps.
#
# 10,000 tasks: ten processes of 1,000 threads, half of them waiting on a
# pipe and half on a mutex held by their main thread (so the lock scan
# reads every futex word), and one deadlocked process (so the scan also
# confirms a deadlock). pinspect --check runs every scan: hung tasks,
# zombies, deadlocks. The anchor is ps reading state and wait channel of
# every task, as an administrator would to look for stuck tasks. The
# issue's bar: at most 0.35x the wall time of ps.
#
# Usage: bench/check.sh [RUNS]   (default 15)
. "$(dirname "$0")/lib.sh"
need_built
runs=${1:-15}

for i in 1 2 3 4 5; do
	start_threads 999 -m pipe
	start_threads 999 -m mutex
done
out=$(mktemp)
"$HELPERS/pi-locks" deadlock2 >"$out" 2>&1 &
bench_pids+=($!)
for i in $(seq 1 100); do grep -q '^ready$' "$out" && break; sleep 0.05; done
rm -f "$out"

tasks=$(ls -d /proc/[0-9]*/task/[0-9]* 2>/dev/null | wc -l)
"$PINSPECT" --check --json >"$BENCH_TMP/check.json"
echo "tasks on the system: $tasks"
jq -r '"pinspect --check: \(.tasks) tasks in \(.processes) processes, \(.deadlocks) deadlock(s), \(.hung_tasks) hung, \(.zombies) zombies"' \
	"$BENCH_TMP/check.json"

compare "$runs" pinspect ps -- "$PINSPECT" --check -- ps -eLo pid,tid,stat,wchan,comm
printf '%-44s %10s\n' "a scan of every task" "wall time"
printf '%-44s %10s\n' "pinspect --check" "$(ms "$MEDIAN_A")"
printf '%-44s %10s\n' "ps -eLo pid,tid,stat,wchan,comm" "$(ms "$MEDIAN_B")"
echo "ratio $(ratio "$MEDIAN_A" "$MEDIAN_B") (median of $runs alternating runs; the bar is 0.35)"

compare "$runs" hung ps -- "$PINSPECT" --hung -- ps -eLo pid,tid,stat,wchan,comm
printf '%-44s %10s   ratio %s\n' "pinspect --hung (no lock scan)" "$(ms "$MEDIAN_A")" \
	"$(ratio "$MEDIAN_A" "$MEDIAN_B")"
