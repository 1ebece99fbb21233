#!/bin/bash
# Why is it stuck, across processes: for a thread blocked on a pipe, a
# FIFO, a socket, a file lock or its children, the snapshot names what it
# waits on and the process that can wake it (tests/helpers/pi-waits puts
# a waiter and its peer in each of these waits).
. "$(dirname "$0")/lib.sh"

# start_wait MODE [DIR]: the waiter in HELPER_PID, its peer in PEER, once
# the waiter is blocked in its system call.
start_wait() {
	start_helper pi-waits "$@"
	PEER=$(sed -n 's/^peer //p' "$HELPER_OUT")
	track "$PEER"
	local i
	for i in $(seq 1 200); do
		case $(cut -d' ' -f1 "/proc/$HELPER_PID/syscall" 2>/dev/null) in
		running|-1|'') sleep 0.05 ;;
		*) [ "$(task_state "$HELPER_PID")" = S ] && return 0; sleep 0.05 ;;
		esac
	done
	echo "Bail out! pi-waits $1 never blocked"
	exit 99
}

# first_object DESCRIPTION FILTER [JQ ARGS...]: jq over the main thread's
# first waited-on object ($o), its wait ($w), with $peer the peer's PID.
first_object() {
	local desc=$1 filter=$2
	shift 2
	jq_check "$desc" ".threads[0].waits_for as \$w | \$w.objects[0] as \$o | $filter" \
		--argjson peer "$PEER" "$@"
}

# fd_like PID LINK: PID's descriptor whose link is LINK.
fd_like() {
	local f
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f")" = "$2" ] && { echo "${f##*/}"; return; }
	done
	echo none
}

# --- A pipe: the write end is the peer's. ------------------------------------
start_wait pipe
run_pinspect --json "$HELPER_PID"
status_is "pipe: exit 0" 0
first_object "pipe: read on the pipe, needs a writer, held by the peer alone" \
	'$w.syscall == "read" and $w.on == "fd" and ($o.what | test("^pipe:\\[[0-9]+\\]$"))
	 and $o.needs == "writer" and $o.peers_total == 1 and $o.peers[0].pid == $peer
	 and $o.peers[0].same_process == false and $o.peers[0].state.code == "S"'
first_object "pipe: the peer's own descriptor is named" '$o.peers[0].fd == ($fd | tonumber)' \
	--arg fd "$(fd_like "$PEER" "$(readlink "/proc/$HELPER_PID/fd/$(jq '.threads[0].waits_for.objects[0].fd' "$TEST_TMP/out")")")"
first_object "pipe: the chain goes to the peer, which waits on nothing pinspect follows (pause)" \
	'[$w.chain[].pid] == [$me, $peer] and $w.chain_end == "other_wait" and $w.forever' --argjson me "$HELPER_PID"
kill -STOP "$PEER"
wait_state "$PEER" T
run_pinspect --json "$HELPER_PID"
first_object "pipe, writer stopped: the chain ends at the stopped writer" \
	'[$w.chain[].pid] == [$me, $peer] and $w.chain_end == "stopped" and $w.chain[1].state.code == "T"' \
	--argjson me "$HELPER_PID"
run_pinspect "$HELPER_PID"
out_has "pipe: the text names the pipe and the stopped writer as the cause" \
	"^    fd [0-9]+ pipe:\[[0-9]+\]; waits for data; the write end is held by$"
out_has "pipe: ... and says it is stopped" "^      $PEER \(pi-waits\) STOPPED \(cannot wake it until continued\)"
kill -CONT "$PEER"
run_pinspect --json --no-waits "$HELPER_PID"
jq_check "--no-waits: waits_for is null" '.threads[0].waits_for == null'
run_pinspect --no-waits "$HELPER_PID"
out_lacks "--no-waits: no WAITS FOR section" '^WAITS FOR$'
kill -KILL "$HELPER_PID" "$PEER"

# --- A full pipe: the reader is the peer. ------------------------------------
start_wait full
run_pinspect --json "$HELPER_PID"
first_object "full pipe: write waits for a reader, held by the peer" \
	'$w.syscall == "write" and $o.needs == "reader" and [$o.peers[].pid] == [$peer]'
kill -KILL "$HELPER_PID" "$PEER"

# --- A FIFO, by its path. ------------------------------------------------------
mkdir "$TEST_TMP/fifo"
start_wait fifo "$TEST_TMP/fifo"
run_pinspect --json "$HELPER_PID"
first_object "fifo: the path, a writer needed, held by the peer" \
	'$o.what == $path and $o.needs == "writer" and [$o.peers[].pid] == [$peer]' --arg path "$TEST_TMP/fifo/fifo"
kill -KILL "$HELPER_PID" "$PEER"

# --- epoll and poll over the pipe. ----------------------------------------------
for mode in epoll poll; do
	start_wait $mode
	run_pinspect --json "$HELPER_PID"
	first_object "$mode: the descriptors watched, the pipe's writer found" \
		'$w.on == "poll" and $w.objects_total == 1 and ($o.what | startswith("pipe:"))
		 and $o.needs == "writer" and [$o.peers[].pid] == [$peer]'
	kill -KILL "$HELPER_PID" "$PEER"
done

# --- A UNIX socket: the peer holds the other end. -------------------------------
start_wait unix
run_pinspect --json "$HELPER_PID"
first_object "unix: a stream socket, its other end held by the peer" \
	'($o.what | startswith("unix stream socket:")) and $o.needs == "peer" and [$o.peers[].pid] == [$peer]'
kill -KILL "$HELPER_PID" "$PEER"

# --- A UNIX socket in another network namespace: its peer looked up there. ------
if need_root "unix in another network namespace: its peer is found (entering it needs root)"; then
	start_program unshare -n "$HELPERS/pi-waits" unix
	PEER=$(sed -n 's/^peer //p' "$HELPER_OUT")
	track "$PEER"
	wait_state "$HELPER_PID" S
	netns=$(readlink "/proc/$HELPER_PID/ns/net")
	check "unix, other netns: the helper is in a namespace of its own" test "$netns" != "$(readlink /proc/self/ns/net)"
	run_pinspect --json "$HELPER_PID"
	first_object "unix, other netns: the peer found inside it (sock_diag from a child that entered it)" \
		'($o.what | startswith("unix stream socket:")) and $o.needs == "peer" and $o.unavailable == null
		 and [$o.peers[].pid] == [$peer]'
	jq_check "unix, other netns: the namespace is named" '.waits_network_namespace == $ns' --arg ns "$netns"
	run_pinspect "$HELPER_PID"
	out_has "unix, other netns: in words, the namespace" \
		"^  in network namespace net:\[[0-9]+\], not pinspect's$"
	out_has "unix, other netns: ... and the peer" "^      $PEER \(pi-waits\) sleeping"
	run_pinspect --batch -n 1 -H -o pid,waits --top "$HELPER_PID"
	out_has "unix, other netns: the column too" "^ +$HELPER_PID recvfrom unix stream socket:\[[0-9]+\] <- $PEER pi-waits"
	# pinspect's child entered the namespace: none but the helper and
	# its peer may be in it now.
	in_netns=$(for d in /proc/[0-9]*; do [ "$(readlink "$d/ns/net" 2>/dev/null)" = "$netns" ] && echo "${d#/proc/}"; done | sort -n | tr '\n' ' ')
	check "unix, other netns: the child that entered it is gone" \
		test "$in_netns" = "$(printf '%s\n' "$HELPER_PID" "$PEER" | sort -n | tr '\n' ' ')"
	kill -KILL "$HELPER_PID" "$PEER"
fi
# Not allowed to enter it (nobody, in a user namespace of its own): said
# so, never a guess.
as_nobody=(setpriv --reuid=nobody --regid="$(id -g nobody 2>/dev/null)" --clear-groups)
if [ "$(id -u)" != 0 ]; then
	skip "unix, netns not enterable: said so" "needs root to become nobody"
elif ! "${as_nobody[@]}" unshare -Urn true 2>/dev/null; then
	skip "unix, netns not enterable: said so" "unshare -Urn as nobody fails: unprivileged user namespaces are disabled here"
else
	start_program "${as_nobody[@]}" unshare -Urn "$HELPERS/pi-waits" unix
	PEER=$(sed -n 's/^peer //p' "$HELPER_OUT")
	track "$PEER"
	wait_state "$HELPER_PID" S
	"${as_nobody[@]}" "$PINSPECT_BIN" --json "$HELPER_PID" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	first_object "unix, netns not enterable: said so, no peer guessed" \
		'$o.unavailable_code == "other_network_namespace" and $o.peers == [] and ($o.unavailable | test("could not enter"))'
	kill -KILL "$HELPER_PID" "$PEER"
fi

# --- TCP on loopback: connected, never accepted. ---------------------------------
start_wait tcp
run_pinspect --json "$HELPER_PID"
first_object "tcp: waits for the server, whose listener (the peer's) has not accepted" \
	'($o.what | test("^tcp 127\\.0\\.0\\.1:[0-9]+ -> 127\\.0\\.0\\.1:[0-9]+ \\(ESTABLISHED\\)$"))
	 and $o.needs == "server" and [$o.peers[].pid] == [$peer]'
kill -KILL "$HELPER_PID" "$PEER"

# --- File locks: flock and POSIX, held by the peer. -------------------------------
for mode in flock posix; do
	mkdir "$TEST_TMP/$mode"
	start_wait $mode "$TEST_TMP/$mode"
	run_pinspect --json "$HELPER_PID"
	first_object "$mode: waits for a write lock on the file, held by the peer" \
		'$w.on == "file_lock" and $o.what == $path and $o.needs == "holder"
		 and ($o.where | ascii_downcase | startswith($kind)) and [$o.peers[].pid] == [$peer]' \
		--arg path "$TEST_TMP/$mode/lock" --arg kind "$mode"
	kill -KILL "$HELPER_PID" "$PEER"
done

# --- The waiters of a lock a process holds (lslocks' BLOCKER, the other way). -----
for mode in flock posix; do
	start_wait $mode "$TEST_TMP/$mode"
	run_pinspect --json "$PEER"
	jq_check "$mode holder: the lock it holds is wanted by the waiter, named" \
		'.file_locks_wanted.total == 1 and (.file_locks_wanted.locks[0] | .path == $path and .kind == $kind
		 and .access == "write" and .waiters_total == 1 and .waiters_unnamed == 0
		 and [.waiters[].pid] == [$me] and .waiters[0].comm == "pi-waits" and .waiters[0].state.code == "S")' \
		--arg path "$TEST_TMP/$mode/lock" --arg kind "$mode" --argjson me "$HELPER_PID"
	run_pinspect "$PEER"
	out_has "$mode holder: in words, the lock and its waiter" \
		"^  holds a $(echo $mode | tr a-z A-Z) write lock on $TEST_TMP/$mode/lock \(fd [0-9]+\); wanted by$"
	out_has "$mode holder: ... the waiter's line" "^      $HELPER_PID \(pi-waits\) sleeping"
	run_pinspect --json "$HELPER_PID"
	jq_check "$mode waiter: holds no lock others want" '.file_locks_wanted == {"total": 0, "unavailable": null, "unavailable_code": null, "locks": []}'
	kill -KILL "$HELPER_PID" "$PEER"
done
mkdir "$TEST_TMP/ofd"
start_wait ofd "$TEST_TMP/ofd"
run_pinspect --json "$PEER"
jq_check "ofd holder: its waiter is counted, as /proc/locks names no PID for it" \
	'.file_locks_wanted.locks[0] | .kind == "ofd" and .waiters_total == 0 and .waiters_unnamed == 1 and .path == $path' \
	--arg path "$TEST_TMP/ofd/lock"
run_pinspect "$PEER"
out_has "ofd holder: in words" "^      1 waiter /proc/locks names by no process \(OFD locks\)$"
run_pinspect --json --no-waits "$PEER"
jq_check "--no-waits: file_locks_wanted is null" '.file_locks_wanted == null'
kill -KILL "$HELPER_PID" "$PEER"

# --- wait4 for a child. -----------------------------------------------------------
start_wait wait
run_pinspect --json "$HELPER_PID"
first_object "wait: waits for its child, named" \
	'$w.on == "child" and $w.syscall == "wait4" and $o.needs == "child" and [$o.peers[].pid] == [$peer]'
run_pinspect "$HELPER_PID"
out_has "wait: in words" "^  thread $HELPER_PID \(pi-waits\) in wait4$"
kill -KILL "$HELPER_PID" "$PEER"

# --- Chains and deadlocks across processes. -------------------------------------
start_wait busy
run_pinspect --json "$HELPER_PID"
first_object "busy writer: the chain ends at a running process, no deadlock" \
	'[$w.chain[].pid] == [$me, $peer] and $w.chain_end == "running"' --argjson me "$HELPER_PID"
jq_check "busy writer: no finding about it" \
	'[.findings[] | select(.kind == "process_deadlock" or .kind == "waits_on_stopped")] | length == 0' 
kill -KILL "$HELPER_PID" "$PEER"

mkdir "$TEST_TMP/chain"
start_wait chain "$TEST_TMP/chain"
HOLDER=$(sed -n 's/^holder //p' "$HELPER_OUT")
track "$HOLDER"
wait_state "$HOLDER" T
run_pinspect --json "$HELPER_PID"
first_object "chain: pipe -> flock -> the stopped holder of the lock (not whoever took it)" \
	'[$w.chain[].pid] == [$me, $peer, $holder] and $w.chain_end == "stopped"
	 and $w.chain[1].syscall == "flock" and ($w.chain[1].what | endswith("/chain/lock"))' \
	--argjson me "$HELPER_PID" --argjson holder "$HOLDER"
jq_check "chain: a waits_on_stopped finding names the stopped process and every process of the chain" \
	'[.findings[] | select(.kind == "waits_on_stopped")] | length == 1 and .[0].tid == $me
	 and .[0].pids == [$me, $peer, $holder] and .[0].see == "pinspect(1) WAITS ACROSS PROCESSES"
	 and (.[0].message | contains("kill -CONT \($holder)"))' \
	--argjson me "$HELPER_PID" --argjson peer "$PEER" --argjson holder "$HOLDER"
run_pinspect "$HELPER_PID"
out_has "chain: in words, down to the stopped process" \
	"^      -> $HOLDER \(pi-waits\) STOPPED"
out_lacks "chain: no deadlock claimed" 'DEADLOCK'
kill -KILL "$HELPER_PID" "$PEER" "$HOLDER"

start_wait cycle
run_pinspect --json "$HELPER_PID"
first_object "pipe cycle: a deadlock across the two processes" \
	'[$w.chain[].pid] == [$me, $peer, $me] and $w.chain_end == "deadlock"' --argjson me "$HELPER_PID"
jq_check "pipe cycle: one process_deadlock finding naming both processes" \
	'[.findings[] | select(.kind == "process_deadlock")] | length == 1 and (.[0].pids | sort) == ([$me, $peer] | sort)' \
	--argjson me "$HELPER_PID" --argjson peer "$PEER"
run_pinspect --deadlocks --json
status_is "pipe cycle: --deadlocks exits 1" 1
jq_check "pipe cycle: --deadlocks finds it across the system, each process with its wait" \
	'.process_deadlocks >= 1 and ([.findings[] | select(.kind == "process_deadlock" and ((.pids | sort) == ([$me, $peer] | sort)))]
	 | length == 1 and (.[0].details.processes | map(.syscall) == ["read", "read"])
	 and (.[0].details.processes | all(.what | startswith("pipe:"))))' \
	--argjson me "$HELPER_PID" --argjson peer "$PEER"
run_pinspect --metrics
out_has "pipe cycle: the metric counts it" '^pinspect_process_deadlocks [1-9][0-9]*$'
run_pinspect --deadlocks
out_has "pipe cycle: --deadlocks in words" "^  processes ($HELPER_PID|$PEER) \(pi-waits\) and ($HELPER_PID|$PEER) \(pi-waits\) wait for each other"
run_pinspect "$HELPER_PID"
out_has "pipe cycle: in words" '^      DEADLOCK: '
kill -STOP "$PEER"
wait_state "$PEER" T
run_pinspect --json "$HELPER_PID"
first_object "pipe cycle with one side stopped: the stop is named, not a deadlock" \
	'$w.chain_end == "stopped"'
jq_check "pipe cycle with one side stopped: no process_deadlock finding" \
	'[.findings[] | select(.kind == "process_deadlock")] | length == 0'
run_pinspect --deadlocks --json
jq_check "pipe cycle with one side stopped: --deadlocks does not call it one" \
	'[.findings[] | select(.kind == "process_deadlock" and (.pids | index($me)))] | length == 0' \
	--argjson me "$HELPER_PID"
kill -CONT "$PEER"
kill -KILL "$HELPER_PID" "$PEER"

# The same cycle, but the helper catches SIGCHLD and has a child that
# only sleeps: that child's exit would end its read (EINTR), as make's
# pselect waits for a job server token or a child. No deadlock.
start_wait cyclechild
SLEEPER=$(sed -n 's/^sleeper //p' "$HELPER_OUT")
track "$SLEEPER"
run_pinspect --json "$HELPER_PID"
first_object "cycle, SIGCHLD caught: its children are named as able to end the wait" \
	'$w.objects_total == 2 and $w.objects[1].needs == "child" and ([$w.objects[1].peers[].pid] | sort) == ([$peer, $s] | sort)
	 and ($w.objects[1].what | test("SIGCHLD"))' --argjson s "$SLEEPER"
first_object "cycle, SIGCHLD caught: no deadlock claimed" '$w.chain_end != "deadlock"'
run_pinspect --deadlocks --json
jq_check "cycle, SIGCHLD caught: --deadlocks does not call it one" \
	'[.findings[] | select(.kind == "process_deadlock" and (.pids | index($me)))] | length == 0' \
	--argjson me "$HELPER_PID"
kill -KILL "$HELPER_PID" "$PEER" "$SLEEPER"

mkdir "$TEST_TMP/flockcycle"
start_wait flockcycle "$TEST_TMP/flockcycle"
run_pinspect --json "$HELPER_PID"
first_object "flock cycle: a deadlock the kernel never reports (flock, not POSIX)" \
	'[$w.chain[].pid] == [$me, $peer, $me] and $w.chain_end == "deadlock"
	 and ($w.chain[0].what | endswith("/flockcycle/b")) and ($w.chain[1].what | endswith("/flockcycle/a"))' \
	--argjson me "$HELPER_PID"
kill -KILL "$HELPER_PID" "$PEER"

# --- A kernel lock between processes, named as a guess. --------------------------
# pi-waits pipelock: the peer writes to a pipe from a page its userfaultfd
# never fills, so it sleeps holding the pipe's mutex; the helper's read()
# waits in D for that mutex. (userfaultfd in the kernel's own copy needs
# root, or CAP_SYS_PTRACE; without it the checks are skipped, saying so.)
HELPER_OUT=$TEST_TMP/pipelock.out
"$HELPERS/pi-waits" pipelock >"$HELPER_OUT" 2>&1 &
HELPER_PID=$!
track "$HELPER_PID"
for i in $(seq 1 200); do
	grep -q '^ready$' "$HELPER_OUT" && break
	kill -0 "$HELPER_PID" 2>/dev/null || break
	sleep 0.05
done
if grep -q 'userfaultfd refused' "$HELPER_OUT"; then
	for what in "the D reader's object is the pipe's lock" "a guess makes no deadlock" \
		"the writer holding it named as a guess" "the words say it is a guess" "... and name the writer" \
		"the column says probably"; do
		skip "pipelock: $what" "userfaultfd refused here: $(cat "$HELPER_OUT")"
	done
else
	grep -q '^ready$' "$HELPER_OUT" || { echo "Bail out! pi-waits pipelock: $(cat "$HELPER_OUT")"; exit 99; }
	PEER=$(sed -n 's/^peer //p' "$HELPER_OUT")
	track "$PEER"
	wait_state "$HELPER_PID" D
	run_pinspect --json "$HELPER_PID"
	first_object "pipelock: the D reader's object is the pipe's lock, not its writers" \
		'$w.syscall == "read" and ($o.what | startswith("pipe:")) and $o.needs == "kernel_lock"
		 and ($o.where | startswith("the pipe'"'"'s lock")) and $w.chain_end == "unknown"'
	jq_check "pipelock: a guess makes no deadlock nor a stopped-chain finding" \
		'[.findings[] | select(.kind == "process_deadlock" or .kind == "waits_on_stopped")] | length == 0'
	first_object "pipelock: the writer holding it named as a guess: in write on the same pipe" \
		'$o.peers_total == 1 and [$o.peers[] | [.pid, .tid, .syscall]] == [[$peer, $peer, "write"]]'
	run_pinspect "$HELPER_PID"
	out_has "pipelock: the words say it is a guess" \
		"^    fd [0-9]+ pipe:\[[0-9]+\]: the pipe's lock \(its mutex\), in D; probably held by \(a guess"
	out_has "pipelock: ... and name the writer and its call" \
		"^      $PEER \(pi-waits\) sleeping in handle_userfault, fd [0-9]+, in write on the same pipe$"
	run_pinspect --batch -n 1 -H -o pid,waits --top "$HELPER_PID"
	out_has "pipelock: the column says probably" "^ +$HELPER_PID read pipe:\[[0-9]+\] <- probably $PEER pi-waits"
	# The holder first: the reader in D takes no signal until the mutex is free.
	kill -KILL "$PEER"
	kill -KILL "$HELPER_PID"
fi

# --- Process-shared mutexes: the owner thread, from the lock word, as a step. ------
# wait_in_futex PID [TID]: waits up to 10 s for a task to sleep in futex().
wait_in_futex() {
	local task=/proc/$1/task/${2:-$1} i
	for i in $(seq 1 200); do
		case $(cat "$task/wchan" 2>/dev/null) in
		*futex*) [ "$(sed -E 's/.*\) (.).*/\1/' "$task/stat")" = S ] && return 0 ;;
		esac
		sleep 0.05
	done
	echo "Bail out! task ${2:-$1} of $1 never slept in futex()"
	exit 99
}

# Two processes, each holding a PTHREAD_PROCESS_SHARED mutex (in a
# shm_open region) that the other wants.
start_wait mutexcycle
wait_in_futex "$HELPER_PID"
wait_in_futex "$PEER"
run_pinspect --json "$HELPER_PID"
first_object "mutex cycle: a wait on the shared mutex, locked by the peer's thread, verified" \
	'$w.syscall == "futex" and $w.on == "mutex" and $w.forever and $o.needs == "owner"
	 and $o.owner == "verified" and $o.owner_tid == $peer and $o.peers_total == 1
	 and $o.peers[0].pid == $peer and $o.peers[0].tid == $peer and $o.fd == null
	 and ($o.what | test("^shared mutex at 0x[0-9a-f]+ \\(/dev/shm/pi-waits-[0-9]+, deleted, offset 0x28\\)$"))'
first_object "mutex cycle: a deadlock across the two processes" \
	'[$w.chain[].pid] == [$me, $peer, $me] and $w.chain_end == "deadlock"
	 and ($w.chain[1].what | test("offset 0\\)$"))' --argjson me "$HELPER_PID"
jq_check "mutex cycle: one process_deadlock finding naming both processes" \
	'[.findings[] | select(.kind == "process_deadlock")] | length == 1 and (.[0].pids | sort) == ([$me, $peer] | sort)' \
	--argjson me "$HELPER_PID" --argjson peer "$PEER"
run_pinspect "$HELPER_PID"
out_has "mutex cycle: in words, locked by the peer" \
	"^    shared mutex at 0x[0-9a-f]+ \(/dev/shm/pi-waits-[0-9]+, deleted, offset 0x28\); locked by$"
out_has "mutex cycle: in words, the chain ends in DEADLOCK" '^      DEADLOCK: '
run_pinspect --deadlocks --json
status_is "mutex cycle: --deadlocks exits 1" 1
jq_check "mutex cycle: --deadlocks finds it, each process in futex on a shared mutex" \
	'[.findings[] | select(.kind == "process_deadlock" and ((.pids | sort) == ([$me, $peer] | sort)))]
	 | length == 1 and (.[0].details.processes | map(.syscall) == ["futex", "futex"])
	 and (.[0].details.processes | all(.what | startswith("shared mutex at ")))' \
	--argjson me "$HELPER_PID" --argjson peer "$PEER"
run_pinspect --check
status_is "mutex cycle: --check exits 1" 1
out_has "mutex cycle: --check names both processes" \
	"^  processes ($HELPER_PID|$PEER) \(pi-waits\) and ($HELPER_PID|$PEER) \(pi-waits\) wait for each other"
run_pinspect --batch -n 1 --problems -o pid,flags,command
out_has "mutex cycle: batch FLAGS says deadlock with the other process" \
	"^ +$HELPER_PID +deadlock with process $PEER "
out_has "mutex cycle: ... both ways" "^ +$PEER +deadlock with process $HELPER_PID "
run_pinspect --batch -n 1 -H -o pid,waits --top "$HELPER_PID"
out_has "mutex cycle: the WAITS FOR column names the shared mutex and its owner" \
	"^ +$HELPER_PID futex shared mutex at 0x[0-9a-f]+ .* <- $PEER pi-waits"
kill -STOP "$PEER"
wait_state "$PEER" T
run_pinspect --json "$HELPER_PID"
first_object "mutex cycle, one side stopped: the stop is named, not a deadlock" \
	'$w.chain_end == "stopped" and [$w.chain[].pid] == [$me, $peer]' --argjson me "$HELPER_PID"
run_pinspect --deadlocks --json
jq_check "mutex cycle, one side stopped: --deadlocks does not call it one" \
	'[.findings[] | select(.kind == "process_deadlock" and (.pids | index($me)))] | length == 0' \
	--argjson me "$HELPER_PID"
kill -CONT "$PEER"
kill -KILL "$HELPER_PID" "$PEER"

# Three processes: the helper wants a shared mutex (a MAP_SHARED file)
# held by a second thread of the peer, which reads a pipe that only a
# stopped process writes.
mkdir "$TEST_TMP/mutexchain"
start_wait mutexchain "$TEST_TMP/mutexchain"
OWNER=$(sed -n 's/^owner //p' "$HELPER_OUT")
HOLDER=$(sed -n 's/^holder //p' "$HELPER_OUT")
track "$HOLDER"
wait_state "$HOLDER" T
wait_in_futex "$HELPER_PID"
for i in $(seq 1 200); do
	case $(cat "/proc/$PEER/task/$OWNER/wchan" 2>/dev/null) in *pipe_read*) break ;; esac
	sleep 0.05
done
run_pinspect --json "$HELPER_PID"
first_object "mutex chain: the owner is the peer's second thread, not its main one" \
	'$o.owner == "verified" and $o.peers[0].pid == $peer and $o.peers[0].tid == $owner
	 and $o.peers[0].tid != $peer and ($o.what | endswith("/mutexchain/mutex, offset 0)"))' \
	--argjson owner "$OWNER"
first_object "mutex chain: mutex -> the owner thread, reading a pipe -> its stopped writer" \
	'[$w.chain[].pid] == [$me, $peer, $holder] and $w.chain[1].tid == $owner
	 and $w.chain[1].syscall == "read" and ($w.chain[1].what | startswith("pipe:"))
	 and $w.chain_end == "stopped" and $w.chain[2].state.code == "T"' \
	--argjson me "$HELPER_PID" --argjson holder "$HOLDER" --argjson owner "$OWNER"
jq_check "mutex chain: a waits_on_stopped finding names all three processes" \
	'[.findings[] | select(.kind == "waits_on_stopped")] | length == 1 and .[0].pids == [$me, $peer, $holder]' \
	--argjson me "$HELPER_PID" --argjson peer "$PEER" --argjson holder "$HOLDER"
run_pinspect "$HELPER_PID"
out_has "mutex chain: in words, the owner thread named" \
	"^      $PEER \(pi-waits\) sleeping in [a-z_]*pipe_read, thread $OWNER$"
out_has "mutex chain: in words, through the owner thread" \
	"^      -> $PEER \(pi-waits\) thread $OWNER in read on pipe:\[[0-9]+\]$"
out_has "mutex chain: in words, down to the stopped process" "^      -> $HOLDER \(pi-waits\) STOPPED"
out_lacks "mutex chain: no deadlock claimed" 'DEADLOCK'
out_lacks "mutex chain: nor a dead owner" 'mutex_owner_died'
kill -KILL "$HELPER_PID" "$PEER" "$HOLDER"

# A mutex whose owner exited holding it (not robust): nothing will wake
# the waiter, and the snapshot says so.
mkdir "$TEST_TMP/mutexdead"
start_helper pi-waits mutexdead "$TEST_TMP/mutexdead"
OWNER=$(sed -n 's/^owner //p' "$HELPER_OUT")
wait_in_futex "$HELPER_PID"
run_pinspect --json "$HELPER_PID"
jq_check "dead owner: the owner died, no peer, the chain ends there" \
	'.threads[0].waits_for | .on == "mutex" and .objects[0].owner == "died" and .objects[0].owner_tid == $owner
	 and .objects[0].peers == [] and .chain_end == "owner_died"' --argjson owner "$OWNER"
jq_check "dead owner: a mutex_owner_died finding names the thread and the dead owner" \
	'[.findings[] | select(.kind == "mutex_owner_died")] | length == 1 and .[0].tid == $me
	 and .[0].pids == [$me] and (.[0].message | contains("whose owner, thread \($owner), exited holding it"))
	 and .[0].see == "pinspect(1) WAITS ACROSS PROCESSES"' --argjson me "$HELPER_PID" --argjson owner "$OWNER"
run_pinspect "$HELPER_PID"
out_has "dead owner: in words" \
	"^    shared mutex at 0x[0-9a-f]+ \(.*/mutexdead/mutex, offset 0\): its owner, thread $OWNER, has exited without unlocking it: nothing will wake this wait$"
kill -KILL "$HELPER_PID"

# A hostile lock word: it names a thread of a process that does not map
# the mutex's memory (a stopped sleep). It is not believed: no peer, no
# chain through it, no stopped-process finding, no deadlock.
start_stopped_sleep
mkdir "$TEST_TMP/mutexforged"
start_helper pi-waits mutexforged "$TEST_TMP/mutexforged" "$STOPPED_PID"
wait_in_futex "$HELPER_PID"
run_pinspect --json "$HELPER_PID"
jq_check "forged owner: named, not believed" \
	'.threads[0].waits_for | .objects[0].owner == "unverified" and .objects[0].owner_tid == $s
	 and .objects[0].peers == [] and .chain_end == "unknown"
	 and (.objects[0].where | contains("does not map this memory"))' --argjson s "$STOPPED_PID"
jq_check "forged owner: no finding built on it" \
	'[.findings[] | select(.kind == "waits_on_stopped" or .kind == "process_deadlock" or .kind == "mutex_owner_died")]
	 | length == 0'
run_pinspect --batch -n 1 -H -o pid,waits --top "$HELPER_PID"
out_has "forged owner: the column says unverified" "^ +$HELPER_PID futex shared mutex at .* <- $STOPPED_PID\? \(unverified\)"
kill -KILL "$HELPER_PID"

# --- The live view's and batch mode's WAITS FOR column. ---------------------------
start_wait pipe
run_pinspect --batch -n 1 -H -o pid,waits,command --top "$HELPER_PID"
status_is "column: batch exits 0" 0
out_has "column: the pipe and its writer, by PID and name" \
	"^ +$HELPER_PID read pipe:\[[0-9]+\] <- $PEER pi-waits "
run_pinspect --json -n 1 -H -o pid,waits --top "$HELPER_PID"
jq_check "column: JSON gives the syscall, the object and the peers" \
	'.tasks[0].waits_for | .syscall == "read" and (.what | startswith("pipe:")) and .peers == [$peer]' \
	--argjson peer "$PEER"
run_pinspect --json -n 1 -H --top "$HELPER_PID"
jq_check "column: not among the rows' keys without -o (it costs a pass over every descriptor)" \
	'.tasks[0] | has("waits_for") | not'
kill -KILL "$HELPER_PID" "$PEER"

# A thread other than the main one in wait4(): it reaps the children of
# every thread of its process, here the main thread's (its own children
# file lists none).
start_wait threadwait
WAITER=$(sed -n 's/^waiter //p' "$HELPER_OUT")
for i in $(seq 1 200); do
	[ "$(cat "/proc/$HELPER_PID/task/$WAITER/wchan" 2>/dev/null)" = do_wait ] && break
	sleep 0.05
done
check "thread in wait4: the child is not in the waiting thread's own children file" \
	test -z "$(tr -d ' ' <"/proc/$HELPER_PID/task/$WAITER/children")"
run_pinspect --batch -n 1 -H -o pid,waits --top "$HELPER_PID"
out_has "thread in wait4: the column names the child the main thread forked" \
	"^ +$WAITER wait4 its children <- $PEER pi-waits"
run_pinspect --json -n 1 -H -o tid,waits --top "$HELPER_PID"
jq_check "thread in wait4: JSON too" \
	'[.tasks[] | select(.tid == $w) | .waits_for.peers] == [[$peer]]' --argjson w "$WAITER" --argjson peer "$PEER"
run_pinspect --json "$HELPER_PID"
jq_check "thread in wait4: the snapshot agrees" \
	'[.threads[] | select(.tid == $w) | .waits_for.objects[0].peers[].pid] == [$peer]' --argjson w "$WAITER" \
	--argjson peer "$PEER"
kill -KILL "$HELPER_PID" "$PEER"

# --- No wait across processes: no section, and null in JSON. --------------------
sleep 600 &
track $!
wait_state $! S
run_pinspect --json $!
jq_check "sleep: waits for nobody" '.threads[0].waits_for == null'
run_pinspect $!
out_lacks "sleep: no WAITS FOR section" '^WAITS FOR$'

done_testing
