#!/bin/bash
# D waits: a vfork parent in D names the child it waits for (the one in
# its memory) and what that child does, says its wait is killable, and
# is: SIGKILL ends it. A process with no task in D has no d_wait.
. "$(dirname "$0")/lib.sh"

start_helper pi-vfork-parent
child=$(sed -n 2p "$HELPER_OUT")
parent=$(awk '{ print $4 }' "/proc/$child/stat")
# The child outlives a test that fails before it is killed: reap it too.
track "$child"
check "the helper's parent is the process started" test "$parent" = "$HELPER_PID"
wait_state "$parent" D
wait_state "$child" S

run_pinspect "$parent"
status_is "snapshot of a vfork parent exits 0" 0
summary=$(sed -n '/^SUMMARY$/,/^IDENTITY$/p' "$TEST_TMP/out")
check "summary: the thread in D, with its wait" \
	grep -qE "^  In D +thread $parent \\(pi-vfork-parent\\), waiting in " <<<"$summary"
check "summary: killable, told by the vfork wait" \
	grep -qE '^    Killable +killable: SIGKILL ends the wait \(a vfork parent.s wait is killable\)$' <<<"$summary"
check "summary: the vfork child named, with what it does" \
	grep -qE "^    Waits for +$child \\(pi-vfork-parent\\), its vfork child \\(it runs in the parent's memory\\): S sleeping in nanosleep\\(\\), waiting in [a-z_]+" <<<"$summary"
check "summary: what to do: look at the child" \
	grep -qE "^  Next +look at the vfork child: pinspect $child\$" <<<"$summary"
check "summary: what to do: SIGKILL ends it" \
	grep -qE "^ +to end it: kill -KILL $parent \\(its wait in D accepts SIGKILL\\)\$" <<<"$summary"
state=$(sed -n '/^STATE$/,/^SCHEDULING$/p' "$TEST_TMP/out")
check "STATE: killable, under the wait channel" grep -qE '^  Killable +killable: ' <<<"$state"
check "STATE: the vfork child" grep -qE "^  Waits for +$child " <<<"$state"
threads=$(sed -n '/^THREADS$/,/^FINDINGS$/p' "$TEST_TMP/out")
check "THREADS: a kill line under the thread in D" grep -qE '^ +kill +killable: ' <<<"$threads"
check "THREADS: a child line" grep -qE "^ +child +$child \\(pi-vfork-parent\\), its vfork child" <<<"$threads"

run_pinspect --json "$parent"
jq_check "JSON: the wait is killable, by the vfork wait" \
	'.threads[0].d_wait.killable == "yes" and .threads[0].d_wait.vfork == true
	 and .threads[0].d_wait.evidence == "vfork"'
jq_check "JSON: the vfork child, in the parent's memory, and what it does" \
	'.threads[0].d_wait.vfork_child as $c | $c.pid == $child and $c.comm == "pi-vfork-parent"
	 and $c.shares_memory == true and $c.state.code == "S" and $c.syscall.name == "nanosleep"
	 and ($c.wchan | type == "string" and length > 0)' --argjson child "$child"

# Not a guess: SIGKILL ends the wait (within a generous bound: the point
# is that it ends at all).
kill -KILL "$parent"
for i in $(seq 1 100); do
	state=$(task_state "$parent")
	[ -z "$state" ] || [ "$state" = Z ] && break
	sleep 0.1
done
check "SIGKILL ended the parent's wait in D" test -z "$state" -o "$state" = Z
wait "$parent" 2>/dev/null
for i in $(seq 1 100); do
	[ -d "/proc/$child" ] || break
	sleep 0.1
done
check "and the child went with it" test ! -d "/proc/$child"

# No task in D: no d_wait, no kill line, nothing in the summary.
start_helper pi-threads -n 1
run_pinspect --json --no-ptrace "$HELPER_PID"
jq_check "JSON: no d_wait when no thread is in D" '[.threads[].d_wait == null] | all'
run_pinspect --no-ptrace "$HELPER_PID"
out_lacks "text: no In D, kill or Killable line" '^  In D|^ +kill +|Killable'

done_testing
