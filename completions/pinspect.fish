# fish completion for pinspect(1): options, and PIDs described by their
# command names.

function __pinspect_pids
    for dir in /proc/*
        set -l pid (string replace /proc/ '' -- $dir)
        string match -qr '^[0-9]+$' -- $pid; or continue
        read -l comm <$dir/comm 2>/dev/null; or continue
        printf '%s\t%s\n' $pid $comm
    end
end

complete -c pinspect -f
complete -c pinspect -s j -l json -d 'Print one JSON document per process'
complete -c pinspect -l no-ptrace -d 'Never stop any thread of the target'
complete -c pinspect -l no-waits -d 'Do not look for what blocked threads wait for in other processes'
complete -c pinspect -l stop-blocked -d 'Also stop blocked threads whose stack was cut short'
complete -c pinspect -l consistent -d 'Stop all threads together for one coherent instant'
complete -c pinspect -l max-frames -x -a '16 64 256 1024' -d 'Show at most N frames of a stack'
complete -c pinspect -l lines -x -a 'program all none' -d 'Whose source lines and inlined calls to show'
complete -c pinspect -l timeout -x -a '0.5 1 5 10 30 0' -d 'Spend at most SECONDS reading one process (0: no limit)'
complete -c pinspect -l hung-after -x -a '1 5 10 30 60 120' -d 'Call a task hung after SECONDS in D'
complete -c pinspect -l sections -x -a 'all summary identity state scheduling signals memory maps threads stacks locks waits findings unavailable +maps +threads -maps -threads -stacks' -d 'Print only these sections of the snapshot (+NAME adds, -NAME removes)'
complete -c pinspect -l full -d 'Print every section of the snapshot whole, even on a terminal'
complete -c pinspect -l no-maps -d 'Leave the memory map out of the snapshot'
complete -c pinspect -l no-threads -d 'Leave the thread list out of the snapshot'
complete -c pinspect -l no-stacks -d 'Leave the stacks out of the snapshot'
complete -c pinspect -s b -l batch -d 'Print the table every -d seconds, like top -b'
complete -c pinspect -s d -l delay -x -a '0.5 1 2 5 10' -d 'Refresh every SECONDS'
complete -c pinspect -s n -l iterations -x -a '1 2 5 10' -d 'Exit after COUNT refreshes'
complete -c pinspect -s H -l threads -d 'A row per thread'
complete -c pinspect -l problems -d "Only problems: D, Z, T, t, deadlocks, zombie parents"
complete -c pinspect -l sample -d 'Sample every thread of one process for SECONDS (--sample=SECONDS, default 5)'
complete -c pinspect -l rate -x -a '10 20 50 100' -d 'Ticks per second while sampling (default 20)'
complete -c pinspect -l folded -d 'Print folded stacks (flamegraph.pl, inferno, speedscope) instead of the report'
complete -c pinspect -l top -x -a '(__pinspect_pids)' -d 'Watch one process and its threads, live'
complete -c pinspect -l record -r -F -d 'With --batch: also append each refresh to a recording'
complete -c pinspect -l replay -r -F -d 'Show a recording: the live view, or with --batch printed'
complete -c pinspect -l begin -x -d 'Replay from this time (HH:MM, YYYY-MM-DD HH:MM, @SECONDS)'
complete -c pinspect -l end -x -d 'Replay until this time (HH:MM, YYYY-MM-DD HH:MM, @SECONDS)'
# The columns of -o (pinspect --list-columns; tests/cli/completions.sh
# checks the list against it): the last name of a comma-separated list.
function __pinspect_columns
    set -l token (commandline -ct)
    set -l head (string replace -r '[^,+]*$' '' -- $token)
    for name in pid tid ppid user state cpu rss vcsw icsw vcsw_total icsw_total lastran wchan syscall waits tracer comm cmdline command cmdline_cut cmdline_bytes threads kthread flags zombies zombie_age pri nice virt shr mem time
        printf '%s%s\n' "$head" $name
    end
end
complete -c pinspect -s o -l output -x -a '(__pinspect_columns)' -d 'Show these columns (+LIST adds to the defaults)'
complete -c pinspect -l list-columns -d 'List the columns and what each shows, and exit'
complete -c pinspect -l hung -d 'Scan every task for tasks hung in D'
complete -c pinspect -l zombies -d 'Scan every task for zombies, by parent'
complete -c pinspect -l deadlocks -d 'Scan every process for lock cycles'
complete -c pinspect -l check -d 'Run every scan: hung tasks, zombies, deadlocks'
complete -c pinspect -l metrics -d 'Print the scans as Prometheus metrics'
complete -c pinspect -s h -l help -d 'Show help and exit'
complete -c pinspect -s V -l version -d 'Show the version and exit'
# A scan looks at every task: it takes no PID.
complete -c pinspect -n 'not __fish_seen_argument -l hung -l zombies -l deadlocks -l check -l metrics -l replay' -a '(__pinspect_pids)'
