# bash completion for pinspect(1)                       -*- shell-script -*-
#
# Options, and PIDs: a number completes to running PIDs; a word completes
# to the PIDs of the processes whose name starts with it
# (pinspect ngi<TAB> -> the PID of nginx; with several nginx processes the
# word stays and a second TAB lists their PIDs, rather than bash putting
# in the digits the PIDs happen to share).

_pinspect_pids()
{
	local cur=$1 dir pid comm
	for dir in /proc/[0-9]*; do
		pid=${dir#/proc/}
		if [[ $cur == [0-9]* || -z $cur ]]; then
			[[ $pid == "$cur"* ]] && printf '%s\n' "$pid"
		else
			read -r comm 2>/dev/null <"$dir/comm" || continue
			[[ $comm == "$cur"* ]] && printf '%s\n' "$pid"
		fi
	done
}

# The columns of -o (pinspect --list-columns; tests/cli/completions.sh
# checks the list against it): the last name of a comma-separated list,
# after an optional '+'.
_pinspect_columns()
{
	local cur=$1 head= word
	if [[ $cur == *,* ]]; then
		head=${cur%,*},
		word=${cur##*,}
	elif [[ $cur == +* ]]; then
		head=+
		word=${cur#+}
	else
		word=$cur
	fi
	compgen -P "$head" -W 'pid tid ppid user state cpu rss vcsw icsw vcsw_total icsw_total lastran wchan syscall waits tracer comm cmdline command cmdline_cut cmdline_bytes threads kthread flags zombies zombie_age pri nice virt shr mem time' -- "$word"
}

# --sections=LIST: the names, after the last comma (each may have + or -).
_pinspect_sections()
{
	local head= word=$cur sign=
	if [[ $cur == *,* ]]; then
		head=${cur%,*},
		word=${cur##*,}
	fi
	if [[ $word == [+-]* ]]; then
		sign=${word:0:1}
		word=${word:1}
	fi
	local names='all summary identity state scheduling signals memory maps threads stacks locks waits findings unavailable'
	COMPREPLY=($(compgen -P "$head$sign" -W "$names" -- "$word"))
	compopt -o nospace 2>/dev/null
}

_pinspect()
{
	local cur prev words cword
	_init_completion -s || return

	case $prev in
	--hung-after)
		# A number of seconds: offer the usual choices.
		COMPREPLY=($(compgen -W '1 5 10 30 60 120' -- "$cur"))
		return
		;;
	--timeout)
		COMPREPLY=($(compgen -W '0.5 1 5 10 30 0' -- "$cur"))
		return
		;;
	--max-frames)
		COMPREPLY=($(compgen -W '16 64 256 1024' -- "$cur"))
		return
		;;
	--lines)
		COMPREPLY=($(compgen -W 'program all none' -- "$cur"))
		return
		;;
	-d | --delay)
		COMPREPLY=($(compgen -W '0.5 1 2 5 10' -- "$cur"))
		return
		;;
	-n | --iterations)
		COMPREPLY=($(compgen -W '1 2 5 10' -- "$cur"))
		return
		;;
	--top)
		COMPREPLY=($(_pinspect_pids "$cur"))
		return
		;;
	--record | --replay)
		_filedir
		return
		;;
	--begin | --end)
		return
		;;
	-o | --output)
		COMPREPLY=($(_pinspect_columns "$cur"))
		compopt -o nospace
		return
		;;
	--sections)
		_pinspect_sections
		return
		;;
	esac
	if [[ $cur == --output=* ]]; then
		COMPREPLY=($(_pinspect_columns "${cur#--output=}"))
		compopt -o nospace
		return
	fi
	if [[ $cur == --sections=* ]]; then
		cur=${cur#--sections=}
		_pinspect_sections
		return
	fi
	if [[ $cur == --sample=* ]]; then
		COMPREPLY=($(compgen -W '1 5 10 30 60' -- "${cur#--sample=}"))
		return
	fi
	if [[ $cur == --rate=* ]]; then
		COMPREPLY=($(compgen -W '10 20 50 100' -- "${cur#--rate=}"))
		return
	fi
	if [[ $cur == --record=* || $cur == --replay=* ]]; then
		local opt=${cur%%=*}
		cur=${cur#*=}
		_filedir
		COMPREPLY=("${COMPREPLY[@]/#/$opt=}")
		return
	fi
	if [[ $cur == --lines=* ]]; then
		COMPREPLY=($(compgen -W 'program all none' -- "${cur#--lines=}"))
		return
	fi
	[[ $cur == --*=* ]] && return

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '--json --no-ptrace --no-waits --stop-blocked --consistent --max-frames= --lines=
			--hung-after= --timeout= --sections= --full --no-maps --no-threads --no-stacks --batch --delay=
			--iterations= --threads --problems --top= --output= --list-columns --hung --zombies --deadlocks
			--check --metrics --sample --sample= --rate= --folded --record= --replay= --begin= --end=
			--help --version -j -b -d -n -H -o -h -V' -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
		return
	fi
	# A scan looks at every task: it takes no PID.
	local word
	for word in "${words[@]}"; do
		case $word in
		--hung | --zombies | --deadlocks | --check | --metrics | --replay | --replay=* | --record | --record=*) return ;;
		esac
	done
	COMPREPLY=($(_pinspect_pids "$cur"))
	# A name matching several processes: bash would replace it with the
	# PIDs' common leading digits, a PID nobody asked for. The word itself
	# among the candidates leaves them no common start, so the name stays.
	if [[ ${#COMPREPLY[@]} -gt 1 && -n $cur && $cur != [0-9]* ]]; then
		COMPREPLY+=("$cur")
	fi
} && complete -F _pinspect pinspect

# ex: filetype=sh
