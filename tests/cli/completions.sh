#!/bin/bash
# Shell completions: every option of --help is completed by bash, zsh and
# fish and documented in the man page; bash and fish complete PIDs (fish
# with the command's name), and bash turns a command name into its PIDs.
. "$(dirname "$0")/lib.sh"

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
else
	not_ok "zsh is installed (apt-get install zsh) to test its completion"
fi

done_testing
