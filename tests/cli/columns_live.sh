#!/bin/bash
# The live view's columns, driven in a terminal (tmux) at 200x50 and
# 80x24: the chooser (F2, and C) hides, shows and moves columns at once,
# saves them in $HOME/.config/pinspect/pinspectrc (0600), and the next
# start reads them; -o wins over the file; a malformed, foreign or
# symlinked file gets a one-line warning and the defaults. At 200
# columns, WCHAN and SYSCALL are not cut.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.sh"

if ! command -v tmux >/dev/null; then
	not_ok "tmux is installed (apt-get install tmux) to test the live view"
	done_testing
	exit
fi

# A task in clock_nanosleep (15 characters: SYSCALL was cut at 13) and
# in hrtimer_nanosleep, found by filtering on its command.
start_sleep 6000
sleeper=$SLEEP_PID

# tm_start's shell has HOME=$TEST_TMP and no XDG_CONFIG_HOME.
config_dir=$TEST_TMP/.config/pinspect
config=$config_dir/pinspectrc
default_titles='PID USER +S +%CPU +RES'

for size in 200x50 80x24; do
	PANE_W=${size%x*}
	PANE_H=${size#*x}
	rm -rf "$TEST_TMP/.config"
	tm_start
	live -d 0.5
	see "$size: the default columns" "^ +$default_titles"
	# Narrow, columns shrink (never below their title) before any goes,
	# and the context switch rates go first.
	if [ "$size" = 80x24 ]; then
		see "80x24: USER, RES, LASTRAN, WCHAN and SYSCALL stay" \
			'^ +PID USER +S +%CPU +RES +LASTRAN +WCHAN +SYSCALL +FLAGS +COMMAND'
	else
		see "200x50: every default column" \
			'^ +PID USER +S +%CPU +RES +VCSW/s +ICSW/s +LASTRAN +WCHAN +SYSCALL +FLAGS +COMMAND'
	fi
	not_see "$size: no title is cut" '^ +PID .*[A-Z/]\+'
	keys F2
	see "$size: F2 opens the column chooser" '^Columns: the table shows the checked ones'
	see "$size: it lists a column not shown, unchecked" '^\[ \] ppid +PPID +parent process ID'
	see "$size: and says what keys do" 'space: show/hide .* s: save'
	# Hide USER (the second), then move PID below S.
	keys Down Space
	see "$size: space hides the column under the cursor" '^USER hidden'
	see "$size: a hidden column goes below those shown" '^\[ \] user '
	keys Home ']'
	see "$size: ] moves a column down" '^\[x\] state .*' 
	keys s
	see "$size: s saves, saying where" "^saved in $config\$"
	check "$size: the file says columns=, in the order chosen" \
		grep -qx 'columns=state,pid,cpu,rss,vcsw,icsw,lastran,wchan,syscall,flags,command' "$config"
	check "$size: the file is private (0600)" test "$(stat -c %a "$config")" = 600
	keys Escape
	see "$size: back on the table, the choice applies at once" '^S +PID +%CPU +RES'
	not_see "$size: USER is gone" '^S +PID .*USER'
	keys C
	see "$size: C opens the chooser too" '^Columns: the table shows'
	keys q
	see "$size: q goes back" '^S +PID +%CPU'
	keys q
	see "$size: the view quits" '^exit=0$'

	live -d 0.5
	see "$size: a restart reads the saved columns" '^S +PID +%CPU +RES'
	keys q
	see "$size: quits" '^exit=0$'
	live -d 0.5 -o pid,command
	see "$size: -o wins over the file" '^ +PID COMMAND'
	keys q
	see "$size: quits after -o" '^exit=0$'
	tm kill-server
done

# At 200 columns nothing is cut that fits: a system call of 15
# characters (SYSCALL used to be cut at 13).
PANE_W=200
PANE_H=50
rm -rf "$TEST_TMP/.config"
tm_start
live -d 0.5 -o pid,syscall,wchan,command
see "200x50: the chosen columns" '^ +PID SYSCALL +WCHAN +COMMAND'
keys '\'
type_text 'sleep 6000'
keys Enter
see "200x50: SYSCALL whole (clock_nanosleep)" "^ +$sleeper clock_nanosleep [a-z_]+ +sleep 6000"
not_see "200x50: nothing cut with a +" "^ +$sleeper .*\\+"
keys q
see "quits" '^exit=0$'

# A malformed file: a one-line warning (on screen and, after, on stderr)
# and the defaults.
mkdir -p "$config_dir"
printf 'columns=pid,bogus\n' >"$config"
live -d 0.5
see "malformed: the defaults" "^ +$default_titles"
see "malformed: the bottom line says why" "^config file .*pinspectrc not used: line 1: columns: unknown column 'bogus'"
keys q
see "malformed: the warning is on stderr after the view" "^pinspect: warning: config file .* not used"
see "malformed: quits with 0" '^exit=0$'

# Hostile: a NUL byte; a huge file; a symlink at its path.
printf 'columns=pid\0state\n' >"$config"
live -d 0.5
see "a NUL byte: said" 'not used: it holds a NUL byte'
see "a NUL byte: the defaults" "^ +$default_titles"
keys q
see "quits" '^exit=0$'
head -c 200000 /dev/zero | tr '\0' '#' >"$config"
live -d 0.5
see "a 200 KB file: said" 'is bigger than 65536 bytes'
keys q
see "quits" '^exit=0$'
rm -f "$config"
printf 'columns=pid,command\n' >"$TEST_TMP/elsewhere"
ln -s "$TEST_TMP/elsewhere" "$config"
live -d 0.5
see "a symlink: not followed" 'is a symlink: not followed'
see "a symlink: the defaults" "^ +$default_titles"
keys F2
see "the chooser opens" '^Columns: the table shows'
keys s
see "saving over a symlink works" "^saved in $config\$"
check "the symlink was replaced by a file" test ! -L "$config" -a -f "$config"
check "its target was not written" grep -qx 'columns=pid,command' "$TEST_TMP/elsewhere"
keys q q
see "quits" '^exit=0$'

# Somebody else's file (root under sudo with the user's HOME): not read.
if need_root "another user's config file is not read"; then
	printf 'columns=pid,command\n' >"$config"
	chown 65534 "$config"
	live -d 0.5
	see "another user's file: said" 'belongs to user 65534, not to you \(0\): not used'
	see "another user's file: the defaults" "^ +$default_titles"
	keys q
	see "quits" '^exit=0$'
fi

done_testing
