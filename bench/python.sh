#!/bin/bash
# bench/python.sh — the Python stacks of a 100-thread CPython process:
# pinspect (native stacks with the Python frames merged in) against
# eu-stack (native stacks only), in the same run.
#
# The target is python3 running 100 threads asleep in time.sleep 8 Python
# calls deep, and one busy thread. It prints:
# - wall time (median of alternating runs) and the ratio to eu-stack (the
#   issue's bar: pinspect <= 0.5 x eu-stack);
# - how many threads show their 8 Python frames (bar: all 100);
# - how many of the blocked threads were stopped (bar: none).
#
# Usage: bench/python.sh [RUNS] [PYTHON]  (default 9, python3; needs elfutils)
. "$(dirname "$0")/lib.sh"
runs=${1:-9}
python=${2:-python3}
[ -x "$PINSPECT" ] || { echo "bench: build first: ./bootstrap && make" >&2; exit 2; }
need_tools "elfutils jq python3" eu-stack jq "$python"

cat >"$BENCH_TMP/threads.py" <<'PY'
import threading, time
def level(n):
    if n == 0:
        time.sleep(3600)
    level(n - 1)
def busy():
    while True:
        pass
for _ in range(100):
    threading.Thread(target=level, args=(7,), daemon=True).start()
threading.Thread(target=busy, daemon=True).start()
time.sleep(1)
print("ready", flush=True)
time.sleep(3600)
PY
"$python" "$BENCH_TMP/threads.py" >"$BENCH_TMP/out" 2>&1 &
pid=$!
bench_pids+=("$pid")
for i in $(seq 1 200); do
	grep -q '^ready$' "$BENCH_TMP/out" && break
	sleep 0.05
done
grep -q '^ready$' "$BENCH_TMP/out" || { echo "bench: $python did not get ready" >&2; exit 1; }

compare "$runs" pinspect eu-stack -- "$PINSPECT" --json "$pid" -- eu-stack -p "$pid"
"$PINSPECT" --json "$pid" >"$BENCH_TMP/json"
deep=$(jq '[.threads[] | select([.user_stack[]? | select(.language == "python" and .function == "level")]
	| length == 8)] | length' "$BENCH_TMP/json")
stopped=$(jq '[.threads[] | select(.syscall.state == "in_syscall"
	and .unwind.method != "copied_while_blocked")] | length' "$BENCH_TMP/json")
printf '%-22s %s\n' "python" "$("$python" -V 2>&1)"
printf '%-22s %s (eu-stack %s): %s x eu-stack (bar: <= 0.5)\n' "wall time, median" \
	"$(ms "$MEDIAN_A")" "$(ms "$MEDIAN_B")" "$(ratio "$MEDIAN_A" "$MEDIAN_B")"
printf '%-22s %s of 100 (bar: 100)\n' "8 Python frames shown" "$deep"
printf '%-22s %s (bar: 0)\n' "blocked threads stopped" "$stopped"
