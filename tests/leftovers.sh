#!/bin/bash
# After the whole suite: no process that a test started is still running.
# tests/cli/lib.sh marks every test's environment with PINSPECT_TEST_RUN
# (this build's directory), which every helper, every child a helper
# forks, every sleep and every tmux server a test starts inherits. A
# process killed a moment ago may still be on its way out: wait a little
# before calling it left behind.
set -u
: "${abs_top_builddir:?}"
mark="PINSPECT_TEST_RUN=$abs_top_builddir"

left_behind() {
	local file pid
	# environ holds NUL-separated entries; one of them is the mark.
	for file in $(grep -lsxzF -- "$mark" /proc/[0-9]*/environ); do
		pid=${file#/proc/}
		pid=${pid%/environ}
		[ "$pid" = $$ ] && continue
		printf '%s %s\n' "$pid" "$({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | cut -c1-120)"
	done
}

for _ in $(seq 30); do
	left=$(left_behind)
	[ -z "$left" ] && { echo "make check left no process behind"; exit 0; }
	sleep 0.1
done
echo "make check left these processes behind (PID, command line):" >&2
printf '%s\n' "$left" >&2
exit 1
