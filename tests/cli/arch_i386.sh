#!/bin/bash
# 32-bit (i386) processes on an x86-64 kernel, built with gcc -m32 as a new
# user would (tests/helpers/pi-stacks32, pi-locks32): their user stacks
# agree with eu-stack's frame by frame (blocked, through a signal frame,
# and stopped with --consistent), a running thread is sampled, registers
# carry i386's names, system calls are named by i386's numbers, each
# thread's TLS is found (gs_base: from glibc's thread list in its memory,
# or from the registers of a stopped thread), its TCB checked and its
# thread-local variables read (tests/helpers/pi-threads32), and a pthread
# deadlock is found by the snapshot and by --deadlocks (i386's mutex
# layout).
. "$(dirname "$0")/lib.sh"

if [ ! -x "$HELPERS/pi-stacks32" ] || [ ! -x "$HELPERS/pi-locks32" ] || [ ! -x "$HELPERS/pi-threads32" ]; then
	echo "1..0 # SKIP no 32-bit helpers: the compiler cannot build -m32 programs (Debian: apt-get install gcc-multilib, then ./configure)"
	exit 0
fi

# frames_of TID: "pc name" of each frame pinspect gave the thread (inlined
# frames left out: eu-stack shows them only with -i), from $TEST_TMP/out.
frames_of() {
	jq -r --argjson t "$1" '.threads[] | select(.tid == $t) | .user_stack // [] | .[]
		| select(.inline | not) | "\(.pc) \(.function // "")"' "$TEST_TMP/out"
}

# eu_frames TID: the same from eu-stack's output in $TEST_TMP/eu, pcs in
# decimal as pinspect's JSON has them.
eu_frames() {
	local pc name
	awk -v t="$1" '/^TID /{ cur = ($2 == t ":"); next }
		cur && /^#[0-9]+ / { $1 = ""; sub(/^ /, ""); print }' "$TEST_TMP/eu" |
	while read -r pc name; do
		printf '%d %s\n' "$pc" "$name"
	done
}

# agree WHAT TIDS...: for each thread, eu-stack's frames (at least three)
# are pinspect's first frames, pc and function name alike.
agree() {
	local what=$1 tid ours theirs n
	shift
	for tid in "$@"; do
		ours=$(frames_of "$tid")
		theirs=$(eu_frames "$tid")
		n=$(printf '%s\n' "$theirs" | grep -c .)
		if [ "$n" -ge 3 ] && [ "$(printf '%s\n' "$ours" | head -n "$n")" = "$theirs" ]; then
			ok "$what: thread $tid: the same $n frames as eu-stack"
		else
			not_ok "$what: thread $tid: the same frames as eu-stack" "pinspect:" "$ours" "eu-stack:" "$theirs"
		fi
	done
}

have_eu_stack=0
command -v eu-stack >/dev/null && have_eu_stack=1

# --- Stacks of a thread blocked in read(), and of the main thread. ---------
start_helper pi-stacks32 recurse 3
recurser=$(tids_named "$HELPER_PID" recurser)
run_pinspect --json "$HELPER_PID"
status_is "i386 snapshot: exits 0" 0
jq_check "i386: the process's ABI is i386" '.abi == "i386"'
jq_check "i386: every thread has a user stack, none unavailable" \
	'([.threads[] | .user_stack | length > 0] | all)
	 and ([.unavailable[] | select(.item == "user_stack")] == [])'
jq_check "i386: the recurser's stack, innermost first, and complete" \
	'.threads[] | select(.tid == $t) | ([.user_stack[].function] | index(["block_here",
	 "pi_recurse", "pi_recurse", "pi_recurse", "recurser"]) != null) and .unwind.truncated_reason == null' \
	--argjson t "$recurser"
jq_check "i386: read() named by i386's system call number (3)" \
	'.threads[] | select(.tid == $t) | .syscall.name == "read" and .syscall.number == 3' \
	--argjson t "$recurser"
jq_check "i386: pcs are 32-bit addresses" '[.threads[].user_stack[].pc < 4294967296] | all'
jq_check "i386: every thread's TLS, from glibc's thread list, TCB checked; none unavailable" \
	'([.threads[].tls | .source == "thread_list" and .fs_base > 0 and .fs_base < 4294967296
	   and .tcb_self_pointer_ok == true] | all)
	 and ([.unavailable[] | select(.item == "tls")] == [])'
if [ "$have_eu_stack" = 1 ]; then
	eu-stack -p "$HELPER_PID" >"$TEST_TMP/eu" 2>"$TEST_TMP/eu.err"
	agree "blocked" "$HELPER_PID" "$recurser"
else
	skip "blocked: the same frames as eu-stack" "eu-stack is not installed (Debian: elfutils)"
fi
run_pinspect "$HELPER_PID"
out_has "i386, text: the registers by i386's names" "^           regs   eip 0x[0-9a-f]{1,8}  esp 0x[0-9a-f]{1,8}  \(from its syscall file"
out_lacks "i386, text: no x86-64 register names" " rip | rsp "
kill -KILL "$HELPER_PID"

# --- A signal handler on an alternate stack: through the signal frame. -----
start_helper pi-stacks32 altstack
handler=$(tids_named "$HELPER_PID" handler)
run_pinspect --json "$HELPER_PID"
jq_check "i386, signal frame: from the handler back to the code it interrupted" \
	'.threads[] | select(.tid == $t) | [.user_stack[].function]
	 | index(["block_here", "pi_on_signal"]) != null and index(["pi_before_signal"]) != null' \
	--argjson t "$handler"
if [ "$have_eu_stack" = 1 ]; then
	eu-stack -p "$HELPER_PID" >"$TEST_TMP/eu" 2>"$TEST_TMP/eu.err"
	agree "signal frame" "$handler"
fi
# Stopped (--consistent): every register, by i386's names.
run_pinspect --json --consistent "$HELPER_PID"
jq_check "i386, --consistent: every register, as i386's 32-bit registers" \
	'.threads[] | select(.tid == $t) | .registers | .complete and .eip == .rip and .esp == .rsp
	 and .ebp != null and .eax != null and .orig_eax == 3 and .rip < 4294967296' \
	--argjson t "$handler"
jq_check "i386, --consistent: the same stack as without stopping" \
	'.threads[] | select(.tid == $t) | [.user_stack[].function]
	 | index(["block_here", "pi_on_signal"]) != null and index(["pi_before_signal"]) != null' \
	--argjson t "$handler"
if [ "$have_eu_stack" = 1 ]; then
	agree "--consistent" "$handler"
fi
kill -KILL "$HELPER_PID"

# --- A thread running in user space: sampled with perf (or stopped). --------
start_helper pi-stacks32 spin 1
spinner=$(tids_named "$HELPER_PID" spinner)
run_pinspect --json "$HELPER_PID"
jq_check "i386, running: its stack from a sample (or a stop where perf is denied)" \
	'.threads[] | select(.tid == $t) | ([.user_stack[].function] | index(["pi_spin", "spinner"]) != null)
	 and (.unwind.method == "sampled_while_running" or .unwind.method == "stopped_while_running")
	 and .registers.eip == .registers.rip' \
	--argjson t "$spinner"
kill -KILL "$HELPER_PID"

# --- Thread-local storage: threads blocked in read(), never stopped. -------
# The thread pointer of an i386 thread is its %gs segment's base; glibc's
# thread list in the process's memory gives it for a thread that is not
# stopped (the libthread_db pinspect runs with is 64-bit, and reads no
# 32-bit process).
start_helper pi-threads32 -n 3 -d 2
pid=$HELPER_PID
run_pinspect --json "$pid"
status_is "i386 TLS: snapshot exits 0" 0
jq_check "i386 TLS: every thread's gs_base from the thread list, a 32-bit address, TCB self-pointers ok" \
	'(.threads | length) == 4 and ([.threads[].tls | .source == "thread_list" and .fs_base > 0
	  and .fs_base < 4294967296 and .tcb_self_pointer_ok == true] | all)'
jq_check "i386 TLS: every thread's its own, and a worker's TCB at the top of its own stack" \
	'([.threads[].tls.fs_base] | unique | length) == 4
	 and ([.threads[1:][] | .tls.mapping.kind == "thread_stack" and .tls.mapping.end - .tls.fs_base < 65536] | all)'
jq_check "i386 TLS variables with known values: 42 in main, 1000+N in worker-N" \
	'[.threads[] | {c: .comm, v: ([.tls.variables[] | select(.name == "pi_tls_value")][0].value)}]
	 | all(if .c == "pi-threads32" then .v == 42 else .v == 1000 + (.c | ltrimstr("worker-") | tonumber) end)'
jq_check "i386 TLS variables: a char array's bytes, right below the TCB (4-byte words)" \
	'[.threads[] | select(.comm == "worker-2") | .tls | (.variables[] | select(.name == "pi_tls_tag")) as $v
	  | $v.bytes[0:6] == "773200" and $v.address < .fs_base and .fs_base - $v.address <= 16] | length == 1'
jq_check "i386 TLS: the executable's TLS segment, with its size" \
	'[.tls_modules[] | select(.path == $exe)][0].size >= 12' --arg exe "$HELPERS/pi-threads32"
cp "$TEST_TMP/out" "$TEST_TMP/listed.json"
run_pinspect "$pid"
out_has "i386 TLS, text: the thread pointer by its register's name, gs_base" \
	'^ +tls +gs_base 0x[0-9a-f]{1,8} \(thread_list\) in thread_stack .* \(its own stack\); TCB self-pointers ok'
out_has "i386 TLS, text: a variable's value" '^ +pi_tls_value = 1002 \(0x3ea\)'
# Stopped (--consistent): gs_base from the registers, the same as the list's.
run_pinspect --json --consistent "$pid"
jq_check "i386 TLS, --consistent: gs_base from the registers, the same as the thread list gave" \
	'[.threads[] | {tid, tp: .tls.fs_base, s: .tls.source, ok: .tls.tcb_self_pointer_ok}] as $now
	 | ($listed[0].threads | map({tid, tp: .tls.fs_base})) as $before
	 | ($now | all(.s == "ptrace" and .ok == true))
	   and (($now | map({tid, tp}) | sort_by(.tid)) == ($before | sort_by(.tid)))' \
	--slurpfile listed "$TEST_TMP/listed.json"
jq_check "i386 TLS, --consistent: the same variables" \
	'[.threads[] | select(.comm == "worker-1") | .tls.variables[] | select(.name == "pi_tls_value")][0].value == 1001'
kill -KILL "$pid"

# --- A two-thread pthread deadlock. ----------------------------------------
start_helper pi-locks32 deadlock2
read -r t1 t2 < <(sed -n 2p "$HELPER_OUT")
run_pinspect --json "$HELPER_PID"
status_is "i386 deadlock2: snapshot exits 0" 0
jq_check "i386 deadlock2: one deadlock of both threads" \
	'[.findings[] | select(.kind == "deadlock")] | length == 1 and (.[0].pids | sort) == ([$a, $b] | sort)' \
	--argjson a "$t1" --argjson b "$t2"
jq_check "i386 deadlock2: each waits for a mutex (not 'not a mutex'), held by the other" \
	'[.threads[] | select(.tid == $a or .tid == $b) | "\(.tid) \(.lock.kind) \(.lock.owner_tid) \(.lock.symbol)"]
	 | sort == (["\($a) mutex \($b) pi_lock_b", "\($b) mutex \($a) pi_lock_a"] | sort)' \
	--argjson a "$t1" --argjson b "$t2"
jq_check "i386 deadlock2: the locks held (24-byte i386 mutexes), by whom" \
	'[.held_locks[] | "\(.symbol) \(.owner_tid)"] | sort == (["pi_lock_a \($a)", "pi_lock_b \($b)"] | sort)' \
	--argjson a "$t1" --argjson b "$t2"
jq_check "i386 deadlock2: futex() named by i386's number (240)" \
	'[.threads[] | select(.tid == $a) | .syscall | .name == "futex" and .number == 240] | all' \
	--argjson a "$t1"
run_pinspect --deadlocks --json
status_is "i386 deadlock2: --deadlocks exits 1" 1
jq_check "i386 deadlock2: --deadlocks finds it, with both threads" \
	'[.findings[] | select(.kind == "deadlock" and .pid == $p)] | length == 1
	 and (.[0].pids | sort) == ([$a, $b] | sort)' \
	--argjson p "$HELPER_PID" --argjson a "$t1" --argjson b "$t2"
run_pinspect --deadlocks
out_has "i386 deadlock2: --deadlocks, text" \
	"process $HELPER_PID \(pi-locks32\): 2 threads wait for each other: .*pi_lock_b.*pi_lock_a"

# Its ABI is told from its vDSO's ELF header, in its memory: no file of
# the process is opened for it (an executable on a hung NFS or FUSE
# mount would block the open), in the snapshot nor in the scan.
if command -v strace >/dev/null; then
	traced() {
		strace -f -qq -e trace=open,openat,openat2 -o "$TEST_TMP/strace" \
			timeout 60 "$PINSPECT_BIN" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || true
		check "pinspect $*: no process's executable opened to learn its ABI" \
			bash -c "! grep -E '\"(/proc/[0-9]+/)?exe\"' '$TEST_TMP/strace'"
	}
	traced --json "$HELPER_PID"
	jq_check "... and the snapshot still says i386" '.abi == "i386"'
	traced --deadlocks
	out_has "... and the scan still finds its deadlock (i386's futex number)" \
		"process $HELPER_PID \(pi-locks32\): 2 threads wait for each other"
else
	not_ok "strace is installed (a test dependency)"
fi
kill -KILL "$HELPER_PID"

done_testing
