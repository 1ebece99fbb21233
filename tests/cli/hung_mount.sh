#!/bin/bash
# A process whose library is on a FUSE mount whose server stops answering
# (tests/helpers/pi-fuse-lib: our own server over /dev/fuse, in a mount
# namespace of its own). First the server is stopped (SIGSTOP); then,
# told to, it reads every request and answers none, as a server hung in
# its handler: whoever waits for it sleeps in D, and SIGKILL does not end
# that sleep. pinspect PID, --json, --check,
# --deadlocks and --batch -n 1 must each finish, say which file they could
# not open and why, and show the rest (the deadlock, the stacks through
# libc). Every pinspect is bounded by `timeout 30`, only so that a
# regression fails here instead of hanging the suite; a guarded open
# waits 1 s. Then the server is killed, which ends every request, and
# nothing pinspect forked may be left running.
. "$(dirname "$0")/lib.sh"

PINSPECT_TIMEOUT=30
[ "${PINSPECT_VALGRIND:-}" = 1 ] && PINSPECT_TIMEOUT=600

if [ "$(id -u)" != 0 ]; then
	skip "a library on a hung FUSE mount" "mounting FUSE with allow_other needs root"
	done_testing
	exit 0
fi
if [ ! -c /dev/fuse ]; then
	skip "a library on a hung FUSE mount" "/dev/fuse is missing (modprobe fuse)"
	done_testing
	exit 0
fi

mnt=$TEST_TMP/mnt
mkdir "$mnt"
chmod 755 "$TEST_TMP"
HELPER_OUT=$TEST_TMP/fuse.out
"$HELPERS/pi-fuse-lib" "$mnt" "$HELPERS/libpi-linked.so" libpi-linked.so \
	"$HELPERS/pi-dlopen" @ >"$HELPER_OUT" 2>&1 &
server=$!
track "$server"
for _ in $(seq 1 200); do
	grep -q '^ready$' "$HELPER_OUT" 2>/dev/null && break
	kill -0 "$server" 2>/dev/null || break
	sleep 0.05
done
if ! grep -q '^ready$' "$HELPER_OUT"; then
	if grep -qE 'mount fuse|unshare|/dev/fuse' "$HELPER_OUT"; then
		skip "a library on a hung FUSE mount" "FUSE cannot be mounted here: $(head -c 200 "$HELPER_OUT")"
		done_testing
		exit 0
	fi
	echo "Bail out! pi-fuse-lib did not get ready: $(cat "$HELPER_OUT")"
	exit 99
fi
pid=$(head -n 1 "$HELPER_OUT")
track "$pid"
check "the target maps its library from the FUSE mount" \
	grep -q "$mnt/libpi-linked.so" "/proc/$pid/maps"

# Answering, the mount is like any other: the library's names are shown.
run_pinspect --json "$pid"
status_is "server answering: exit 0" 0
jq_check "server answering: the library's functions by name" \
	'[.threads[].user_stack[]?.function] | index("pi_linked_take_ab") or index("pi_linked_take_ba")'

# Every pinspect below carries this in its environment, and so does every
# child it forks: what is left of them is found by it.
marker=PI_HUNG_MOUNT_RUN=$TEST_TMP
PINSPECT_WRAP=(env "$marker")

# Should pinspect hang after all, it sleeps in D where `timeout` cannot
# end it: this kills the server after a while (stopped or not), which
# frees it, to fail the checks below rather than hang the suite.
(sleep $((2 * PINSPECT_TIMEOUT + 15)); kill -KILL "$server" 2>/dev/null) &
watchdog=$!
# Its sleep too is ended with the test, however the test ends.
stop_watchdog() {
	pkill -KILL -P "$watchdog" 2>/dev/null
	kill -KILL "$watchdog" 2>/dev/null
}
trap 'stop_watchdog; cleanup' EXIT

# Stopped (SIGSTOP, as its owner may do), the server leaves requests
# queued: a task waiting for one can still be killed.
kill -STOP "$server"
run_pinspect "$pid"
status_is "stopped server: pinspect PID finishes, exit 0" 0
out_has "stopped server: says which file and why" \
	"module_files: $mnt/libpi-linked\\.so \\(on a fuse\\.pi-fuse-lib mount that did not answer within 1 s\\)"
out_has "stopped server: the deadlock is still found" '^  deadlock +2 threads wait for each other'
kill -CONT "$server"

# Told to read every request and answer none, as a server hung in its
# handler: whoever waits sleeps in D, and SIGKILL does not end it.
kill -USR1 "$server"

run_pinspect "$pid"
status_is "hung server: pinspect PID finishes, exit 0" 0
out_has "hung server: says which file and why" \
	"module_files: $mnt/libpi-linked\\.so \\(on a fuse\\.pi-fuse-lib mount that did not answer within 1 s\\)"
out_has "hung server: the deadlock is still found" '^  deadlock +2 threads wait for each other'
out_has "hung server: the stacks through libc are still shown" 'pthread_mutex_lock.*libc\.so'

run_pinspect --json "$pid"
status_is "hung server: --json finishes, exit 0" 0
jq_check "hung server: --json lists the file as unavailable, with the reason" \
	'[.unavailable[] | select(.item == "module_files" and (.reason | test("libpi-linked.so .on a fuse.pi-fuse-lib mount that did not answer within 1 s")))] | length == 1'

for scan in --check --deadlocks; do
	run_pinspect $scan
	status_is "hung server: $scan finishes, exit 1 (the deadlock)" 1
	out_has "hung server: $scan names the deadlocked process" "$pid"
done

run_pinspect --batch -n 1
status_is "hung server: --batch -n 1 finishes, exit 0" 0
out_has "hung server: --batch lists the target" "^ *$pid "
PINSPECT_WRAP=()

# Killing the server closes its /dev/fuse: every request still waiting
# ends, and so does every child pinspect left asleep on one.
kill -KILL "$server"
wait "$server" 2>/dev/null
left=
for _ in $(seq 1 100); do
	left=$(grep -lsz -- "$marker" /proc/[0-9]*/environ | cut -d/ -f3 | while read -r p; do
		st=$(sed -E 's/.*\) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1)
		[ -n "$st" ] && [ "$st" != Z ] && echo "$p($st)"
	done)
	[ -z "$left" ] && break
	sleep 0.1
done
check "nothing pinspect forked is left running once the server is gone: $left" test -z "$left"

done_testing
