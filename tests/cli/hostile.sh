#!/bin/bash
# A process that names itself and its thread with terminal escapes, ')',
# newlines and bytes that are not UTF-8, with such arguments too: the text
# output must show them escaped (never a raw control byte), and the JSON
# must stay valid.
. "$(dirname "$0")/lib.sh"

start_helper pi-hostile "$(printf 'arg\033[2J\nwith\377bytes')" "$(printf '\342\200\256reversed')"
pid=$HELPER_PID

run_pinspect "$pid"
status_is "hostile names: text exits 0" 0
# The only control bytes allowed in the output are newlines.
check "hostile names: no raw escape or control byte reaches the terminal" \
	bash -c "! LC_ALL=C grep -q \$'[\x01-\x09\x0b-\x1f\x7f]' '$TEST_TMP/out'"
check "hostile names: no raw invalid UTF-8 byte reaches the terminal" \
	bash -c "iconv -f UTF-8 -t UTF-8 '$TEST_TMP/out' >/dev/null"
out_has "hostile names: the process name is shown escaped" '^  Name +a\) b\\e\]0;owned\\x07$'
out_has "hostile names: the thread name is shown escaped" ' \\e\[31m\) x\\n\\xff\\xfe\( '
out_has "hostile names: arguments escaped" 'arg\\e\[2J\\nwith\\xffbytes \\u\{202e\}reversed$'
out_has "hostile names: the first line is escaped too" "^pinspect: process $pid \\(a\\) b\\\\e"

run_pinspect --json "$pid"
status_is "hostile names: JSON exits 0" 0
check "hostile names: JSON parses" jq -e . "$TEST_TMP/out"
check "hostile names: JSON is valid UTF-8" bash -c "iconv -f UTF-8 -t UTF-8 '$TEST_TMP/out' >/dev/null"
jq_check "hostile names: JSON keeps the name's bytes (control characters escaped by JSON)" \
	'.comm == "a) b\u001b]0;owned\u0007"'
jq_check "hostile names: JSON thread name, invalid bytes replaced by U+FFFD" \
	'.threads[1].comm == "\u001b[31m) x\n\ufffd\ufffd("'
jq_check "hostile names: JSON arguments" \
	'.cmdline[1] == "arg\u001b[2J\nwith\ufffdbytes" and .cmdline[2] == "\u202ereversed"'

done_testing
