#!/bin/bash
# CPython programs (tests/helpers/py_threads.py): each thread's Python
# frames, merged into its native stack after the _PyEval_EvalFrameDefault
# frame that runs them, with function names and line numbers exactly as
# the program has them; the thread that holds the GIL; the threads
# blocked in a system call never stopped. Debian's python3 (3.11) always;
# 3.12 and 3.13 too where they are installed (pyenv's, or python3.1X on
# PATH). A Python whose version pinspect does not know (the helper
# overwrites its own Py_Version) says so and keeps its native stacks.
. "$(dirname "$0")/lib.sh"

helper=$abs_top_srcdir/tests/helpers/py_threads.py

# The line of the helper marked "# @NAME".
line_of() {
	grep -n "# @$1\$" "$helper" | cut -d: -f1
}

# The TID the helper printed for NAME.
tid_of() {
	awk -v n="$1" '$1 == n { print $2 }' "$HELPER_OUT"
}

# Waits (up to 10 s: a bound that only says it did not hang) until task
# TID of PID is in system call number NR.
wait_syscall() {
	local i
	for i in $(seq 1 100); do
		[ "$(cut -d' ' -f1 "/proc/$1/task/$2/syscall" 2>/dev/null)" = "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# Waits (up to 10 s: a bound that only says it did not hang) until task
# TID of PID has run 50 ms more in user space than when asked: past
# whatever it did before its loop, spinning (holding its GIL).
wait_spinning() {
	local i start now
	start=$(awk '{ print $14 }' "/proc/$1/task/$2/stat" 2>/dev/null) || return 1
	for i in $(seq 1 100); do
		now=$(awk '{ print $14 }' "/proc/$1/task/$2/stat" 2>/dev/null) || return 1
		[ "$now" -ge $((start + 5)) ] && return 0
		sleep 0.1
	done
	return 1
}

# The interpreters to try: one per version.
pythons=()
declare -A seen_version=()
candidates=(/usr/bin/python3 python3.11 python3.12 python3.13)
if command -v pyenv >/dev/null 2>&1; then
	root=$(pyenv root 2>/dev/null)
	for p in "$root"/versions/3.1[123]*/bin/python3; do candidates+=("$p"); done
fi
for p in "${candidates[@]}"; do
	p=$(command -v "$p" 2>/dev/null) || continue
	# pyenv's shims are scripts: only a real interpreter is started.
	[ -x "$p" ] && head -c 4 "$p" | grep -q ELF || continue
	v=$("$p" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || continue
	case $v in 3.11|3.12|3.13) ;; *) continue ;; esac
	[ -n "${seen_version[$v]:-}" ] && continue
	seen_version[$v]=1
	pythons+=("$p")
done

if [ ${#pythons[@]} = 0 ]; then
	skip "python: Python frames" "no CPython 3.11 to 3.13 is installed"
	done_testing
	exit 0
fi
for v in 3.12 3.13; do
	[ -n "${seen_version[$v]:-}" ] || skip "python $v: Python frames" "CPython $v is not installed"
done

for py in "${pythons[@]}"; do
	v=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	start_program "$py" "$helper"
	pid=$HELPER_PID
	sleeper=$(tid_of sleeper) waiter=$(tid_of waiter) deep=$(tid_of deep) busy=$(tid_of busy)
	main=$(tid_of main)
	# Asleep in clock_nanosleep (230), blocked in futex (202).
	for t in "$sleeper" "$deep" "$main"; do
		wait_syscall "$pid" "$t" 230 || not_ok "python $v: thread $t reaches time.sleep"
	done
	wait_syscall "$pid" "$waiter" 202 || not_ok "python $v: the waiter blocks on the lock"

	run_pinspect --json "$pid"
	status_is "python $v: exits 0" 0
	jq_check "python $v: the interpreter is read" \
		'.python.version == $v and .python.error == null and .python.threads == 5' --arg v "$v"
	# "function:line" of a thread's Python frames, innermost first.
	py_frames='[.threads[] | select(.tid == ($t | tonumber)) | .user_stack[]
		    | select(.language == "python") | "\(.function):\(.line)"]'
	jq_check "python $v: the sleeper, in time.sleep" \
		"$py_frames | .[0] == \"sleeper:$(line_of sleeper)\" and (.[1] | startswith(\"run:\"))
		 and (.[-1] | startswith(\"_bootstrap:\"))" --arg t "$sleeper"
	jq_check "python $v: the waiter, on the lock" \
		"$py_frames | .[0] == \"waiter:$(line_of waiter)\"" --arg t "$waiter"
	jq_check "python $v: the recursion, 40 calls deep, every line" \
		"$py_frames | .[0] == \"recurse:$(line_of deep)\"
		 and (.[1:41] | all(. == \"recurse:$(line_of recurse)\")) and (.[41] | startswith(\"run:\"))" \
		--arg t "$deep"
	jq_check "python $v: the busy thread, in its loop" \
		"$py_frames | .[0] == \"busy:$(line_of busy_loop)\" or .[0] == \"busy:$(line_of busy_body)\"" \
		--arg t "$busy"
	jq_check "python $v: the main thread, under the module" \
		"$py_frames == [\"main:$(line_of main)\", \"<module>:$(line_of module)\"]" --arg t "$main"
	jq_check "python $v: files are the helper's and threading's" \
		'[.threads[].user_stack[] | select(.language == "python") | .file]
		 | all(endswith("/py_threads.py") or endswith("/threading.py"))'
	# Each Python frame follows the evaluator's frame that runs it, or
	# another Python frame; native frames say so.
	jq_check "python $v: Python frames sit after _PyEval_EvalFrameDefault" \
		'[.threads[].user_stack | to_entries[] as $e
		  | select($e.value.language == "python")
		  | .[$e.key - 1] | .language == "python" or .function == "_PyEval_EvalFrameDefault"]
		 | length > 0 and all'
	jq_check "python $v: other frames are native" \
		'[.threads[].user_stack[] | .language] | all(. == "python" or . == "native")'
	jq_check "python $v: the busy thread holds the GIL, and only it" \
		'.python.gil_known and .python.gil_holder_tid == ($t | tonumber)
		 and ([.threads[] | select(.holds_gil) | .tid] == [($t | tonumber)])' --arg t "$busy"
	jq_check "python $v: the blocked threads were never stopped" \
		'[.threads[] | select(.tid == ($s | tonumber) or .tid == ($w | tonumber)) | .unwind.method]
		 == ["copied_while_blocked", "copied_while_blocked"]' --arg s "$sleeper" --arg w "$waiter"

	run_pinspect "$pid"
	out_has "python $v: text shows [py] frames with file and line" \
		"^ +#[0-9]+ +\[py\] sleeper \(.*/py_threads\.py:$(line_of sleeper)\)$"
	out_has "python $v: text says who holds the GIL" "^ +python holds the GIL$"
	out_has "python $v: text says which Python" \
		"^  PYTHON +CPython $v, 5 threads \(.*\); thread $busy holds the GIL$"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
done

# --- Subinterpreters ----------------------------------------------------
# Every interpreter's threads: the main thread has a thread state in the
# subinterpreter too (it ran code there), and is one thread with the main
# interpreter's frames; the subinterpreter's own thread, its frames in
# <string>. Each interpreter's GIL: 3.11's is shared, 3.12's isolated
# subinterpreter has its own.
sub_helper=$abs_top_srcdir/tests/helpers/py_subinterp.py
for py in "${pythons[@]}"; do
	v=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	if ! "$py" -c 'import _interpreters' 2>/dev/null && ! "$py" -c 'import _xxsubinterpreters' 2>/dev/null; then
		skip "python $v: subinterpreters" "this CPython has neither _interpreters nor _xxsubinterpreters"
		continue
	fi
	start_program "$py" "$sub_helper"
	pid=$HELPER_PID
	sub=$(tid_of sub) main=$(tid_of main)
	for t in "$sub" "$main"; do
		wait_syscall "$pid" "$t" 230 || not_ok "python $v (subinterpreter): thread $t reaches time.sleep"
	done
	run_pinspect --json "$pid"
	status_is "python $v (subinterpreter): exits 0" 0
	gils=1
	[ "$v" != 3.11 ] && gils=2
	jq_check "python $v (subinterpreter): two interpreters, $gils GIL(s), two threads" \
		'.python.interpreters == 2 and .python.gils == ($g | tonumber) and .python.threads == 2' \
		--arg g "$gils"
	py_frames='[.threads[] | select(.tid == ($t | tonumber)) | .user_stack[]
		    | select(.language == "python") | "\(.function):\(.line)"]'
	jq_check "python $v (subinterpreter): the main thread, under the module, once" \
		"$py_frames == [\"main:$(grep -n '# @main$' "$sub_helper" | cut -d: -f1)\",
				\"<module>:$(grep -n '# @module$' "$sub_helper" | cut -d: -f1)\"]" --arg t "$main"
	jq_check "python $v (subinterpreter): its own thread, in code it was given" \
		'[.threads[] | select(.tid == ($t | tonumber)) | .user_stack[] | select(.language == "python")]
		 | .[0].function == "sub_sleeper" and .[0].file == "<string>" and .[0].line == 4
		   and (.[-1].function == "_bootstrap")' --arg t "$sub"
	jq_check "python $v (subinterpreter): both asleep, neither holds a GIL" \
		'.python.gil_holder_tids == [] and ([.threads[] | select(.holds_gil)] == [])'
	run_pinspect "$pid"
	out_has "python $v (subinterpreter): text counts interpreters and GILs" \
		"^  PYTHON +CPython $v, 2 threads \(.*\); 2 interpreters, $gils GILs?; no thread holds the GIL$"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null

	# Both threads spinning, where the subinterpreter has a GIL of its
	# own: each holds its interpreter's, both at once. (Sharing 3.11's,
	# one spinning thread starves the other: CPython asks the holder's
	# interpreter to let go only if it is the asker's.)
	if [ "$gils" != 2 ]; then
		skip "python $v (subinterpreters, busy): two GILs held at once" "CPython $v shares one GIL"
		continue
	fi
	start_program "$py" "$sub_helper" --busy
	pid=$HELPER_PID
	sub=$(tid_of sub) main=$(tid_of main)
	for t in "$sub" "$main"; do
		wait_spinning "$pid" "$t" || not_ok "python $v (subinterpreters, busy): thread $t spins"
	done
	run_pinspect --json "$pid"
	jq_check "python $v (subinterpreters, busy): each holds its own GIL" \
		'(.python.gil_holder_tids | sort) == ([($m | tonumber), ($s | tonumber)] | sort)
		 and ([.threads[] | select(.holds_gil) | .tid] | sort) == (.python.gil_holder_tids | sort)' \
		--arg m "$main" --arg s "$sub"
	run_pinspect "$pid"
	out_has "python $v (subinterpreters, busy): text names both holders" \
		"^  PYTHON +CPython $v, .*; 2 interpreters, 2 GILs; threads [0-9]+, [0-9]+ hold one each$"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
done

# --- A version pinspect does not know -----------------------------------
py=${pythons[0]}
start_program "$py" "$helper" --fake-version
pid=$HELPER_PID
wait_syscall "$pid" "$(tid_of sleeper)" 230 || not_ok "python 3.99: the sleeper reaches time.sleep"
run_pinspect --json "$pid"
status_is "python 3.99: exits 0" 0
jq_check "python 3.99: the version said, the frames not read" \
	'.python.version == "3.99" and .python.error == "python_version" and .python.threads == null'
jq_check "python 3.99: the native stacks kept, no Python frame" \
	'([.threads[].user_stack[] | select(.function == "_PyEval_EvalFrameDefault")] | length > 0)
	 and ([.threads[].user_stack[] | select(.language == "python")] == [])'
run_pinspect "$pid"
out_has "python 3.99: text names the tool that reads it" 'python_stacks: .*py-spy dump --pid PID'
out_has "python 3.99: the PYTHON line says why" '^  PYTHON +CPython 3\.99: Python frames not read'
kill -KILL "$pid"
wait "$pid" 2>/dev/null

done_testing
