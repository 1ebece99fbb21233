#!/bin/bash
# bench/stacks.sh — every thread's user stack: pinspect against eu-stack and
# gdb, in the same run.
#
# The target is a pi-threads helper with 1, 100 and 1,000 threads blocked
# 8 calls deep. Time, names and memory are measured on it as is; the stop
# a running thread suffers, on a second one with one more thread
# ("gapper") running in user space on a CPU of its own, which records the
# longest time it was kept stopped, while the tools run on the other CPUs.
# For each size it prints:
# - wall time (median of alternating runs) and the ratio to eu-stack and
#   gdb (the issue's bar: pinspect <= 0.25 x eu-stack at 1,000 threads);
# - whether pinspect names the same functions as eu-stack for every thread;
# - the longest stop the running thread saw (bar: <= half of eu-stack's);
#   blocked threads are never stopped by pinspect at all;
# - peak resident memory (bar: <= eu-stack's).
#
# Usage: bench/stacks.sh [RUNS]    (default 9; needs elfutils, gdb, time)
#        bench/stacks.sh --against OTHER_PINSPECT [RUNS] [ROUNDS]
#   The second form measures this pinspect against another build (the
#   one before a change) on the same targets: ROUNDS rounds (default 3)
#   of RUNS alternating runs (default 5) at 1, 100 and 1,000 threads;
#   the median wall time and peak memory of each, per round.
. "$(dirname "$0")/lib.sh"
need_built
if [ "${1:-}" = --against ]; then
	other=${2:?"bench: --against needs a pinspect binary"}
	runs=${3:-5}
	rounds=${4:-3}
	[ -x "$other" ] || { echo "bench: $other is not executable" >&2; exit 2; }
	command -v /usr/bin/time >/dev/null || { echo "bench: apt-get install time" >&2; exit 2; }
	peak() {
		local i
		for i in $(seq 1 "$runs"); do
			/usr/bin/time -f %M -o "$BENCH_TMP/rss" "$@" >/dev/null 2>&1
			cat "$BENCH_TMP/rss"
		done | median
	}
	printf '%-7s %-5s | %10s %10s %6s | %8s %8s\n' threads round this other ratio "mem this" other
	for n in 1 100 1000; do
		start_threads "$n" -d 8
		pid=$BENCH_PID
		for r in $(seq 1 "$rounds"); do
			compare "$runs" this other -- "$PINSPECT" --json "$pid" -- "$other" --json "$pid"
			this_kb=$(peak "$PINSPECT" --json "$pid")
			other_kb=$(peak "$other" --json "$pid")
			printf '%-7s %-5s | %10s %10s %6s | %5.1f MB %5.1f MB\n' "$n" "$r" \
				"$(ms "$MEDIAN_A")" "$(ms "$MEDIAN_B")" "$(ratio "$MEDIAN_A" "$MEDIAN_B")" \
				"$(awk -v k="$this_kb" 'BEGIN { print k / 1024 }')" \
				"$(awk -v k="$other_kb" 'BEGIN { print k / 1024 }')"
		done
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
	done
	exit 0
fi
runs=${1:-9}
need_tools "elfutils gdb time util-linux" eu-stack gdb /usr/bin/time taskset
ncpu=$(nproc)
[ "$ncpu" -ge 2 ] || { echo "bench: needs 2 CPUs (the running thread gets one)" >&2; exit 2; }
tool_cpus=0-$((ncpu - 2))
gap_file=$BENCH_TMP/gap

pinspect_cmd() { "$PINSPECT" --json "$1"; }
eustack_cmd() { eu-stack -p "$1"; }
gdb_cmd() { gdb -p "$1" -batch -nx -ex 'thread apply all bt'; }
# For the stop measurement: off the gapper's CPU.
pinned() { taskset -c "$tool_cpus" "$@"; }

# The longest stop the gapper thread saw while CMD ran (median over runs:
# a virtual machine adds the odd long wake-up to any stop).
stop_us() {
	local pid=$1 i
	shift
	for i in $(seq 1 $((runs * 2 + 1))); do
		kill -USR1 "$pid"
		sleep 0.05
		pinned "$@" "$pid" >/dev/null 2>&1
		sleep 0.02
		cat "$gap_file" 2>/dev/null || echo 0
	done | median
}

# Peak resident memory in KiB (median over RUNS runs).
peak_kb() {
	local pid=$1 i
	shift
	for i in $(seq 1 "$runs"); do
		/usr/bin/time -f %M -o "$BENCH_TMP/rss" "$@" "$pid" >/dev/null 2>&1
		cat "$BENCH_TMP/rss"
	done | median
}

# Function names per thread, "tid: f1 f2 ...", from each tool (inlined
# frames and symbol versions left out; the gapper, which moves, too).
names_pinspect() {
	"$PINSPECT" --json "$1" | jq -r '.threads[] | select(.comm != "gapper") |
		"\(.tid): \([.user_stack[]? | select(.inline | not) | .function // "??"] | join(" "))"'
}
names_eustack() {
	eu-stack -p "$1" 2>/dev/null | awk -v gapper="$2" '
		/^TID / { if (tid && tid != gapper) print tid ":" line; tid = $2; sub(":", "", tid); line = "" }
		/^#[0-9]/ { name = $3; sub(/@.*/, "", name); if (name == "") name = "??"; line = line " " name }
		END { if (tid && tid != gapper) print tid ":" line }'
}

printf '%-7s | %-30s | %-8s | %-26s | %-26s\n' "" "wall time (median)" "same" \
	"longest stop, running thr." "peak memory"
printf '%-7s | %9s %9s %10s | %-8s | %8s %8s %8s | %8s %8s %8s\n' threads pinspect eu-stack gdb \
	names pinspect eu-stack gdb pinspect eu-stack gdb
for n in 1 100 1000; do
	start_threads "$n" -d 8
	pid=$BENCH_PID

	compare "$runs" pinspect eu-stack -- pinspect_cmd "$pid" -- eustack_cmd "$pid"
	pi_ms=$MEDIAN_A eu_ms=$MEDIAN_B
	compare "$(( runs < 5 ? runs : 5 ))" pinspect gdb -- pinspect_cmd "$pid" -- gdb_cmd "$pid"
	gdb_ms=$MEDIAN_B

	names_pinspect "$pid" | sort >"$BENCH_TMP/names.pi"
	names_eustack "$pid" 0 | sed 's/: /:/; s/:/: /' | sort >"$BENCH_TMP/names.eu"
	if cmp -s "$BENCH_TMP/names.pi" "$BENCH_TMP/names.eu"; then same=yes; else same=NO; fi

	pi_kb=$(peak_kb "$pid" "$PINSPECT" --json)
	eu_kb=$(peak_kb "$pid" eu-stack -p)
	gdb_kb=$(peak_kb "$pid" gdb -batch -nx -ex 'thread apply all bt' -p)
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null

	rm -f "$gap_file"
	start_threads "$n" -d 8 -g "$gap_file"
	pid=$BENCH_PID
	pi_stop=$(stop_us "$pid" "$PINSPECT" --json)
	eu_stop=$(stop_us "$pid" eu-stack -p)
	gdb_stop=$(stop_us "$pid" gdb -batch -nx -ex 'thread apply all bt' -p)

	printf '%-7s | %9s %9s %10s | %-8s | %6s us %6s us %6s us | %5s MB %5s MB %5s MB\n' "$n" \
		"$(ms "$pi_ms")" "$(ms "$eu_ms")" "$(ms "$gdb_ms")" "$same" "$pi_stop" "$eu_stop" "$gdb_stop" \
		"$(awk -v k="$pi_kb" 'BEGIN { printf "%.1f", k / 1024 }')" \
		"$(awk -v k="$eu_kb" 'BEGIN { printf "%.1f", k / 1024 }')" \
		"$(awk -v k="$gdb_kb" 'BEGIN { printf "%.1f", k / 1024 }')"
	printf '%-7s | ratio to eu-stack %s, to gdb %s | stop ratio %s | memory ratio %s\n' "" \
		"$(ratio "$pi_ms" "$eu_ms")" "$(ratio "$pi_ms" "$gdb_ms")" \
		"$(ratio "$((pi_stop > 0 ? pi_stop : 1))" "$((eu_stop > 0 ? eu_stop : 1))")" \
		"$(ratio "$pi_kb" "$eu_kb")"
	if [ "$same" = NO ]; then
		echo "        names differ (pinspect < > eu-stack):"
		diff "$BENCH_TMP/names.pi" "$BENCH_TMP/names.eu" | head -6 | sed 's/^/        /'
	fi
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
done
echo "(bars at 1000 threads: time <= 0.25 x eu-stack, stop <= 0.5 x eu-stack, memory <= eu-stack)"
