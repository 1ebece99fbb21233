#!/bin/bash
# Shell completions: every option of --help is completed by bash, zsh and
# fish and documented in the man page; bash and fish complete PIDs (fish
# with the command's name), and bash turns a command name into its PIDs.
# A name matching several processes stays as typed in bash (readline,
# driven in tmux), where it used to turn into the PIDs' common digits.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.sh"

# Processes with names of this run's own: two named $name_a, one $name_b
# (the 'x' keeps either from being a prefix of another run's).
name_a=pia$$x
name_b=pib$$x
cp "$HELPERS/pi-threads" "$TEST_TMP/$name_a"
cp "$HELPERS/pi-threads" "$TEST_TMP/$name_b"
start_program "$TEST_TMP/$name_a" -n 0
pid_a1=$HELPER_PID
start_program "$TEST_TMP/$name_a" -n 0
pid_a2=$HELPER_PID
start_program "$TEST_TMP/$name_b" -n 0
pid_b=$HELPER_PID

src=$abs_top_srcdir
options=$("$PINSPECT_BIN" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
check "--help lists options" test -n "$options"
for opt in $options; do
	check "man page documents $opt" grep -q -- "${opt//-/\\\\-}" "$src/man/pinspect.1"
	for file in pinspect.bash _pinspect pinspect.fish; do
		check "$file completes $opt" grep -q -- "${opt#--}" "$src/completions/$file"
	done
done

# The columns of -o: every one --list-columns lists is completed by all
# three.
columns=$("$PINSPECT_BIN" --list-columns | awk '{ print $1 }')
check "--list-columns lists columns" test -n "$columns"
for file in pinspect.bash _pinspect pinspect.fish; do
	missing=$(for c in $columns; do grep -qw -- "$c" "$src/completions/$file" || echo "$c"; done)
	check "$file completes every column after -o" test -z "$missing"
done

# bash: drive the completion function as bash itself would.
bash_complete() {
	bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_pinspect pinspect "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' bash "$src/completions/pinspect.bash" "$@"
}
if [ -r /usr/share/bash-completion/bash_completion ]; then
	bash_complete pinspect --j >"$TEST_TMP/out"
	out_has "bash: --j completes to --json" '^--json$'
	bash_complete pinspect --hung >"$TEST_TMP/out"
	out_has "bash: --hung completes to --hung-after=" '^--hung-after=$'
	bash_complete pinspect --hung-after '' >"$TEST_TMP/out"
	out_has "bash: --hung-after offers seconds" '^10$'

	start_helper pi-threads -n 1
	bash_complete pinspect "${HELPER_PID:0:2}" >"$TEST_TMP/out"
	out_has "bash: a number completes to running PIDs" "^$HELPER_PID\$"
	bash_complete pinspect pi-thr >"$TEST_TMP/out"
	out_has "bash: a command name completes to its PID" "^$HELPER_PID\$"
	out_lacks "bash: and only to matching processes" "^$$\$"
	bash_complete pinspect -o pid,sy >"$TEST_TMP/out"
	out_has "bash: -o completes the last column of a list" '^pid,syscall$'
	bash_complete pinspect --output=+wc >"$TEST_TMP/out"
	out_has "bash: --output=+LIST completes too" '^\+wchan$'
	bash_complete pinspect "$name_a" >"$TEST_TMP/out"
	check "bash: a name of two processes completes to both PIDs, and itself" test \
		"$(sort "$TEST_TMP/out" | tr '\n' ' ')" = "$(printf '%s\n' "$pid_a1" "$pid_a2" "$name_a" | sort | tr '\n' ' ')"
	bash_complete pinspect "$name_b" >"$TEST_TMP/out"
	check "bash: a name of one process completes to its PID alone" test "$(cat "$TEST_TMP/out")" = "$pid_b"
	bash_complete pinspect --sections=sum >"$TEST_TMP/out"
	out_has "bash: --sections= completes a section name" '^summary$'
	bash_complete pinspect --sections=summary,-ma >"$TEST_TMP/out"
	out_has "bash: --sections= completes after a comma, keeping the sign" '^summary,-maps$'
	bash_complete pinspect --no-m >"$TEST_TMP/out"
	out_has "bash: --no-m completes to --no-maps" '^--no-maps$'

	# What a person sees: bash itself, interactive, in a terminal.
	tm_start
	type_text ". /usr/share/bash-completion/bash_completion; . '$src/completions/pinspect.bash'; clear"
	keys Enter
	wait_screen_lacks 'bash_completion' || not_ok "bash in tmux loaded the completion"
	type_text "pinspect $name_a"
	keys Tab Tab
	see "bash in a terminal: TAB TAB lists the name's PIDs" "(^| )$pid_a1( |\$)"
	see "bash in a terminal: both of them" "(^| )$pid_a2( |\$)"
	see "bash in a terminal: the name stays on the line" "^pi-test\\$ pinspect $name_a\$"
	not_see "bash in a terminal: no PID prefix put in its place" "^pi-test\\$ pinspect [0-9]"
	keys C-u
	type_text "pinspect $name_b"
	keys Tab
	# (capture-pane drops the space bash puts after it)
	see "bash in a terminal: a name of one process turns into its PID" "^pi-test\\$ pinspect $pid_b *\$"
	keys C-u
	bash_complete pinspect --chec >"$TEST_TMP/out"
	out_has "bash: --chec completes to --check" '^--check$'
	bash_complete pinspect --check "${HELPER_PID:0:2}" >"$TEST_TMP/out"
	out_lacks "bash: no PIDs after a scan option (a scan takes none)" '[0-9]' 
	check "bash: complete -p knows pinspect" bash -c \
		". /usr/share/bash-completion/bash_completion; . '$src/completions/pinspect.bash'; complete -p pinspect | grep -q _pinspect"
else
	not_ok "bash-completion is installed (apt-get install bash-completion)"
fi

if command -v fish >/dev/null; then
	fish -c "source '$src/completions/pinspect.fish'; complete -C 'pinspect --'" >"$TEST_TMP/out"
	out_has "fish: options complete with descriptions" '^--json	Print one JSON document per process'
	fish -c "source '$src/completions/pinspect.fish'; complete -C 'pinspect $HELPER_PID'" >"$TEST_TMP/out"
	out_has "fish: PIDs complete with their command names" "^$HELPER_PID	pi-threads\$"
	fish -c "source '$src/completions/pinspect.fish'; complete -C 'pinspect $name_a'" >"$TEST_TMP/out"
	check "fish: a name completes to its processes' PIDs" test \
		"$(sort "$TEST_TMP/out" | tr '\n' ' ')" = "$(printf '%s\t%s\n' "$pid_a1" "$name_a" "$pid_a2" "$name_a" | sort | tr '\n' ' ')"
	fish -c "source '$src/completions/pinspect.fish'; complete -C 'pinspect --metrics $HELPER_PID'" >"$TEST_TMP/out"
	out_lacks "fish: no PIDs after a scan option" '[0-9]' 
	fish -c "source '$src/completions/pinspect.fish'; complete -C 'pinspect -o pid,st'" >"$TEST_TMP/out"
	out_has "fish: -o completes the last column of a list" '^pid,state	'
	fish -c "source '$src/completions/pinspect.fish'; complete -C 'pinspect --dead'" >"$TEST_TMP/out"
	out_has "fish: --dead completes to --deadlocks, described" '^--deadlocks	Scan every process for lock cycles$'
else
	not_ok "fish is installed (apt-get install fish) to test its completion"
fi

if command -v zsh >/dev/null; then
	check "zsh: the completion parses" zsh -n "$src/completions/_pinspect"
	# Load it through compinit and ask for its PID list.
	zsh -f -c "
		fpath=('$src/completions' \$fpath)
		autoload -Uz compinit && compinit -u -D
		_describe() { local -a a=(\"\${(@P)\${@[-1]}}\"); print -l -- \$a }
		_arguments() { : }
		source '$src/completions/_pinspect'
		_pinspect_pids
	" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	out_has "zsh: PIDs are described by their command names" "^$HELPER_PID:pi-threads\$"
	# A name: only its processes, and -U so that the PIDs replace it.
	zsh -f -c "
		fpath=('$src/completions' \$fpath)
		autoload -Uz compinit && compinit -u -D
		_describe() { print -r -- args: \$@; local -a a=(\"\${(@P)\${@[4]}}\"); print -l -- \$a }
		_arguments() { : }
		source '$src/completions/_pinspect'
		PREFIX=$name_a
		_pinspect_pids
	" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	out_has "zsh: a name completes with -U (its PIDs replace it)" '^args: .* -U$'
	check "zsh: a name offers its processes alone" test \
		"$(grep -v '^args:' "$TEST_TMP/out" | sort | tr '\n' ' ')" = "$(printf '%s\n' "$pid_a1:$name_a" "$pid_a2:$name_a" | sort | tr '\n' ' ')"
else
	not_ok "zsh is installed (apt-get install zsh) to test its completion"
fi

done_testing
