# Shared by the end-to-end tests: run pinspect (under valgrind when
# PINSPECT_VALGRIND=1), start helper processes in known states, and report
# in TAP, one line per check.
#
# Every helper a test starts is killed when the test exits, however it
# exits.

set -u

: "${abs_top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${abs_top_srcdir:=$abs_top_builddir}"
PINSPECT_BIN=$abs_top_builddir/pinspect
HELPERS=$abs_top_builddir/tests/helpers
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pinspect-test.XXXXXX")
# Marks every process a test starts, and its children: tests/leftovers.sh
# finds by it anything still running after the suite.
export PINSPECT_TEST_RUN=$abs_top_builddir
# In an --enable-asan build, the leaks of libraries that pinspect cannot
# free are known (tests/lsan.supp); without ASan this is not read.
export LSAN_OPTIONS="suppressions=$abs_top_srcdir/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

tap_count=0
tap_failed=0
helper_pids=()
PINSPECT_WRAP=()	# a command run_pinspect runs pinspect under

# A task's start time (field 22 of its stat): with the PID, it names one
# process for good, where a PID alone is reused within minutes. (A name
# may hold a newline: the file is taken as one line.)
start_time_of() {
	tr -d '\n' <"/proc/$1/stat" 2>/dev/null | sed -E 's/.*\) //' | cut -d' ' -f20
}

cleanup() {
	local entry
	for entry in "${helper_pids[@]}"; do
		# Kill only what is still ours: the PID may belong to somebody
		# else by now (another test suite running beside this one).
		if [ "$(start_time_of "${entry%%:*}")" = "${entry#*:}" ]; then
			kill -KILL "${entry%%:*}" 2>/dev/null
		fi
	done
	wait 2>/dev/null
	rm -rf "$TEST_TMP"
}
trap cleanup EXIT

ok() {
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $1"
}

not_ok() {
	tap_count=$((tap_count + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_count - $1"
	shift
	local line
	for line in "$@"; do
		printf '#   %s\n' "$line"
	done
}

skip() {
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $1 # SKIP $2"
}

done_testing() {
	echo "1..$tap_count"
	[ "$tap_failed" -eq 0 ]
}

# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then
		ok "$desc"
	else
		not_ok "$desc" "command: $*" "stdout: $(head -c 2000 "$TEST_TMP/out" 2>/dev/null)" \
			"stderr: $(head -c 2000 "$TEST_TMP/err" 2>/dev/null)"
	fi
}

# valgrind_log_clean LOG: valgrind found nothing in pinspect.
valgrind_log_clean() {
	# Valgrind 3.19 (Debian 12) does not know openat2 (syscall 437): it
	# warns, in five lines, and fails the call with ENOSYS, and pinspect
	# takes its fallback (proc/target_open.c). That warning is about
	# valgrind, not pinspect's memory; anything else in the log is.
	! grep -qvE '^--[0-9]+-- (WARNING: unhandled amd64-linux syscall: 437|You may be able to write your own handler\.|Read the file README_MISSING_SYSCALL_OR_IOCTL\.|Nevertheless we consider this a bug\.  Please report|it at http://valgrind\.org/support/bug_reports\.html\.)$' "$1" 2>/dev/null
}

# run_pinspect ARGS...: runs pinspect; leaves $STATUS, and its output in
# $TEST_TMP/out and $TEST_TMP/err. Under valgrind, memory errors or leaks
# turn into a failed check of their own. With PINSPECT_TIMEOUT=SECONDS set,
# a pinspect that hangs is killed then (status 124): for the tests whose
# point is "does not hang", never a measure of speed.
run_pinspect() {
	local bound=()
	[ -n "${PINSPECT_TIMEOUT:-}" ] && bound=(timeout -k 5 "$PINSPECT_TIMEOUT")
	if [ "${PINSPECT_VALGRIND:-}" = 1 ]; then
		# Valgrind runs pinspect twenty times slower: the default time
		# budget (--timeout 5) would cut reads the test expects whole.
		# A test that sets the budget keeps its own.
		case " $* " in *" --timeout"*) ;; *) set -- --timeout=60 "$@" ;; esac
		"${bound[@]}" ${PINSPECT_WRAP[@]+"${PINSPECT_WRAP[@]}"} valgrind --quiet --error-exitcode=97 --leak-check=full \
			--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
			--suppressions="$abs_top_srcdir/tests/valgrind.supp" \
			--log-file="$TEST_TMP/valgrind" \
			"$PINSPECT_BIN" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
		STATUS=$?
		if [ "$STATUS" = 97 ] || ! valgrind_log_clean "$TEST_TMP/valgrind"; then
			not_ok "valgrind is clean for: pinspect $*" "$(head -c 4000 "$TEST_TMP/valgrind")"
		fi
	else
		"${bound[@]}" ${PINSPECT_WRAP[@]+"${PINSPECT_WRAP[@]}"} "$PINSPECT_BIN" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
		STATUS=$?
	fi
	return 0
}

# run_pinspect_no_perf ARGS...: run_pinspect with perf_event_open(2)
# forbidden by a seccomp filter (tests/helpers/pi-no-perf), as a
# container's default seccomp profile forbids it.
run_pinspect_no_perf() {
	PINSPECT_WRAP=("$HELPERS/pi-no-perf")
	run_pinspect "$@"
	PINSPECT_WRAP=()
}

# jq_check DESCRIPTION FILTER [JQ ARGS...]: the last output, as JSON,
# satisfies the jq FILTER (which must yield true).
jq_check() {
	local desc=$1 filter=$2
	shift 2
	# jq -e passes on no input at all: an empty output is a failure.
	if [ -s "$TEST_TMP/out" ] && jq -e "$@" "$filter" "$TEST_TMP/out" >/dev/null 2>"$TEST_TMP/jq.err"; then
		ok "$desc"
	else
		not_ok "$desc" "jq filter: $filter" "jq says: $(cat "$TEST_TMP/jq.err")" \
			"json: $(head -c 1500 "$TEST_TMP/out")"
	fi
}

# out_has DESCRIPTION REGEX / err_has: the last stdout / stderr matches.
out_has() {
	if grep -Eq -- "$2" "$TEST_TMP/out"; then ok "$1"; else
		not_ok "$1" "no line matches: $2" "stdout: $(head -c 3000 "$TEST_TMP/out")"; fi
}
out_lacks() {
	if ! grep -Eq -- "$2" "$TEST_TMP/out"; then ok "$1"; else
		not_ok "$1" "a line matches: $2" "$(grep -E -- "$2" "$TEST_TMP/out" | head -5)"; fi
}
err_has() {
	if grep -Eq -- "$2" "$TEST_TMP/err"; then ok "$1"; else
		not_ok "$1" "no line matches: $2" "stderr: $(head -c 2000 "$TEST_TMP/err")"; fi
}
status_is() {
	if [ "$STATUS" = "$2" ]; then ok "$1"; else
		not_ok "$1" "exit status $STATUS, expected $2" "stderr: $(head -c 2000 "$TEST_TMP/err")"; fi
}

# start_helper NAME ARGS...: starts tests/helpers/NAME in the background
# and waits (up to 10 s) for it to print "ready". Sets HELPER_PID, and
# HELPER_OUT to the file holding its output.
start_helper() {
	local name=$1
	shift
	start_program "$HELPERS/$name" "$@"
}

# start_program COMMAND...: start_helper for any command (a copy of a
# helper elsewhere, or one run through setpriv or unshare, which exec it:
# HELPER_PID is then the helper's).
start_program() {
	HELPER_OUT=$TEST_TMP/helper.${1##*/}.$RANDOM
	"$@" >"$HELPER_OUT" 2>&1 &
	HELPER_PID=$!
	track "$HELPER_PID"
	wait_ready "$*"
}

# wait_ready WHAT: waits up to 10 s for HELPER_OUT to say "ready"; bails
# out naming WHAT if it does not.
wait_ready() {
	local i
	for i in $(seq 1 200); do
		grep -q '^ready$' "$HELPER_OUT" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "Bail out! $1 did not get ready: $(cat "$HELPER_OUT")"
	exit 99
}

# start_helper_in_pidns NAME ARGS...: start_helper, with the helper in a
# PID namespace of its own, as in a container: it sees itself as PID 1 and
# its threads as 2, 3, ..., and so do the numbers it keeps in memory.
# HELPER_PID is its PID as we see it. Returns 1 when no namespace can be
# made here (then nothing is started).
start_helper_in_pidns() {
	local ns=(unshare --pid --fork)
	[ "$(id -u)" = 0 ] || ns=(unshare --user --map-root-user --pid --fork)
	"${ns[@]}" true 2>/dev/null || return 1
	local name=$1
	shift
	HELPER_OUT=$TEST_TMP/helper.$name.$RANDOM
	"${ns[@]}" "$HELPERS/$name" "$@" >"$HELPER_OUT" 2>&1 &
	track $!
	wait_ready "helper $name"
	# unshare --fork waits for its child, the helper.
	HELPER_PID=$(cat /proc/$!/task/*/children | tr -s ' ' '\n' | grep . | head -n 1)
	track "$HELPER_PID"
}

# tids_named PID NAME...: the TIDs of PID's threads with these names, as
# we see them, sorted, comma-separated.
tids_named() {
	local pid=$1 name
	shift
	for name in "$@"; do
		grep -lx -- "$name" /proc/"$pid"/task/*/comm | cut -d/ -f5
	done | sort -n | paste -sd,
}

# track PID: kill PID when the test ends (if it is still the same process).
track() {
	helper_pids+=("$1:$(start_time_of "$1")")
}

# start_vfork_parent: tests/helpers/pi-vfork-parent, a parent in D (the
# vfork wait) and its child, both reaped when the test ends; sets
# VFORK_PARENT and VFORK_CHILD.
start_vfork_parent() {
	start_helper pi-vfork-parent
	VFORK_PARENT=$HELPER_PID
	VFORK_CHILD=$(sed -n 2p "$HELPER_OUT")
	track "$VFORK_CHILD"
	wait_state "$VFORK_PARENT" D
}

# start_sleep [SECONDS]: a "sleep SECONDS" (600) asleep in its system
# call (state S, once it is sleep, not the shell about to exec it); sets
# SLEEP_PID.
start_sleep() {
	local i
	sleep "${1:-600}" &
	SLEEP_PID=$!
	track "$SLEEP_PID"
	for i in $(seq 1 100); do
		[ "$(cat "/proc/$SLEEP_PID/comm" 2>/dev/null)" = sleep ] && break
		sleep 0.02
	done
	wait_state "$SLEEP_PID" S
}

# start_stopped_sleep: a "sleep 600" stopped by SIGSTOP (state T); sets
# STOPPED_PID.
start_stopped_sleep() {
	start_sleep 600
	STOPPED_PID=$SLEEP_PID
	kill -STOP "$STOPPED_PID"
	wait_state "$STOPPED_PID" T
}

# start_traced_sleep: a "sleep 600" held at a ptrace stop by pi-tracer
# (state t); sets TRACED_PID and TRACER_PID.
start_traced_sleep() {
	sleep 600 &
	TRACED_PID=$!
	track "$TRACED_PID"
	start_helper pi-tracer "$TRACED_PID" stop
	TRACER_PID=$HELPER_PID
	wait_state "$TRACED_PID" t
}

# task_state PID: the state letter of a task, from /proc.
task_state() {
	sed -E 's/.*\) (.).*/\1/' "/proc/$1/stat" 2>/dev/null
}

# wait_state PID LETTER: waits up to 10 s for a task to reach a state.
wait_state() {
	local i
	for i in $(seq 1 200); do
		[ "$(task_state "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	echo "Bail out! task $1 never reached state $2 (it is in $(task_state "$1"))"
	exit 99
}

# written_within FILE SECONDS: FILE is non-empty within SECONDS (a helper
# that writes down what it saw needs the CPU to say so, which a busy
# machine may be slow to give).
written_within() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# kernel_thread_pid: the PID of some kernel thread.
kernel_thread_pid() {
	local d
	for d in /proc/[0-9]*; do
		if grep -q '^Kthread:[[:space:]]*1' "$d/status" 2>/dev/null; then
			echo "${d#/proc/}"
			return
		fi
	done
	# Kernels before 6.x lack the Kthread line; kthreadd is PID 2.
	echo 2
}

# need_root: true when running as root; otherwise records a skip saying
# why.
need_root() {
	if [ "$(id -u)" = 0 ]; then
		return 0
	fi
	skip "$1" "needs root (CI runs as root)"
	return 1
}
