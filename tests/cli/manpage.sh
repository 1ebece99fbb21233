#!/bin/bash
# The man page is the troubleshooting guide: it is clean roff (mandoc
# -Tlint), and every finding's "see" names a section it has, for
# findings of every section (zombies, a task in D, a deadlock, a stopped
# process).
. "$(dirname "$0")/lib.sh"

page=$abs_top_srcdir/man/pinspect.1
if command -v mandoc >/dev/null; then
	mandoc -Tlint "$page" >"$TEST_TMP/out" 2>&1
	check "mandoc -Tlint finds nothing to say" test ! -s "$TEST_TMP/out"
	cat "$TEST_TMP/out" | sed 's/^/# /'
else
	not_ok "mandoc is installed (apt-get install mandoc) to lint the man page"
fi

sections=$(sed -n 's/^\.SH "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$page")
for s in NAME SYNOPSIS DESCRIPTION OPTIONS "PROCESS STATES" "HUNG TASKS" ZOMBIES "CONTEXT SWITCHES" \
	"MEMORY MAP" STACKS LOCKS "JSON OUTPUT" "HEALTH CHECKS" METRICS "EXIT STATUS" SECURITY ENVIRONMENT \
	EXAMPLES "SEE ALSO"; do
	check "the page has a $s section" grep -qx -- "$s" <<<"$sections"
done

# Findings of each kind, and the sections they send a reader to.
: >"$TEST_TMP/see"
start_helper pi-zombies 2
run_pinspect --json "$HELPER_PID"
jq -r '.findings[].see' "$TEST_TMP/out" >>"$TEST_TMP/see"
start_vfork_parent
parent=$VFORK_PARENT
run_pinspect --json --hung-after 0 "$parent"
jq -r '.findings[].see' "$TEST_TMP/out" >>"$TEST_TMP/see"
start_helper pi-locks deadlock2
run_pinspect --json "$HELPER_PID"
jq -r '.findings[].see' "$TEST_TMP/out" >>"$TEST_TMP/see"
start_helper pi-threads -n 1
kill -STOP "$HELPER_PID"
wait_state "$HELPER_PID" T
run_pinspect --json --no-ptrace "$HELPER_PID"
jq -r '.findings[].see' "$TEST_TMP/out" >>"$TEST_TMP/see"
kill -CONT "$HELPER_PID"
sort -u "$TEST_TMP/see" -o "$TEST_TMP/see"
check "the findings name four sections" test "$(wc -l <"$TEST_TMP/see")" = 4
while read -r see; do
	check "\"$see\": the page has that section" grep -qx -- "${see#pinspect(1) }" <<<"$sections"
done <"$TEST_TMP/see"

done_testing
