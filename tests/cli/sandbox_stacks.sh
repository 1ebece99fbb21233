#!/bin/bash
# The unwinder, symbolizer and demangler run in a sandboxed child
# (src/collect/stack_sandbox.h): a target whose files make the parsers
# crash costs its stacks, never pinspect; and the child runs confined.
# Every pinspect is bounded by `timeout` (PINSPECT_TIMEOUT): a regression
# that hangs fails here instead of hanging the suite; no speed is checked.
. "$(dirname "$0")/lib.sh"

PINSPECT_TIMEOUT=120
[ "${PINSPECT_VALGRIND:-}" = 1 ] && PINSPECT_TIMEOUT=900

# A library the process maps, cut short past its loaded segments and
# written back, over and over (tests/helpers/truncating.c): a parser that
# mapped the file gets SIGBUS when it reads past the cut. Before the
# sandbox, pinspect itself died of it (libthread_db's symbol lookup, most
# runs); now the child dies and that process's stacks say why, or the
# parse wins the race and the stacks are there.
mkdir "$TEST_TMP/lib"
cp "$HELPERS/libpi-linked.so" "$TEST_TMP/lib/" \
	|| { echo "Bail out! cannot copy libpi-linked.so"; exit 99; }
start_helper pi-truncating "$TEST_TMP/lib/libpi-linked.so"
pid=$HELPER_PID

runs=5
[ "${PINSPECT_VALGRIND:-}" = 1 ] && runs=2
crashed=0
for i in $(seq 1 $runs); do
	run_pinspect --json "$pid"
	status_is "truncated library, run $i: exit 0 (a stack that could not be read is shown unavailable)" 0
	jq_check "truncated library, run $i: t1 and t2 have their frames in the library, or say the decoder failed in its sandbox" \
		'. as $p | [.threads[] | select(.comm == "t1" or .comm == "t2")] | length == 2 and all(
		   . as $t | ([.user_stack[]?.function] | index("pi_linked_take_ab") or index("pi_linked_take_ba"))
		   or ([$p.unavailable[] | select((.tid == $t.tid or .all_threads) and .item == "user_stack" and (.reason | test("decoder|sandbox")))] | length == 1))'
	jq -e '[.unavailable[] | select(.reason | test("decoder"))] | length > 0' "$TEST_TMP/out" >/dev/null \
		&& crashed=$((crashed + 1))
done
echo "# the decoder died in its sandbox in $crashed of $runs runs"
run_pinspect "$pid"
status_is "truncated library, text: exit 0" 0
out_has "text: the process's own stack is read (the truncating thread)" 'cut_and_restore|usleep|nanosleep'

# The child is confined before it reads anything: as root it becomes
# nobody; then it installs its seccomp filter; after that every open is
# refused (EPERM), and its files come through the broker. strace -f shows
# every process's system calls, the child's included.
if ! command -v strace >/dev/null; then
	skip "the child opens nothing after its filter" "strace is not installed"
elif [ "${PINSPECT_VALGRIND:-}" = 1 ]; then
	skip "the child opens nothing after its filter" "valgrind runs the child without the filter"
else
	start_helper pi-threads -n 2
	trace=$TEST_TMP/strace
	# A sanitizer's leak check cannot run under ptrace (strace's).
	PINSPECT_WRAP=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
		       strace -f -qq -e trace=openat,open,setresuid,seccomp,prctl -o "$trace")
	run_pinspect --json "$HELPER_PID"
	PINSPECT_WRAP=()
	status_is "under strace: exit 0" 0
	jq_check "under strace: every thread's stack unwound and symbolized by the child" \
		'[.threads[].user_stack | length > 3] | all'
	main=$(awk 'NR == 1 { print $1 }' "$trace")
	# The children: processes other than pinspect that installed a filter.
	children=$(awk -v main="$main" '$1 != main && /seccomp\(SECCOMP_SET_MODE_FILTER|PR_SET_SECCOMP/ { print $1 }' "$trace" | sort -u)
	check "a sandboxed child installed its seccomp filter" test -n "$children"
	bad=$(for c in $children; do
		awk -v c="$c" '$1 == c && /seccomp\(SECCOMP_SET_MODE_FILTER|PR_SET_SECCOMP/ { f = 1; next }
			$1 == c && f && /open(at)?\(/ && !/= -1 EPERM/ { print }' "$trace"
	done)
	check "no open succeeded, or was tried but refused, in a child after its filter: $(echo "$bad" | head -3)" \
		test -z "$bad"
	if [ "$(id -u)" = 0 ]; then
		nobody=$(for c in $children; do grep -E "^$c +setresuid\(65534, 65534, 65534\) += 0" "$trace"; done | wc -l)
		check "as root, each child became nobody" test "$nobody" -ge 1
	else
		skip "as root, each child became nobody" "not root"
	fi
fi

# Without root there is no user to give up: the child keeps pinspect's,
# and the rest of the confinement is the same. A user reads the stacks of
# a process of its own.
if [ "$(id -u)" = 0 ]; then
	nobody=$(id -u nobody 2>/dev/null || echo 65534)
	as_nobody=(setpriv --reuid="$nobody" --regid="$nobody" --clear-groups)
	# valgrind's log goes to $TEST_TMP, and pinspect runs as nobody: a
	# new log, in a directory it may write to.
	if [ "${PINSPECT_VALGRIND:-}" = 1 ]; then
		chmod 1777 "$TEST_TMP"
		rm -f "$TEST_TMP/valgrind"
	fi
	start_program "${as_nobody[@]}" "$HELPERS/pi-threads" -n 2
	PINSPECT_WRAP=("${as_nobody[@]}")
	run_pinspect --json "$HELPER_PID"
	PINSPECT_WRAP=()
	status_is "as a user, its own process: exit 0" 0
	jq_check "as a user, its own process: every thread's stack unwound and symbolized in the sandbox" \
		'([.threads[].user_stack | length > 3] | all) and (.unavailable | map(select(.item == "user_stack")) | length == 0)'
else
	start_helper pi-threads -n 2
	run_pinspect --json "$HELPER_PID"
	status_is "as a user, its own process: exit 0" 0
	jq_check "as a user, its own process: every thread's stack unwound and symbolized in the sandbox" \
		'[.threads[].user_stack | length > 3] | all'
fi

done_testing
