#!/bin/bash
# pinspect must never harm its target:
# - by default, a thread blocked in epoll_wait() or sigwaitinfo() sees no
#   EINTR while pinspect reads its stack (and --consistent, which stops
#   every thread, shows that this test would see one);
# - killing pinspect at any moment, with SIGKILL, SIGINT or SIGTERM, leaves
#   no thread of a busy target stopped or traced.
. "$(dirname "$0")/lib.sh"

# --- No EINTR by default. ----------------------------------------------
eintr=$TEST_TMP/eintr
# eintr_seen SECONDS: the helper has written down an EINTR within SECONDS.
eintr_seen() { written_within "$eintr" "$1"; }
start_helper pi-stacks epoll "$eintr"
pid=$HELPER_PID
for opt in "" --no-ptrace; do
	for i in 1 2 3; do
		run_pinspect --json $opt "$pid"
	done
	if eintr_seen 1; then
		not_ok "pinspect ${opt:-(default)}: no EINTR in the target's epoll_wait and sigwaitinfo threads" \
			"the helper saw $(cat "$eintr") EINTR"
	else
		ok "pinspect ${opt:-(default)}: no EINTR in the target's epoll_wait and sigwaitinfo threads"
	fi
done
jq_check "the waiting threads' stacks were read all the same" \
	'[.threads[] | select(.comm == "epoller" or .comm == "sigwaiter")
	  | .unwind.method == "copied_while_blocked" and (.user_stack | length) > 3] | all and length == 2'
jq_check "epoll_wait and sigwaitinfo are named" \
	'[.threads[] | select(.comm == "epoller" or .comm == "sigwaiter") | .syscall.name] | sort
	 == ["epoll_wait", "rt_sigtimedwait"]'
# The control: stopping the blocked threads does cause EINTR, and the
# helper counts it, so the checks above could fail.
run_pinspect --json --consistent "$pid"
check "control: --consistent stops them, and the helper sees EINTR" eintr_seen 10
jq_check "control: pinspect reports the interrupted system calls" \
	'[.threads[] | select(.comm == "epoller") | .unwind.interrupted_syscall] == [true]'
kill -KILL "$pid"

# --- Killing pinspect mid-dump leaves nothing stopped. ------------------
# A target with many threads running in user space. By default they are
# sampled with perf events, never stopped; with perf events denied (a
# seccomp filter, as in a container) each is stopped for a moment, so a
# kill lands while some are held.
start_helper pi-stacks spin 16
pid=$HELPER_PID

# all_free PID: no thread of PID is traced or in a stop (waits up to 3 s
# for the kernel to finish letting go).
all_free() {
	local i
	for i in $(seq 1 60); do
		if ! grep -qsE '^TracerPid:[[:space:]]*[1-9]' /proc/"$1"/task/*/status &&
			! grep -qsE '^State:[[:space:]]*[tT]' /proc/"$1"/task/*/status; then
			return 0
		fi
		sleep 0.05
	done
	grep -sE '^(State|TracerPid)' /proc/"$1"/task/*/status | sort | uniq -c | sed 's/^/# /'
	return 1
}

for wrap in "" "$HELPERS/pi-no-perf"; do
	how=${wrap:+", perf denied (ptrace stops)"}
	how=${how:-", perf sampling"}
	for sig in KILL INT TERM; do
		bad=0
		for i in $(seq 1 10); do
			# pi-no-perf execs pinspect: the PID is pinspect's.
			$wrap "$PINSPECT_BIN" --json "$pid" >/dev/null 2>&1 &
			inspector=$!
			# Anywhere from before the first stop to after the last.
			sleep "0.00$((RANDOM % 10))"
			kill -"$sig" "$inspector" 2>/dev/null
			wait "$inspector" 2>/dev/null
			all_free "$pid" || bad=$((bad + 1))
		done
		check "SIG$sig at random moments (10 times$how): no thread left stopped or traced" test "$bad" = 0
	done
done
check "the target is alive" kill -0 "$pid"
spins_before=$(awk '{print $14}' "/proc/$pid/stat")
sleep 0.3
spins_after=$(awk '{print $14}' "/proc/$pid/stat")
check "and its threads still run" test "$spins_after" -gt "$spins_before"

# SIGINT and SIGTERM end pinspect as the signal, after letting go.
"$HELPERS/pi-no-perf" "$PINSPECT_BIN" --json "$pid" >/dev/null 2>&1 &
inspector=$!
sleep 0.005
kill -INT "$inspector"
wait "$inspector"
status=$?
check "SIGINT ends pinspect as SIGINT would (status 130), or it had finished (0)" \
	bash -c "[ $status = 130 ] || [ $status = 0 ]"

done_testing
