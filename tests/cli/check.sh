#!/bin/bash
# The health scans: --hung, --zombies, --deadlocks, --check and --metrics,
# against real hung, zombie and deadlocked helpers; their exit status,
# text, JSON and Prometheus output; no false alarm for locks that are not
# a cycle; other users' processes as non-root; processes that come and go
# while a scan reads; and that a scan never stops a thread.
#
# A scan sees the whole system: it runs in a PID namespace of its own.
PIDNS_REQUIRED=1 . "$(dirname "$0")/own_pidns.sh"
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3

# --- Nothing to find. ------------------------------------------------------
run_pinspect --check
status_is "--check on a healthy system: exit 0" 0
out_has "text: no hung task" "^  none: no task has been in D for longer than --hung-after 10 s$"
out_has "text: no zombie" "^ZOMBIES$"
out_has "text: no deadlock" "^  none: no threads wait for each other's locks$"
out_has "text: no finding" "^0 findings$"
run_pinspect --check --json
status_is "--check --json on a healthy system: exit 0" 0
jq_check "JSON: no findings, every scan run, the counts are zero" \
	'.findings == [] and .scans == ["hung", "zombies", "deadlocks"] and .schema_version == 1
	 and .hung_tasks == 0 and .zombies == 0 and .deadlocks == 0 and .zombie_parents == 0
	 and .processes >= 1 and .tasks >= .processes and .locks_not_checked.pids == []'
jq_check "JSON: the tasks by state add up to the tasks" \
	'([.states[]] | add) == .tasks'
for scan in --hung --zombies --deadlocks; do
	run_pinspect $scan
	status_is "$scan on a healthy system: exit 0" 0
done

# --- Zombies, by parent. -----------------------------------------------------
start_helper pi-zombies 3
holder=$HELPER_PID
read -r -a zombies < <(sed -n 2p "$HELPER_OUT")
zlist=$(printf '%s\n' "${zombies[@]}" | sort -n | paste -sd,)
run_pinspect --zombies
status_is "--zombies: exit 1 when a parent holds zombies" 1
out_has "text: how many, held by how many parents" "^  3 zombies, held by 1 parent that has not reaped them with wait\(\):$"
out_has "text: the parent, its name, the count, and the zombies' PIDs" \
	"^  $holder +pi-zombies +3  .* ${zombies[0]} ${zombies[1]} ${zombies[2]}\$"
out_has "text: points to the manual" "^1 finding; pinspect\(1\) explains: ZOMBIES$"
out_lacks "text: --zombies alone shows no other scan" "^(HUNG TASKS|DEADLOCKS)$"
run_pinspect --zombies --json
status_is "--zombies --json: exit 1" 1
jq_check "JSON: one zombie_parent finding about the parent, with the zombies' PIDs" \
	'.findings | length == 1 and .[0].kind == "zombie_parent" and .[0].pid == $h and .[0].tid == $h
	 and .[0].pids == $z and .[0].see == "pinspect(1) ZOMBIES" and .[0].seconds >= 0' \
	--argjson h "$holder" --argjson z "[$zlist]"
jq_check "JSON: details: the parent's name, each zombie with its name and age, oldest first" \
	'.findings[0].details | .comm == "pi-zombies" and (.zombies | length) == 3
	 and ([.zombies[].pid] | sort) == $z and ([.zombies[].comm] | unique) == ["pi-zombies"]
	 and ([.zombies[].age_seconds] | . == (sort | reverse))' --argjson z "[$zlist]"
jq_check "JSON: counts" '.zombies == 3 and .zombie_parents == 1 and .states.zombie == 3 and .scans == ["zombies"]'
run_pinspect --hung
status_is "--hung does not count zombies: exit 0" 0
kill -KILL "$holder"
wait "$holder" 2>/dev/null

# --- A hung task: a vfork parent waits in D. ---------------------------------
start_vfork_parent
child=$VFORK_CHILD
parent=$VFORK_PARENT
run_pinspect --hung
status_is "--hung: a task just in D is not hung yet (--hung-after 10): exit 0" 0
out_has "text: says a task is in D for less" "^  none: no task has been in D for longer than --hung-after 10 s \(1 is in D for less\)$"
run_pinspect --hung --hung-after=0
status_is "--hung --hung-after=0: exit 1" 1
out_has "text: how many, and the threshold" "^  1 task in D, off the CPU for longer than --hung-after 0 s"
out_has "text: pid, tid, command, time in D, wchan, system call" \
	"^  $parent +$parent +pi-vfork-parent +[0-9.]+ (s|ms) +[a-z_]+ +vfork\("
if [ -n "$(head -c 1 "/proc/$parent/stack" 2>/dev/null)" ]; then
	out_has "text: the kernel stack" "^ +kernel [a-z_]+\+0x"
else
	skip "text: the kernel stack" "kernel stacks are for root (outside a user namespace); CI runs as root"
fi
run_pinspect --hung --hung-after=0 --json
jq_check "JSON: one hung finding, about the vfork parent" \
	'.findings | length == 1 and .[0].kind == "hung" and .[0].pid == $p and .[0].tid == $p
	 and .[0].see == "pinspect(1) HUNG TASKS" and .[0].seconds > 0' --argjson p "$parent"
jq_check "JSON: details: names, time off the CPU, wchan, the system call" \
	'.findings[0].details | .comm == "pi-vfork-parent" and .process_comm == "pi-vfork-parent"
	 and .off_cpu_seconds > 0 and (.wchan | length) > 0 and .syscall.name == "vfork"
	 and .syscall.state == "in_syscall" and (.voluntary_ctxt_switches | type) == "number"'
jq_check "JSON: counts: one hung, one in D, the longest D time" \
	'.hung_tasks == 1 and .uninterruptible_tasks == 1 and .longest_uninterruptible_seconds > 0
	 and .hung_after_seconds == 0 and .states.uninterruptible == 1'
run_pinspect --zombies
status_is "--zombies does not count a task in D: exit 0" 0
kill -KILL "$parent" "$child" 2>/dev/null

# --- Deadlocks, and locks that are not. ---------------------------------------
declare -A tids pids
for mode in deadlock2 deadlock3 pi recursive chain condvar semaphore shared; do
	start_helper pi-locks "$mode"
	pids[$mode]=$HELPER_PID
	tids[$mode]=$(sed -n 2p "$HELPER_OUT" | tr ' ' '\n' | sort -n | paste -sd,)
	[ "$mode" = shared ] && tids[$mode]=$(sed -n 2p "$HELPER_OUT" | cut -d' ' -f1)
done
# One in a container: the owners in its mutexes are its own numbers.
start_helper_in_pidns pi-locks deadlock3 || { echo "Bail out! no nested PID namespace"; exit 99; }
pids[container]=$HELPER_PID
tids[container]=$(tids_named "$HELPER_PID" t1 t2 t3)
start_helper pi-cxx deadlock
pids[cxx]=$HELPER_PID
# pi-cxx names its two deadlocked threads t1 and t2.
tids[cxx]=$(grep -lx 't[12]' /proc/"${pids[cxx]}"/task/*/comm | cut -d/ -f5 | sort -n | paste -sd,)
# deadlock: "pid:tids" of each deadlock finding, sorted.
deadlocks() {
	jq -r '[.findings[] | select(.kind == "deadlock") | "\(.pid):\(.pids | sort | map(tostring) | join(","))"]
		| sort | join(" ")' "$TEST_TMP/out"
}
expected=$(for m in deadlock2 deadlock3 pi cxx container; do echo "${pids[$m]}:${tids[$m]}"; done | sort | paste -sd' ')
for opt in --deadlocks --check; do
	run_pinspect $opt --json
	status_is "$opt: exit 1 with deadlocked processes" 1
	check "$opt: exactly the two- and three-thread, PI, std::mutex and container's cycles, with their threads" \
		test "$(deadlocks)" = "$expected"
done
run_pinspect --deadlocks --json
jq_check "JSON: a deadlock names the locks, and points to LOCKS" \
	'[.findings[] | select(.pid == $p)][0] | .message | test("pi_lock_a") and test("pi_lock_b")' \
	--argjson p "${pids[deadlock2]}"
jq_check "JSON: details: the cycle's threads as in a snapshot, each waiting for the other" \
	'[.findings[] | select(.pid == $p)][0].details | .comm == "pi-locks"
	 and ([.threads[] | "\(.tid):\(.lock.kind):\(.lock.symbol)"] | length) == 2
	 and ([.threads[].lock.owner_tid] | sort) == ([.threads[].tid] | sort)' \
	--argjson p "${pids[deadlock2]}"
jq_check "JSON: counts: five cycles, twelve threads" '.deadlocks == 5 and .deadlocked_threads == 12'
jq_check "JSON: no finding about the chain, condition variable, semaphore, recursive or shared mutex" \
	'[.findings[].pid] - [$a, $b, $c, $d, $e] == []' --argjson a "${pids[deadlock2]}" \
	--argjson b "${pids[deadlock3]}" --argjson c "${pids[pi]}" --argjson d "${pids[cxx]}" \
	--argjson e "${pids[container]}"
run_pinspect --deadlocks
out_has "text: how many cycles" "^  5 lock cycles, threads waiting for each other for good:$"
out_has "text: the process and the finding's sentence" \
	"^  process ${pids[deadlock3]} \(pi-locks\): 3 threads wait for each other: "
out_has "text: each thread, the lock it waits for, its holder, and where in the program" \
	"^    [0-9]+ +t1 +pi_lock_b +[0-9]+ +cycle_member"
# None of them was stopped, or left traced, by the scans.
untouched=true
for m in "${!pids[@]}"; do
	if grep -qsE '^TracerPid:[[:space:]]*[1-9]' /proc/"${pids[$m]}"/task/*/status ||
		grep -qsE '^State:[[:space:]]*[tT]' /proc/"${pids[$m]}"/task/*/status; then
		untouched=false
	fi
done
check "no thread of the deadlocked processes was left stopped or traced" $untouched

# Non-root: other users' locks cannot be read; the scan says so, and
# still finds what it can.
if [ "$(id -u)" = 0 ] && [ "$(cat /proc/self/uid_map | awk '{ print $2 }')" = 0 ] &&
	command -v setpriv >/dev/null; then
	as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	"${as_nobody[@]}" "$PINSPECT_BIN" --deadlocks --json >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	STATUS=$?
	status_is "as another user: --deadlocks finds nothing it could read: exit 0" 0
	jq_check "as another user: the processes whose locks were not checked, and why" \
		'.locks_not_checked | (.pids | index($p)) != null and (.reason | test("denied|not permitted"))' \
		--argjson p "${pids[deadlock2]}"
	jq_check "as another user: the reason's key" '.locks_not_checked.code == "permission_denied"'
	"${as_nobody[@]}" "$PINSPECT_BIN" --deadlocks >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	out_has "as another user: the text says run as root" "not checked: the locks of [0-9]+ processes .*run as root"
else
	skip "as another user: --deadlocks" "needs root outside a user namespace, and setpriv"
	skip "as another user: locks not checked" "needs root outside a user namespace, and setpriv"
	skip "as another user: the text says run as root" "needs root outside a user namespace, and setpriv"
fi

# --- Everything at once, and the metrics. ---------------------------------------
start_helper pi-zombies 2 'z"q\w
n'
holder=$HELPER_PID
start_vfork_parent
child=$VFORK_CHILD
parent=$VFORK_PARENT
run_pinspect --check --hung-after=0 --json
status_is "--check: exit 1" 1
jq_check "--check: hung, zombie and deadlock findings together" \
	'[.findings[].kind] | unique == ["deadlock", "hung", "zombie_parent"]'
jq_check "--check: every finding names its task and the manual's section" \
	'[.findings[] | (.pid | type) == "number" and (.tid | type) == "number" and (.see | startswith("pinspect(1) "))] | all'

run_pinspect --metrics --hung-after=0
status_is "--metrics: exit 0 whatever they say (a cron job writes them)" 0
check "--metrics: ends with # EOF" test "$(tail -n 1 "$TEST_TMP/out")" = "# EOF"
if $PY -c 'import prometheus_client' 2>/dev/null; then
	# metric NAME [LABEL=VALUE...]: the sample's value, parsed by the
	# Prometheus client library's own text-format parser.
	metric() {
		$PY - "$TEST_TMP/out" "$@" <<-'EOF'
		import sys
		from prometheus_client.parser import text_string_to_metric_families
		name, want = sys.argv[2], dict(a.split("=", 1) for a in sys.argv[3:])
		for fam in text_string_to_metric_families(open(sys.argv[1], encoding="utf-8").read()):
		    for s in fam.samples:
		        if s.name == name and all(s.labels.get(k) == v for k, v in want.items()):
		            print("%g" % s.value)
		EOF
	}
	check "metrics: the Prometheus parser reads them" test -n "$(metric pinspect_processes)"
	check "metrics: the OpenMetrics parser reads them too" \
		$PY -c 'import sys; from prometheus_client.openmetrics.parser import text_string_to_metric_families as p; list(p(open(sys.argv[1]).read()))' "$TEST_TMP/out"
	check "metrics: zombies" test "$(metric pinspect_zombies)" = 2
	# The label is the name as the text output shows it: the backslash
	# and the newline escaped.
	check "metrics: zombies of the parent, whose name has a quote, a backslash and a newline" \
		test "$(metric pinspect_zombie_parent_zombies pid="$holder" comm='z"q\\w\nn')" = 2
	check "metrics: one hung task, labelled with its pid, tid and name" \
		test "$(metric pinspect_hung_task_seconds pid="$parent" tid="$parent" comm=pi-vfork-parent | cut -c1)" != ""
	check "metrics: the hung count" test "$(metric pinspect_hung_tasks)" = 1
	check "metrics: the tasks in D" test "$(metric pinspect_tasks state=uninterruptible)" = 1
	check "metrics: five lock cycles, twelve threads" \
		test "$(metric pinspect_deadlocks) $(metric pinspect_deadlocked_threads)" = "5 12"
	check "metrics: the deadlocked threads of a process" \
		test "$(metric pinspect_process_deadlocked_threads pid="${pids[deadlock3]}" comm=pi-locks)" = 3
else
	for what in "the Prometheus parser" "the OpenMetrics parser" zombies "a hostile name" "hung task" \
		"hung count" "tasks in D" "lock cycles" "deadlocked threads"; do
		skip "metrics: $what" "python3-prometheus-client is not installed (./bootstrap installs it)"
	done
fi

# node_exporter's textfile collector takes them as they are.
exporter=$(command -v prometheus-node-exporter || command -v node_exporter)
if [ -n "$exporter" ]; then
	mkdir -p "$TEST_TMP/textfile"
	cp "$TEST_TMP/out" "$TEST_TMP/textfile/pinspect.prom"
	port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$exporter" --collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$TEST_TMP/textfile" \
		--web.listen-address="127.0.0.1:$port" >"$TEST_TMP/exporter.log" 2>&1 &
	track $!
	scraped=
	for i in $(seq 1 100); do
		scraped=$($PY -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' \
			"http://127.0.0.1:$port/metrics" 2>/dev/null) && break
		sleep 0.1
	done
	check "node_exporter's textfile collector reads them without error" \
		grep -qx 'node_textfile_scrape_error 0' <<<"$scraped"
	check "node_exporter serves pinspect's metrics" grep -qx 'pinspect_zombies 2' <<<"$scraped"
else
	skip "node_exporter reads the metrics" "prometheus-node-exporter is not installed (CI installs it)"
	skip "node_exporter serves them" "prometheus-node-exporter is not installed (CI installs it)"
fi
kill -KILL "$parent" "$child" "$holder" 2>/dev/null

# --- Processes that come and go while a scan reads them. ------------------------
start_helper pi-threads -n 8 -c
( while :; do /bin/true; sleep 0.002; done ) &	# a process a few ms: churn, not a CPU hog
track $!
bad=0
runs=20
[ "${PINSPECT_VALGRIND:-}" = 1 ] && runs=4	# each takes seconds under valgrind
for i in $(seq 1 "$runs"); do
	run_pinspect --check --json
	if [ "$STATUS" != 1 ] || [ -s "$TEST_TMP/err" ] || ! jq -e . "$TEST_TMP/out" >/dev/null 2>&1; then
		bad=$((bad + 1))
		echo "# run $i: status $STATUS, stderr: $(head -c 300 "$TEST_TMP/err")"
	fi
done
check "$runs scans while threads and processes come and go: each a whole JSON document, no error" test "$bad" = 0

# --- Usage. ------------------------------------------------------------------
for args in "--check 1" "--metrics --json" "--hung -n 1" "--zombies --top=1" "--check --consistent" \
	"--deadlocks --stop-blocked" "--check --batch"; do
	run_pinspect $args
	status_is "pinspect $args: usage error, exit 2" 2
done
run_pinspect --check 1
err_has "a PID with a scan: says why" "a scan looks at every task on the system: it takes no PID"

done_testing
