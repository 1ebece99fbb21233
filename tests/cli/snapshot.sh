#!/bin/bash
# `pinspect PID` on a live multi-threaded process: every section, in text
# and in JSON, checked against what /proc and the helper say.
. "$(dirname "$0")/lib.sh"

start_helper pi-threads -n 4
pid=$HELPER_PID

run_pinspect "$pid"
status_is "text snapshot exits 0" 0
for section in IDENTITY STATE SCHEDULING SIGNALS MEMORY THREADS FINDINGS; do
	out_has "text has the $section section" "^$section\$"
done
out_has "text names the process in its first line" "^pinspect: process $pid \\(pi-threads\\), S sleeping"
out_has "text shows the parent with its name" "^  Parent +$$ \\(bash\\)"
out_has "text shows the user by name" '^  User +root \(0\)|^  User +[a-z_][a-z0-9_-]* \([0-9]+\)'
out_has "text shows the executable" "^  Executable +$HELPERS/pi-threads\$"
out_has "text shows the command line" "^  Command +$HELPERS/pi-threads -n 4\$"
for i in 0 1 2 3; do
	out_has "text lists thread worker-$i, blocked in read()" "^  [0-9]+ +worker-$i +S sleeping +read +anon_pipe_read"
done
out_has "text says what S means" '^  S  interruptible sleep: waiting for an event'
out_has "text decodes the vDSO's exports" '^ +exports .*__vdso_clock_gettime'
out_has "text checks the vDSO against auxv" 'matches AT_SYSINFO_EHDR in auxv'
out_has "text names the vsyscall mode" '^  vsyscall +(xonly|emulate|none|native)'
out_has "text shows the main stack mapping" ' main_stack +\[stack\]$'
out_has "text marks thread stacks with their thread" 'thread_stack .*\[stack of thread [0-9]+\]'
out_has "text shows the system call with its arguments" '^ +syscall read\(0x[0-9a-f]+, '
out_has "text: no findings for a healthy process" '^  none$'

run_pinspect --json "$pid"
status_is "JSON snapshot exits 0" 0
check "JSON is one document on one line" test "$(wc -l <"$TEST_TMP/out")" = 1
jq_check "JSON: identity" \
	'.schema_version == 1 and .pid == $pid and .ppid == $ppid and .comm == "pi-threads"
	 and .cmdline == [$exe, "-n", "4"] and .exe == $exe and .kernel_thread == false
	 and .parent_comm == "bash" and .users.real.id == $uid and (.age_seconds | type) == "number"
	 and (.start_time | type) == "number" and .nspid[0] == $pid and (.cgroup | length) > 0' \
	--argjson pid "$pid" --argjson ppid "$$" --arg exe "$HELPERS/pi-threads" --argjson uid "$(id -u)"
jq_check "JSON: state with its meaning" \
	'.state.code == "S" and .state.name == "sleeping" and (.state.meaning | test("interruptible"))'
jq_check "JSON: five threads, main first" \
	'(.threads | length) == 5 and .threads[0].tid == $pid and .threads[0].comm == "pi-threads"
	 and ([.threads[1:][].comm] | sort) == ["worker-0", "worker-1", "worker-2", "worker-3"]' \
	--argjson pid "$pid"
read_fd=$(awk '/^pipe / {print $2}' "$HELPER_OUT")
jq_check "JSON: every worker is in read() on the helper's pipe" \
	'[.threads[1:][] | .syscall.state == "in_syscall" and .syscall.name == "read"
	  and .syscall.number == 0 and .syscall.args[0] == $fd and .wchan == "anon_pipe_read"] | all' \
	--argjson fd "$read_fd"
jq_check "JSON: the main thread is in pause()" '.threads[0].syscall.name == "pause"'
jq_check "JSON: switch counts are numbers, and the process total is their sum" \
	'([.threads[].voluntary_ctxt_switches] | add) == .scheduling.voluntary_ctxt_switches
	 and ([.threads[].nonvoluntary_ctxt_switches] | add) == .scheduling.nonvoluntary_ctxt_switches'
jq_check "JSON: every thread has been off the CPU since it blocked" \
	'[.threads[].off_cpu_seconds | type == "number" and . > 0 and . < 600] | all'
jq_check "JSON: scheduling" \
	'.scheduling.policy == "SCHED_OTHER" and .scheduling.nice == 0 and
	 (.scheduling.allowed_cpus | type) == "string" and (.scheduling.timeslices | type) == "number"'
jq_check "JSON: signals decoded to names" '(.signals.blocked | type) == "array" and (.signals.caught | type) == "array"'
jq_check "JSON: maps classified, with sizes" \
	'(.maps | length) > 10 and ([.maps[].kind] | index("text") and index("heap") != null or true)
	 and ([.maps[] | select(.kind == "text")] | length) > 0
	 and ([.maps[] | select(.kind == "main_stack")] | length) == 1
	 and ([.maps[] | select(.kind == "vdso")] | length) == 1
	 and ([.maps[] | select(.kind == "vvar")] | length) >= 1
	 and ([.maps[].rss_bytes | type == "number"] | all)'
jq_check "JSON: each worker's stack mapping is a thread stack holding its SP" \
	'. as $p | [.threads[1:][] | .tid as $t | .syscall.sp as $sp |
	  ($p.maps[] | select(.start <= $sp and $sp < .end)) | .kind == "thread_stack" and .stack_tid == $t] | all and length == 4'
jq_check "JSON: vDSO symbols, build-id, and AT_SYSINFO_EHDR" \
	'(.vdso.symbols | index("__vdso_clock_gettime")) != null and (.vdso.build_id | test("^[0-9a-f]{40}$"))
	 and .vdso.matches_auxv == true and .vdso.start == .vdso.auxv_sysinfo_ehdr'
jq_check "JSON: the vDSO start is that of the [vdso] mapping" \
	'.vdso.start == ([.maps[] | select(.path == "[vdso]")][0].start)'
jq_check "JSON: memory sizes in bytes" '.memory.rss_bytes > 0 and .memory.vm_size_bytes >= .memory.rss_bytes'
jq_check "JSON: no findings" '.findings == []'

# What the JSON says against /proc itself.
maps_count=$(wc -l <"/proc/$pid/maps")
jq_check "JSON: as many mappings as /proc/PID/maps has" '(.maps | length) == $n' --argjson n "$maps_count"
rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
jq_check "JSON: VmRSS as /proc says" '.memory.rss_bytes == $kb * 1024' --argjson kb "$rss_kb"

if need_root "kernel stacks (root only)"; then
	jq_check "JSON: kernel stacks, root only: each worker's goes through the pipe read" \
		'[.threads[1:][] | .kernel_stack | map(test("pipe_read")) | any] | all'
	jq_check "JSON: as root nothing is unavailable" '.unavailable == []'
fi

# The inspector's own shell (the README's example).
run_pinspect $$
status_is "pinspect \$\$ works" 0

done_testing
