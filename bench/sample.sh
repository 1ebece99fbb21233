#!/bin/bash
# bench/sample.sh — pinspect --sample against eu-stack in a loop, the
# "poor man's profiler", and perf record -g, on a process of 100 threads.
#
# The target is pi-threads with 98 threads blocked 8 calls deep, its main
# thread, and one more ("gapper") running in user space on a CPU of its
# own, which records the longest time it was kept from running (a stop).
# For 5 s (SECONDS), pinspect --sample --rate=50 runs on the other CPUs;
# then, for as long, eu-stack in a loop, as fast as it can go; then
# perf record -g -F 50 -p PID for as long, where perf is usable (it
# samples only the threads on a CPU: the blocked 98 it never sees). It
# prints, for each: the samples (pinspect's ticks, eu-stack's runs, each
# of every thread; perf's samples, each of one running thread), CPU time
# (user + system, children included: pinspect's sandboxed children) per
# sample, and the longest stop the running thread saw; then the ratios,
# pinspect to eu-stack and to perf. (perf's own CPU leaves out what its
# samples cost in the kernel, in the target's time: the throughput below
# counts that.)
# Then the target's own throughput: pi-phases many 100 (threads that run
# 2 ms, then sleep 2 ms, counting the work done), for SECONDS alone,
# while pinspect samples it at 50 Hz, while eu-stack runs in a loop, and
# while perf records it at 50 Hz; the bar for pinspect is a drop below 5%.
#
# Usage: bench/sample.sh [SECONDS]    (default 5; needs elfutils, time, taskset;
# linux-perf for the perf columns)
. "$(dirname "$0")/lib.sh"
need_built
secs=${1:-5}
need_tools "elfutils time util-linux jq" eu-stack /usr/bin/time taskset jq
ncpu=$(nproc)
[ "$ncpu" -ge 2 ] || { echo "bench: needs 2 CPUs (the running thread gets one)" >&2; exit 2; }
tool_cpus=0-$((ncpu - 2))
gap_file=$BENCH_TMP/gap
pinned() { taskset -c "$tool_cpus" "$@"; }

# cpu_of FILE: user + system seconds that /usr/bin/time wrote.
cpu_of() { awk '{ print $1 + $2 }' "$1"; }

# The gapper's longest stop, in us, since the last reset (SIGUSR1).
reset_gap() { kill -USR1 "$1"; sleep 0.1; }
gap_us() { cat "$gap_file" 2>/dev/null || echo 0; }

rm -f "$gap_file"
start_threads 98 -d 8 -g "$gap_file"
pid=$BENCH_PID
nthreads=$(ls /proc/"$pid"/task | wc -l)

# pinspect --sample.
reset_gap "$pid"
pinned /usr/bin/time -f '%U %S' -o "$BENCH_TMP/pi.time" \
	"$PINSPECT" --json --sample="$secs" --rate=50 "$pid" >"$BENCH_TMP/pi.json" 2>/dev/null
pi_stop=$(gap_us)
pi_ticks=$(jq .ticks "$BENCH_TMP/pi.json")
pi_asked=$(jq .ticks_asked "$BENCH_TMP/pi.json")
pi_held=$(jq '[.threads[].held_us] | add' "$BENCH_TMP/pi.json")
pi_cpu=$(cpu_of "$BENCH_TMP/pi.time")

# eu-stack in a loop for as long.
cat >"$BENCH_TMP/eu-loop" <<'LOOP'
#!/bin/bash
end=$((SECONDS + $1)); n=0
while [ "$SECONDS" -lt "$end" ]; do eu-stack -p "$2" >/dev/null 2>&1; n=$((n + 1)); done
echo "$n"
LOOP
chmod +x "$BENCH_TMP/eu-loop"
reset_gap "$pid"
eu_runs=$(pinned /usr/bin/time -f '%U %S' -o "$BENCH_TMP/eu.time" "$BENCH_TMP/eu-loop" "$secs" "$pid")
eu_stop=$(gap_us)
eu_cpu=$(cpu_of "$BENCH_TMP/eu.time")

# perf record -g at 50 Hz for as long, where perf is usable.
have_perf=0
if command -v perf >/dev/null && perf record -q -o "$BENCH_TMP/probe.data" -- true >/dev/null 2>&1; then
	have_perf=1
else
	echo "bench: perf is missing or not usable here (apt-get install linux-perf; perf_event_paranoid):" \
		"no perf columns" >&2
fi
if [ "$have_perf" = 1 ]; then
	reset_gap "$pid"
	pinned /usr/bin/time -f '%U %S' -o "$BENCH_TMP/perf.time" \
		perf record -q -g -F 50 -p "$pid" -o "$BENCH_TMP/perf.data" -- sleep "$secs" >/dev/null 2>&1
	perf_stop=$(gap_us)
	perf_cpu=$(cpu_of "$BENCH_TMP/perf.time")
	perf_samples=$(perf script -i "$BENCH_TMP/perf.data" -F tid 2>/dev/null | grep -c .)
fi
kill -KILL "$pid"
wait "$pid" 2>/dev/null

per() { awk -v c="$1" -v n="$2" 'BEGIN { printf "%.2f", n ? 1000 * c / n : 0 }'; }
pi_per=$(per "$pi_cpu" "$pi_ticks")
eu_per=$(per "$eu_cpu" "$eu_runs")
echo "target: $nthreads threads (one running in user space), ${secs} s each"
printf '%-22s | %8s %8s | %12s | %12s\n' "" samples "rate" "CPU/sample" "longest stop"
printf '%-22s | %8s %6.1f/s | %9s ms | %9s us\n' "pinspect --rate=50" "$pi_ticks" \
	"$(awk -v n="$pi_ticks" -v s="$secs" 'BEGIN { print n / s }')" "$pi_per" "$pi_stop"
printf '%-22s | %8s %6.1f/s | %9s ms | %9s us\n' "eu-stack in a loop" "$eu_runs" \
	"$(awk -v n="$eu_runs" -v s="$secs" 'BEGIN { print n / s }')" "$eu_per" "$eu_stop"
if [ "$have_perf" = 1 ]; then
	perf_per=$(per "$perf_cpu" "$perf_samples")
	printf '%-22s | %8s %6.1f/s | %9s ms | %9s us\n' "perf record -g -F 50" "$perf_samples" \
		"$(awk -v n="$perf_samples" -v s="$secs" 'BEGIN { print n / s }')" "$perf_per" "$perf_stop"
fi
echo "pinspect reached $pi_ticks of $pi_asked ticks asked ($(awk -v n="$pi_ticks" -v t="$nthreads" \
	'BEGIN { print n * t }') thread samples); threads held in all: ${pi_held} us"
printf 'ratios pinspect / eu-stack: CPU per sample %s, longest stop %s, samples %s\n' \
	"$(ratio "$pi_per" "$eu_per")" "$(ratio "$((pi_stop > 0 ? pi_stop : 1))" "$((eu_stop > 0 ? eu_stop : 1))")" \
	"$(ratio "$pi_ticks" "$((eu_runs > 0 ? eu_runs : 1))")"
if [ "$have_perf" = 1 ]; then
	# perf's sample is one running thread; pinspect's tick is all of them.
	pi_per_thread=$(awk -v c="$pi_cpu" -v n="$pi_ticks" -v t="$nthreads" \
		'BEGIN { printf "%.3f", n ? 1000 * c / (n * t) : 0 }')
	printf 'ratios pinspect / perf: CPU per sample %s (per thread sample %s), longest stop %s\n' \
		"$(ratio "$pi_per" "$perf_per")" "$(ratio "$pi_per_thread" "$perf_per")" \
		"$(ratio "$((pi_stop > 0 ? pi_stop : 1))" "$((perf_stop > 0 ? perf_stop : 1))")"
fi

# The target's throughput: work done in SECONDS, alone and sampled.
"$HELPERS/pi-phases" many 100 >>"$BENCH_TMP/work" 2>&1 &
wpid=$!
bench_pids+=("$wpid")
for i in $(seq 1 200); do grep -q '^ready$' "$BENCH_TMP/work" && break; sleep 0.05; done
work_now() {
	: >"$BENCH_TMP/work"
	kill -USR1 "$wpid"
	for i in $(seq 1 100); do grep -q '^work ' "$BENCH_TMP/work" && break; sleep 0.01; done
	awk '/^work / { print $2 }' "$BENCH_TMP/work"
}
# work_during CMD...: the work done per second while CMD ran (a tool
# may run past SECONDS: eu-stack finishing a run, perf writing its file).
work_during() {
	local a b t0 t1
	a=$(work_now)
	t0=$(now_us)
	"$@"
	t1=$(now_us)
	b=$(work_now)
	awk -v w=$((b - a)) -v us=$((t1 - t0)) 'BEGIN { printf "%.0f", us ? w * 1e6 / us : 0 }'
}
alone=$(work_during sleep "$secs")
sampled=$(work_during sh -c "'$PINSPECT' --json --sample=$secs --rate=50 $wpid >/dev/null 2>&1")
eu=$(work_during sh -c "'$BENCH_TMP/eu-loop' $secs $wpid >/dev/null")
if [ "$have_perf" = 1 ]; then
	perfd=$(work_during perf record -q -g -F 50 -p "$wpid" -o "$BENCH_TMP/perf2.data" -- sleep "$secs")
fi
alone2=$(work_during sleep "$secs")
drop() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", a ? 100 * (a - b) / a : 0 }'; }
base=$(( (alone + alone2) / 2 ))
echo "target throughput (pi-phases many 100, work a second): alone $alone and $alone2;"
echo "  sampled by pinspect at 50 Hz: $sampled (drop $(drop "$base" "$sampled"));" \
	"eu-stack in a loop: $eu (drop $(drop "$base" "$eu"))"
if [ "$have_perf" = 1 ]; then
	echo "  perf record -g -F 50: $perfd (drop $(drop "$base" "$perfd"))"
fi
