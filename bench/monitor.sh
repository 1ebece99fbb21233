#!/bin/bash
# bench/monitor.sh — the live view against htop, at 10,000 tasks.
#
# Starts PROCS pi-threads helpers of THREADS threads each (default 100 x
# 99 workers: 10,000 tasks with their main threads), then runs, in turn,
# htop and `pinspect -H` in tmux at a 1-second refresh with threads shown,
# ROUNDS times each. For each run it reads the tool's utime + stime from
# /proc/PID/stat across REFRESHES refreshes (after a warm-up) and its
# resident memory at the end. The issue's bars: CPU time per refresh at
# most 0.5 x htop's; resident memory no more than htop's.
#
# Usage: bench/monitor.sh [REFRESHES]   (default 20)
#        PROCS=100 THREADS=99 ROUNDS=2 bench/monitor.sh
. "$(dirname "$0")/lib.sh"
need_built
refreshes=${1:-20}
procs=${PROCS:-100}
threads=${THREADS:-99}
rounds=${ROUNDS:-2}
warmup=3
need_tools "htop tmux" htop tmux
hz=$(getconf CLK_TCK)
socket=$BENCH_TMP/tmux.sock
tmux_() { tmux -S "$socket" -f /dev/null "$@"; }
trap 'tmux_ kill-server 2>/dev/null; bench_cleanup' EXIT

echo "starting $procs processes of $threads threads ..."
for i in $(seq 1 "$procs"); do
	"$HELPERS/pi-threads" -n "$threads" >"$BENCH_TMP/ready.$i" 2>&1 &
	bench_pids+=("$!")
done
for i in $(seq 1 "$procs"); do
	for _ in $(seq 1 600); do
		grep -q '^ready$' "$BENCH_TMP/ready.$i" && break
		sleep 0.05
	done
done
tasks=$(ls -d /proc/[0-9]*/task/[0-9]* 2>/dev/null | wc -l)
echo "tasks on the machine: $tasks"

mkdir -p "$BENCH_TMP/home"
# run NAME COMMAND: prints "cpu_seconds_per_refresh rss_kib" for one run.
run() {
	local name=$1 cmd=$2 pid t0 t1
	tmux_ new-session -d -s "$name" -x 200 -y 50 \
		"exec env HOME=$BENCH_TMP/home TERM=xterm-256color $cmd"
	sleep 0.5
	pid=$(tmux_ display -p -t "$name" '#{pane_pid}')
	sleep "$warmup"
	t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	sleep "$refreshes"
	t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
	tmux_ kill-session -t "$name"
	awk -v a="$t0" -v b="$t1" -v hz="$hz" -v n="$refreshes" -v rss="$rss" \
		'BEGIN { printf "%.4f %d\n", (b - a) / hz / n, rss }'
}

htop_cpu=0 pi_cpu=0 htop_rss=0 pi_rss=0
for r in $(seq 1 "$rounds"); do
	read -r c m < <(run htop "htop -d 10")
	echo "round $r: htop      $(awk -v c="$c" 'BEGIN { printf "%.3f", c }') s of CPU per refresh, RSS $m KiB"
	htop_cpu=$(awk -v a="$htop_cpu" -v b="$c" 'BEGIN { print a + b }')
	[ "$m" -gt "$htop_rss" ] && htop_rss=$m
	read -r c m < <(run pinspect "$PINSPECT -H -d 1")
	echo "round $r: pinspect  $(awk -v c="$c" 'BEGIN { printf "%.3f", c }') s of CPU per refresh, RSS $m KiB"
	pi_cpu=$(awk -v a="$pi_cpu" -v b="$c" 'BEGIN { print a + b }')
	[ "$m" -gt "$pi_rss" ] && pi_rss=$m
done

echo
printf '%-10s %22s %14s\n' tool "CPU per refresh" "RSS (max)"
printf '%-10s %20.3f s %10d KiB\n' htop "$(awk -v a="$htop_cpu" -v n="$rounds" 'BEGIN { print a / n }')" "$htop_rss"
printf '%-10s %20.3f s %10d KiB\n' pinspect "$(awk -v a="$pi_cpu" -v n="$rounds" 'BEGIN { print a / n }')" "$pi_rss"
echo "CPU ratio pinspect/htop: $(ratio "$pi_cpu" "$htop_cpu") (bar: <= 0.50)"
echo "RSS ratio pinspect/htop: $(ratio "$pi_rss" "$htop_rss") (bar: <= 1.00)"
echo "($tasks tasks, threads shown, 1 s refresh, $refreshes refreshes after ${warmup} s, $rounds rounds)"
