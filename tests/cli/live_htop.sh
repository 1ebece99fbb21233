#!/bin/bash
# htop's habits in the live view, driven in a terminal (tmux) at 200x50
# and 80x24: the meters and the F-key bar fit, the help page scrolls with
# its way out on screen, search n/N, the header naming the process whose
# locks were not readable, renice (F7 F8 ] [), tags (space c U) and a
# signal to every tagged process, the columns PRI NI VIRT SHR MEM% TIME+,
# the F6 sort menu, mouse clicks (sent as the terminal would send them),
# and the tree drawn with line characters.
. "$(dirname "$0")/own_pidns.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.sh"

if ! command -v tmux >/dev/null; then
	not_ok "tmux is installed (apt-get install tmux) to test the live view"
	done_testing
	exit
fi

# fits DESCRIPTION: no line of the screen is wider than the pane.
fits() {
	screen >"$TEST_TMP/screen"
	local widest
	widest=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$TEST_TMP/screen")
	if [ "$widest" -le "$PANE_W" ]; then ok "$1"; else
		not_ok "$1" "a line is $widest wide" "$(cat "$TEST_TMP/screen")"; fi
}

# screen_y REGEX: the 0-based line of the screen matching REGEX.
screen_y() {
	screen | grep -nE -- "$1" | head -1 | cut -d: -f1 | awk '{ print $1 - 1 }'
}

# click X Y: a press and release of the first button at screen cell
# (X, Y), 0-based, as an xterm reports it (ESC [ M, then 32 plus the
# button, the column and the line, each counted from 1).
click() {
	local press release
	press=$(printf '\033[M%b%b%b' "\\$(printf %03o 32)" "\\$(printf %03o $((33 + $1)))" \
		"\\$(printf %03o $((33 + $2)))")
	release=$(printf '\033[M%b%b%b' "\\$(printf %03o 35)" "\\$(printf %03o $((33 + $1)))" \
		"\\$(printf %03o $((33 + $2)))")
	type_text "$press$release"
}

# reversed_rows: the first word of each screen line that begins in
# reverse video. capture-pane -e writes only the changes of attributes,
# even from one line to the next, so they are followed through.
reversed_rows() {
	tm capture-pane -p -e -t "$TMUX_PANE" | awk '
	{
		line = $0; at_start = -1
		while (1) {
			i = index(line, "\033[")
			if (i != 1) break
			j = index(line, "m"); codes = substr(line, 3, j - 3); line = substr(line, j + 1)
			n = split(codes, c, ";")
			if (n == 0) rev = 0
			for (k = 1; k <= n; k++) {
				if (c[k] == "" || c[k] == "0") rev = 0
				else if (c[k] == "7") rev = 1
				else if (c[k] == "27") rev = 0
			}
		}
		if (rev) { split(line, w, " "); print w[1] }
		# The rest of the line: its last change decides the next line.
		while ((i = index(line, "\033[")) > 0) {
			line = substr(line, i); j = index(line, "m"); codes = substr(line, 3, j - 3)
			line = substr(line, j + 1); n = split(codes, c, ";")
			if (n == 0) rev = 0
			for (k = 1; k <= n; k++) {
				if (c[k] == "" || c[k] == "0") rev = 0
				else if (c[k] == "7") rev = 1
				else if (c[k] == "27") rev = 0
			}
		}
	}'
}

# see_selected DESCRIPTION PID: the row of PID is the one in reverse
# video (while a prompt or a message hides the "Selected:" line).
see_selected() {
	local deadline=$((SECONDS + WAIT_S))
	while [ "$SECONDS" -le "$deadline" ]; do
		reversed_rows >"$TEST_TMP/reversed" 2>/dev/null
		grep -qx -- "$2" "$TEST_TMP/reversed" && break
		sleep 0.1
	done
	if grep -qx -- "$2" "$TEST_TMP/reversed"; then ok "$1"; else
		not_ok "$1" "the row of $2 is not in reverse video; these are:" "$(cat "$TEST_TMP/reversed")"; fi
}

# nice_of PID: its nice, from its stat (field 19).
nice_of() {
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $17 }'
}

for size in 200x50 80x24; do
	PANE_W=${size%x*}
	PANE_H=${size#*x}
	tm_start

	# Three sleeps to search for and tag: their PIDs in order.
	start_sleep 6001
	s1=$SLEEP_PID
	start_sleep 6002
	s2=$SLEEP_PID
	start_sleep 6003
	s3=$SLEEP_PID
	read -r p1 p2 p3 < <(printf '%s\n' "$s1" "$s2" "$s3" | sort -n | tr '\n' ' ')

	# --- The meters, the F-key bar, and everything fitting. -------------
	live -d 0.5 -o pid,pri,nice,virt,shr,mem,time,command
	see "$size: the CPU meters at the top, a bar and a percentage each" \
		'^(CPU|[0-9]+)\[[| ]*([0-9]+\.[0-9]|-)%\]'
	see "$size: once measured, a CPU's use in percent" '^(CPU|[0-9]+)\[[| ]*[0-9]+\.[0-9]%\]'
	see "$size: memory and swap, used of total" \
		'^Mem\[[| ]*[0-9.]+[KMG]/[0-9.]+[KMG]\] +Swp\[[| ]*[0-9.]+[KMG]/[0-9.]+[KMG]\]$'
	see "$size: the summary follows the meters" '^Tasks: [0-9]+ proc'
	if [ "$size" = 80x24 ]; then
		# Where the full words would be cut, brief ones say it all.
		see "$size: the tasks by state letter, whole" \
			'^Tasks: [0-9]+ proc, [0-9]+ thr: [0-9]+ R, [0-9]+ S, [0-9]+ D, [0-9]+ T, [0-9]+ t, [0-9]+ Z, [0-9]+ I'
		see "$size: the hung line, whole" \
			'^Hung: (none|[0-9]+) in D > [0-9.]+m?s \(--hung-after; kernel.s: ([0-9]+s|unknown)\)$'
	else
		see "$size: the tasks in full words" '^Tasks: [0-9]+ process(es)?, [0-9]+ threads?: [0-9]+ running'
	fi
	see "$size: the F-key bar at the bottom" \
		'^F1Help +F2Setup +F3Search *F4Filter *F5Tree +F6SortBy *F7Nice - *F8Nice \+ *F9Kill +F10Quit'
	check "$size: the F-key bar is the last line" \
		grep -qE '^F1Help' <(screen | sed -n "${PANE_H}p")
	fits "$size: every line fits the width"
	# Until a key moves it, the selection is the top row of the order the
	# refreshes make (the first has no %CPU, and its top is PID 1): a
	# process spinning on a CPU comes to the top, selected.
	bash -c 'while :; do :; done' &
	spinner=$!
	track "$spinner"
	top_selected=
	for i in $(seq 1 100); do
		screen >"$TEST_TMP/screen"
		first=$(awk 'f { print $1; exit } /^ +PID /{ f = 1 }' "$TEST_TMP/screen")
		sel=$(sed -n 's/^Selected: PID \([0-9]*\) .*/\1/p' "$TEST_TMP/screen")
		[ "$first" = "$spinner" ] && [ "$sel" = "$spinner" ] && { top_selected=$sel; break; }
		sleep 0.1
	done
	check "$size: the busiest process comes to the top, and is selected" test -n "$top_selected"
	kill -KILL "$spinner"
	wait "$spinner" 2>/dev/null

	# --- The columns htop users sort by. ----------------------------------
	see "$size: the titles PRI NI VIRT SHR MEM% TIME+" \
		'^ +PID +PRI +NI +VIRT +SHR +MEM% +TIME\+ +COMMAND'
	keys '\'
	type_text "sleep 600"
	keys Enter
	see "$size: a sleep's row: priority 20, nice 0, sizes, MEM% and its CPU time" \
		"^ +$s1 +20 +0 +[0-9.]+[KMG] +[0-9.]+[KMG] +[0-9]+\\.[0-9] +0:00\\.[0-9]{2} +sleep 6001\$"

	# --- Search: n and N as the prompt says. ------------------------------
	keys N
	see "$size: sorted by PID" 'by PID \(smallest first\)'
	keys /
	see "$size: the prompt says what n and N do" '^Search \(Enter: keep; then n/N: next/previous'
	type_text "sleep 600"
	see_selected "$size: typing selects the first match" "$p1"
	keys F3
	see_selected "$size: F3 while typing: the next match" "$p2"
	keys Up
	see_selected "$size: Up while typing: the one before" "$p1"
	keys Enter
	see "$size: Enter keeps the search; the footer says what n and N look for" \
		"^Selected: PID $p1 \\(sleep\\)  n/N: next/previous \"sleep 600\" \\(Esc forgets\\)"
	keys n
	see "$size: n: the next match" "^Selected: PID $p2 \\(sleep\\)"
	keys n
	see "$size: n again: the one after" "^Selected: PID $p3 \\(sleep\\)"
	keys n
	see "$size: n at the last match goes round" "^Selected: PID $p1 \\(sleep\\)"
	keys N
	see "$size: N: the match before (going round)" "^Selected: PID $p3 \\(sleep\\)"
	not_see "$size: ... and does not sort" '^sorted by'
	keys Escape
	see "$size: Esc forgets the search" '^search forgotten'
	keys I N
	see "$size: then N sorts by PID again" '^sorted by PID, smallest first'

	# --- The F6 sort menu. ------------------------------------------------
	keys F6
	see "$size: F6 opens the sort menu" '^Sort by: Up Down choose, Enter sorts'
	see "$size: it lists the columns, the one sorted on marked" '^\* pid +PID '
	keys End
	see "$size: TIME+ is among them" '^  time +TIME\+ +CPU time used'
	keys Enter
	see "$size: Enter sorts by the column under the cursor" 'by TIME\+ \(biggest first\)'
	keys F6 Escape
	see "$size: Esc leaves the menu, the order kept" 'by TIME\+ \(biggest first\)'
	keys T
	see "$size: T sorts by TIME+ too" '^sorted by TIME\+, biggest first'

	# --- The mouse: a click on a title sorts, on a row selects. -----------
	y=$(screen_y '^ +PID +PRI +NI ')
	x=$(screen | sed -n "$((y + 1))p" | awk '{ print index($0, "NI") - 1 }')
	click "$x" "$y"
	see "$size: a click on NI's title sorts by it" '^sorted by NI, smallest first'
	click "$x" "$y"
	see "$size: a second click: the other way round" '^sorted by NI, biggest first'
	ry=$(screen_y "^ +$s2 ")
	click 3 "$ry"
	see "$size: a click on a row selects it" "^Selected: PID $s2 \\(sleep\\)"

	# --- Renice: F8 [ (nice +1), F7 ] (nice -1). --------------------------
	keys F8
	see "$size: F8: nice +1, said" "^process $s2: nice 0 -> 1\$"
	check "$size: F8: the process's nice is 1" test "$(nice_of "$s2")" = 1
	see "$size: NI shows it" "^ +$s2 +21 +1 "
	keys '['
	see "$size: [: nice +1 again" "^process $s2: nice 1 -> 2\$"
	check "$size: [: the nice is 2" test "$(nice_of "$s2")" = 2
	keys F7
	see "$size: F7: nice -1" "^process $s2: nice 2 -> 1\$"
	keys ']'
	see "$size: ]: nice -1 again" "^process $s2: nice 1 -> 0\$"
	check "$size: back to nice 0" test "$(nice_of "$s2")" = 0

	# --- Tags: space, U, c; k and F8 to every tagged process. -------------
	keys N Home
	see "$size: sorted by PID again" 'by PID \(smallest first\)'
	ry=$(screen_y "^ +$p1 ")
	click 3 "$ry"
	see "$size: the first sleep selected" "^Selected: PID $p1 \\(sleep\\)"
	keys Space
	see "$size: space tags it: a * first" "^\\* +$p1 "
	see "$size: ... and moves down" "^Selected: PID $p2 \\(sleep\\)"
	see "$size: the footer counts the tags" '^Selected: .*  1 tagged \(k: signal them'
	keys Space
	see "$size: space again tags the next" "^\\* +$p2 "
	keys U
	see "$size: U untags them all" '^2 untagged'
	not_see "$size: no * left" '^\* '
	keys Up Up Space Space
	see "$size: two tagged" '^Selected: .*  2 tagged \(k: signal them'
	keys F8
	see "$size: F8 with tags: every tagged process reniced" '^nice \+1 \(less CPU\): 2 tagged processes reniced'
	check "$size: the first tagged is at nice 1" test "$(nice_of "$p1")" = 1
	check "$size: the second too" test "$(nice_of "$p2")" = 1
	check "$size: the untagged one is not" test "$(nice_of "$p3")" = 0
	keys k
	# Enter only when the prompt names exactly our two sleeps: the view
	# lists every process on the machine, and one another test started
	# meanwhile (the busy pi-stacks of harm.sh, say) can get a PID between
	# them and be tagged by the keys above; SIGTERM must never reach it.
	if wait_screen "^Send a signal to 2 tagged processes: $p1 \\(sleep\\) and $p2 \\(sleep\\)\\? Enter sends"; then
		ok "$size: k with tags: the prompt counts and names them"
		keys Enter
	else
		not_ok "$size: k with tags: the prompt counts and names them" "screen:" "$(cat "$TEST_TMP/screen")"
		keys Escape
	fi
	see "$size: Enter: sent to both" '^SIGTERM sent to 2 processes|PROCESS EXITED'
	for pid in "$p1" "$p2"; do
		for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
		wait "$pid" 2>/dev/null
	done
	check "$size: the first tagged process ended of it" test ! -d "/proc/$p1"
	check "$size: the second too" test ! -d "/proc/$p2"
	check "$size: the untagged one lives" kill -0 "$p3"

	keys q
	see "$size: q quits" '^exit=0$'
	vg_clean "$size: meters, columns, search, sort menu, mouse, renice, tags"

	# --- c: a parent and its children; the tree's lines. ------------------
	bash -c 'exec -a pi-tagtree-parent bash -c "sleep 6011 & sleep 6012 & wait"' &
	parent=$!
	track "$parent"
	for i in $(seq 1 100); do
		[ "$(pgrep -c -P "$parent" 2>/dev/null)" = 2 ] && break
		sleep 0.05
	done
	read -r kid1 kid2 < <(pgrep -P "$parent" | sort -n | tr '\n' ' ')
	track "$kid1"
	track "$kid2"
	live -d 0.5 -o pid,ppid,command
	# (Keys typed before the screen is up would be echoed by the tty.)
	see "$size: started for c" '^Tasks: '
	# (The parent's command line holds "sleep 6011" too.)
	keys '\'
	type_text "sleep 601"
	keys Enter
	see "$size: the children, filtered to" "^ +$kid1 +$parent +sleep 6011"
	see "$size: ... and their parent" "^ +$parent +[0-9]+ +pi-tagtree-parent"
	keys /
	type_text "pi-tagtree-parent"
	keys Enter
	see "$size: the parent selected" "^Selected: PID $parent "
	keys c
	see "$size: c tags it and the processes under it" \
		"^tagged $parent and the processes under it: 3 newly, 3 tagged in all"
	see "$size: the parent is tagged" "^\\* +$parent "
	see "$size: a child is tagged" "^\\* +$kid1 "
	see "$size: the other child too" "^\\* +$kid2 "
	keys U
	not_see "$size: U: none tagged" '^\* '
	# By PID: the second child is the last, drawn with a corner.
	keys Escape
	see "$size: Esc forgets the search" '^search forgotten'
	keys N t
	see "$size: t: the tree" 'as a tree'
	# Without UTF-8, the terminal's line-drawing set (ACS): shift out,
	# "t" (a tee) or "m" (a corner) and "q" (a line), shift in.
	for i in $(seq 1 50); do
		tm capture-pane -p -e -t "$TMUX_PANE" | grep -q $'\x0e[tm]q\x0f' && break
		sleep 0.1
	done
	check "$size: the tree's lines are the terminal's line-drawing characters" \
		grep -q $'\x0em\x0f*\x0e*q\x0f.*sleep 6012' <(tm capture-pane -p -e -t "$TMUX_PANE")
	keys q
	see "$size: c: q quits" '^exit=0$'
	vg_clean "$size: c, and the tree"

	clear_pane
	live_command -d 0.5 -o pid,ppid,command
	keys "LANG=C.UTF-8 $LIVE_CMD" Enter
	see "$size: in a UTF-8 locale" '^Tasks: '
	keys '\'
	type_text "sleep 601"
	keys Enter N t
	see "$size: UTF-8: the tree in box-drawing characters, a tee" "^ +$kid1 +$parent +.*├─ sleep 6011"
	see "$size: ... and a corner for the last child" "^ +$kid2 +$parent +.*└─ sleep 6012"
	keys q
	see "$size: UTF-8: q quits" '^exit=0$'
	vg_clean "$size: the tree in UTF-8"
	# A terminal without line-drawing characters (xterm-r5 has no acsc),
	# and no UTF-8: ASCII, as batch mode prints.
	if tput -T xterm-r5 cup 0 0 >/dev/null 2>&1 && ! tput -T xterm-r5 acsc >/dev/null 2>&1; then
		clear_pane
		live_command -d 0.5 -o pid,ppid,command
		keys "TERM=xterm-r5 $LIVE_CMD" Enter
		see "$size: a terminal without line characters" '^Tasks: '
		keys '\'
		type_text "sleep 601"
		keys Enter N t
		see "$size: no line set: the tree in ASCII, a tee" "^ +$kid1 +$parent +.*\\|- sleep 6011"
		see "$size: ... and a corner" "^ +$kid2 +$parent +.*\`- sleep 6012"
		keys q
		see "$size: ASCII tree: q quits" '^exit=0$'
		vg_clean "$size: the tree in ASCII"
	else
		skip "$size: the tree in ASCII" "no terminfo entry for xterm-r5 (ncurses-base), a terminal without acsc"
	fi
	kill -KILL "$kid1" "$kid2" "$parent" 2>/dev/null
	wait "$parent" 2>/dev/null

	# --- The help page scrolls, its way out always on screen. -------------
	live -d 0.5
	see "$size: started again" '^Tasks: '
	keys '?'
	see "$size: ? shows the help" '^pinspect live view'
	see "$size: its last line says how to leave it and where it is" \
		'^q Esc: back +Up Down PgUp PgDn: scroll +lines 1-[0-9]+ of [0-9]+'
	check "$size: that line is the screen's last" \
		grep -qE '^q Esc: back' <(screen | sed -n "${PANE_H}p")
	fits "$size: the help fits the width"
	if [ "$PANE_H" -lt 60 ]; then
		see "$size: more below, said" 'more below$'
		keys End
		see "$size: End: the last lines" '^measured \(rates need two refreshes\), \? is not readable'
		see "$size: ... and it says so" 'lines [0-9]+-([0-9]+) of \1$'
		keys PPage
		see "$size: PgUp: back a page" '^q Esc: back .*more below$'
		keys Home Down
		see "$size: Down scrolls a line" 'lines 2-[0-9]+ of '
	fi
	keys q
	see "$size: q leaves the help" '^Selected: '
	keys F1 Escape
	see "$size: F1 then Esc: the help and back" '^Selected: '

	keys q
	see "$size: help: q quits" '^exit=0$'
	vg_clean "$size: the help page"

	kill -KILL "$p3" 2>/dev/null
	wait "$p3" 2>/dev/null
done

# --- As a user who may not read root's locks, nor renice root's process.
start_sleep 6021
victim=$SLEEP_PID
PANE_W=200
PANE_H=50
tm_start
clear_pane
keys "setpriv --reuid=65534 --regid=65534 --clear-groups $PINSPECT_BIN --top $victim -d 0.5 -o pid,nice,command; echo exit=\$?" Enter
see "as nobody: the header names the process whose locks it could not read" \
	"^Deadlocks: .*locks of 1 process not readable: $victim \\(sleep\\); run as root\\)"
keys F7
see "as nobody: F7 on root's process: not permitted, said" \
	"^nice of thread $victim not changed: (Operation not permitted|Permission denied)"
keys F8
see "as nobody: F8 likewise" "^nice of thread $victim not changed: Operation not permitted"
check "as nobody: the nice is unchanged" test "$(nice_of "$victim")" = 0
keys q
see "as nobody: q quits" '^exit=0$'

# Batch mode's header names them too.
setpriv --reuid=65534 --regid=65534 --clear-groups "$PINSPECT_BIN" --batch -n 1 --top "$victim" \
	>"$TEST_TMP/batch" 2>&1
check "batch as nobody: the header names the unreadable process" \
	grep -qE "^Deadlocks: .*locks of 1 process not readable: $victim \\(sleep\\); run as root\\)" \
	"$TEST_TMP/batch"
kill -KILL "$victim"

done_testing
