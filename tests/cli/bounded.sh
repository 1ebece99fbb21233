#!/bin/bash
# A process with a command line of almost 2 MB and 200 threads: batch text,
# batch JSON, the snapshot and the live view stay small (they used to
# print the command line in every thread row, hundreds of megabytes a
# refresh) and say where they cut it and how big it was; so does
# pinspect's own memory.
#
# Batch mode sees the whole system: the test runs in a PID namespace of
# its own, so that the whole refresh is this test's processes.
. "$(dirname "$0")/own_pidns.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.sh"

PY=/usr/bin/python3
# The old output of a refresh was this command line 200 times (394 MB);
# the bound is a hundredth of that.
BOUND=2000000

# An argument holds at most 128 KiB (MAX_ARG_STRLEN, with its NUL), and
# all of them with the environment at most a quarter of the stack limit
# (2 MiB by default): fifteen of the largest.
chunk=$(head -c 131071 /dev/zero | tr '\0' x)
args=()
for i in $(seq 1 15); do args+=("$chunk"); done
start_helper pi-threads -n 199 -- "${args[@]}"
pid=$HELPER_PID
unset args chunk
bytes=$(wc -c <"/proc/$pid/cmdline")
# 1966115 -> 1,966,115, as pinspect writes sizes people read.
grouped=$(echo "$bytes" | sed -E ':a; s/([0-9])([0-9]{3})($|,)/\1,\2\3/; ta')
check "the helper's command line is almost 2 MB" test "$bytes" -gt 1900000

# size_below DESCRIPTION: the last output is smaller than BOUND bytes.
size_below() {
	local size
	size=$(wc -c <"$TEST_TMP/out")
	if [ "$size" -lt "$BOUND" ]; then ok "$1 ($size bytes)"; else
		not_ok "$1" "$size bytes, bound $BOUND"; fi
}

# longest_line_below N DESCRIPTION [GREP REGEX]: every output line (that
# matches) has fewer than N bytes.
longest_line_below() {
	local longest
	longest=$(grep -E -- "${3:-.}" "$TEST_TMP/out" | awk '{ if (length($0) > n) n = length($0) } END { print n + 0 }')
	if [ "$longest" -lt "$1" ]; then ok "$2 (longest $longest bytes)"; else
		not_ok "$2" "a line of $longest bytes, bound $1"; fi
}

# peak_rss_kib ARGS...: pinspect's peak resident memory, in KiB, running
# ARGS (its own figure from the kernel, through wait4()).
peak_rss_kib() {
	$PY - "$PINSPECT_BIN" "$@" <<-'EOF'
	import resource, subprocess, sys
	subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
	print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
	EOF
}

# rss_below KIB DESCRIPTION ARGS...: a generous bound on the peak memory
# (it was 454 MB to 1.16 GB); sanitizer builds take more for themselves.
rss_below() {
	local bound=$1 desc=$2 rss
	shift 2
	rss=$(peak_rss_kib "$@")
	if [ -n "$rss" ] && [ "$rss" -lt "$bound" ]; then ok "$desc ($rss KiB)"; else
		not_ok "$desc" "peak RSS ${rss:-unknown} KiB, bound $bound KiB"; fi
}
RSS_BOUND=$((100 * 1024))
if grep -q -- '-fsanitize=address' "$abs_top_builddir/Makefile" 2>/dev/null; then
	RSS_BOUND=$((400 * 1024))
fi

# --- Batch text, one process. ------------------------------------------------
run_pinspect --batch -n 1 -H --top "$pid"
status_is "--batch -H --top: exit 0" 0
size_below "--batch -H --top: the refresh is far smaller than 200 command lines"
check "--batch -H --top: a row per thread" test "$(grep -c "pi-threads -n 199 -- xxx" "$TEST_TMP/out")" = 200
check "--batch -H --top: every row says its command line was cut, and how big it was" \
	test "$(grep -c " … \[$grouped bytes, cut\]\$" "$TEST_TMP/out")" = 200
longest_line_below 4400 "--batch -H --top: the process's first row holds 4 KiB of it"
longest_line_below 500 "--batch -H --top: its other rows (the threads named worker-N) hold less" ' worker-[0-9]+: '
out_has "--batch -H --top: a thread's row names the thread first" \
	"^ *[0-9]+ .* worker-0: [^ ]*pi-threads -n 199 -- x+ … \[$grouped bytes, cut\]\$"

# --- Batch text, the whole system. ---------------------------------------------
run_pinspect --batch -n 1 -H
status_is "--batch -H: exit 0" 0
size_below "--batch -H: the whole refresh is far smaller than 200 command lines"
check "--batch -H: every row of the process says the cut" \
	test "$(grep "pi-threads -n 199 -- xxx" "$TEST_TMP/out" | grep -c " … \[$grouped bytes, cut\]\$")" = 200
run_pinspect --batch -n 1
status_is "--batch (a row per process): exit 0" 0
out_has "--batch: the process's row says the cut" "^ *$pid .*pi-threads -n 199 -- x+ … \[$grouped bytes, cut\]\$"

# --- Batch JSON. ------------------------------------------------------------
run_pinspect --json -n 1 -H
status_is "--json -H: exit 0" 0
size_below "--json -H: the whole document is far smaller than 200 command lines"
check "--json -H: it parses" bash -c "jq -e . '$TEST_TMP/out' >/dev/null"
jq_check "--json -H: a row per thread, each saying the command line was cut and its size" \
	'[.tasks[] | select(.pid == $p)] | length == 200
	 and all(.cmdline_truncated == true and .cmdline_bytes == $b)' \
	--argjson p "$pid" --argjson b "$bytes"
jq_check "--json -H: the first row holds 4 KiB of it, the other rows 256 bytes" \
	'[.tasks[] | select(.pid == $p) | .cmdline | length] as $l
	 | $l[0] == 4096 and ($l[1:] | all(. == 256))' --argjson p "$pid"
jq_check "--json -H: what is kept is the command line's beginning" \
	'[.tasks[] | select(.pid == $p)][0] | (.cmdline | startswith($s)) and (.command | startswith($s))' \
	--argjson p "$pid" --arg s "$(tr '\0' ' ' <"/proc/$pid/cmdline" | head -c 200)"
jq_check "--json: a command line that fits is whole, and says so" \
	'[.tasks[] | select(.pid != $p and .kernel_thread == false)][0]
	 | .cmdline_truncated == false and .cmdline_bytes > 0 and (.cmdline | length) <= .cmdline_bytes' \
	--argjson p "$pid"

# --- The snapshot. --------------------------------------------------------------
run_pinspect "$pid"
status_is "snapshot: exit 0" 0
out_has "snapshot: the Command line is cut, saying how big it was and where it is whole" \
	"^  Command +[^ ]*pi-threads -n 199 -- x+ … \[$grouped bytes, cut\]; --json has it whole\$"
longest_line_below 4400 "snapshot: no line of megabytes"
run_pinspect --json "$pid"
status_is "snapshot --json: exit 0" 0
jq_check "snapshot --json: the arguments are whole (scripts want them)" \
	'.cmdline | length == 19 and (.[4:] | all(length == 131071))'

# --- Memory. -----------------------------------------------------------------
rss_below "$RSS_BOUND" "--batch -H --top: peak memory bounded" --batch -n 1 -H --top "$pid"
rss_below "$RSS_BOUND" "--json -H: peak memory bounded" --json -n 1 -H
rss_below "$RSS_BOUND" "--batch -H, three refreshes: peak memory bounded" --batch -n 3 -d 0.1 -H

# --- The live view. ----------------------------------------------------------
if command -v tmux >/dev/null; then
	tm_start
	live -d 0.2 -H --top "$pid"
	see "live: the threads' rows show the command line" ' worker-0: [^ ]*pi-threads -n 199 -- x'
	sleep 1
	live=$(live_pid)
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$live/status" 2>/dev/null)
	if [ -n "$hwm" ] && [ "$hwm" -lt "$RSS_BOUND" ]; then ok "live: peak memory bounded after refreshes ($hwm KiB)"; else
		not_ok "live: peak memory bounded after refreshes" "VmHWM ${hwm:-unknown} KiB, bound $RSS_BOUND KiB"; fi
	keys q
	see "live: q quits" '^exit=0$'
	vg_clean "live view of a 2 MB command line"
else
	not_ok "tmux is installed (apt-get install tmux) to test the live view"
fi

done_testing
