#!/bin/bash
# The live view, driven as a person would: in a terminal (tmux), with
# keys, against real processes in D, Z and T, and threads deadlocked on
# each other's mutexes. Checks what the screen says
# (flags in words, so colour does not matter), that the keys do what the
# help page says, and that the terminal is given back afterwards.
. "$(dirname "$0")/own_pidns.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.sh"

if ! command -v tmux >/dev/null; then
	not_ok "tmux is installed (apt-get install tmux) to test the live view"
	done_testing
	exit
fi

# Not a terminal: pointed to batch mode, with the usage status.
run_pinspect
status_is "no terminal: exits 2 (usage)" 2
err_has "no terminal: says the live view needs one" 'live view needs a terminal'
err_has "no terminal: points to --batch" 'pinspect --batch'
check "no terminal: writes nothing to stdout" test ! -s "$TEST_TMP/out"

# --- The helpers: a task in D, zombies and their parent, a stopped one,
# a healthy multi-threaded process, two threads deadlocked, and a chain
# of waits that is no deadlock. ----------------------------------------
start_vfork_parent
dpid=$VFORK_PARENT
start_helper pi-zombies 3
holder=$HELPER_PID
read -r -a zombies < <(sed -n 2p "$HELPER_OUT")
start_stopped_sleep
stopped=$STOPPED_PID
start_traced_sleep
traced=$TRACED_PID
tracer=$TRACER_PID
start_helper pi-threads -n 3 -d 7
healthy=$HELPER_PID
start_helper pi-locks deadlock2
locked=$HELPER_PID
read -r t1 t2 < <(sed -n 2p "$HELPER_OUT")
start_helper pi-locks chain
chain=$HELPER_PID

tm_start
live -d 0.5 --hung-after 0.5
see "starts: the summary counts tasks by state" '^Tasks: [0-9]+ process(es)?, [0-9]+ threads?: [0-9]+ running'
# A deadlock that begins once the view is up: a later look finds it.
start_helper pi-locks deadlock3
late=$HELPER_PID
see "the header shows --hung-after beside the kernel's hung_task_timeout_secs" \
	'^Hung: .*--hung-after 0\.5s \(the kernel.s hung_task_timeout_secs: ([0-9]+|unknown)\)'
see "the header counts the hung task" '^Hung: [1-9][0-9]* threads? in D longer than'
see "the header names the parent holding zombies" "^Zombies: [0-9]+, held by .*$holder \\(pi-zombies\\) 3, oldest"
see "the footer names the selected task and the keys" '^Selected: PID [0-9]+ .*\?: help +q: quit'

# Problems only.
keys p
see "p: problems only" 'problems only'
see "the D task is flagged hung, in words" "^ +$dpid root +D .* hung [0-9][0-9.hms]* "
see "its wait channel and system call are shown" "^ +$dpid .* (kernel_clone|[a-z_]+vfork[a-z_]*) +vfork "
for z in "${zombies[@]}"; do
	see "zombie $z is flagged with its parent" "^ +$z root +Z .* zombie of $holder "
done
see "the parent is flagged with how many zombies it holds" "^ +$holder root +S .* holds 3 zombies [0-9][0-9.hms]*"
see "the stopped task is flagged stopped" "^ +$stopped root +T .* stopped +.*sleep 600"
see "the traced task is flagged traced, with its tracer" "^ +$traced root +t .* traced by $tracer +.*sleep 600"
not_see "a healthy process is not a problem" "^ +$healthy "
see "the deadlocked process is a problem, flagged in words" "^ +$locked root +S .* deadlock \\(2 threads\\) "
not_see "a chain of waits is not a problem" "^ +$chain "
see "the header counts the deadlock, with its process" \
	"^Deadlocks: [0-9]+ threads in [0-9]+ lock cycles?, in .*\\b$locked \\(pi-locks\\) 2\\b"
keys p
see "p again: every task" 'Showing [0-9]+ of [0-9]+ processes, by %CPU'

# Sorting.
keys N
see "N: sorted by PID, smallest first" 'by PID \(smallest first\)'
screen | awk 'f && $1 ~ /^[0-9]+$/ { print $1 } /^ +PID /{ f = 1 }' >"$TEST_TMP/pids"
check "the rows are in PID order" sort -n -c "$TEST_TMP/pids"
keys I
see "I: the other way round" 'by PID \(biggest first\)'
screen | awk 'f && $1 ~ /^[0-9]+$/ { print $1 } /^ +PID /{ f = 1 }' >"$TEST_TMP/pids"
check "the rows are in reverse PID order" sort -n -r -c "$TEST_TMP/pids"
keys '>'
see "> sorts by the next column" 'by USER'
keys F Home
see "F sorts by the flags, worst first" 'by FLAGS \(biggest first\)'
see "Home selects the first row" '^Selected: PID [0-9]+ '
wait_screen_lacks '^sorted by' 5
# Worst first: the hung task (unless other tasks on this machine are
# hung too) comes before the zombies' parent.
screen >"$TEST_TMP/screen"
hung_line=$(grep -nE "^ +$dpid " "$TEST_TMP/screen" | cut -d: -f1)
holder_line=$(grep -nE "^ +$holder " "$TEST_TMP/screen" | cut -d: -f1)
check "sorted by flags, hung comes before holding zombies" \
	test -n "$hung_line" -a -n "$holder_line" -a "${hung_line:-0}" -lt "${holder_line:-0}"

# Search.
keys /
see "/ asks what to search for" '^Search'
type_text "pi-threads -n 3 -d 7"
keys Enter
see "the search selects the matching task" "^Selected: PID $healthy \\(pi-threads\\)"
not_see "the search prompt is gone" '^Search'

# The selected task's snapshot.
keys Enter
see "Enter opens the snapshot" "^Snapshot of process $healthy "
see "the snapshot is the one pinspect PID prints" "^pinspect: process $healthy \\(pi-threads\\), S sleeping"
see "it starts with IDENTITY" '^IDENTITY$'
keys t
see "t jumps to THREADS, with the workers" '^  [0-9]+ +worker-0 +S sleeping +read'
keys m
see "m jumps to the memory map" '^MEMORY$'
keys Tab
see "Tab goes to the next section" '^THREADS$'
keys u
see "u reads the user stacks, and says how" 'user stacks under THREADS: blocked threads copied, running ones sampled; none stopped'
see "the workers' user stacks are shown, blocked in read" '^ +user +#0 +0x[0-9a-f]+ '
see "... down through the helper's own functions" ' pi_depth_[0-9]'
keys r
see "r reads it again, still with user stacks" 'read again, with user stacks'
keys Escape
see "Esc returns to the table" "^Selected: PID $healthy \\(pi-threads\\)"
# Esc forgets the search: N (the match before while one is kept) sorts.
keys Escape
see "Esc on the table forgets the search" '^search forgotten'
keys N Left
see "N: a new order shows its top, its first row selected" '^Selected: PID 1 '

# Filter.
keys '\'
see "\\ asks for a filter" '^Filter'
type_text pi-zombies
keys Enter
see "the filter says what it keeps" 'filter "pi-zombies"'
see "the filter keeps the zombies' parent" "^ +$holder "
not_see "and drops the rest" "^ +$healthy "
keys '\' Escape
not_see "Esc in the filter clears it" 'filter "'

# Threads and tree, of one process picked out with the filter.
keys '\'
type_text "pi-threads -n 3 -d 7"
keys Enter H
see "H: a row per thread" 'Showing 4 of [0-9]+ threads'
keys /
type_text "worker-1"
keys Enter
see "threads are named, with their process's command" '^Selected: TID [0-9]+ \(worker-1\)'
keys t
see "t: the tree" 'threads as a tree'
# (Drawn with the terminal's line set, captured as its letters t m q.)
see "the tree shows the process" "^ +$healthy .*([|\`]-|[tm]q|├─|└─) "
see "... and its threads under it" "^ +[0-9]+ .* ([|\`]-|[tm]q|├─|└─) worker-2: "
keys t H '\' Escape
see "back to a row per process, unfiltered" 'Showing [0-9]+ of [0-9]+ processes, by'

# Refresh interval, pause, help.
keys d
see "d asks for the refresh interval" '^Refresh every'
type_text 0.3
keys Enter
see "the new interval is used" 'refresh every 0\.3s'
keys Z
see "Z pauses" 'PAUSED'
keys Z
not_see "Z again resumes" 'PAUSED'
keys '?'
see "? shows the help page" '^pinspect live view'
see "the help lists the keys" 'problems only: D, hung, Z, T'
keys x
see "any key leaves the help page" '^Selected: '

# Resizing.
tm resize-window -t "$TMUX_PANE" -x 80 -y 24
see "resized narrower: redrawn to fit" '^Selected: '
screen >"$TEST_TMP/screen"
check "resized: the lines fit in 80 columns" \
	test "$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$TEST_TMP/screen")" -le 80
see "resized: the flags still show" '^ +PID .*FLAGS +COMMAND'
tm resize-window -t "$TMUX_PANE" -x 20 -y 5
sleep 0.5
tm resize-window -t "$TMUX_PANE" -x "$PANE_W" -y "$PANE_H"
keys p
see "after a tiny window and back, it still works" 'problems only'
# (deadlocks are looked for every 10 s; the tests above take about that)
see "a deadlock that began after the start is flagged by a later look" \
	"^ +$late root +S .* deadlock \\(3 threads\\) " $((WAIT_S > 30 ? WAIT_S : 30))

keys q
see "q quits, with status 0" '^exit=[0-9]+$'
see "... status 0" '^exit=0$' 1
vg_clean "the live view, its keys and its snapshot page"
terminal_restored "after q the terminal is given back"

# SIGTERM while the screen is up.
live -d 0.5
see "started again" '^Tasks: '
pid=$(live_pid)
kill -TERM "$pid"
see "SIGTERM: exits with 128 + 15" '^exit=143$'
vg_clean "ended by SIGTERM"
terminal_restored "after SIGTERM the terminal is given back"

# SIGINT (Ctrl-C).
live -d 0.5
see "started once more" '^Tasks: '
keys C-c
see "Ctrl-C: exits with 128 + 2" '^exit=130$'
vg_clean "ended by Ctrl-C"
terminal_restored "after Ctrl-C the terminal is given back"

# Watching one process: its threads.
live --top "$healthy" -d 0.5
see "--top: says which process it watches" "watching process $healthy \\(pi-threads\\)"
see "--top: its threads, by name" '^ +[0-9]+ root +S .* worker-2: '
see "--top: all four of them" 'Showing 4 of 4 threads'
keys q
see "--top: q quits" '^exit=0$'
vg_clean "--top"

# The deadlocked process's threads, and the snapshot of one.
live --top "$locked" -d 0.5
see "--top a deadlocked process: each thread names the one it waits for" \
	"^ +$t1 root +S .* deadlock with $t2 +t1: "
see "... both ways round" "^ +$t2 root +S .* deadlock with $t1 +t2: "
keys p
see "p: the deadlocked threads are the problems" 'Showing 2 of 3 threads.*problems only'
not_see "... and the main thread, asleep in pause(), is not one" "^ +$locked "
keys /
type_text "t2:"
keys Enter
see "a deadlocked thread selected" "^Selected: TID $t2 \\(t2\\)"
keys Enter
see "Enter opens the snapshot of its process" "^Snapshot of process $locked "
keys f
see "... whose findings name the cycle, lock by lock" \
	"^  deadlock +2 threads wait for each other: thread ($t1|$t2) \\(t[12]\\) waits for mutex 0x[0-9a-f]+, held by thread ($t1|$t2) \\(t[12]\\); thread"
keys u
see "u: read with the stacks, the locks are named" 'user stacks under THREADS'
keys f
see "... by their symbols" \
	"^  deadlock +2 threads wait for each other: thread ($t1|$t2) \\(t[12]\\) waits for mutex pi_lock_[ab], held by thread ($t1|$t2) \\(t[12]\\); thread"
keys Escape q
see "--top a deadlocked process: q quits" '^exit=0$'
vg_clean "--top a deadlocked process, and its snapshot"

# A process waiting on another: the WAITS FOR column, and the snapshot
# page's WAITS FOR section with the chain to the stopped holder.
mkdir -p "$TEST_TMP/chain"
start_helper pi-waits chain "$TEST_TMP/chain"
w_waiter=$HELPER_PID
w_writer=$(sed -n 's/^peer //p' "$HELPER_OUT")
w_holder=$(sed -n 's/^holder //p' "$HELPER_OUT")
track "$w_writer"
track "$w_holder"
wait_state "$w_holder" T
live --top "$w_waiter" -d 0.5 -o pid,state,waits,command
see "-o waits: the pipe and the process holding its write end" \
	"^ +$w_waiter S read pipe:\\[[0-9]+\\] <- $w_writer pi-waits"
keys Enter
see "Enter: the snapshot page" "^Snapshot of process $w_waiter "
# WAITS FOR comes just before FINDINGS: f shows the last page, both.
keys f
see "the snapshot page has the WAITS FOR section, down to the stopped holder" \
	"^      -> $w_holder \\(pi-waits\\) STOPPED"
keys Escape q
see "waits: q quits" '^exit=0$'
vg_clean "the WAITS FOR column and section"
kill -KILL "$w_waiter" "$w_writer" "$w_holder"

# k (and F9): a signal to the selected process; the prompt, naming it,
# is the confirmation.
start_sleep
victim=$SLEEP_PID
live --top "$victim" -d 0.5
see "--top of a sleep" "^ +$victim root +S "
keys k
see "k: the prompt names the process and offers TERM" \
	"^Send a signal to process $victim \\(sleep\\)\\? Enter sends, Esc cancels: TERM"
keys Escape
see "Esc: none sent" 'no signal sent'
check "Esc: the process lives" kill -0 "$victim"
keys F9 BSpace BSpace BSpace BSpace
type_text "NOSUCH"
keys Enter
see "an unknown signal: said, none sent" '^not a signal: NOSUCH .*none sent'
check "an unknown signal: the process lives" kill -0 "$victim"
keys k BSpace BSpace BSpace BSpace
type_text "cont"
keys Enter
see "k, then a name in any case: sent, and said" "^SIGCONT sent to process $victim"
keys k Enter
# (The next refresh may already say the process exited, replacing it.)
see "k Enter: TERM sent" "^SIGTERM sent to process $victim|PROCESS EXITED"
for i in $(seq 1 100); do kill -0 "$victim" 2>/dev/null || break; sleep 0.05; done
wait "$victim" 2>/dev/null
check "and the process ended of it" test ! -d "/proc/$victim"
keys q
see "k: q quits" '^exit=0$'
vg_clean "k: a signal from the view"

# As a user who may not signal it: the error, as kill(1) would say it.
start_sleep
victim=$SLEEP_PID
clear_pane
keys "setpriv --reuid=65534 --regid=65534 --clear-groups $PINSPECT_BIN --top $victim -d 0.5; echo exit=\$?" Enter
see "as nobody, --top of root's sleep" "^ +$victim root +S "
keys k Enter
see "not permitted: said, with the reason" "^SIGTERM not sent to process $victim: Operation not permitted"
check "not permitted: the process lives" kill -0 "$victim"
keys q
see "as nobody: q quits" '^exit=0$'
kill -KILL "$victim"

# K: kernel threads hidden and shown again.
# kthreadd (PID 2) never exits, where a kworker may come and go.
kt=2
[ "$(cat /proc/2/comm 2>/dev/null)" = kthreadd ] || kt=$(kernel_thread_pid)
if [ -r "/proc/$kt/comm" ]; then
	ktname=$(cat "/proc/$kt/comm")
	live -d 0.5 -o pid,command
	keys '\\'
	type_text "$ktname"
	keys Enter
	see "a kernel thread, filtered to" "^ +$kt +\\[$ktname\\]"
	keys K
	see "K: the header says kernel threads are hidden" 'kernel threads hidden'
	not_see "K: the kernel thread's row is gone" "^ +$kt +\\["
	keys K
	see "K again: it is back" "^ +$kt +\\[$ktname\\]"
	keys q
	see "K: q quits" '^exit=0$'
	vg_clean "K"
else
	skip "K hides kernel threads" "no kernel thread is visible here (a PID namespace without them)"
fi

# u: one user's tasks.
setpriv --reuid=65534 --regid=65534 --clear-groups sleep 600 &
nobodys=$!
track "$nobodys"
wait_state "$nobodys" S
live -d 0.5 -o pid,user,command
keys u
see "u asks for a user" '^Only the tasks of user'
type_text nobody
keys Enter
see "u nobody: the header says so" 'user nobody'
see "u nobody: nobody's sleep is shown" "^ +$nobodys nobody +sleep 600"
not_see "u nobody: no task of root's" '^ +[0-9]+ root '
keys u
type_text nosuchuser
keys Enter
see "an unknown user: said" '^no such user: nosuchuser'
keys u Enter
see "u, then an empty line: every user's again" "every user's tasks"
see "... root's tasks are back" '^ +[0-9]+ root '
keys q
see "u: q quits" '^exit=0$'
vg_clean "u"
kill -KILL "$nobodys"

# -n: a number of refreshes, then out.
live -n 2 -d 0.2
see "-n 2: quits by itself after two refreshes" '^exit=0$'
vg_clean "-n 2"
terminal_restored "after -n the terminal is given back"

# Without colour (NO_COLOR, or a terminal that has none), the words stay.
clear_pane
live_command -d 0.5 --hung-after 0.5 --problems
keys "NO_COLOR=1 $LIVE_CMD" Enter
see "NO_COLOR: the D task is still flagged in words" "^ +$dpid .* hung [0-9][0-9.hms]*"
keys q
see "NO_COLOR: quits" '^exit=0$'
vg_clean "NO_COLOR"
clear_pane
live_command -d 0.5 --problems
keys "TERM=vt100 $LIVE_CMD" Enter
see "a monochrome terminal: the zombies are still flagged in words" "^ +${zombies[0]} .* zombie of $holder"
keys q
see "monochrome: quits" 'exit=0'
vg_clean "a monochrome terminal"

# A terminal ncurses does not know: said plainly, status 5.
clear_pane
live_command -d 0.5
keys "TERM=no-such-terminal $LIVE_CMD" Enter
see "an unknown terminal type: says so" "terminal type 'no-such-terminal' \\(TERM\\) is not known"
see "an unknown terminal type: status 5" '^exit=5$'

# A PID that does not exist: said on the plain terminal.
missing=4194304
while [ -e "/proc/$missing" ]; do missing=$((missing - 1)); done
live --top "$missing"
see "--top a missing PID: exits 3 with a message" "PID $missing: no such process"
see "--top a missing PID: status 3" '^exit=3$'

done_testing
