# Shared by the benchmarks: timing commands side by side, and helpers.
#
# Each measurement runs the commands alternately (A B A B ...) so that
# whatever else the machine does falls on both alike, and reports the
# median wall time of each.

set -u
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PINSPECT=${PINSPECT:-$BENCH_ROOT/pinspect}
HELPERS=$BENCH_ROOT/tests/helpers
bench_pids=()

bench_cleanup() {
	local pid
	for pid in "${bench_pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
	wait 2>/dev/null
}
trap bench_cleanup EXIT

# need_built: the program and the helpers must exist.
need_built() {
	if [ ! -x "$PINSPECT" ] || [ ! -x "$HELPERS/pi-threads" ]; then
		echo "bench: build first: ./bootstrap && make check TESTS= (builds the helpers)" >&2
		exit 2
	fi
}

# need_tools "PACKAGES" TOOL...: each tool must be installed; else says
# which Debian packages bring them, and exits 2.
need_tools() {
	local packages=$1 tool
	shift
	for tool in "$@"; do
		command -v "$tool" >/dev/null || {
			echo "bench: $tool is missing: apt-get install $packages" >&2
			exit 2
		}
	done
}

# start_threads N [ARGS...]: a pi-threads helper with N threads; sets
# BENCH_PID once it is ready.
start_threads() {
	local n=$1 out
	shift
	out=$(mktemp)
	"$HELPERS/pi-threads" -n "$n" "$@" >"$out" 2>&1 &
	BENCH_PID=$!
	bench_pids+=("$BENCH_PID")
	local i
	for i in $(seq 1 600); do
		grep -q '^ready$' "$out" && { rm -f "$out"; return 0; }
		sleep 0.05
	done
	echo "bench: pi-threads -n $n did not get ready" >&2
	exit 1
}

# now_us: a monotonic-enough clock in microseconds (bash 5).
now_us() {
	local t=${EPOCHREALTIME/./}
	echo "$t"
}

# time_us CMD...: runs CMD (output discarded), prints its wall time in us.
time_us() {
	local t0 t1
	t0=$(now_us)
	"$@" >/dev/null 2>&1
	t1=$(now_us)
	echo $((t1 - t0))
}

# median: the median of the numbers on stdin.
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# compare RUNS NAME_A NAME_B -- CMD_A... -- CMD_B...: alternates the two
# commands RUNS times; sets MEDIAN_A and MEDIAN_B (us).
compare() {
	local runs=$1 a=() b=() ta tb i
	shift 3
	[ "$1" = -- ] && shift
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	: >"$BENCH_TMP/a"
	: >"$BENCH_TMP/b"
	# One untimed run each: page cache, dynamic linker.
	"${a[@]}" >/dev/null 2>&1
	"${b[@]}" >/dev/null 2>&1
	for i in $(seq 1 "$runs"); do
		time_us "${a[@]}" >>"$BENCH_TMP/a"
		time_us "${b[@]}" >>"$BENCH_TMP/b"
	done
	MEDIAN_A=$(median <"$BENCH_TMP/a")
	MEDIAN_B=$(median <"$BENCH_TMP/b")
}

# ratio A B: A/B to two decimals.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

ms() {
	awk -v u="$1" 'BEGIN { printf "%.1f ms", u / 1000 }'
}

BENCH_TMP=$(mktemp -d)
