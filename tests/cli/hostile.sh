#!/bin/bash
# A process that names itself and its thread with terminal escapes, ')',
# newlines and bytes that are not UTF-8, with such arguments too: the text
# output must show them escaped (never a raw control byte), and the JSON
# must stay valid. The same for a process that rewrote its vDSO's names,
# for batch mode, and for a hostile name in a metric's label.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3

# no_raw_bytes WHAT: the last output holds no control byte but newlines,
# no invalid UTF-8, and no raw bidirectional override or other invisible
# formatting character (U+202E, U+2066-U+2069, U+200B-U+200F, C1).
no_raw_bytes() {
	check "$1: no raw escape or control byte reaches the terminal" \
		bash -c "! LC_ALL=C grep -q \$'[\x01-\x09\x0b-\x1f\x7f]' '$TEST_TMP/out'"
	check "$1: no raw invalid UTF-8 byte reaches the terminal" \
		bash -c "iconv -f UTF-8 -t UTF-8 '$TEST_TMP/out' >/dev/null"
	check "$1: no raw bidi override, isolate, zero-width or C1 character" \
		bash -c "! LC_ALL=C grep -q \$'\xe2\x80[\x8b-\x8f\xaa-\xae]\\|\xe2\x81[\xa6-\xa9]\\|\xc2[\x80-\x9f]' '$TEST_TMP/out'"
}

start_helper pi-hostile "$(printf 'arg\033[2J\nwith\377bytes')" "$(printf '\342\200\256reversed')"
pid=$HELPER_PID

run_pinspect "$pid"
status_is "hostile names: text exits 0" 0
# The only control bytes allowed in the output are newlines.
no_raw_bytes "hostile names"
out_has "hostile names: the process name is shown escaped" '^  Name +a\) b\\e\]0;owned\\x07$'
out_has "hostile names: the thread name is shown escaped" ' \\e\[31m\) x\\n\\xff\\xfe\( '
out_has "hostile names: arguments escaped" 'arg\\e\[2J\\nwith\\xffbytes \\u\{202e\}reversed$'
out_has "hostile names: the first line is escaped too" "^pinspect: process $pid \\(a\\) b\\\\e"

run_pinspect --json "$pid"
status_is "hostile names: JSON exits 0" 0
check "hostile names: JSON parses" bash -c "jq -e . '$TEST_TMP/out' >/dev/null"
no_raw_bytes "hostile names: JSON"
jq_check "hostile names: JSON keeps the name's bytes (control characters escaped by JSON)" \
	'.comm == "a) b\u001b]0;owned\u0007"'
jq_check "hostile names: JSON thread name, invalid bytes replaced by U+FFFD" \
	'.threads[1].comm == "\u001b[31m) x\n\ufffd\ufffd("'
jq_check "hostile names: JSON arguments" \
	'.cmdline[1] == "arg\u001b[2J\nwith\ufffdbytes" and .cmdline[2] == "\u202ereversed"'

# --- Batch mode: the table's cells, text and JSON. --------------------------------
run_pinspect --batch -n 1 -H --top "$pid"
status_is "hostile names: --batch exits 0" 0
no_raw_bytes "hostile names: --batch"
# (The table's names come through libproc2, which shows a control byte as
# '.' and a byte that is not UTF-8 as '?' before pinspect escapes them.)
out_has "hostile names: --batch shows the thread's name and the arguments escaped" \
	' [^ ]*\[31m\) x[^ ]*\(: .*arg\\e\[2J\\nwith\\xffbytes \\u\{202e\}reversed$'
run_pinspect --json -n 1 -H --top "$pid"
status_is "hostile names: batch --json exits 0" 0
check "hostile names: batch JSON parses" bash -c "jq -e . '$TEST_TMP/out' >/dev/null"
no_raw_bytes "hostile names: batch JSON"
jq_check "hostile names: batch JSON keeps the arguments (escaped by JSON)" \
	'.tasks[0].cmdline | endswith("arg\u001b[2J\nwith\ufffdbytes \u202ereversed")'

# --- A process that rewrote its vDSO's soname and a function's name. ----------
start_helper pi-hostile-vdso
vdso=$HELPER_PID
if grep -q '^unwritable' "$HELPER_OUT"; then
	for what in "text" "JSON"; do
		skip "hostile vDSO: $what" "the kernel refuses writes through /proc/self/mem: $(grep '^unwritable' "$HELPER_OUT")"
	done
else
	run_pinspect "$vdso"
	status_is "hostile vDSO: text exits 0" 0
	no_raw_bytes "hostile vDSO"
	out_has "hostile vDSO: the soname is shown escaped" \
		'^ {16}\\e\[2J\\n\\u\{202e\}evil, build-id [0-9a-f]+$'
	out_has "hostile vDSO: the function's name is shown escaped among the exports" \
		'^ {16}exports .*\\e\]0;x\\x07\\u\{202e\}fn( |$)'
	run_pinspect --json "$vdso"
	status_is "hostile vDSO: JSON exits 0" 0
	check "hostile vDSO: JSON parses" bash -c "jq -e . '$TEST_TMP/out' >/dev/null"
	no_raw_bytes "hostile vDSO: JSON"
	jq_check "hostile vDSO: JSON has the names (escaped by JSON)" \
		'.vdso.soname == "\u001b[2J\n\u202eevil" and (.vdso.symbols | index("\u001b]0;x\u0007\u202efn") != null)'
fi

# --- A hostile name in a metric's label: a parent holding a zombie. ----------
name=$(printf '\342\200\256"q\nx\033[1m')
start_helper pi-zombies 1 "$name"
holder=$HELPER_PID
run_pinspect --metrics --zombies
status_is "hostile metrics: --metrics exits 0" 0
no_raw_bytes "hostile metrics"
out_has "hostile metrics: the label shows the name as the text output does, quoted" \
	"^pinspect_zombie_parent_zombies\\{pid=\"$holder\",comm=\"\\\\\\\\u\\{202e\\}\\\\\"q\\\\\\\\nx\\\\\\\\e\\[1m\"\\} 1$"
if $PY -c 'import prometheus_client' 2>/dev/null; then
	check "hostile metrics: the Prometheus parser reads them, the label as the text shows the name" \
		$PY - "$TEST_TMP/out" "$holder" <<-'EOF'
		import sys
		from prometheus_client.parser import text_string_to_metric_families
		want = '\\u{202e}"q\\nx\\e[1m'
		found = [s for fam in text_string_to_metric_families(open(sys.argv[1], encoding="utf-8").read())
		         for s in fam.samples
		         if s.name == "pinspect_zombie_parent_zombies" and s.labels.get("pid") == sys.argv[2]]
		sys.exit(0 if len(found) == 1 and found[0].labels["comm"] == want and found[0].value == 1 else 1)
		EOF
	check "hostile metrics: the OpenMetrics parser reads them too" \
		$PY -c 'import sys; from prometheus_client.openmetrics.parser import text_string_to_metric_families as p; list(p(open(sys.argv[1]).read()))' "$TEST_TMP/out"
else
	skip "hostile metrics: the Prometheus parser" "python3-prometheus-client is not installed (./bootstrap installs it)"
	skip "hostile metrics: the OpenMetrics parser" "python3-prometheus-client is not installed (./bootstrap installs it)"
fi

done_testing
