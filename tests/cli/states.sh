#!/bin/bash
# Real processes in the states pinspect exists to explain: a vfork parent
# in D (hung), zombies and the parent that holds them, a stopped process,
# a traced one, a process whose main thread has exited, a kernel thread.
. "$(dirname "$0")/lib.sh"

# --- D: a vfork parent waits in the kernel until its child execs. -----
start_vfork_parent
parent=$VFORK_PARENT
child=$VFORK_CHILD
sleep 0.3

run_pinspect --json "$parent"
status_is "D: exits 0" 0
jq_check "D: state and meaning" '.state.code == "D" and (.state.meaning | test("uninterruptible"))'
jq_check "D: in the vfork system call, waiting in the kernel" \
	'.threads[0].syscall.name == "vfork" and (.threads[0].wchan | length) > 0'
jq_check "D: time off the CPU is known" '.threads[0].off_cpu_seconds >= 0.3'
# It blocked in vfork() right after it started: its life is the time it
# ran, waited for a CPU (long on a loaded machine) and has been off the
# CPU since. One snapshot must date that to within a few ticks, whichever
# CPUs it and pinspect ran on.
jq_check "D: time off the CPU matches the process's age" \
	'(.age_seconds - .threads[0].off_cpu_seconds - .scheduling.run_seconds
	  - .scheduling.runqueue_wait_seconds) | fabs < 0.05'
jq_check "D: the default --hung-after is 10 s" '.hung_after_seconds == 10'
# (Not the default: on a loaded machine, valgrind may come to it late.)
run_pinspect --json --hung-after 600 "$parent"
jq_check "D: under the threshold, reported as uninterruptible, not hung" \
	'[.findings[].kind] == ["uninterruptible"] and .findings[0].tid == $pid
	 and .findings[0].see == "pinspect(1) HUNG TASKS" and .hung_after_seconds == 600' \
	--argjson pid "$parent"

run_pinspect --json --hung-after 0.2 "$parent"
jq_check "D: past --hung-after, the thread is hung" \
	'[.findings[].kind] == ["hung"] and .findings[0].tid == $pid and .findings[0].seconds > 0.2
	 and (.findings[0].message | test("has been in D .* waiting in [a-z_]+; hung: longer than --hung-after 0.2 s"))' \
	--argjson pid "$parent"
if [ -r /proc/sys/kernel/hung_task_timeout_secs ]; then
	jq_check "D: the kernel's own hung_task_timeout_secs is shown beside it" \
		'.hung_task_timeout_secs == $k' --argjson k "$(cat /proc/sys/kernel/hung_task_timeout_secs)"
fi
if need_root "D: the kernel stack shows the vfork wait (root only)"; then
	jq_check "D: the kernel stack shows the vfork wait (root only)" \
		'.threads[0].kernel_stack | map(test("vfork")) | any'
fi

run_pinspect --hung-after 0.2 "$parent"
out_has "D text: the state line" '^  D  uninterruptible sleep'
out_has "D text: where it waits" '^  Waiting in +[a-z_]+'
out_has "D text: how long it has been off the CPU" '^  Off the CPU +for [0-9.]+ (s|min)'
out_has "D text: the hung finding, with its man page section" '^  hung +thread [0-9]+ \(pi-vfork-parent\) has been in D'
out_has "D text: see HUNG TASKS" 'see pinspect\(1\), HUNG TASKS'
kill -KILL "$parent" "$child" 2>/dev/null

# --- Z: children that exited and were never reaped. ------------------
start_helper pi-zombies 3
holder=$HELPER_PID
read -r -a zombies < <(sed -n 2p "$HELPER_OUT")

run_pinspect --json "$holder"
status_is "zombie parent: exits 0" 0
jq_check "zombie parent: the finding names every zombie it holds" \
	'[.findings[] | select(.kind == "zombie_parent")] | length == 1 and .[0].pid == $pid
	 and (.[0].pids | sort) == ($z | sort) and .[0].see == "pinspect(1) ZOMBIES"
	 and (.[0].message | test("holds 3 unreaped zombie children"))' \
	--argjson pid "$holder" --argjson z "[${zombies[0]},${zombies[1]},${zombies[2]}]"
jq_check "zombie parent: the zombies are listed with their names" \
	'[.zombie_children[].comm] == ["pi-zombies", "pi-zombies", "pi-zombies"]'

run_pinspect --json "${zombies[0]}"
status_is "zombie: exits 0" 0
jq_check "zombie: state Z, and the parent that must reap it" \
	'.state.code == "Z" and .ppid == $holder and .parent_comm == "pi-zombies"
	 and ([.findings[] | select(.kind == "zombie")] | length) == 1
	 and (.findings[0].message | test("parent [0-9]+ \\(pi-zombies\\) has not reaped it"))' \
	--argjson holder "$holder"
jq_check "zombie: its memory is null and explained, not faked" \
	'.maps == null and .memory == null and
	 ([.unavailable[] | select(.item == "maps")][0].reason | test("exited"))'
run_pinspect "${zombies[0]}"
out_has "zombie text: who must reap it" "^  Reaped by +its parent $holder \\(pi-zombies\\)"
out_has "zombie text: no memory, and why" 'none: the process has exited'

# --- T: stopped by a signal. ------------------------------------------
start_stopped_sleep
stopped=$STOPPED_PID
run_pinspect --json "$stopped"
jq_check "stopped: state T and a stopped finding for the process" \
	'.state.code == "T" and [.findings[].kind] == ["stopped"] and .findings[0].tid == $pid
	 and (.findings[0].message | test("kill -CONT"))' --argjson pid "$stopped"
kill -CONT "$stopped"

# --- t: held by a tracer. ---------------------------------------------
start_traced_sleep
traced=$TRACED_PID
tracer=$TRACER_PID
run_pinspect --json "$traced"
jq_check "traced: state t, the tracer named" \
	'.state.code == "t" and .tracer_pid == $tracer and .tracer_comm == "pi-tracer"
	 and ([.findings[] | select(.kind == "traced")][0].message | test("traced by [0-9]+ \\(pi-tracer\\), and held at a ptrace stop"))' \
	--argjson tracer "$tracer"
run_pinspect "$traced"
out_has "traced text: the tracer" "^  Traced by +$tracer \\(pi-tracer\\), which holds it at a ptrace stop"
kill -TERM "$tracer"
wait "$tracer" 2>/dev/null
wait_state "$traced" S
check "traced: the tracer let it go" test "$(awk '/^TracerPid/ {print $2}' "/proc/$traced/status")" = 0

# --- The main thread exited, the process lives on. --------------------
start_helper pi-leader-exit
run_pinspect --json "$HELPER_PID"
status_is "leader exited: exits 0" 0
jq_check "leader exited: not a zombie process, and said so" \
	'.state.code == "Z" and ([.findings[].kind] | index("zombie")) == null
	 and ([.findings[].kind] | index("leader_exited")) != null and (.threads | length) == 2'
jq_check "leader exited: the memory map is still read, through a live thread" \
	'(.maps | length) > 0'

# --- A kernel thread: no user memory, and that is not an error. -------
kthread=$(kernel_thread_pid)
run_pinspect --json "$kthread"
status_is "kernel thread: exits 0" 0
jq_check "kernel thread: flagged, with no maps, syscall or executable" \
	'.kernel_thread == true and .maps == null and .exe == null and .cmdline == []
	 and .threads[0].syscall == null'
jq_check "kernel thread: the missing memory is explained" \
	'[.unavailable[] | select(.item == "maps")][0].reason == "a kernel thread has no user address space"'
run_pinspect "$kthread"
out_has "kernel thread text: says so" '^  Kernel thread +yes'
out_has "kernel thread text: no memory, and why" '^  none: a kernel thread has no user address space'

done_testing
