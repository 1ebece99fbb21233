#!/bin/bash
# bench/goroutines.sh — the goroutines of a Go program with 10,000 of them:
# pinspect (every goroutine read from the runtime's memory, grouped by
# stack) against eu-stack (the program's OS threads only), in the same run.
#
# The target is a Go program (built here with golang-go) whose N
# goroutines (default 10,000) are parked on one channel, beside one asleep
# in time.Sleep. It prints:
# - wall time (median of alternating runs) of pinspect and of eu-stack,
#   and their ratio (the issue's bar: pinspect lists them in under 1 s);
# - how many goroutines pinspect listed (bar: all N + the runtime's own).
#
# Usage: bench/goroutines.sh [RUNS] [N]  (default 9, 10000; needs golang-go, elfutils)
. "$(dirname "$0")/lib.sh"
runs=${1:-9}
n=${2:-10000}
[ -x "$PINSPECT" ] || { echo "bench: build first: ./bootstrap && make" >&2; exit 2; }
need_tools "golang-go elfutils jq" go eu-stack jq

cat >"$BENCH_TMP/main.go" <<'GO'
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

//go:noinline
func park(c chan int) { <-c }

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	c := make(chan int)
	for i := 0; i < n; i++ {
		go park(c)
	}
	time.Sleep(200 * time.Millisecond)
	fmt.Println("ready")
	for {
		time.Sleep(time.Hour)
	}
}
GO
(cd "$BENCH_TMP" && HOME=$BENCH_TMP GOCACHE=$BENCH_TMP/cache go build -o parked main.go) ||
	{ echo "bench: go build failed" >&2; exit 1; }
"$BENCH_TMP/parked" "$n" >"$BENCH_TMP/out" 2>&1 &
pid=$!
bench_pids+=("$pid")
for i in $(seq 1 200); do
	grep -q '^ready$' "$BENCH_TMP/out" && break
	sleep 0.05
done
grep -q '^ready$' "$BENCH_TMP/out" || { echo "bench: the Go program did not get ready" >&2; exit 1; }

compare "$runs" pinspect eu-stack -- "$PINSPECT" --json "$pid" -- eu-stack -p "$pid"
"$PINSPECT" --json "$pid" >"$BENCH_TMP/json"
listed=$(jq '[.go.groups[]?.count] | add // 0' "$BENCH_TMP/json")
printf '%-22s %s\n' "go" "$(go version)"
printf '%-22s %s (eu-stack, threads only: %s): %s x eu-stack (bar: under 1 s)\n' "wall time, median" \
	"$(ms "$MEDIAN_A")" "$(ms "$MEDIAN_B")" "$(ratio "$MEDIAN_A" "$MEDIAN_B")"
printf '%-22s %s (bar: %s and the runtime'"'"'s own)\n' "goroutines listed" "$listed" "$n"
