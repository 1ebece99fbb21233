#!/bin/bash
# The snapshot for the person at the terminal: the summary first, then the
# sections in their order; --sections and its short-hands choose them; an
# unknown name is a usage error naming the valid ones; on a terminal the
# memory map and the stack groups are cut, with the rest one option away;
# pinspect TID puts that thread first, marked, and names its process.
. "$(dirname "$0")/lib.sh"

# titles: the section titles of the last output, in order, on one line.
titles() {
	grep -E '^[A-Z][A-Z ]+$' "$TEST_TMP/out" | tr '\n' ' ' | sed 's/ $//'
}

# on_tty ARGS...: pinspect with its stdout on a terminal (script(1) gives
# it a pseudo-terminal); the output, without the terminal's \r, in out.
on_tty() {
	script -qec "$(printf '%q ' "$PINSPECT_BIN" "$@")" /dev/null </dev/null 2>"$TEST_TMP/err" |
		tr -d '\r' >"$TEST_TMP/out"
	STATUS=${PIPESTATUS[0]}
}

start_helper pi-threads -n 3
pid=$HELPER_PID

run_pinspect --no-ptrace "$pid"
status_is "a snapshot exits 0" 0
check "the summary comes first, then every section in order" test "$(titles)" = \
	"SUMMARY IDENTITY STATE SCHEDULING SIGNALS MEMORY THREADS FINDINGS"
check "the summary follows the first line at once" \
	test "$(sed -n 3p "$TEST_TMP/out")" = SUMMARY
out_has "summary: the process, its threads" "^  Process +$pid \\(pi-threads\\), 4 threads, started "
out_has "summary: the state and what it means" '^  State +S  interruptible sleep'
out_has "summary: no findings" '^  Findings +none$'
out_has "summary: nothing to do" '^  Next +nothing to do'
maps_count=$(wc -l <"/proc/$pid/maps")
check "not on a terminal, the memory map is whole" \
	test "$(grep -cE '^  [0-9a-f]{16} [0-9a-f]{16} ' "$TEST_TMP/out")" = "$maps_count"
out_lacks "not on a terminal, nothing is cut" 'more mappings|more stack groups'

# A stopped process: the finding and what to do, before the detail.
start_helper pi-threads -n 1
stopped=$HELPER_PID
kill -STOP "$stopped"
wait_state "$stopped" T
run_pinspect --no-ptrace "$stopped"
kill -CONT "$stopped"
summary=$(sed -n '/^SUMMARY$/,/^IDENTITY$/p' "$TEST_TMP/out")
check "summary: the stopped finding, in one line" grep -qE '^    stopped +.*stopped' <<<"$summary"
check "summary: what to do: kill -CONT" grep -qE "^  Next +to resume it: kill -CONT $stopped\$" <<<"$summary"
check "summary: the manual's section" grep -qE '^ +read pinspect\(1\), PROCESS STATES$' <<<"$summary"

# --sections: a list, + and -, the short-hands.
run_pinspect --no-ptrace --sections=summary,threads "$pid"
status_is "--sections=summary,threads exits 0" 0
check "--sections=summary,threads prints those two" test "$(titles)" = "SUMMARY THREADS"
run_pinspect --no-ptrace --sections=threads,summary "$pid"
check "the order is the snapshot's, not the list's" test "$(titles)" = "SUMMARY THREADS"
run_pinspect --no-ptrace --sections=-signals,-scheduling "$pid"
check "--sections=-signals,-scheduling leaves those out" test "$(titles)" = \
	"SUMMARY IDENTITY STATE MEMORY THREADS FINDINGS"
run_pinspect --no-ptrace --sections=summary --sections=+findings "$pid"
check "--sections twice: the lists apply in order" test "$(titles)" = "SUMMARY FINDINGS"

run_pinspect --no-ptrace --no-maps "$pid"
cp "$TEST_TMP/out" "$TEST_TMP/no-maps"
out_has "--no-maps: the memory sizes stay" '^  Resident '
out_lacks "--no-maps: no memory map" '^  START +END +PERM'
out_lacks "--no-maps: no mapping rows" '^  [0-9a-f]{16} [0-9a-f]{16} '
run_pinspect --no-ptrace --sections=-maps "$pid"
# The lines that change between two snapshots (times, switch counts) aside.
check "--no-maps is --sections=-maps" test \
	"$(grep -vE 'ago|snapshot at|Run queue|Switches|^[ >] [0-9]|^ +[0-9]+ thread' "$TEST_TMP/no-maps" | md5sum)" = \
	"$(grep -vE 'ago|snapshot at|Run queue|Switches|^[ >] [0-9]|^ +[0-9]+ thread' "$TEST_TMP/out" | md5sum)"

run_pinspect --no-ptrace "$pid"
out_has "by default, each thread's stack is shown" '^ +user +#0 .*pi_wait_here|^ +#[0-9]+ .*pi_wait_here'
run_pinspect --no-ptrace --no-stacks "$pid"
out_has "--no-stacks: the thread table stays" "^  $pid +pi-threads +S sleeping"
out_lacks "--no-stacks: no user stacks" 'pi_wait_here'
out_lacks "--no-stacks: no kernel stacks, registers or TLS" '^ +(kernel|regs|tls) '
run_pinspect --no-ptrace --no-threads "$pid"
check "--no-threads: no THREADS section" test "$(titles)" = \
	"SUMMARY IDENTITY STATE SCHEDULING SIGNALS MEMORY FINDINGS"
run_pinspect --no-ptrace --sections=maps "$pid"
check "--sections=maps: the map alone, under MEMORY" test "$(titles)" = "MEMORY"
out_lacks "--sections=maps: not the sizes" '^  Resident '
check "--sections=maps: every mapping" \
	test "$(grep -cE '^  [0-9a-f]{16} [0-9a-f]{16} ' "$TEST_TMP/out")" = "$maps_count"

# Bad lists and bad company: usage errors (2) that say what is valid.
for bad in bogus "" "summary,,threads" "+" "threads,mapz"; do
	run_pinspect --sections="$bad" "$pid"
	status_is "--sections='$bad': exit status 2" 2
	err_has "--sections='$bad': the valid names are listed" \
		'valid: all, summary, identity, state, scheduling, signals, memory, maps, threads, stacks, locks, waits, findings, unavailable'
	check "--sections='$bad': nothing on stdout" test ! -s "$TEST_TMP/out"
done
run_pinspect --sections=mapz "$pid"
err_has "the unknown name is named" "'mapz' is not a section"
run_pinspect --json --sections=summary "$pid"
status_is "--sections with --json: exit status 2" 2
err_has "--sections with --json: says JSON has every key" 'json always has every key'
run_pinspect --json --no-maps "$pid"
status_is "--no-maps with --json: exit status 2" 2
run_pinspect --check --full
status_is "--full with a scan: exit status 2" 2
err_has "--full with a scan: says it is for the snapshot" '--full is for the snapshot'
run_pinspect --batch -n 1 --no-threads
status_is "--no-threads in batch mode: exit status 2" 2
check "--help lists the section names" sh -c \
	"'$PINSPECT_BIN' --help | grep -q 'summary,' && '$PINSPECT_BIN' --help | grep -q -- '--no-maps'"

# On a terminal: the map cut to 16 mappings, the rest counted; whole with
# --full or when named.
on_tty --no-ptrace "$pid"
status_is "on a terminal: exit 0" 0
check "on a terminal: the summary first" test "$(titles)" = \
	"SUMMARY IDENTITY STATE SCHEDULING SIGNALS MEMORY THREADS FINDINGS"
check "on a terminal: 16 mappings" test "$(grep -cE '^  [0-9a-f]{16} [0-9a-f]{16} ' "$TEST_TMP/out")" = 16
out_has "on a terminal: the rest counted, and how to see them" \
	"^  … $((maps_count - 16)) more mappings: --sections=\\+maps or --full\$"
on_tty --no-ptrace --full "$pid"
check "on a terminal, --full: every mapping" \
	test "$(grep -cE '^  [0-9a-f]{16} [0-9a-f]{16} ' "$TEST_TMP/out")" = "$maps_count"
out_lacks "on a terminal, --full: nothing cut" 'more mappings'
on_tty --no-ptrace --sections=+maps "$pid"
check "on a terminal, --sections=+maps: every mapping" \
	test "$(grep -cE '^  [0-9a-f]{16} [0-9a-f]{16} ' "$TEST_TMP/out")" = "$maps_count"
check "on a terminal, --sections=+maps: every section still" test "$(titles)" = \
	"SUMMARY IDENTITY STATE SCHEDULING SIGNALS MEMORY THREADS FINDINGS"

# Many threads with nine distinct stacks: six groups on a terminal.
start_helper pi-threads -n 20 -m varied
many=$HELPER_PID
run_pinspect --no-ptrace "$many"
groups=$(grep -cE '^  [0-9]+ threads?: ' "$TEST_TMP/out")
check "not on a terminal: every stack group ($groups)" test "$groups" -gt 7
on_tty --no-ptrace "$many"
check "on a terminal: six stack groups" test "$(grep -cE '^  [0-9]+ threads?: ' "$TEST_TMP/out")" = 6
out_has "on a terminal: the other groups counted" \
	"^  … $((groups - 6)) more stack groups: --sections=\\+threads or --full\$"
on_tty --no-ptrace --sections=+threads "$many"
check "on a terminal, --sections=+threads: every group" \
	test "$(grep -cE '^  [0-9]+ threads?: ' "$TEST_TMP/out")" = "$groups"

# pinspect TID: the thread first and marked, and whose it is.
tid=$(ls "/proc/$pid/task" | sort -n | sed -n 3p)
name=$(cat "/proc/$pid/task/$tid/comm")
check "the TID is not the main thread's" test "$tid" != "$pid"
run_pinspect --no-ptrace "$tid"
status_is "a TID snapshot exits 0" 0
out_has "the first line is the process's" "^pinspect: process $pid \\(pi-threads\\)"
out_has "summary: the thread asked for, and its process" \
	"^  Thread +$tid \\($name\\), the thread asked for, of process $pid \\(pi-threads\\)"
check "THREADS: the thread asked for is the first row" test \
	"$(sed -n '/^THREADS$/,$p' "$TEST_TMP/out" | grep -E '^[ >] [0-9]+ ' | head -1 | awk '{print $1, $2}')" = "> $tid"
check "THREADS: only it is marked" test "$(grep -cE '^> [0-9]+ ' "$TEST_TMP/out")" = 1
check "THREADS: every thread is still listed" \
	test "$(sed -n '/^THREADS$/,$p' "$TEST_TMP/out" | grep -cE '^[ >] [0-9]+ ')" = 4
run_pinspect --json --no-ptrace "$tid"
jq_check "JSON: selected_tid names the thread, the document is the process's" \
	'.selected_tid == $tid and .pid == $pid and (.threads | length) == 4 and .threads[0].tid == $pid' \
	--argjson tid "$tid" --argjson pid "$pid"
run_pinspect --json --no-ptrace "$pid"
jq_check "JSON: selected_tid is null for a PID" '.selected_tid == null'
run_pinspect --no-ptrace "$pid"
out_lacks "a PID: no thread is marked" '^> '
out_lacks "a PID: no Thread line" '^  Thread '

# Past 16 threads, the thread asked for is shown on its own first.
tid=$(ls "/proc/$many/task" | sort -n | sed -n 7p)
run_pinspect --no-ptrace "$tid"
out_has "many threads: the thread asked for, on its own" '^  The thread asked for:$'
check "many threads: its row is marked, before the groups" test \
	"$(sed -n '/^THREADS$/,$p' "$TEST_TMP/out" | grep -E '^> [0-9]+ |^  [0-9]+ threads?: ' | head -1 | awk '{print $1, $2}')" = "> $tid"

done_testing
