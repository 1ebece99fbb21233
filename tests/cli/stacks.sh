#!/bin/bash
# User call stacks, registers and TLS, against helpers with known function
# names: many threads blocked several calls deep, a deep recursion, a
# signal handler on an alternate stack, threads spinning in user code, C++,
# binaries with and without frame pointers and debug information, stripped,
# 32-bit; and what pinspect says when a stack cannot be had.
. "$(dirname "$0")/lib.sh"

# The functions of a stack, inlined frames left out: "a b c".
names() {
	jq -r --argjson t "$1" '.threads[] | select(.tid == $t) |
		[.user_stack[]? | select(.inline | not) | .function // "??"] | join(" ")' "$TEST_TMP/out"
}
tid_named() {
	jq -r --arg n "$1" '[.threads[] | select(.comm == $n)][0].tid' "$TEST_TMP/out"
}

# --- Many threads, blocked 5 calls deep, built with frame pointers. ----
start_helper pi-threads -n 4 -d 5
pid=$HELPER_PID
exe=$HELPERS/pi-threads
run_pinspect --json "$pid"
status_is "stacks: exits 0" 0
for i in 0 1 2 3; do
	tid=$(tid_named "worker-$i")
	check "worker-$i: read, then the helper's functions in order, then libc" \
		bash -c "[[ '$(names "$tid")' =~ ^[_a-z]*read\ pi_wait_here\ pi_depth_5\ pi_depth_4\ pi_depth_3\ pi_depth_2\ pi_depth_1\ worker\ [^\ ]+ ]]"
done
jq_check "blocked threads: copied while blocked, never stopped, complete" \
	'[.threads[].unwind | .method == "copied_while_blocked" and .stopped_us == null
	  and .truncated_reason == null] | all'
jq_check "frame-pointer code: rbp was found on the copy" \
	'[.threads[1:][].unwind.frame_pointer_recovered] | all'
jq_check "the main thread: pause, main, and out to _start" \
	'[.threads[0].user_stack[] | select(.inline | not) | .function] as $f
	 | $f[0] == "pause" and ($f | index("main")) != null and $f[-1] == "_start"'
jq_check "source lines in the helper" \
	'[.threads[1].user_stack[] | select(.function == "pi_depth_3")][0]
	 | (.file | endswith("tests/helpers/threads.c")) and .line > 0 and .offset > 0'
build_id=$(readelf -n "$exe" | awk '/Build ID/ {print $3}')
jq_check "frames name their module and its build-id" \
	'[.threads[1].user_stack[] | select(.function == "worker")][0]
	 | .module == $exe and .build_id == $id' --arg exe "$exe" --arg id "$build_id"
jq_check "registers of a thread not stopped: pc and sp, from the syscall file" \
	'[.threads[] | .registers.complete == false and .registers.rip == .syscall.pc
	  and .registers.rsp == .syscall.sp] | all'
jq_check "TLS: every thread's fs_base, from libthread_db, TCB self-pointers checked" \
	'[.threads[].tls | .source == "libthread_db" and .fs_base > 0 and .tcb_self_pointer_ok] | all'
jq_check "TLS: a worker's TCB sits at the top of its own stack mapping" \
	'[.threads[1:][] | .tid as $t | .tls.mapping.kind == "thread_stack"
	  and .tls.mapping.end - .tls.fs_base < 65536] | all'
jq_check "TLS: the main thread's TCB is in an anonymous mapping, not its stack" \
	'.threads[0].tls.mapping.kind != "main_stack" and .threads[0].tls.mapping.path == null'
jq_check "TLS variables with known values: 42 in main, 1000+N in worker-N" \
	'[.threads[] | {c: .comm, v: ([.tls.variables[] | select(.name == "pi_tls_value")][0].value)}]
	 | all(if .c == "pi-threads" then .v == 42 else .v == 1000 + (.c | ltrimstr("worker-") | tonumber) end)'
jq_check "TLS variables: bytes of a char array" \
	'[.threads[] | select(.comm == "worker-2") | .tls.variables[] | select(.name == "pi_tls_tag")][0].bytes
	 | startswith("7732")'
jq_check "TLS segments: the helper's own and libc's, with their sizes" \
	'([.tls_modules[] | select(.path == $exe)][0].size >= 16)
	 and ([.tls_modules[] | select(.path | test("libc\\.so"))] | length) == 1' --arg exe "$exe"

run_pinspect --json --lines=none "$pid"
jq_check "--lines=none: no source lines anywhere, names all the same" \
	'([.threads[].user_stack[].file] | all(. == null))
	 and ([.threads[1].user_stack[].function] | index("pi_depth_3")) != null'
libc_id=$(readelf -n /lib/x86_64-linux-gnu/libc.so.6 | awk '/Build ID/ {print $3}')
if [ -e "/usr/lib/debug/.build-id/${libc_id:0:2}/${libc_id:2}.debug" ]; then
	run_pinspect --json "$pid"
	jq_check "--lines=program (the default): no libc source lines" \
		'[.threads[].user_stack[] | select(.module | test("libc\\.so")) | .file] | all(. == null)'
	run_pinspect --json --lines=all "$pid"
	jq_check "--lines=all: libc's source lines and inlined calls too" \
		'[.threads[1].user_stack[] | select(.module | test("libc\\.so"))] | any(.file != null)'
else
	not_ok "libc's debug information is installed (libc6-dbg, a dependency of valgrind)"
fi

run_pinspect "$pid"
out_has "text: user frames under each thread" '^ +user +#0 +0x[0-9a-f]{16} '
out_has "text: function+offset, module, file:line" ' pi_depth_3\+0x[0-9a-f]+  pi-threads  .*tests/helpers/threads\.c:[0-9]+$'
out_has "text: how the stack was obtained" '\(copied while blocked; never stopped; frame pointer found on the stack\)'
out_has "text: TLS pointer and its mapping" '^ +tls +fs_base 0x[0-9a-f]+ \(libthread_db\) in thread_stack .* \(its own stack\); TCB self-pointers ok'
out_has "text: TLS variable values" '^ +pi_tls_value = 1001 \(0x3e9\)'
out_has "text: TLS segments" '^  TLS segments +.*pi-threads \([0-9]+ bytes per thread\)'
kill -KILL "$pid"

# --- Copies unwound without stopping anything give the very frames a
# ptrace-based unwind gives (--consistent stops every thread), at every
# depth: stale return addresses left in a frame must not be taken for
# the real one when the frame pointer is recovered. --------------------
for d in 1 2 3 4 5 6 7 8; do
	start_helper pi-threads -n 2 -d "$d"
	run_pinspect --json "$HELPER_PID"
	jq -c '[.threads[] | [.tid, [.user_stack[] | select(.inline | not) | .function]]]' "$TEST_TMP/out" >"$TEST_TMP/copied"
	run_pinspect --json --consistent "$HELPER_PID"
	jq -c '[.threads[] | [.tid, [.user_stack[] | select(.inline | not) | .function]]]' "$TEST_TMP/out" >"$TEST_TMP/stopped"
	check "depth $d: the copies' frames equal the stopped threads' frames" cmp -s "$TEST_TMP/copied" "$TEST_TMP/stopped"
	kill -KILL "$HELPER_PID"
done

# --- A program replaced on disk while it runs (a package upgrade): its
# frames are named from the file it runs, not the new one at its path. --
cp "$HELPERS/pi-threads" "$TEST_TMP/pi-threads"
start_program "$TEST_TMP/pi-threads" -n 1 -d 2
cp "$HELPERS/pi-stacks" "$TEST_TMP/pi-threads.new"
mv "$TEST_TMP/pi-threads.new" "$TEST_TMP/pi-threads"
run_pinspect --json "$HELPER_PID"
jq_check "replaced executable: shown as deleted" '.exe_deleted == true'
if need_root "replaced executable: frames named from the running file (map_files is root only)"; then
	jq_check "replaced executable: frames named from the running file" \
		'[.threads[1].user_stack[] | select(.inline | not) | .function][1:4]
		 == ["pi_wait_here", "pi_depth_2", "pi_depth_1"]'
fi
kill -KILL "$HELPER_PID"

# --- A deep recursion, without frame pointers. -------------------------
start_helper pi-stacks-nofp recurse 300
run_pinspect --json "$HELPER_PID"
tid=$(tid_named recurser)
jq_check "deep recursion: cut at --max-frames 256, and says so" \
	'[.threads[] | select(.tid == $t)][0] | (.user_stack | length) == 256
	 and (.unwind.truncated_reason | test("too many frames"))' --argjson t "$tid"
run_pinspect --json --max-frames 1000 "$HELPER_PID"
jq_check "deep recursion: all 300 levels with --max-frames 1000" \
	'[.threads[] | select(.tid == $t)][0] | ([.user_stack[] | select(.function == "pi_recurse")] | length) == 300
	 and .unwind.truncated_reason == null and .unwind.frame_pointer_recovered == false' --argjson t "$tid"
kill -KILL "$HELPER_PID"

# --- A signal handler on an alternate stack, with and without frame
# pointers: the unwind crosses the signal frame back to the interrupted
# code. ------------------------------------------------------------------
for helper in pi-stacks pi-stacks-nofp; do
	start_helper "$helper" altstack
	run_pinspect --json "$HELPER_PID"
	tid=$(tid_named handler)
	check "$helper: signal handler on an alternate stack, then the code it interrupted" \
		bash -c "[[ '$(names "$tid")' =~ ^[_a-z]*read\ block_here\ __restore_rt\ .*pi_before_signal\ handler_thread\ [^\ ]+ ]]"
	kill -KILL "$HELPER_PID"
done

# --- A blocked stack that a copy cannot finish: only --stop-blocked
# stops the thread, and only that one. -----------------------------------
start_helper pi-stacks bigframe
run_pinspect --json "$HELPER_PID"
tid=$(tid_named bigframe)
jq_check "a huge frame hides the frame pointer: cut short, never stopped, and the way out named" \
	'[.threads[] | select(.tid == $t)][0].unwind | .method == "copied_while_blocked"
	 and (.truncated_reason | test("--stop-blocked"))' --argjson t "$tid"
run_pinspect --json --stop-blocked "$HELPER_PID"
jq_check "--stop-blocked: that thread is stopped, and its stack completed" \
	'[.threads[] | select(.tid == $t)][0] | .unwind.method == "stopped_while_blocked"
	 and .unwind.truncated_reason == null and .registers.complete
	 and ([.user_stack[].function] | index("pi_big_frame")) != null
	 and ([.user_stack[].function] | index("bigframe")) != null' --argjson t "$tid"
jq_check "--stop-blocked: the threads whose stacks were complete are not stopped" \
	'[.threads[] | select(.tid != $t) | .unwind.method] | all(. == "copied_while_blocked")' \
	--argjson t "$tid"
run_pinspect "$HELPER_PID"
out_has "text: the cut stack says what would finish it" 'cut short: .*--stop-blocked stops the thread to read it'
kill -KILL "$HELPER_PID"

# --- Threads running in user space: sampled, never stopped. -----------
start_helper pi-stacks spin 2
pid=$HELPER_PID
run_pinspect --json "$pid"
jq_check "running threads: a perf sample, never stopped, its registers, a complete stack" \
	'[.threads[] | select(.comm == "spinner") | .unwind.method == "sampled_while_running"
	  and .unwind.stopped_us == null and .registers.sampled and (.registers.complete | not)
	  and .registers.rip == .user_stack[0].pc and .registers.rbp != null
	  and .registers.fs_base == null and .registers.orig_rax == null
	  and .tls.source == "libthread_db" and .user_stack[0].function == "pi_spin"
	  and ([.user_stack[].function] | index("spinner")) != null and .unwind.truncated_reason == null]
	 | all and length == 2'
jq_check "running threads: nothing says perf sampling was unavailable" \
	'[.unavailable[] | select(.item == "perf_sample")] == []'
run_pinspect "$pid"
out_has "text: a sampled thread says so" 'running: sampled with a perf event; never stopped'
out_has "text: and that its registers lack fs_base" 'from a perf sample, which holds no fs_base or orig_rax'
run_pinspect --json --no-ptrace "$pid"
jq_check "--no-ptrace: running threads are sampled all the same (a sample stops nothing)" \
	'[.threads[] | select(.comm == "spinner") | .unwind.method == "sampled_while_running"
	  and .user_stack[0].function == "pi_spin"] | all and length == 2'
jq_check "--no-ptrace: the blocked main thread still has its stack" '.threads[0].user_stack | length > 3'

# Perf events denied, as a container's seccomp profile does: running
# threads are stopped for microseconds instead, and the snapshot says why.
run_pinspect_no_perf --json "$pid"
status_is "perf denied: exits 0" 0
jq_check "perf denied: running threads stopped briefly instead, full registers, complete stack" \
	'[.threads[] | select(.comm == "spinner") | .unwind.method == "stopped_while_running"
	  and (.unwind.stopped_us | type) == "number" and .registers.complete
	  and (.registers.sampled | not)
	  and .registers.rip == .user_stack[0].pc and .registers.fs_base == .tls.fs_base
	  and .tls.source == "ptrace" and .user_stack[0].function == "pi_spin"
	  and ([.user_stack[].function] | index("spinner")) != null and .unwind.truncated_reason == null]
	 | all and length == 2'
jq_check "perf denied: the snapshot says perf sampling was not permitted, and what was done instead" \
	'[.unavailable[] | select(.item == "perf_sample")][0].reason
	 | test("perf events are not permitted") and test("seccomp") and test("stopped for microseconds with ptrace instead")'
check "perf denied: running threads let go afterwards, untraced and running" \
	bash -c "! grep -h '^TracerPid:[[:space:]]*[1-9]' /proc/$pid/task/*/status && ! grep -h '^State:.*t (tracing stop)' /proc/$pid/task/*/status"
run_pinspect_no_perf "$pid"
out_has "perf denied, text: one line under UNAVAILABLE" '^  perf_sample: perf events are not permitted'
out_has "perf denied, text: the stop is reported" 'running: stopped for [0-9]+ us'
run_pinspect_no_perf --json --no-ptrace "$pid"
jq_check "perf denied and --no-ptrace: running threads get no stack, and the reason" \
	'([.threads[] | select(.comm == "spinner") | .user_stack == null] | all and length == 2)
	 and ([.unavailable[] | select(.item == "user_stack")][0].reason | test("--no-ptrace forbids"))
	 and ([.unavailable[] | select(.item == "perf_sample")][0].reason | test("no user stack"))'
jq_check "perf denied and --no-ptrace: the blocked main thread still has its stack" '.threads[0].user_stack | length > 3'

run_pinspect --json --consistent "$pid"
jq_check "--consistent: every thread stopped together, and for how long" \
	'[.threads[].unwind.method] | all(. == "stopped_with_all_threads")'
jq_check "--consistent: the process's hold time is reported" '.stacks_held_seconds > 0'
run_pinspect --consistent "$pid"
out_has "--consistent text: warns about EINTR" 'every thread was held for [0-9]+ us; a blocked system call may have returned EINTR'
run_pinspect --no-ptrace --consistent "$pid"
status_is "--no-ptrace with --consistent is a usage error" 2

# --- A thread running inside the kernel (a long read of /dev/zero): the
# sample gives the user registers it entered the system call with, at
# once, rather than waiting for one that lands in user space. ----------
start_helper pi-stacks kbusy
run_pinspect --json "$HELPER_PID"
jq_check "a thread busy in the kernel: sampled (or copied, caught off the CPU), in read() under its loop" \
	'[.threads[] | select(.comm == "zero-reader")][0]
	 | (.unwind.method == "sampled_while_running" or .unwind.method == "copied_while_blocked")
	   and ([.user_stack[].function] | index("pi_read_zero")) != null
	   and ([.user_stack[].function] | index("zero_reader")) != null'
jq_check "a thread busy in the kernel: nothing unavailable" '[.unavailable[] | select(.item == "user_stack")] == []'
kill -KILL "$HELPER_PID"

# --- Already traced: a running thread is sampled all the same (perf
# events need no ptrace); stopped, it could not be. (ptrace is per
# thread: trace a spinner.) ---------------------------------------------
traced_tid=$(ls "/proc/$pid/task" | sort -n | sed -n 2p)
start_helper pi-tracer "$traced_tid"
tracer=$HELPER_PID
# No budget (--timeout=0): under valgrind on a loaded machine, reading
# the rest of the process can use up the default 5 s before the sample
# is waited for, and the thread is then rightly called not read in time.
run_pinspect --json --timeout=0 "$pid"
status_is "already traced: exits 0" 0
jq_check "already traced: the running traced thread is sampled, its stack read" \
	'[.threads[] | select(.tid == $t)][0] | .unwind.method == "sampled_while_running"
	 and .user_stack[0].function == "pi_spin"' --argjson t "$traced_tid"
run_pinspect_no_perf --json "$pid"
jq_check "already traced, perf denied: the running thread's stack is unavailable, naming the tracer" \
	'[.unavailable[] | select(.item == "user_stack")][0].reason | test("already traced by [0-9]+ \\(pi-tracer\\)")'
jq_check "already traced, perf denied: the blocked main thread's stack is still read" '.threads[0].user_stack | length > 3'
kill -TERM "$tracer"
kill -KILL "$pid"

# --- C++: names demangled. --------------------------------------------
start_helper pi-cxx
run_pinspect --json "$HELPER_PID"
jq_check "C++: member functions and templates demangled" \
	'[.threads[].user_stack[]?.function | select(. != null)]
	 | any(startswith("pi::Box<long>::wait_inside(long)")) and any(startswith("pi::Worker::run(int)"))'
kill -KILL "$HELPER_PID"

# --- No debug information; stripped. ----------------------------------
start_helper pi-stacks-nodebug recurse 3
run_pinspect --json "$HELPER_PID"
tid=$(tid_named recurser)
check "no debug info: names from the symbol table" \
	bash -c "[[ '$(names "$tid")' =~ block_here\ pi_recurse\ pi_recurse\ pi_recurse\ recurser ]]"
jq_check "no debug info: no source lines for the helper's frames" \
	'[.threads[].user_stack[] | select(.function == "pi_recurse") | .file] | all(. == null)'
kill -KILL "$HELPER_PID"

start_helper pi-stacks-stripped recurse 3
run_pinspect --json "$HELPER_PID"
jq_check "stripped: the helper's frames have no name but their module and module address" \
	'[.threads[].user_stack[] | select(.module | endswith("pi-stacks-stripped"))]
	 | length > 3 and all(.function == null and .module_vaddr > 0)'
run_pinspect "$HELPER_PID"
out_has "stripped, text: ?? with the module and address for addr2line" '\?\?  pi-stacks-stripped\+0x[0-9a-f]+'
kill -KILL "$HELPER_PID"

# --- What cannot be unwound, and says so. -----------------------------
# (32-bit processes are unwound: tests/cli/arch_i386.sh.)
if [ -x "$HELPERS/pi-sleep32" ]; then
	start_helper pi-sleep32
	run_pinspect --json "$HELPER_PID"
	status_is "32-bit process: exits 0" 0
	jq_check "32-bit process, no debug information: its user stack, pause() called from main" \
		'.abi == "i386" and ([.threads[0].user_stack[].function] | index(["pause", "main"]) != null)
		 and ([.unavailable[] | select(.item == "user_stack")] == [])'
	jq_check "32-bit process: its system call named, by the i386 numbers" \
		'.threads[0].syscall.name == "pause"'
	kill -KILL "$HELPER_PID"
else
	not_ok "the 32-bit helper was built (apt-get install gcc-multilib, then ./configure)"
fi

run_pinspect --json "$(kernel_thread_pid)"
jq_check "kernel thread: no user stack, and why" \
	'.threads[0].user_stack == null and
	 ([.unavailable[] | select(.item == "user_stack")][0].reason | test("kernel thread"))'

start_helper pi-zombies 1
zombie=$(sed -n 2p "$HELPER_OUT")
run_pinspect --json "$zombie"
jq_check "zombie: no user stack, and why" \
	'([.unavailable[] | select(.item == "user_stack")][0].reason | test("exited"))'

# debuginfod that does not answer must not keep pinspect from finishing.
start_helper pi-threads -n 1
DEBUGINFOD_URLS=http://127.0.0.1:1 run_pinspect --json "$HELPER_PID"
status_is "an unreachable debuginfod: still exits 0" 0
jq_check "an unreachable debuginfod: stacks still shown" '[.threads[].user_stack | length > 3] | all'

done_testing
