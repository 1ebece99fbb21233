# Shared by the live view tests (source after lib.sh): a private tmux
# server with one pane running a clean shell, keys typed into it, and
# its screen read back, waiting for what a user would wait to see.
#
# Under PINSPECT_VALGRIND=1, live_command runs pinspect under valgrind
# (in the pane), with its log in a file that vg_clean checks.

# The server's socket lives in the test's own directory, which goes with it.
TMUX_SOCKET=$TEST_TMP/tmux.sock
TMUX_PANE=t
PANE_W=200
PANE_H=45
# Screens come slowly under valgrind.
if [ "${PINSPECT_VALGRIND:-}" = 1 ]; then WAIT_S=90; else WAIT_S=10; fi

tm() {
	tmux -S "$TMUX_SOCKET" -f /dev/null "$@"
}

trap 'tm kill-server 2>/dev/null; cleanup' EXIT

# tm_start: a new pane with a shell that prints "exit=N" after each command.
tm_start() {
	local i
	tm kill-server 2>/dev/null
	# A server still going away could take the new session with it: wait
	# until none answers.
	for i in $(seq 1 100); do tm has-session 2>/dev/null || break; sleep 0.05; done
	tm new-session -d -s "$TMUX_PANE" -x "$PANE_W" -y "$PANE_H" \
		"env -i PATH=$PATH HOME=$TEST_TMP TERM=tmux-256color PINSPECT_TEST_RUN=$PINSPECT_TEST_RUN LSAN_OPTIONS=$LSAN_OPTIONS ${PANE_ENV:-} PS1='pi-test\$ ' bash --norc --noprofile"
	# (Generous: a loaded machine starts a shell slowly; this only says it
	# did not hang.)
	wait_screen 'pi-test\$' $((WAIT_S > 30 ? WAIT_S : 30)) ||
		{ echo "Bail out! tmux did not start a shell"; exit 99; }
}

keys() {
	tm send-keys -t "$TMUX_PANE" "$@"
}

# type_text TEXT: types TEXT literally (no key names).
type_text() {
	tm send-keys -t "$TMUX_PANE" -l -- "$1"
}

screen() {
	tm capture-pane -p -t "$TMUX_PANE"
}

# wait_screen REGEX [SECONDS]: until the screen shows a line matching REGEX.
wait_screen() {
	local deadline=$((SECONDS + ${2:-$WAIT_S}))
	while [ "$SECONDS" -le "$deadline" ]; do
		screen >"$TEST_TMP/screen" 2>/dev/null
		grep -Eq -- "$1" "$TEST_TMP/screen" && return 0
		sleep 0.1
	done
	return 1
}

# wait_screen_lacks REGEX [SECONDS]: until no line matches REGEX.
wait_screen_lacks() {
	local deadline=$((SECONDS + ${2:-$WAIT_S}))
	while [ "$SECONDS" -le "$deadline" ]; do
		screen >"$TEST_TMP/screen" 2>/dev/null
		grep -Eq -- "$1" "$TEST_TMP/screen" || return 0
		sleep 0.1
	done
	return 1
}

# see DESCRIPTION REGEX [SECONDS] / not_see: a check on the screen.
see() {
	if wait_screen "$2" "${3:-}"; then ok "$1"; else
		not_ok "$1" "no line matches: $2" "screen:" "$(cat "$TEST_TMP/screen")"; fi
}
not_see() {
	if wait_screen_lacks "$2" "${3:-}"; then ok "$1"; else
		not_ok "$1" "a line matches: $2" "$(grep -E -- "$2" "$TEST_TMP/screen" | head -5)"; fi
}

vg_count=0
# live_command ARGS...: sets LIVE_CMD to the command line that runs
# pinspect ARGS in the pane (under valgrind when asked, logging to
# VG_LOG), then says how it exited.
live_command() {
	local arg
	LIVE_CMD=$PINSPECT_BIN
	for arg in "$@"; do LIVE_CMD="$LIVE_CMD '$arg'"; done
	if [ "${PINSPECT_VALGRIND:-}" = 1 ]; then
		vg_count=$((vg_count + 1))
		VG_LOG=$TEST_TMP/valgrind.live.$vg_count
		LIVE_CMD="valgrind --quiet --error-exitcode=97 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --suppressions='$abs_top_srcdir/tests/valgrind.supp' --log-file='$VG_LOG' $LIVE_CMD"
	fi
	LIVE_CMD="$LIVE_CMD; echo exit=\$?"
}

# live ARGS...: starts pinspect ARGS in the pane, cleared first so that
# an earlier run's "exit=N" cannot be mistaken for this one's.
live() {
	clear_pane
	live_command "$@"
	keys "$LIVE_CMD" Enter
}

clear_pane() {
	keys clear Enter
	wait_screen_lacks '^exit=' 5
}

# vg_clean DESCRIPTION: under valgrind, the last run's log is empty.
vg_clean() {
	[ "${PINSPECT_VALGRIND:-}" = 1 ] || return 0
	if valgrind_log_clean "$VG_LOG"; then ok "valgrind is clean: $1"; else
		not_ok "valgrind is clean: $1" "$(head -c 4000 "$VG_LOG")"; fi
}

# live_pid: the PID of the program the pane's shell is running.
live_pid() {
	local shell
	shell=$(tm display -p -t "$TMUX_PANE" '#{pane_pid}')
	ps -o pid= --ppid "$shell" | head -1 | tr -d ' '
}

# terminal_restored DESCRIPTION: the pane left the alternate screen, and
# its terminal is back in canonical mode with echo.
terminal_restored() {
	local alt
	alt=$(tm display -p -t "$TMUX_PANE" '#{alternate_on}')
	keys 'stty -a | tr " " "\n" | grep -Ex -- "-?(icanon|echo)" | tr "\n" " "; echo' Enter
	# (capture-pane drops the trailing space)
	if [ "$alt" = 0 ] && wait_screen '^icanon echo *$' 5; then ok "$1"; else
		not_ok "$1" "alternate screen: $alt" "$(cat "$TEST_TMP/screen")"; fi
	clear_pane
}
