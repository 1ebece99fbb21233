#!/bin/bash
# Every command in the man page's EXAMPLES works as written: each is read
# out of man/pinspect.1, run by bash with the built pinspect first in PATH
# (the live view ones in tmux), and checked for what a reader would expect
# to see. 1234 stands for a real process (a deadlocked helper), and the
# node_exporter directory for a directory of the test's own.
#
# An example the test knows nothing of fails, as does an expectation
# that matches no example: the page and the test cannot drift apart.
# pinspect runs without valgrind here: these check the manual, and every
# mode the examples use runs under valgrind in the other tests.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.sh"

# The examples, one per line, unescaped from roff.
awk '/^\.SH EXAMPLES/ { on = 1; next } /^\.SH / { on = 0 }
	on && /^\.EE/ { ex = 0 } on && ex { print } on && /^\.EX/ { ex = 1 }' \
	"$abs_top_srcdir/man/pinspect.1" |
	sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' -e 's/\\&//g' -e 's/\\e/\\/g' \
		>"$TEST_TMP/examples"
count=$(wc -l <"$TEST_TMP/examples")
check "the man page has examples" test "$count" -ge 10

# What each example must do, by a piece of its text:
#   STATUSES|KIND|REGEX
# KIND: out (REGEX must match a line of its output; empty: anything),
# file:NAME (REGEX must match a line of file NAME it writes), live (the
# live view: REGEX must show on its screen, then q quits it), forever
# (it runs until stopped: stopped after a few seconds, REGEX must match
# a line of the file it appends to).
declare -A expect=(
	["pinspect --check"]='0 1|out|^pinspect: health check of [0-9]+ tasks'
	["pinspect --check --json >stuck.json ||"]='0|file:stuck.json|"schema_version":1'
	["--hung --hung-after 30"]='0 1|out|^HUNG TASKS$'
	["--zombies --json | jq"]="0|out|^[0-9]+ pi-zombies: 3 zombies\$"
	["--metrics >"]='0|file:textfile/pinspect.prom|^# EOF$'
	["pinspect --hung-after 5"]='0|live|^Tasks: '
	["--top 1234"]='0|live|pi-locks'
	["--batch -d 60 --problems >>stuck.log"]='124|forever|^Tasks: '
	["select(.kind == \"hung\")"]='0|out|'
	["pinspect \$\$"]='0|out|^IDENTITY$'
	["pinspect --hung-after 5 1234"]='0|out|threads wait for each other'
	["--no-ptrace 1234"]='0|out|^THREADS$'
	["select(.kind == \"deadlock\""]='0|out|^2 threads wait for each other: '
	[".syscall.name"]='0|out|^[0-9]+ futex$'
	[".rss_bytes"]='0|out|^[0-9]+ [a-z_]+ '
)

start_helper pi-locks deadlock2
target=$HELPER_PID
start_helper pi-zombies 3
mkdir -p "$TEST_TMP/bin" "$TEST_TMP/run/textfile"
ln -s "$PINSPECT_BIN" "$TEST_TMP/bin/pinspect"
export PATH="$TEST_TMP/bin:$PATH"
cd "$TEST_TMP/run" || exit 99

# The expectation whose key the example contains; the longest key wins
# (pinspect --check is in pinspect --check --json ...).
expectation_of() {
	local key best=
	for key in "${!expect[@]}"; do
		[[ $1 == *"$key"* ]] && [ ${#key} -gt ${#best} ] && best=$key
	done
	printf '%s' "$best"
}

declare -A used
while IFS= read -r example; do
	key=$(expectation_of "$example")
	if [ -z "$key" ]; then
		not_ok "the test knows what to expect of: $example"
		continue
	fi
	used[$key]=1
	IFS='|' read -r statuses kind regex <<<"${expect[$key]}"
	cmd=${example//1234/$target}
	cmd=${cmd//\/var\/lib\/prometheus\/node-exporter/textfile}
	case $kind in
	live)
		tm_start
		type_text "$cmd"
		keys Enter
		see "example, live: $example" "$regex"
		keys q
		see "example, live: q quits it" '^pi-test\$ *$'
		tm kill-server
		continue
		;;
	forever)
		timeout 5 bash -c "$cmd" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
		STATUS=$?
		file=${cmd##*>>}
		;;
	*)
		bash -c "$cmd" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
		STATUS=$?
		file=$TEST_TMP/out
		[[ $kind == file:* ]] && file=${kind#file:}
		;;
	esac
	if [[ " $statuses " == *" $STATUS "* ]] && [ ! -s "$TEST_TMP/err" ] &&
		{ [ -z "$regex" ] || grep -Eq -- "$regex" "$file" 2>/dev/null; }; then
		ok "example: $example"
	else
		not_ok "example: $example" "ran: $cmd" "status $STATUS (expected one of: $statuses)" \
			"wanted /$regex/ in $file: $(head -c 1500 "$file" 2>/dev/null)" \
			"stderr: $(head -c 1000 "$TEST_TMP/err")"
	fi
done <"$TEST_TMP/examples"

for key in "${!expect[@]}"; do
	check "an example matches the expectation for: $key" test -n "${used[$key]:-}"
done
check "the metrics example renamed its temporary file away" test ! -e textfile/pinspect.prom.tmp

done_testing
