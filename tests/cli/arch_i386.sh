#!/bin/bash
# 32-bit (i386) processes on an x86-64 kernel, built with gcc -m32 as a new
# user would (tests/helpers/pi-stacks32, pi-locks32): their user stacks
# agree with eu-stack's frame by frame (blocked, through a signal frame,
# and stopped with --consistent), a running thread is sampled, registers
# carry i386's names, system calls are named by i386's numbers, TLS is
# said to be not checked (never a verdict), and a pthread deadlock is found
# by the snapshot and by --deadlocks (i386's mutex layout).
. "$(dirname "$0")/lib.sh"

if [ ! -x "$HELPERS/pi-stacks32" ] || [ ! -x "$HELPERS/pi-locks32" ]; then
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
jq_check "i386: TLS not checked, said plainly: no thread pointer or verdict" \
	'([.threads[].tls] | all(. == null))
	 and ([.unavailable[] | select(.item == "tls")][0] | .code == "tls_not_checked"
	      and (.reason | test("not checked for 32-bit")))'
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
