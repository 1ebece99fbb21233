#!/bin/bash
# Programs of other runtimes, built here from tests/helpers/ when their
# toolchain is installed: a Rust program blocked in a std::sync::Mutex,
# built with each of rustc's manglings, whose names come out as gdb
# prints them; a Go program with parked goroutines, whose threads' stacks
# end, complete, at the runtime's outermost frames, with no stale word
# shown as a frame, and which get no glibc TCB verdict; Java code, in a
# stand-in (pi-jit: code written at run time into anonymous executable
# memory, in a process that maps a libjvm.so) and in a real JVM, labelled
# or named from the JVM's perf map, which is hostile like the rest.
. "$(dirname "$0")/lib.sh"

# The perf maps this test writes in /tmp, removed however it ends.
perf_maps=()
trap 'rm -f "${perf_maps[@]}"; cleanup' EXIT

# The functions of thread NAME's stack, one per line.
functions_of() {
	jq -r --arg n "$1" '.threads[] | select(.comm == $n) | .user_stack[]? | .function // "??"' \
		"$TEST_TMP/out"
}

# --- Rust: both manglings ----------------------------------------------
if ! command -v rustc >/dev/null 2>&1; then
	skip "rust: names demangled" "rustc is not installed"
else
	for mangling in v0 legacy; do
		bin=$TEST_TMP/rust-$mangling
		# legacy is rustc's default (stable rustc takes the option
		# only for v0)
		flags=()
		[ "$mangling" = v0 ] && flags=(-C symbol-mangling-version=v0)
		if ! rustc -g -C force-frame-pointers=yes "${flags[@]}" \
			-o "$bin" "$abs_top_srcdir/tests/helpers/rust_mutex.rs" 2>"$TEST_TMP/rustc.err"; then
			not_ok "rust ($mangling): the helper builds" "$(head -c 2000 "$TEST_TMP/rustc.err")"
			continue
		fi
		# The mangled names are really there: the test is not vacuous.
		case $mangling in
		v0) check "rust (v0): the binary's names are v0" \
			bash -c "nm '$bin' | grep -q ' _RNvMCs[A-Za-z0-9_]*rust_mutexINtB[0-9]*_6HoldermE8wait_for'" ;;
		legacy) check "rust (legacy): the binary's names are legacy" \
			bash -c "nm '$bin' | grep -q ' _ZN10rust_mutex15Holder\$LT\$T\$GT\$8wait_for17h[0-9a-f]\{16\}E'" ;;
		esac
		start_program "$bin"
		run_pinspect --json "$HELPER_PID"
		status_is "rust ($mangling): exits 0" 0
		functions_of waiter >"$TEST_TMP/waiter"
		case $mangling in
		v0)
			check "rust (v0): the generic method, as gdb prints it" \
				grep -qxF '<rust_mutex::Holder<u32>>::wait_for' "$TEST_TMP/waiter"
			check "rust (v0): the thread's closure" \
				grep -qxF 'rust_mutex::main::{closure#0}' "$TEST_TMP/waiter" ;;
		legacy)
			check "rust (legacy): the method, hash dropped, \$LT\$ \$GT\$ decoded" \
				grep -qxF 'rust_mutex::Holder<T>::wait_for' "$TEST_TMP/waiter"
			check "rust (legacy): the thread's closure" \
				grep -qxF 'rust_mutex::main::{{closure}}' "$TEST_TMP/waiter" ;;
		esac
		# std's own mangling is the toolchain's: only its shape is checked.
		check "rust ($mangling): blocked in the Mutex's lock_contended, demangled" \
			grep -qE '^(<)?std::.*Mutex>?::lock_contended$' "$TEST_TMP/waiter"
		jq_check "rust ($mangling): no name is left mangled, no hash shown" \
			'[.threads[].user_stack[]?.function // empty
			  | select(test("^_R|^_ZN|::h[0-9a-f]{16}$|17h[0-9a-f]{16}E"))] == []'
		jq_check "rust ($mangling): main's stack is complete" \
			'.threads[0].unwind.truncated_reason == null
			 and (.threads[0].user_stack | map(.function) | index("rust_mutex::main")) != null'
		kill -KILL "$HELPER_PID"
		wait "$HELPER_PID" 2>/dev/null
	done
fi

# --- Go: its threads --------------------------------------------------
# Are all the program counters of the last output's user stacks inside
# executable mappings of process $1 (its maps read now)?
pcs_in_code() {
	jq -r '.threads[].user_stack[]?.pc' "$TEST_TMP/out" | python3 -c '
import sys
code = []
for line in open("/proc/%s/maps" % sys.argv[1]):
    f = line.split()
    if "x" in f[1]:
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        code.append((lo, hi))
bad = [pc for pc in map(int, sys.stdin.read().split()) if not any(lo <= pc < hi for lo, hi in code)]
print(" ".join(hex(pc) for pc in bad))
sys.exit(1 if bad else 0)' "$1"
}

if ! command -v go >/dev/null 2>&1; then
	skip "go: threads' stacks and TLS" "go is not installed (golang-go)"
else
	bin=$TEST_TMP/go-parked
	if ! GOCACHE=$TEST_TMP/gocache GOFLAGS= CGO_ENABLED=0 \
		go build -o "$bin" "$abs_top_srcdir/tests/helpers/go_parked.go" 2>"$TEST_TMP/go.err"; then
		not_ok "go: the helper builds" "$(head -c 2000 "$TEST_TMP/go.err")"
	else
		check "go: the binary is Go's (a .gopclntab section)" \
			bash -c "readelf -S '$bin' | grep -q '\.gopclntab'"
		start_program "$bin"
		pid=$HELPER_PID
		run_pinspect --json "$pid"
		status_is "go: exits 0" 0
		jq_check "go: every thread has a stack, and none is cut short" \
			'[.threads[] | (.user_stack | length) > 0 and .unwind.truncated_reason == null] | all'
		jq_check "go: each ends at the runtime's outermost frame (mstart, mcall, rt0_go)" \
			'[.threads[].user_stack | map(select(.inline | not)) | .[-1].function
			  | test("^runtime\\.(mstart|mcall|rt0_go|goexit|morestack)(\\.abi0)?$")] | all'
		check "go: no stale word past the last frame is shown as a frame" pcs_in_code "$pid"
		# Stopped, each thread's fs_base is known: the Go runtime's, no TCB.
		run_pinspect --consistent --json "$pid"
		status_is "go (--consistent): exits 0" 0
		jq_check "go (--consistent): every thread a Go runtime thread, no TCB verdict" \
			'[.threads[].tls | .fs_base > 0 and .go_runtime_thread == true
			  and .tcb_self_pointer_ok == null] | all'
		run_pinspect --consistent "$pid"
		out_has "go (--consistent): said in the text" 'fs_base .*; Go runtime thread: no glibc TCB'
		out_lacks "go (--consistent): no thread's TCB is called WRONG" 'TCB self-pointers WRONG'

		# Its goroutines, from the runtime's memory.
		run_pinspect --json "$pid"
		jq_check "goroutines: read, with the runtime's version, runtime.g from DWARF" \
			'.go.version | startswith("go1.")' 
		jq_check "goroutines: runtime.g's layout from the program's DWARF" '.go.layout == "DWARF"'
		# the goroutines whose stack holds function $1, as "wait_reason count"
		go_waits() {
			jq -r --arg f "$1" '[.go.goroutines[] | select([.stack[].function] | index($f))
				| .wait_reason] | group_by(.)[] | "\(.[0]) \(length)"' "$TEST_TMP/out"
		}
		check "goroutines: five parked on the channel" test "$(go_waits main.waitOnChannel)" = "chan receive 5"
		check "goroutines: one asleep" test "$(go_waits main.sleepLong)" = "sleep 1"
		check "goroutines: one waiting for the Mutex main holds" \
			bash -c "[[ '$(go_waits main.waitOnMutex)' =~ ^(semacquire|sync\.Mutex\.Lock)\ 1$ ]]"
		check "goroutines: the deadlocked two, each waiting for a Mutex" \
			bash -c "[[ '$(go_waits main.lockBoth)' =~ ^(semacquire|sync\.Mutex\.Lock)\ 2$ ]]"
		check "goroutines: main in a select with no cases" \
			test "$(go_waits main.main)" = "select (no cases) 1"
		jq_check "goroutines: every stack complete, out to runtime.goexit" \
			'[.go.goroutines[] | .truncated_reason == null and .stack[-1].function == "runtime.goexit"]
			 | all'
		jq_check "goroutines: source lines of the helper's own functions" \
			'[.go.goroutines[].stack[] | select(.function == "main.sleepLong")][0]
			 | (.file | endswith("tests/helpers/go_parked.go")) and .line == 28'
		jq_check "goroutines: the five with one stack are one group" \
			'[.go.groups[] | select(.count == 5)] | length == 1'
		jq_check "goroutines: no note that they are unread" \
			'[.unavailable[] | select(.item == "goroutines")] == []'
		run_pinspect "$pid"
		out_has "goroutines (text): counted, with the version" '^  GOROUTINES +1[0-9] \(of [0-9]+ in runtime.allgs\)'
		out_has "goroutines (text): the five as one group" '^  5 goroutines: [0-9]+ \[chan receive\]'
		out_has "goroutines (text): with their stack" 'main\.waitOnChannel  .*go_parked\.go:17$'
		out_has "goroutines (text): an inlined call marked" 'main\.napInlined  .*go_parked\.go:[0-9]+ \[inlined\]$'

		# Calls the compiler inlined are frames of their own, as Go's
		# tracebacks show them: the compiler does inline napInlined
		# (and sync.Mutex.Lock), so the test is not vacuous.
		GOCACHE=$TEST_TMP/gocache GOFLAGS= CGO_ENABLED=0 go build -gcflags=-m -o "$TEST_TMP/go-m" \
			"$abs_top_srcdir/tests/helpers/go_parked.go" >"$TEST_TMP/go-m.out" 2>&1
		check "go inlined: the compiler inlines napInlined" \
			grep -q 'inlining call to napInlined' "$TEST_TMP/go-m.out"
		run_pinspect --json "$pid"
		# the frames of the goroutine whose stack holds function $1, as
		# "function line inline" lines
		go_frames() {
			jq -r --arg f "$1" '[.go.goroutines[] | select([.stack[].function] | index($f))][0]
				| .stack[] | "\(.function) \(.line) \(.inline)"' "$TEST_TMP/out"
		}
		nap_line=$(grep -n 'time.Sleep(d)' "$abs_top_srcdir/tests/helpers/go_parked.go" | cut -d: -f1)
		call_line=$(grep -n 'napInlined(time.Hour)' "$abs_top_srcdir/tests/helpers/go_parked.go" | cut -d: -f1)
		go_frames main.napper | paste -sd'|' >"$TEST_TMP/napper"
		check "go inlined: napInlined a frame, inline, at its time.Sleep, then napper at the call" \
			grep -qF "|main.napInlined $nap_line true|main.napper $call_line false|" "$TEST_TMP/napper"
		go_frames main.lockBoth | paste -sd'|' >"$TEST_TMP/lockboth"
		check "go inlined: sync.(*Mutex).Lock inlined into lockBoth, below lockSlow" \
			grep -qE '\|sync\.\(\*Mutex\)\.lockSlow [0-9]+ false\|sync\.\(\*Mutex\)\.Lock [0-9]+ true\|main\.lockBoth [0-9]+ false\|' \
			"$TEST_TMP/lockboth"
		jq_check "go inlined: every goroutine still ends at runtime.goexit, a physical frame" \
			'[.go.goroutines[] | .stack[-1] | .function == "runtime.goexit" and .inline == false] | all'
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null

		# Without DWARF: runtime.g's offsets from the table for its
		# version. Stripped: no runtime.allgs, and said.
		GOCACHE=$TEST_TMP/gocache GOFLAGS= CGO_ENABLED=0 go build -ldflags=-w -o "$bin-nodwarf" \
			"$abs_top_srcdir/tests/helpers/go_parked.go" 2>"$TEST_TMP/go.err"
		start_program "$bin-nodwarf"
		run_pinspect --json "$HELPER_PID"
		jq_check "goroutines (no DWARF): offsets from the version's table" \
			'(.go.layout | endswith("offsets")) and ([.go.goroutines[] | select(.wait_reason == "chan receive")]
			 | length == 5)'
		kill -KILL "$HELPER_PID"
		wait "$HELPER_PID" 2>/dev/null
		GOCACHE=$TEST_TMP/gocache GOFLAGS= CGO_ENABLED=0 go build -ldflags='-s -w' -o "$bin-stripped" \
			"$abs_top_srcdir/tests/helpers/go_parked.go" 2>"$TEST_TMP/go.err"
		start_program "$bin-stripped"
		run_pinspect --json "$HELPER_PID"
		status_is "goroutines (stripped): exits 0" 0
		jq_check "goroutines (stripped): not read, and why, naming the tool that reads them" \
			'.go.goroutines == null and ([.unavailable[] | select(.item == "goroutines"
			 and .code == "go_stripped") | .reason | test("dlv attach")] == [true])'
		jq_check "goroutines (stripped): no goroutine finding from nothing" \
			'[.findings[] | select(.kind | startswith("go_"))] == []'
		kill -KILL "$HELPER_PID"
		wait "$HELPER_PID" 2>/dev/null
	fi

	# --- Go: stuck goroutines, as findings ---------------------------
	stuck=$TEST_TMP/go-stuck
	src=$abs_top_srcdir/tests/helpers/go_stuck.go
	if ! GOCACHE=$TEST_TMP/gocache GOFLAGS= CGO_ENABLED=0 go build -o "$stuck" "$src" 2>"$TEST_TMP/go.err"; then
		not_ok "go stuck: the helper builds" "$(head -c 2000 "$TEST_TMP/go.err")"
	else
		# the findings of kind $1, one message per line
		findings_of() {
			jq -r --arg k "$1" '.findings[] | select(.kind == $k) | .message' "$TEST_TMP/out"
		}
		lock_line=$(grep -n '^	second.Lock()' "$src" | cut -d: -f1)

		# Two goroutines deadlocked on two mutexes, an HTTP listener
		# in IO wait keeping the program alive: not "all asleep", but
		# two at one lock site, for a time the runtime has not recorded.
		start_program "$stuck" mutexes
		run_pinspect --json "$HELPER_PID"
		status_is "go stuck (mutexes): exits 0" 0
		jq_check "go stuck (mutexes): the listener is in IO wait, the two on a lock, no time recorded" \
			'([.go.goroutines[] | select(.wait_reason == "IO wait")] | length >= 1)
			 and ([.go.goroutines[] | select([.stack[].function] | index("main.lockBoth"))
			       | .wait_seconds == null] == [true, true])'
		check "go stuck (mutexes): one go_lock_wait, at lockBoth's second Lock, its time unknown" \
			bash -c "[ \"\$(jq -r '[.findings[] | select(.kind == \"go_lock_wait\")] | length' '$TEST_TMP/out')\" = 1 ] &&
				 grep -qE '^2 goroutines \([0-9]+, [0-9]+\) blocked in sync\.Mutex\.Lock at main\.lockBoth \(.*go_stuck\.go:$lock_line\), for how long unknown' \
				 <(jq -r '.findings[] | select(.kind == \"go_lock_wait\") | .message' '$TEST_TMP/out')"
		jq_check "go stuck (mutexes): the listener could wake them: no go_deadlock" \
			'[.findings[] | select(.kind == "go_deadlock")] == []'
		run_pinspect "$HELPER_PID"
		out_has "go stuck (mutexes, text): in FINDINGS, with its manual section" '^  go_lock_wait +2 goroutines'
		out_has "go stuck (mutexes, text): see GOROUTINES" 'see pinspect\(1\), GOROUTINES'
		kill -KILL "$HELPER_PID"
		wait "$HELPER_PID" 2>/dev/null

		# The same after two garbage collections: the runtime has
		# recorded since when they wait, and it is past --hung-after.
		start_program "$stuck" mutexes gc
		sleep 1
		run_pinspect --json --hung-after 0.5 "$HELPER_PID"
		jq_check "go stuck (mutexes, gc): their waits known" \
			'[.go.goroutines[] | select([.stack[].function] | index("main.lockBoth")) | .wait_seconds > 0.5]
			 == [true, true]'
		check "go stuck (mutexes, gc): said as longer than --hung-after" \
			bash -c "findings() { jq -r '.findings[] | select(.kind == \"go_lock_wait\") | .message' '$TEST_TMP/out'; }
				 findings | grep -qE 'main\.lockBoth .*the longest for about [0-9.]+ s .*longer than --hung-after 0\.5'"
		jq_check "go stuck (mutexes, gc): the finding's seconds are the longest wait" \
			'[.findings[] | select(.kind == "go_lock_wait") | .seconds > 0.5] == [true]'
		# Below the threshold: busy, not stuck (waits known and short).
		run_pinspect --json --hung-after 3600 "$HELPER_PID"
		jq_check "go stuck (mutexes, gc): waits known and shorter than --hung-after: no finding" \
			'[.findings[] | select(.kind | startswith("go_"))] == []'
		kill -KILL "$HELPER_PID"
		wait "$HELPER_PID" 2>/dev/null

		# Every goroutine blocked on a channel; only a pending timer
		# keeps Go's own check from stopping the program.
		start_program "$stuck" channels
		run_pinspect --json "$HELPER_PID"
		status_is "go stuck (channels): exits 0" 0
		jq_check "go stuck (channels): the runtime's timer counted" '.go.timers == 1'
		check "go stuck (channels): go_deadlock: all four blocked, only a timer can wake them" \
			bash -c "[ \"\$(jq -r '.findings[] | select(.kind == \"go_deadlock\") | .message' '$TEST_TMP/out')\" = \
				  'all 4 goroutines of the program are blocked (4 chan receive), waiting for each other: none can wake another; only a timer can (1 pending: time.After, AfterFunc, a Ticker), and it keeps Go'\''s own \"all goroutines are asleep\" check from firing' ]"
		run_pinspect "$HELPER_PID"
		out_has "go stuck (channels, text): in FINDINGS" '^  go_deadlock +all 4 goroutines of the program are blocked'
		kill -KILL "$HELPER_PID"
		wait "$HELPER_PID" 2>/dev/null

		# A healthy server: idle workers on a channel, two goroutines on
		# a sync.Cond, main in WaitGroup.Wait, all waiting longer than
		# --hung-after (as recorded after two collections), a Ticker, a
		# listener. Everything a naive rule would flag is there.
		start_program "$stuck" healthy gc
		sleep 1
		run_pinspect --json --hung-after 0.5 "$HELPER_PID"
		status_is "go stuck (healthy): exits 0" 0
		jq_check "go stuck (healthy): idle workers on a channel, waiting longer than --hung-after" \
			'[.go.goroutines[] | select([.stack[].function] | index("main.worker"))
			  | .wait_reason == "chan receive" and .wait_seconds > 0.5] == [true, true, true]'
		jq_check "go stuck (healthy): two on the Cond, main in WaitGroup.Wait (semacquire)" \
			'([.go.goroutines[] | select([.stack[].function] | index("sync.(*Cond).Wait"))] | length == 2)
			 and ([.go.goroutines[] | select(.goid == 1) | [.stack[].function] | index("sync.(*WaitGroup).Wait")]
			      | .[0] != null)'
		jq_check "go stuck (healthy): no goroutine finding" \
			'[.findings[] | select(.kind | startswith("go_"))] == []'
		kill -KILL "$HELPER_PID"
		wait "$HELPER_PID" 2>/dev/null
	fi
fi

# --- Java: a stand-in for a JVM ------------------------------------------
java_label='[JIT or interpreted Java code]'
# The function of frame #0 of the thread named java-code.
code_frame() {
	jq -r '.threads[] | select(.comm == "java-code") | .user_stack[0].function // "??"' "$TEST_TMP/out"
}

start_helper pi-jit
run_pinspect --json "$HELPER_PID"
status_is "jit (no libjvm.so): exits 0" 0
check "jit (no libjvm.so): code outside any module is not called Java" \
	test "$(code_frame)" = "??"
jq_check "jit (no libjvm.so): no Java note" '[.unavailable[]? | select(.item == "java_stacks")] == []'
kill -KILL "$HELPER_PID"
wait "$HELPER_PID" 2>/dev/null

mkdir -p "$TEST_TMP/jvm"
cp "$HELPERS/libpi-linked.so" "$TEST_TMP/jvm/libjvm.so"
start_helper pi-jit "$TEST_TMP/jvm/libjvm.so"
pid=$HELPER_PID
code=$(awk '/^code / {print $2}' "$HELPER_OUT")
map=/tmp/perf-$pid.map
perf_maps+=("$map")
rm -f "$map"
run_pinspect --json "$pid"
status_is "jit (a JVM): exits 0" 0
check "jit (a JVM): the code's frame is labelled" test "$(code_frame)" = "$java_label"
jq_check "jit (a JVM): the stack says jcmd shows the rest" \
	'.threads[] | select(.comm == "java-code") | .unwind.truncated_reason | test("jcmd PID Thread.print")'
jq_check "jit (a JVM): the snapshot says jcmd shows Java frames and deadlocks" \
	'[.unavailable[] | select(.item == "java_stacks" and .code == "java_frames")
	  | .reason | test("jcmd PID Thread.print") and test("deadlock")] == [true]'

# A perf map, with lines a JVM never writes around the one that names
# the code (whose name holds an escape sequence), and code it replaced.
{
	printf 'not a line\n\n0x10\nzz 10 bad\n10 0 empty\nffffffffffffffff 10 wraps\n'
	# code the JIT freed, whose memory the next line's code reuses
	printf '%x 4 stale\n' $((code + 4))
	printf '%s 0x9 Lcom/evil;\033[2J::run\n' "$code"
	printf '%s 0x9 cut at the end' "$code"
} >"$map"
run_pinspect --json "$pid"
jq_check "jit (perf map): the frame is named from it, offset into the code" \
	'.threads[] | select(.comm == "java-code") | .user_stack[0]
	 | .function == "Lcom/evil;\u001b[2J::run" and .offset == 7'
run_pinspect "$pid"
check "jit (perf map): its escape sequence is not printed raw" \
	bash -c "! grep -q \$'\\x1b' '$TEST_TMP/out'"
out_has "jit (perf map): but escaped" 'Lcom/evil;\\e\[2J::run\+0x7'

# A FIFO in its place: never opened, never waited on (the wall-clock
# bound is only there so that a hang fails rather than stalls the test).
rm -f "$map"
mkfifo "$map"
PINSPECT_TIMEOUT=60 run_pinspect --json "$pid"
status_is "jit (perf map a FIFO): does not block" 0
check "jit (perf map a FIFO): the frame is labelled" test "$(code_frame)" = "$java_label"
rm -f "$map"
kill -KILL "$pid"
wait "$pid" 2>/dev/null

# --- Java: a real JVM ----------------------------------------------------
if ! command -v javac >/dev/null 2>&1 || ! command -v jcmd >/dev/null 2>&1; then
	skip "java: a real JVM's frames" "no JDK (javac, jcmd) is installed (default-jdk-headless)"
elif ! javac -d "$TEST_TMP/java" "$abs_top_srcdir/tests/helpers/Sleeper.java" 2>"$TEST_TMP/javac.err"; then
	not_ok "java: the helper builds" "$(head -c 2000 "$TEST_TMP/javac.err")"
else
	start_program java -Xint -cp "$TEST_TMP/java" Sleeper
	pid=$HELPER_PID
	perf_maps+=("/tmp/perf-$pid.map")
	run_pinspect --json "$pid"
	status_is "java: exits 0" 0
	# the sleeper's frames, one function per line
	jq -r '.threads[] | select(.comm == "sleeper") | .user_stack[]? | .function // "??"' \
		"$TEST_TMP/out" >"$TEST_TMP/sleeper"
	check "java: the sleeper is in JVM_Sleep, called from Java code, labelled" \
		bash -c "grep -A1 -xF JVM_Sleep '$TEST_TMP/sleeper' | grep -qxF '$java_label'"
	check "java: no frame of the sleeper is a bare ??" bash -c "! grep -qxF '??' '$TEST_TMP/sleeper'"
	jq_check "java: the snapshot says jcmd shows Java frames" \
		'[.unavailable[] | select(.item == "java_stacks")] | length == 1'
	if jcmd "$pid" Compiler.perfmap >"$TEST_TMP/jcmd.out" 2>&1; then
		run_pinspect --json "$pid"
		jq -r '.threads[] | select(.comm == "sleeper") | .user_stack[]? | .function // "??"' \
			"$TEST_TMP/out" >"$TEST_TMP/sleeper"
		check "java (perf map): the interpreter's frames are named from the JVM's map" \
			bash -c "grep -A1 -xF JVM_Sleep '$TEST_TMP/sleeper' | grep -qxF Interpreter"
	else
		not_ok "java: jcmd Compiler.perfmap writes the map" "$(head -c 2000 "$TEST_TMP/jcmd.out")"
	fi
fi

done_testing
