#!/bin/bash
# Columns from one registry: -o/--output (and +LIST) choose batch mode's
# text columns and JSON keys, with the types --list-columns declares;
# an unknown column is a usage error naming the valid ones; batch text
# prints every column whole; the man page lists every column as
# --list-columns does.
. "$(dirname "$0")/own_pidns.sh"
. "$(dirname "$0")/lib.sh"

start_vfork_parent
dpid=$VFORK_PARENT
# A task in clock_nanosleep: a system call longer than the 13 characters
# SYSCALL used to be cut at.
start_sleep 600
sleeper=$SLEEP_PID
# A command line of 300 bytes, for a column that is not last.
long=$(printf 'x%.0s' $(seq 1 300))
start_helper pi-threads -n 1 -- "$long"
threaded=$HELPER_PID

# --- --list-columns -------------------------------------------------------
run_pinspect --list-columns
status_is "--list-columns exits 0" 0
cp "$TEST_TMP/out" "$TEST_TMP/list"
ncols=$(wc -l <"$TEST_TMP/list")
check "--list-columns: a line per column (more than the 12 defaults)" test "$ncols" -gt 12
check "--list-columns: every line has a name, a title and help" \
	test "$(grep -cE '^[a-z_]+ +[^ ]+ +[A-Za-z(].{8,}$' "$TEST_TMP/list")" = "$ncols"
for name in pid state wchan syscall command flags; do
	check "--list-columns lists $name" grep -qE "^$name " "$TEST_TMP/list"
done
run_pinspect --list-columns --json
status_is "--list-columns --json exits 0" 0
cp "$TEST_TMP/out" "$TEST_TMP/list.json"
jq_check "--list-columns --json: the same columns, with keys and types" \
	'length == $n and all(.[]; (.name | test("^[a-z_]+$")) and (.key | length) > 0
	 and (.type | IN("integer", "number", "string", "boolean", "object", "array"))
	 and (.help | length) > 0)' --argjson n "$ncols"
check "--list-columns: text and JSON name the same columns in the same order" \
	test "$(jq -r '.[].name' "$TEST_TMP/list.json")" = "$(awk '{ print $1 }' "$TEST_TMP/list")"
all=$(jq -r '[.[].name] | join(",")' "$TEST_TMP/list.json")

# --- -o in text ---------------------------------------------------------------
run_pinspect --batch -n 1 -o pid,state,wchan,syscall,command
status_is "-o pid,state,wchan,syscall,command exits 0" 0
out_has "text -o: those titles, in that order, and no others" '^ +PID S +WCHAN +SYSCALL +COMMAND$'
out_has "text -o: the D task's row has those cells" \
	"^ +$dpid D [a-z_]+ +vfork +[^ ]*pi-vfork-parent\$"
out_lacks "text -o: no column left out was printed (USER)" "^ +$dpid root "

run_pinspect --batch -n 1 -o PID,State,WCHAN
out_has "text -o: names in any case" '^ +PID S WCHAN$'
run_pinspect --batch -n 1 -o pid,cpu_percent,rss_bytes
status_is "text -o: a JSON key names its column too" 0
out_has "text -o: by JSON key" '^ +PID +%CPU +RES$'
run_pinspect --batch -n 1 -o pid,state,pid
out_has "text -o: a column named twice is shown once" '^ +PID S$'

run_pinspect --batch -n 1 -o +ppid,tracer
status_is "-o +LIST exits 0" 0
out_has "+LIST: the defaults, then those added" \
	'^ +PID USER +S +%CPU +RES +VCSW/s +ICSW/s +LASTRAN +WCHAN +SYSCALL +FLAGS +COMMAND +PPID +TRACER$'
out_has "+LIST: the command is whole, then the columns added" \
	"^ +$dpid root +D .*pi-vfork-parent +[0-9]+ +0\$"

# Batch text prints every column whole, whatever its usual width.
run_pinspect --batch -n 1 -o pid,syscall,command
out_has "text: SYSCALL whole (clock_nanosleep, 15 characters)" "^ +$sleeper clock_nanosleep +sleep 600\$"
out_lacks "text: nothing cut with a +" '[a-z_]\+ '
run_pinspect --batch -n 1 -o command,pid --top "$threaded"
out_has "text: a command that is not the last column is whole (300 bytes), then the PID" \
	"pi-threads -n 1 -- $long +$threaded\$"

# --- -o in JSON ---------------------------------------------------------------
run_pinspect --batch --json -n 1 -o pid,state,wchan,syscall,command
status_is "--json -o exits 0" 0
jq_check "JSON -o: each row has exactly those keys, in that order" \
	'(.tasks | length) > 0 and all(.tasks[]; keys_unsorted == ["pid", "state", "wchan", "syscall", "command"])'
jq_check "JSON -o: typed values (pid a number, state and syscall objects, wchan and command strings)" \
	'[.tasks[] | select(.pid == $d)][0] as $r | ($r.pid | type) == "number"
	 and ($r.state.code == "D") and ($r.syscall.name == "vfork") and ($r.wchan | type) == "string"
	 and ($r.command | test("pi-vfork-parent$"))' --argjson d "$dpid"
jq_check "JSON -o: the rest of the document is unchanged" \
	'.schema_version == 1 and (.counts | type) == "object" and (.findings | type) == "array"
	 and .view.sort == "cpu_percent"'
run_pinspect --batch --json -n 1 -o command,PID
jq_check "JSON -o: the keys follow the order given" 'all(.tasks[]; keys_unsorted == ["command", "pid"])'

# Without -o, a row has every column's key, in the registry's order; and
# every value has the type --list-columns declares, or is null. Two
# refreshes and a row per thread, so that rates and thread IDs are known.
run_pinspect --batch --json -n 2 -d 0.3 -H
status_is "--json -H, two refreshes, exits 0" 0
tail -1 "$TEST_TMP/out" >"$TEST_TMP/last.json"
cp "$TEST_TMP/last.json" "$TEST_TMP/out"
jq_check "JSON: without -o, every column's key (but the on-demand ones), in --list-columns' order" \
	'all(.tasks[]; keys_unsorted == [$cols[0][] | select(.on_demand | not) | .key])' --slurpfile cols "$TEST_TMP/list.json"
while IFS=$'\t' read -r name key type; do
	jq_check "JSON: column $name ($key) is $type or null in every row" \
		'all(.tasks[]; .[$key] as $v | ($v == null)
		 or ($type == "integer" and ($v | type) == "number" and ($v | floor) == $v)
		 or ($type == "boolean" and ($v | type) == "boolean")
		 or ($type != "integer" and $type != "boolean" and ($v | type) == $type))' \
		--arg key "$key" --arg type "$type"
done < <(jq -r '.[] | [.name, .key, .type] | @tsv' "$TEST_TMP/list.json")
jq_check "JSON: the types are not all null (the D task's wchan, pid, flags are known)" \
	'[.tasks[] | select(.pid == $d)][0] as $r | ($r.wchan | type) == "string"
	 and ($r.flags | type) == "array" and ($r.tid | type) == "number"' --argjson d "$dpid"

run_pinspect --batch --json -n 1 -o "$all"
jq_check "JSON -o with every column: the same keys as without -o" \
	'all(.tasks[]; keys_unsorted == [$cols[0][].key])' --slurpfile cols "$TEST_TMP/list.json"

# --- Usage errors -----------------------------------------------------------
run_pinspect --batch -n 1 -o pid,bogus
status_is "an unknown column is a usage error (2)" 2
err_has "an unknown column: named" "unknown column 'bogus'"
err_has "an unknown column: the valid ones listed" "valid columns: $all\$"
check "an unknown column: nothing on stdout" test ! -s "$TEST_TMP/out"
run_pinspect --batch -n 1 -o 'pid,,state'
status_is "an empty name (two commas) is a usage error" 2
run_pinspect --batch -n 1 -o 'pid,'
status_is "a comma at the end is a usage error" 2
run_pinspect --batch -n 1 -o ''
status_is "an empty list is a usage error" 2
run_pinspect --batch -n 1 -o +
status_is "a + alone is a usage error" 2
run_pinspect --batch -n 1 -o "pid,$(printf 'a\033[31mb')"
status_is "a name with an escape sequence is a usage error" 2
check "that name is shown escaped, not raw" bash -c "! grep -q $'\\033' '$TEST_TMP/err'"
run_pinspect --batch -n 1 -o "pid,$(printf 'y%.0s' $(seq 1 5000))"
status_is "a 5000-byte name is a usage error" 2
check "and its message stays short" test "$(wc -c <"$TEST_TMP/err")" -lt 1000
run_pinspect -o pid "$dpid"
status_is "-o with a PID is a usage error (it is for the live view and batch mode)" 2
err_has "-o with a PID: says so" '--output is for the live view and batch mode'

# --- The man page lists every column as --list-columns does ----------------
page=$abs_top_srcdir/man/pinspect.1
sed -n '/^\.\\" columns: begin$/,/^\.\\" columns: end$/p' "$page" | sed '1d;$d' >"$TEST_TMP/man.roff"
jq -r '.[] | ".TP\n.BR \(.name) \" (\(.title); JSON: \(.key), \(.type))\"\n\(.help | gsub("-"; "\\-"))"' \
	"$TEST_TMP/list.json" >"$TEST_TMP/expected.roff"
if diff "$TEST_TMP/expected.roff" "$TEST_TMP/man.roff" >"$TEST_TMP/man.diff"; then
	ok "the man page lists every column, with its title, JSON key, type and help"
else
	not_ok "the man page lists every column, with its title, JSON key, type and help" \
		"regenerate the block between the 'columns:' markers in man/pinspect.1:" \
		"$(head -40 "$TEST_TMP/man.diff")"
fi
check "the man page documents -o and --list-columns" \
	grep -q -- '\\-\\-list\\-columns' "$page"

done_testing
