#!/bin/bash
# Batch mode (pinspect --batch, like top -b): every JSON line parses and
# says what the live view says about real tasks in D, Z and T, and about
# threads deadlocked on each other's mutexes; the text shows the same
# flags in words; -n, -d, --top, --problems and -H do what the manual
# says; usage errors exit 2.
. "$(dirname "$0")/own_pidns.sh"
. "$(dirname "$0")/lib.sh"

start_vfork_parent
dpid=$VFORK_PARENT
start_helper pi-zombies 3
holder=$HELPER_PID
read -r -a zombies < <(sed -n 2p "$HELPER_OUT")
start_stopped_sleep
stopped=$STOPPED_PID
start_traced_sleep
traced=$TRACED_PID
tracer=$TRACER_PID
start_helper pi-threads -n 3
healthy=$HELPER_PID
# Two threads waiting for each other's mutex, and a chain of waits that
# ends at a thread asleep: a deadlock, and not one.
start_helper pi-locks deadlock2
locked=$HELPER_PID
read -r t1 t2 < <(sed -n 2p "$HELPER_OUT")
start_helper pi-locks chain
chain=$HELPER_PID
read -r c1 c2 c3 < <(sed -n 2p "$HELPER_OUT")
sleep 0.6

# --- JSON: one document per refresh. ---------------------------------
run_pinspect --batch --json -n 2 -d 0.3 --hung-after 0.5
status_is "JSON: exits 0" 0
check "JSON: one line per refresh" test "$(wc -l <"$TEST_TMP/out")" = 2
bad=0
while IFS= read -r line; do
	printf '%s\n' "$line" | jq -e . >/dev/null 2>&1 || bad=$((bad + 1))
done <"$TEST_TMP/out"
check "JSON: every line parses on its own" test "$bad" = 0
cp "$TEST_TMP/out" "$TEST_TMP/both"
head -1 "$TEST_TMP/both" >"$TEST_TMP/out"
jq_check "JSON: the header of a refresh" \
	'.schema_version == 1 and (.snapshot_time | type) == "number" and .uptime_seconds > 0
	 and (.load_average | length) == 3 and .hung_after_seconds == 0.5
	 and (.hung_task_timeout_secs == null or (.hung_task_timeout_secs | type) == "number")
	 and .view.threads == false and .view.sort == "cpu_percent" and .view.top_pid == null'
jq_check "JSON: counts by state add up" \
	'.counts as $c | $c.threads == ($c.running + $c.sleeping + $c.uninterruptible + $c.stopped
	 + $c.traced + $c.zombie + $c.idle + $c.other) and $c.processes == (.tasks | length)
	 and $c.hung >= 1 and $c.zombie >= 3 and $c.zombie_parents >= 1'
jq_check "JSON: before a second sample, CPU and rates are null, never a made-up 0" \
	'[.tasks[] | .cpu_percent == null and .voluntary_ctxt_switches_per_second == null] | all'
tail -1 "$TEST_TMP/both" >"$TEST_TMP/out"
# (a task that appeared between the two has none yet: only those seen in both)
jq_check "JSON: the second refresh has CPU and switch rates" \
	'([.tasks[] | select(.pid == $h or .pid == $d or .pid == $z) | .cpu_percent | type] == ["number", "number", "number"])
	 and ([.tasks[] | select(.pid == $h) | .voluntary_ctxt_switches_per_second | type] == ["number"])' \
	--argjson h "$healthy" --argjson d "$dpid" --argjson z "$holder"
jq_check "JSON: the D task is flagged hung, with where it waits and for how long" \
	'[.tasks[] | select(.pid == $d)][0] | .state.code == "D" and .flags == ["hung"]
	 and .syscall.name == "vfork" and (.wchan | length) > 0 and .off_cpu_seconds > 0.5
	 and .tid == null and .threads == 1' --argjson d "$dpid"
jq_check "JSON: the zombies, with their parent" \
	'[.tasks[] | select(.ppid == $h and .state.code == "Z")] | length == 3
	 and all(.flags == ["zombie"] and .rss_bytes == null and .syscall == null)' --argjson h "$holder"
jq_check "JSON: the parent holding them" \
	'[.tasks[] | select(.pid == $h)][0] | .flags == ["zombie_parent"] and .zombie_children == 3
	 and .oldest_zombie_seconds > 0' --argjson h "$holder"
jq_check "JSON: the stopped task" \
	'[.tasks[] | select(.pid == $s)][0] | .state.code == "T" and .flags == ["stopped"]' --argjson s "$stopped"
jq_check "JSON: the traced task, and its tracer" \
	'[.tasks[] | select(.pid == $t)][0] | .state.code == "t" and .flags == ["traced"]
	 and .tracer_pid == $tracer' --argjson t "$traced" --argjson tracer "$tracer"
jq_check "JSON: findings: traced, by whom" \
	'[.findings[] | select(.kind == "traced" and .pid == $t)][0].message | test("traced by " + ($tracer | tostring))' \
	--argjson t "$traced" --argjson tracer "$tracer"
jq_check "JSON: a healthy task has no flags, and its user by name" \
	'[.tasks[] | select(.pid == $h)][0] | .flags == [] and .user.name != null
	 and .comm == "pi-threads" and (.cmdline | test("pi-threads -n 3$")) and .threads == 4' \
	--argjson h "$healthy"
jq_check "JSON: findings as in a snapshot: hung, with its manual section" \
	'[.findings[] | select(.kind == "hung" and .pid == $d)][0]
	 | .tid == $d and .see == "pinspect(1) HUNG TASKS" and .seconds > 0.5
	 and (.message | test("has been in D .* hung: longer than --hung-after"))' --argjson d "$dpid"
jq_check "JSON: findings: the zombie parent lists its zombies" \
	'[.findings[] | select(.kind == "zombie_parent" and .pid == $h)][0]
	 | (.pids | sort) == ($z | sort) and .see == "pinspect(1) ZOMBIES"' \
	--argjson h "$holder" --argjson z "[${zombies[0]},${zombies[1]},${zombies[2]}]"
jq_check "JSON: findings: each zombie, and the stopped task" \
	'([.findings[] | select(.kind == "zombie" and (.pid == ($z | .[])))] | length) == 3
	 and ([.findings[] | select(.kind == "stopped" and .pid == $s)] | length) == 1' \
	--argjson z "[${zombies[0]},${zombies[1]},${zombies[2]}]" --argjson s "$stopped"

# --- Problems only, threads. ------------------------------------------
run_pinspect --batch --json -n 1 --problems -H --hung-after 0.5
jq_check "--problems -H: only flagged threads (or zombies' parents), one row per thread" \
	'.view.problems_only and .view.threads and ([.tasks[] | .tid != null] | all)
	 and ([.tasks[] | (.flags | length) > 0] | all)
	 and ([.tasks[] | select(.pid == $h)] | length) == 0
	 and ([.tasks[] | select(.pid == $d)] | length) == 1' --argjson h "$healthy" --argjson d "$dpid"

# --- Deadlocks: found on the first refresh, with and without -H. --------
for threads in "" -H; do
	run_pinspect --batch --json -n 1 $threads
	status_is "deadlock${threads:+ $threads}: exits 0" 0
	jq_check "deadlock${threads:+ $threads}: exactly one deadlock finding for the process, naming its two threads and LOCKS" \
		'[.findings[] | select(.kind == "deadlock" and .pid == $p)] | length == 1
		 and (.[0].pids | sort) == ([$t1, $t2] | sort) and (.[0].tid == $t1 or .[0].tid == $t2)
		 and .[0].see == "pinspect(1) LOCKS"
		 and (.[0].message | test("^2 threads wait for each other: thread [0-9]+ \\(t[12]\\) waits for mutex pi_lock_"))' \
		--argjson p "$locked" --argjson t1 "$t1" --argjson t2 "$t2"
	jq_check "deadlock${threads:+ $threads}: counted" '.counts.deadlocks >= 1 and .counts.deadlocked_threads >= 2'
	jq_check "deadlock${threads:+ $threads}: the chain of waits is not flagged, nor named in a finding" \
		'([.tasks[] | select(.pid == $c) | .flags] | length) >= 1
		 and ([.tasks[] | select(.pid == $c) | .flags[]] == [])
		 and ([.findings[] | select(.pid == $c)] == [])' --argjson c "$chain"
done
jq_check "deadlock -H: each of the two threads is flagged deadlock; the main thread is not" \
	'[.tasks[] | select(.pid == $p)] as $rows
	 | ([$rows[] | select(.tid == $t1 or .tid == $t2) | .flags] == [["deadlock"], ["deadlock"]])
	 and ([$rows[] | select(.tid == $p) | .flags] == [[]])' \
	--argjson p "$locked" --argjson t1 "$t1" --argjson t2 "$t2"
run_pinspect --batch --json -n 1
jq_check "deadlock: the process is flagged deadlock" \
	'[.tasks[] | select(.pid == $p) | .flags] == [["deadlock"]]' --argjson p "$locked"
run_pinspect --batch --json -n 1 --problems -H
jq_check "deadlock --problems -H: the two threads are among the problems, the chain's are not" \
	'([.tasks[] | select(.tid == $t1 or .tid == $t2)] | length) == 2
	 and ([.tasks[] | select(.pid == $c)] | length) == 0' \
	--argjson t1 "$t1" --argjson t2 "$t2" --argjson c "$chain"

run_pinspect --batch -n 1 -H
out_has "deadlock text -H: each thread names the one it waits for" \
	"^ +$t1 root +S .* futex +deadlock with $t2 +t1: .*pi-locks deadlock2\$"
out_has "deadlock text -H: both ways round" \
	"^ +$t2 root +S .* futex +deadlock with $t1 +t2: .*pi-locks deadlock2\$"
out_lacks "deadlock text -H: the chain's threads are not flagged" \
	"^ +($chain|$c1|$c2|$c3) .* deadlock (with|\\()"
out_has "deadlock text: counted at the top, with the process" \
	"^Deadlocks: [0-9]+ threads in [0-9]+ lock cycles?, in .*\b$locked \\(pi-locks\\) 2\b.*\(looked for [0-9.hms]+ ago"
run_pinspect --batch -n 1 --problems
out_has "deadlock text --problems: the process, flagged in words" \
	"^ +$locked root +S .* deadlock \\(2 threads\\) +.*pi-locks deadlock2\$"
out_lacks "deadlock text --problems: the chain is not a problem" "^ +$chain "

# --- One process: --top. -----------------------------------------------
run_pinspect --batch --json -n 1 --top "$healthy"
status_is "--top: exits 0" 0
jq_check "--top: that process's threads, named" \
	'.view.top_pid == $h and .view.threads and (.tasks | length) == 4
	 and ([.tasks[].comm] | sort) == ["pi-threads", "worker-0", "worker-1", "worker-2"]
	 and ([.tasks[] | select(.comm != "pi-threads") | .syscall.name] | unique) == ["read"]
	 and .counts.processes == 1 and .counts.threads == 4' --argjson h "$healthy"
jq_check "--top: another process's deadlock is not counted" \
	'.counts.deadlocks == 0 and .counts.deadlocked_threads == 0
	 and ([.findings[] | select(.kind == "deadlock")] | length) == 0'
run_pinspect --batch --json -n 1 --top "$locked"
jq_check "--top a deadlocked process: its cycle, flagged and counted" \
	'.counts.deadlocks == 1 and .counts.deadlocked_threads == 2
	 and ([.tasks[] | select(.flags | index("deadlock")) | .tid] | sort) == ([$a, $b] | sort)
	 and ([.findings[] | select(.kind == "deadlock")][0].pids | sort) == ([$a, $b] | sort)' \
	--argjson a "$t1" --argjson b "$t2"
worker=$(ls "/proc/$healthy/task" | grep -vx "$healthy" | head -1)
run_pinspect --batch --json -n 1 --top "$worker"
status_is "--top a thread's ID: watches its process" 0
err_has "--top a thread's ID: says so" "$worker is a thread of process $healthy"
jq_check "--top a thread's ID: the process's threads" '.view.top_pid == $h' --argjson h "$healthy"
missing=4194304
while [ -e "/proc/$missing" ]; do missing=$((missing - 1)); done
run_pinspect --batch -n 1 --top "$missing"
status_is "--top a missing PID: exits 3" 3
err_has "--top a missing PID: says so" "PID $missing: no such process"
check "--top a missing PID: prints nothing" test ! -s "$TEST_TMP/out"

# The process watched exits while batch mode watches it.
start_helper pi-threads -n 1
short=$HELPER_PID
# (valgrind takes seconds to start)
lives=0.5
[ "${PINSPECT_VALGRIND:-}" = 1 ] && lives=8
( sleep "$lives"; kill -KILL "$short" ) &
run_pinspect --batch -n 100 -d 0.2 --top "$short"
# It is gone, and bash has reaped it: its PID may already name another
# process (PIDs wrap), which the cleanup must not kill.
wait "$short" 2>/dev/null
keep=()
for p in "${helper_pids[@]}"; do [ "$p" = "$short" ] || keep+=("$p"); done
helper_pids=("${keep[@]}")
status_is "--top: a process that exits ends batch mode with 3" 3
err_has "--top: and says it exited" "process $short has exited"
out_has "--top: after printing what it saw" 'watching process'

# --- Text. -------------------------------------------------------------
run_pinspect --batch -n 1 --problems --hung-after 0.5
status_is "text: exits 0" 0
out_has "text: the summary" '^Tasks: [0-9]+ process(es)?, [0-9]+ threads?: '
out_has "text: hung tasks against both thresholds" \
	'^Hung: [1-9][0-9]* threads? in D longer than --hung-after 0\.5s \(the kernel.s hung_task_timeout_secs'
out_has "text: zombies and their parent" "^Zombies: [0-9]+, held by .*$holder \\(pi-zombies\\) 3"
out_has "text: what is shown" '^Showing [0-9]+ of [0-9]+ processes, by %CPU \(biggest first\); problems only'
out_has "text: the column titles" '^ +PID USER +S +%CPU +RES +VCSW/s +ICSW/s +LASTRAN +WCHAN +SYSCALL +FLAGS +COMMAND$'
out_has "text: the hung task, in words" "^ +$dpid root +D .* vfork +hung [0-9][0-9.hms]* +.*pi-vfork-parent\$"
out_has "text: a zombie, with its parent" "^ +${zombies[0]} root +Z .* zombie of $holder +\\[pi-zombies\\]\$"
out_has "text: the parent, with how many" "^ +$holder root +S .* holds 3 zombies"
out_has "text: the stopped task" "^ +$stopped root +T .* stopped +sleep 600\$"
out_has "text: the traced task" "^ +$traced root +t .* traced by $tracer +sleep 600\$"
out_lacks "text: --problems leaves out the healthy" "^ +$healthy "

run_pinspect --batch -n 2 -d 0.2 --top "$healthy"
status_is "text, two refreshes: exits 0" 0
check "text: one block per refresh" test "$(grep -c '^Tasks: ' "$TEST_TMP/out")" = 2
out_has "text --top: its threads, named" '^ +[0-9]+ root +S .* read +worker-1: .*pi-threads -n 3$'

# --json without --batch, and no PID, is batch mode (there is no live JSON).
run_pinspect --json -n 1 --top "$healthy"
status_is "--json without a PID is batch mode" 0
jq_check "--json without a PID: a refresh document" '.view.top_pid == $h' --argjson h "$healthy"

# A reader that stops reading ends batch mode (no -n), quietly.
if command -v timeout >/dev/null; then
	timeout 20 "$PINSPECT_BIN" --batch -d 0.1 --top "$healthy" | head -1 >/dev/null
	check "a closed pipe ends batch mode" test "${PIPESTATUS[0]}" != 124
fi

# --- Usage errors. -----------------------------------------------------
run_pinspect --batch "$healthy"
status_is "--batch with a PID is a usage error" 2
err_has "--batch with a PID: says what to do instead" '--top=PID.* take no PID'
run_pinspect -H "$healthy"
status_is "-H with a PID is a usage error" 2
run_pinspect --batch -d 0.01
status_is "-d below 0.1 is a usage error" 2
err_has "-d: the bad value is named" "--delay: '0.01' is not a number of seconds"
run_pinspect --batch -d soon
status_is "-d with a non-number is a usage error" 2
run_pinspect --batch -n 0
status_is "-n 0 is a usage error" 2
err_has "-n: the bad value is named" "--iterations: '0' is not a count"
run_pinspect --batch -n 1x
status_is "-n with junk is a usage error" 2
run_pinspect --top abc
status_is "--top with a non-PID is a usage error" 2

done_testing
