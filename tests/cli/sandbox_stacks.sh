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

# The same with a separate debug file, cut while it is read: the library
# stripped, its debug file where its build-id names it
# (/usr/lib/debug/.build-id/xx/yyyy.debug), in the process's own mount
# namespace (a tmpfs there, so the host's directory is left alone); and
# pi-truncating cuts and restores that file over and over. Its symbols
# name the locks and the functions, and libthread_db's lookups may index
# it; all of that is read in the sandboxed child (the TLS pointers and the
# lock names with the stacks), so pinspect itself never maps it and cannot
# die of it: each run ends with exit 0, every thread's lock word read (by
# pinspect), and each thing the child was to find there, or the reason it
# is missing.
mkdir "$TEST_TMP/dbg"
( cd "$TEST_TMP/dbg" && cp "$HELPERS/libpi-linked.so" . \
	&& objcopy --only-keep-debug libpi-linked.so libpi-linked.debug \
	&& strip --strip-all libpi-linked.so ) \
	|| { echo "Bail out! cannot prepare the stripped library and its debug file"; exit 99; }
build_id=$(readelf -n "$TEST_TMP/dbg/libpi-linked.so" | awk '/Build ID:/ { print $3 }')
if [ "$(id -u)" != 0 ] || ! unshare -m --propagation private true 2>/dev/null; then
	skip "truncated debug file" "needs root and a mount namespace of its own (unshare -m)"
	pid=
elif [ -z "$build_id" ]; then
	skip "truncated debug file" "libpi-linked.so was built without a build-id"
	pid=
else
	debug=/usr/lib/debug/.build-id/${build_id:0:2}/${build_id:2}.debug
	start_program unshare -m --propagation private sh -e -c '
		mkdir -p /usr/lib/debug
		mount -t tmpfs pi-debug /usr/lib/debug
		mkdir -p "${3%/*}"
		cp "$2" "$3"
		exec "$1" "$4" "$3"' sh "$HELPERS/pi-truncating" "$TEST_TMP/dbg/libpi-linked.debug" \
		"$debug" "$TEST_TMP/dbg/libpi-linked.so"
	pid=$HELPER_PID
fi
crashed=0
for i in $(seq 1 $runs); do
	[ -n "$pid" ] || break
	run_pinspect --json "$pid"
	status_is "truncated debug file, run $i: exit 0" 0
	jq_check "truncated debug file, run $i: t1 and t2 have a stack, or the decoder's failure is said" \
		'. as $p | [.threads[] | select(.comm == "t1" or .comm == "t2")] | length == 2 and all(
		   . as $t | (.user_stack | length > 0)
		   or ([$p.unavailable[] | select((.tid == $t.tid or .all_threads) and .item == "user_stack" and (.reason | test("decoder|sandbox")))] | length == 1))'
	jq_check "truncated debug file, run $i: their lock words are read, named after the library's locks or not named at all" \
		'[.threads[] | select(.comm == "t1" or .comm == "t2") | .lock] | length == 2 and all(
		   . != null and .address != null and (.symbol == null or (.symbol | test("^pi_linked_lock_[ab]$"))))'
	jq_check "truncated debug file, run $i: each thread's TLS pointer from libthread_db, or the decoder's failure said" \
		'. as $p | all(.threads[]; .tls.source == "libthread_db" or .tls.source == "ptrace"
		   or ([$p.unavailable[] | select(.item == "tls" and (.reason | test("decoder|sandbox")))] | length == 1))'
	jq -e '[.unavailable[] | select(.reason | test("decoder"))] | length > 0' "$TEST_TMP/out" >/dev/null \
		&& crashed=$((crashed + 1))
done
[ -n "$pid" ] && echo "# the decoder died in its sandbox in $crashed of $runs runs"

# pinspect itself maps none of the target's files (libelf and libdw run
# in the child only): under strace, no mmap in pinspect's own process of
# a descriptor it opened on a target's file (through map_files, openat2
# in the target's root, or their reopening through /proc/self/fd), while
# the child does map them.
if [ -z "$pid" ]; then
	skip "pinspect maps no file of the target" "no target with a debug file (above)"
elif ! command -v strace >/dev/null; then
	skip "pinspect maps no file of the target" "strace is not installed"
else
	trace=$TEST_TMP/strace.maps
	PINSPECT_WRAP=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
		       strace -f -qq -e trace=openat,open,openat2,close,mmap -o "$trace")
	run_pinspect --json "$pid"
	PINSPECT_WRAP=()
	status_is "under strace: exit 0" 0
	main=$(awk 'NR == 1 { print $1 }' "$trace")
	# target_maps PID: the mmap calls of process PID of a target's file.
	target_maps() {
		awk -v who="$1" '
		$1 != who { next }
		/(map_files\/|openat2\(|\/proc\/self\/fd\/)/ && match($0, /= [0-9]+$/) { fd[substr($0, RSTART + 2)] = 1; next }
		/^[0-9]+ +close\(/ { c = $0; sub(/.*close\(/, "", c); sub(/\).*/, "", c); delete fd[c]; next }
		/ mmap\(/ { n = split($0, a, ", "); if (n >= 5 && (a[5] in fd)) print }' "$trace"
	}
	check "pinspect opened the target's files for its child" \
		grep -qE "^$main .*(map_files/|openat2\().*= [0-9]+$" "$trace"
	mapped=$(target_maps "$main")
	check "no mmap in pinspect's own process of a target's file: $(echo "$mapped" | head -2)" \
		test -z "$mapped"
fi

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
			$1 == c && f && ((/open(at)?\(/ && !/<unfinished \.\.\.>$/) || /<\.\.\. open(at)? resumed>/) \
				&& !/= -1 EPERM/ { print }' "$trace"
	done)
	check "no open succeeded, or was tried but refused, in a child after its filter: $(echo "$bad" | head -3)" \
		test -z "$bad"
	if [ "$(id -u)" = 0 ]; then
		# strace -f cuts a call that another process's line interrupts
		# into "<unfinished ...>" and "<... resumed>": both forms count.
		nobody=$(for c in $children; do
			awk -v c="$c" '$1 != c { next }
				/setresuid\(65534, 65534, 65534\) += 0$/ { n++ }
				/setresuid\(65534, 65534, 65534 <unfinished \.\.\.>$/ { cut = 1 }
				cut && /<\.\.\. setresuid resumed>.*= 0$/ { n++; cut = 0 }
				END { if (n) print c }' "$trace"
		done | wc -l)
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
