#include "analysis/kinds.h"

#include "analysis/classify.h"
#include "analysis/detectors.h"
#include "table/columns.h"	/* enum pi_style: the colours' names only */

/* In the builder's order: a snapshot lists its findings so. */
const struct pi_kind pi_kinds[] = {
	{
		.kind = PI_FIND_HUNG, .name = "hung", .see = "HUNG TASKS", .flag_word = "hung",
		.sentence = "a thread in D (uninterruptible), off the CPU longer than --hung-after",
		.where = PI_KIND_SNAPSHOT | PI_KIND_LIVE | PI_KIND_SCAN,
		.task_flag = PI_TASK_HUNG, .rank = 7, .style = PI_STYLE_HUNG,
		.json_count = "hung_tasks", .metric = "pinspect_hung_tasks",
		.metric_help = "Tasks in D (uninterruptible) off the CPU longer than the threshold.",
		.detect = pi_detect_d,
	},
	{
		/* Found by hung's detector, in the same pass. */
		.kind = PI_FIND_UNINTERRUPTIBLE, .name = "uninterruptible", .see = "HUNG TASKS",
		.flag_word = "in D",
		.sentence = "a thread in D (uninterruptible), not (yet) for longer than --hung-after",
		.where = PI_KIND_SNAPSHOT | PI_KIND_LIVE,
		.task_flag = PI_TASK_UNINTERRUPTIBLE, .rank = 6, .style = PI_STYLE_D,
		.json_count = "uninterruptible_tasks",
	},
	{
		.kind = PI_FIND_DEADLOCK, .name = "deadlock", .see = "LOCKS", .flag_word = "deadlock",
		.sentence = "threads waiting for each other's locks, in a cycle: none will go on",
		.where = PI_KIND_SNAPSHOT | PI_KIND_LIVE | PI_KIND_SCAN,
		.task_flag = PI_TASK_DEADLOCKED, .rank = 7, .style = PI_STYLE_HUNG,
		.json_count = "deadlocks", .metric = "pinspect_deadlocks",
		.metric_help = "Lock cycles: threads waiting for each other's mutexes.",
		/* A snapshot's come from its lock analysis (analysis/locks.c);
		 * the live table's are handed over from a scan. */
		.detect = pi_detect_cycles,
	},
	{
		.kind = PI_FIND_ZOMBIE, .name = "zombie", .see = "ZOMBIES", .flag_word = "zombie",
		.sentence = "a process that has exited and that its parent has not reaped",
		.where = PI_KIND_SNAPSHOT | PI_KIND_LIVE,
		.task_flag = PI_TASK_ZOMBIE, .rank = 5, .style = PI_STYLE_ZOMBIE,
		.json_count = "zombies", .metric = "pinspect_zombies",
		.metric_help = "Zombie processes: exited, not reaped by their parent.",
		.detect = pi_detect_zombie,
	},
	{
		.kind = PI_FIND_LEADER_EXITED, .name = "leader_exited", .see = "PROCESS STATES",
		.flag_word = "main thread exited",
		.sentence = "the main thread has exited, and the process lives on in its other threads",
		.where = PI_KIND_SNAPSHOT | PI_KIND_LIVE,
		.task_flag = PI_TASK_LEADER_EXITED, .rank = 1, .style = PI_STYLE_DIM,
		.detect = pi_detect_leader_exited,
	},
	{
		.kind = PI_FIND_STOPPED, .name = "stopped", .see = "PROCESS STATES",
		.flag_word = "stopped",
		.sentence = "threads stopped by a job-control signal, until SIGCONT",
		.where = PI_KIND_SNAPSHOT | PI_KIND_LIVE,
		.task_flag = PI_TASK_STOPPED, .rank = 3, .style = PI_STYLE_STOPPED,
		.detect = pi_detect_stopped,
	},
	{
		.kind = PI_FIND_TRACED, .name = "traced", .see = "PROCESS STATES",
		.flag_word = "traced",
		.sentence = "threads with a tracer attached, or held at a ptrace stop",
		.where = PI_KIND_SNAPSHOT | PI_KIND_LIVE,
		.task_flag = PI_TASK_TRACED, .rank = 2, .style = PI_STYLE_TRACED,
		.detect = pi_detect_traced,
	},
	{
		.kind = PI_FIND_ZOMBIE_PARENT, .name = "zombie_parent", .see = "ZOMBIES",
		.flag_word = "holds",
		.sentence = "a process holding zombie children it has not reaped with wait()",
		.where = PI_KIND_SNAPSHOT | PI_KIND_LIVE | PI_KIND_SCAN,
		.rank = 4, .style = PI_STYLE_ZOMBIE_PARENT,
		.json_count = "zombie_parents", .metric = "pinspect_zombie_parents",
		.metric_help = "Processes holding zombie children.",
		.detect = pi_detect_zombie_parent,
	},
	{
		/* Found by the snapshot's lock analysis (analysis/locks.c). */
		.kind = PI_FIND_WAIT_CHAIN, .name = "wait_chain", .see = "LOCKS",
		.sentence = "threads waiting, lock by lock, for one that is not waiting",
		.where = PI_KIND_SNAPSHOT,
	},
	{
		.kind = PI_FIND_PROCESS_DEADLOCK, .name = "process_deadlock",
		.see = "WAITS ACROSS PROCESSES",
		.sentence = "processes waiting for each other (pipes, sockets, file locks, children, "
			    "shared mutexes), in a cycle that nothing outside can break",
		.where = PI_KIND_SNAPSHOT | PI_KIND_SCAN,
		.rank = 7, .style = PI_STYLE_HUNG,
		.json_count = "process_deadlocks", .metric = "pinspect_process_deadlocks",
		.metric_help = "Cycles of processes waiting for each other through pipes, sockets, file "
			       "locks, children or process-shared mutexes.",
		/* Chains read by collect/waits.c: a snapshot's, or a scan's. */
		.detect = pi_detect_process_cycles,
	},
	{
		.kind = PI_FIND_WAITS_ON_STOPPED, .name = "waits_on_stopped",
		.see = "WAITS ACROSS PROCESSES",
		.sentence = "threads whose chain of waits ends at a stopped or traced process: nothing "
			    "moves until it is continued",
		.where = PI_KIND_SNAPSHOT,
		.detect = pi_detect_waits_on_stopped,
	},
	{
		.kind = PI_FIND_MUTEX_OWNER_DIED, .name = "mutex_owner_died",
		.see = "WAITS ACROSS PROCESSES",
		.sentence = "threads waiting for a process-shared mutex whose owner exited holding it: "
			    "nothing will unlock it",
		.where = PI_KIND_SNAPSHOT,
		.detect = pi_detect_mutex_owner_died,
	},
	{
		.kind = PI_FIND_GO_DEADLOCK, .name = "go_deadlock", .see = "GOROUTINES",
		.sentence = "every goroutine of a Go program blocked on channels, locks or select: none "
			    "can wake another (Go's \"all goroutines are asleep\")",
		.where = PI_KIND_SNAPSHOT,
		/* Both Go kinds in one pass (analysis/go_stuck.c). */
		.detect = pi_detect_go,
	},
	{
		/* Found by go_deadlock's detector. */
		.kind = PI_FIND_GO_LOCK_WAIT, .name = "go_lock_wait", .see = "GOROUTINES",
		.sentence = "goroutines blocked on a sync.Mutex or RWMutex longer than --hung-after, or "
			    "several at one lock for a time the runtime did not record",
		.where = PI_KIND_SNAPSHOT,
	},
};
const size_t pi_nkinds = sizeof pi_kinds / sizeof pi_kinds[0];

const struct pi_kind *pi_kind_of(enum pi_finding_kind kind)
{
	for (size_t i = 0; i < pi_nkinds; i++)
		if (pi_kinds[i].kind == kind)
			return &pi_kinds[i];
	return NULL;
}

bool pi_kind_marks(const struct pi_kind *k, unsigned task_flags, bool holds_zombies)
{
	if (k->task_flag)
		return (task_flags & k->task_flag) != 0;
	return k->kind == PI_FIND_ZOMBIE_PARENT && holds_zombies;
}

enum pi_finding_kind pi_kind_top(unsigned task_flags, bool holds_zombies)
{
	const struct pi_kind *top = NULL;
	for (size_t i = 0; i < pi_nkinds; i++) {
		const struct pi_kind *k = &pi_kinds[i];
		if (pi_kind_marks(k, task_flags, holds_zombies) && (!top || k->rank > top->rank))
			top = k;
	}
	return top ? top->kind : PI_FIND_KIND_COUNT;
}

int pi_kind_rank(unsigned task_flags, bool holds_zombies)
{
	enum pi_finding_kind top = pi_kind_top(task_flags, holds_zombies);
	return top == PI_FIND_KIND_COUNT ? 0 : pi_kind_of(top)->rank;
}
