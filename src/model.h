/* model — one snapshot of one process.
 *
 * collect/ fills it from /proc (and, for the vDSO, from the target's
 * memory); analysis/ adds what follows from it (state meanings, VMA kinds,
 * time off the CPU, findings); render/ turns it into text or JSON. Nothing
 * downstream of collect/ reads /proc again, so every output shows the same
 * facts.
 *
 * Every piece that comes from one file carries that read's error (0, or
 * -errno): renderers print "unavailable" or JSON null from it, never a
 * made-up zero, and the reason goes into the unavailable list. */
#ifndef PI_MODEL_H
#define PI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "analysis/classify.h"
#include "analysis/reasons.h"
#include "arch/arch.h"
#include "proc/lists.h"
#include "proc/maps.h"
#include "proc/sched.h"
#include "proc/stat.h"
#include "proc/status.h"
#include "proc/syscall.h"
#include "sys/names.h"
#include "unwind/symbolize.h"
#include "util/deadline.h"
#include "util/strpool.h"

enum { PI_WCHAN_MAX = 128 };	/* longer kernel symbols are cut */

/* Reasons beyond errno for an item to be missing (PI_ERR_*), with their
 * words: analysis/reasons.h. */

/* How a thread's user stack was obtained. */
enum pi_unwind_method {
	PI_UNWIND_NONE,
	PI_UNWIND_COPY,		/* blocked: its stack copied while it waits, never stopped */
	PI_UNWIND_STOPPED,	/* running: stopped for microseconds for its registers
				 * (perf events denied: see pi_process.perf_err) */
	PI_UNWIND_STOPPED_BLOCKED,	/* blocked, stopped because --stop-blocked asked */
	PI_UNWIND_CONSISTENT,	/* stopped together with all its threads (--consistent) */
	PI_UNWIND_SAMPLED,	/* running: a perf event sample, never stopped */
};

struct pi_user_stack {
	int err;			/* 0, or why there is no stack at all */
	enum pi_unwind_method method;
	double stopped_us;		/* how long it was stopped; < 0: never */
	bool interrupted_syscall;	/* the stop interrupted a system call */
	bool frame_pointer_found;	/* rbp was recovered by scanning the stack copy */
	const char *truncated_reason;	/* NULL: it reached the outermost frame */
	const struct pi_user_frame *frames;	/* innermost first; shared (the process's pool) */
	size_t nframes;
};

/* A thread's registers: all of them when it was stopped; the general
 * ones when it was sampled; otherwise only the stack pointer and program
 * counter its syscall file reveals. */
struct pi_regs {
	bool known;
	uint64_t rip, rsp;
	struct user_regs_struct *all;	/* when it was stopped or sampled; NULL otherwise */
	bool sampled;			/* all is from a perf sample: its fs_base, gs_base,
					 * orig_rax, ds, es, fs and gs are not known */
};

/* A thread-local variable of the executable, as one thread sees it. */
struct pi_tls_var {
	const char *name;
	uint64_t address;
	uint64_t size;
	uint8_t bytes[16];		/* its first bytes */
	size_t nbytes;			/* how many were read */
};

/* The thread pointer: on x86-64, fs_base, which glibc points at the
 * thread's control block (TCB). */
struct pi_tls {
	int err;			/* 0, or why it is unknown */
	uint64_t fs_base;		/* the thread pointer (i386: gs_base; src/arch) */
	const char *source;		/* "libthread_db", "thread_list" or "ptrace" */
	bool self_checked;		/* the TCB's self-pointers were read ... */
	bool self_ok;			/* ... and point at the TCB */
	bool go_runtime;		/* a Go runtime thread: no glibc TCB to check (runtime/go.h) */
	uint64_t exe_block;		/* the executable's TLS block; 0 unknown */
	long vma;			/* index of the mapping holding the TCB, -1 if none (analysis/) */
	struct pi_tls_var *vars;
	size_t nvars;
	bool owns_vars;			/* vars is the start of the process's one array */
};

/* A goroutine of a Go program, read from its runtime's memory
 * (collect/stack_go.h). */
struct pi_goroutine {
	uint64_t goid;
	uint32_t status;		/* the runtime's _G* state (runtime/goroutines.h) */
	const char *wait_reason;	/* pooled; NULL when it waits for nothing */
	double wait_seconds;		/* how long it has waited, where the runtime
					 * records it (after a GC); < 0 unknown */
	size_t first_frame, nframes;	/* into pi_go_runtime.frames */
	const char *truncated_reason;	/* NULL: its stack reached goexit */
	size_t group;			/* the first goroutine with the same stack */
	size_t group_size;		/* for that first one: how many share it */
};

/* A Go program's runtime, as read (collect/stack_go.h). */
struct pi_go_runtime {
	bool read;			/* its goroutines were asked for */
	int err;			/* 0, or why they are not known */
	const char *version;		/* "go1.19.8"; NULL unknown */
	const char *layout;		/* where runtime.g's offsets came from */
	size_t total;			/* gs in runtime.allgs, dead ones too */
	long timers;			/* timers pending in the runtime's Ps; -1 unknown */
	struct pi_goroutine *goroutines;
	size_t ngoroutines;
	struct pi_user_frame *frames;
	size_t nframes;
};

/* A CPython interpreter, as read (collect/stack_python.h). */
struct pi_python_runtime {
	bool read;			/* an interpreter was found and its threads asked for */
	int err;			/* 0, or why its Python frames are not known (-PI_ERR_PY_*) */
	const char *version;		/* "3.11"; NULL unknown */
	const char *layout;		/* where its structures' offsets came from */
	size_t nthreads;		/* Python thread states read */
	bool gil_known;			/* the GIL was read */
	pid_t gil_tid;			/* the thread holding it; 0: none (or not a thread of ours) */
	size_t ninterpreters;		/* interpreters read (subinterpreters too) */
	size_t ngils;			/* GILs among them (3.12+: a subinterpreter's own) */
	size_t ngil_holders;		/* threads of ours holding one (pi_thread.holds_gil) */
};

/* A module with a PT_TLS segment: its per-thread storage. */
struct pi_tls_module {
	const char *path;
	uint64_t size;			/* p_memsz: bytes each thread gets */
	uint64_t init_size;		/* p_filesz: initialised from the file */
	uint64_t align;
};

/* What pinspect keeps of a thread's status file (the process's is kept
 * whole): a thousand threads should not cost a thousand copies of fields
 * they share. Its tracer and switch counts are task facts
 * (pi_thread.facts: PI_FACT_TRACER, PI_FACT_SWITCHES). */
struct pi_thread_status {
	unsigned have;			/* PI_STATUS_* bits */
	bool kthread;
	uint64_t sig_pending, sig_blocked;
	pid_t ns_tid;			/* the TID the thread sees itself as (NSpid's last); 0 unknown */
};

/* What pinspect keeps of a thread's stat file. Its state and name are
 * task facts (pi_thread.facts: PI_FACT_STAT). */
struct pi_thread_stat {
	int processor;
	unsigned flags;
	uint64_t utime, stime;		/* clock ticks */
	int64_t nice, priority;
};

/* What pinspect keeps of a thread's sched file. */
struct pi_thread_sched {
	unsigned have;			/* PI_SCHED_* bits */
	int64_t exec_start_ns;
	uint64_t nr_migrations;
};

/* What a thread asleep in futex() waits on: the call's arguments, the
 * memory they point at (read without stopping anything), and what
 * analysis/locks.c makes of it. */
enum pi_lock_kind {
	PI_LOCK_NONE,		/* not waiting in futex() */
	PI_LOCK_MUTEX,		/* a glibc mutex (pthread_mutex_t, std::mutex) */
	PI_LOCK_PI_MUTEX,	/* a priority-inheritance mutex: the word holds the owner */
	PI_LOCK_NOT_MUTEX,	/* no owner recorded: a condition variable, semaphore, barrier,
				 * or a lock that keeps no owner (Rust's std::sync::Mutex) */
	PI_LOCK_DEADLOCK_TRAP,	/* glibc parks a thread for good after the kernel
				 * refused its priority-inheritance lock (EDEADLK) */
	PI_LOCK_UNKNOWN,	/* its memory could not be read */
	PI_LOCK_JOIN,		/* pthread_join: waits for the thread whose TID the word holds to exit */
};

struct pi_futex {
	bool waiting;		/* blocked in futex() with a wait or lock operation */
	uint64_t addr;		/* the futex word (arg0) */
	unsigned op;		/* the command, without the flags */
	bool private_op;	/* FUTEX_PRIVATE_FLAG: the lock is not shared between processes */
	uint32_t expected;	/* arg2: the value the waiter saw */
	int read_err;		/* 0, or why the words could not be read */
	/* The futex word and, for a pthread_mutex_t, the fields after it. */
	uint32_t word;
	uint32_t count;		/* __count (+4) */
	int32_t owner_field;	/* __owner (+8) */
	uint32_t nusers;	/* __nusers (+12) */
	int32_t mutex_kind;	/* __kind (+16) */
	bool own_stack;		/* the word lies in the thread's own stack */
	const char *symbol;	/* the named variable it is in ("pi_lock_a"), pooled */
	const char *mapping;	/* the file of the mapping it is in, pooled; NULL: anonymous */

	/* analysis/locks.c */
	enum pi_lock_kind kind;
	pid_t owner;		/* the thread holding it (0: none, or not known) */
};

/* A locked mutex found among the program's named variables, whoever waits
 * for it. */
struct pi_held_lock {
	uint64_t addr;
	const char *symbol;
	pid_t owner;
	bool pi;
	uint32_t depth;		/* recursive mutexes: how many times it is held */
};

/* A thread of another process that holds a lock this one waits for (a
 * process-shared mutex). */
struct pi_other_task {
	pid_t tid, tgid;
	char comm[PI_COMM_MAX + 1];
	char state;
	long syscall_nr;	/* -1: not in a system call (or unknown) */
	const char *wchan;	/* pooled */
	int err;		/* it could not be read */
};

/* A list of strings owned by the process's pool (see strings). */
struct pi_strlist {
	const char *const *v;
	size_t n;
};

/* What a blocked thread waits for across the process boundary, and who
 * can wake it (collect/waits.c). Strings are pooled in the process's
 * string pool, raw as the kernel or the processes gave them (escape them
 * when printing). */
enum pi_wait_on {
	PI_WAIT_ON_FD,		/* read, write, accept, connect... on one descriptor */
	PI_WAIT_ON_POLL,	/* poll, select or epoll_wait over several */
	PI_WAIT_ON_FILE_LOCK,	/* flock, or fcntl F_SETLKW / F_OFD_SETLKW */
	PI_WAIT_ON_CHILD,	/* wait4, waitid */
	PI_WAIT_ON_MUTEX,	/* futex() on a process-shared mutex held in another process */
};

/* What the peer must do for the waiter to go on. */
enum pi_wait_need {
	PI_NEED_WRITER,		/* data: someone holding the write end */
	PI_NEED_READER,		/* room: someone holding the read end */
	PI_NEED_PEER,		/* the other end of a connected socket */
	PI_NEED_CLIENT,		/* accept(): someone to connect */
	PI_NEED_SERVER,		/* connect(): the listener to accept */
	PI_NEED_HOLDER,		/* a file lock: its holder to release it */
	PI_NEED_CHILD,		/* a child to exit or stop */
	PI_NEED_NOBODY,		/* a file, a timer...: no process */
	PI_NEED_KERNEL_LOCK,	/* in D on a kernel lock of the file or pipe: its peers
				 * are a guess (those now in a system call on it) */
	PI_NEED_OWNER,		/* a shared mutex: the thread holding it (peer.tid) to unlock it */
};

/* A process that can wake the waiter. */
struct pi_wait_peer {
	pid_t pid;
	char comm[PI_COMM_MAX + 1];	/* raw */
	char state;			/* from its stat, '?' unknown */
	const char *wchan;		/* its main thread's, "" none; NULL unknown */
	int fd;				/* its descriptor on the object, -1 none */
	bool same_process;		/* the waiter's own process */
	/* PI_NEED_KERNEL_LOCK: the thread in a system call on the same
	 * object, and that call's name (pooled); 0 and NULL otherwise. */
	pid_t tid;
	const char *syscall;
};

/* One object waited on: a descriptor, a lock, or the children. */
struct pi_wait_object {
	int fd;				/* -1 for children */
	const char *what;		/* "pipe:[4397120]", "/run/x.fifo", "unix stream @abc"... */
	const char *where;		/* the other end when known: "127.0.0.1:80", a path; NULL */
	enum pi_wait_need need;
	struct pi_wait_peer *peers;
	size_t npeers;
	size_t peers_total;		/* more than npeers: the rest left out (bounded) */
	bool peers_partial;		/* processes pinspect may not read may hold it too */
	int err;			/* why the peers are unknown (-errno or -PI_ERR_*), 0 */
	/* PI_NEED_OWNER: the TID the lock word names (0: none), and what
	 * became of it: a thread of a process that maps the same memory (the
	 * peer), one that does not (a TID reused, a forged word: not
	 * believed, no peer), or none that lives (the owner died). */
	pid_t owner_tid;
	enum pi_owner_check {
		PI_OWNER_VERIFIED,	/* a thread of a process mapping the same object at that offset */
		PI_OWNER_UNVERIFIED,	/* not shown to be: where says why; never followed */
		PI_OWNER_DIED,		/* no such thread, or the kernel marked it dead: nobody will unlock it */
	} owner_check;
};

/* One process in a chain of waits: the thread that waits, on what. */
struct pi_wait_step {
	pid_t pid, tid;
	char comm[PI_COMM_MAX + 1];	/* raw */
	char state;			/* '?' unknown */
	const char *syscall;		/* pooled; NULL: not in a wait pinspect follows */
	const char *what;		/* the object it waits on, pooled; NULL with syscall */
	const char *wchan;		/* pooled, "" none, NULL unknown */
};

/* Why a chain of waits ends where it does. */
enum pi_chain_end {
	PI_CHAIN_DEADLOCK,	/* it comes back to a process in it, and nothing outside can wake any */
	PI_CHAIN_CYCLE,		/* it comes back, but a process in it may yet be woken from outside */
	PI_CHAIN_STOPPED,	/* at a stopped (T) or traced (t) process: the cause */
	PI_CHAIN_RUNNING,	/* at a process with a running thread: it may yet wake it */
	PI_CHAIN_OTHER_WAIT,	/* at a process waiting on nothing pinspect follows (a timer, the kernel) */
	PI_CHAIN_SEVERAL,	/* several processes can wake it: no one chain */
	PI_CHAIN_UNKNOWN,	/* who can wake it is not known */
	PI_CHAIN_TOO_LONG,	/* PI_WAIT_MAX_CHAIN processes, and on */
	PI_CHAIN_GONE,		/* the next process exited while being read */
	PI_CHAIN_OWNER_DIED,	/* at a shared mutex whose owner died holding it: nothing will wake it */
};

struct pi_wait_for {
	enum pi_wait_on on;
	const char *syscall;		/* its name */
	struct pi_wait_object *objects;
	size_t nobjects;
	size_t objects_total;		/* a poll over more than nobjects */
	int err;			/* the objects could not be read (0: see each) */
	bool forever;			/* no timeout: only a peer can end it */
	/* The processes it waits on, one after another: chain[0] is this
	 * thread; each next is the one process that can wake the one before. */
	struct pi_wait_step *chain;
	size_t nchain;
	enum pi_chain_end chain_end;
};

/* A file lock a process holds that other processes wait for
 * (collect/waits.c): lslocks' BLOCKER column the other way round. */
struct pi_lock_wanted {
	const char *path;		/* pooled, raw; NULL: no descriptor of it found */
	uint64_t inode;
	int fd;				/* the holder's descriptor on it, -1 not found */
	int kind;			/* enum pi_flock_kind (proc/filelocks.h) */
	bool write;
	struct pi_wait_peer *waiters;	/* the processes waiting for it, PI_WAIT_MAX_PEERS at most */
	size_t nwaiters;
	size_t waiters_total;		/* more than nwaiters: the rest left out */
	size_t waiters_unnamed;		/* waiters /proc/locks names by no PID (OFD locks) */
};

struct pi_thread {
	/* What every mode knows of a task (analysis/classify.h), filled by
	 * collect/thread.c from the files below: tid; state and comm (stat);
	 * tracer and switch counts (status); wchan; off-CPU time
	 * (analysis/offcpu.c); flags (analysis/findings.c). Not the system
	 * call (PI_FACT_SYSCALL stays clear): its whole record is syscall,
	 * which collect/stacks.c reads again when it stops the thread. A main
	 * thread's name may be longer: the process's (pi_thread_comm). */
	struct pi_task_facts facts;
	struct pi_thread_stat stat;
	int stat_err;
	struct pi_thread_status status;
	int status_err;
	struct pi_thread_sched sched;
	int sched_err;
	struct pi_schedstat schedstat;
	int schedstat_err;
	struct pi_syscall syscall;
	int syscall_err;
	int wchan_err;			/* facts.wchan: pooled; "" also when unknown */
	struct pi_strlist kstack;	/* kernel stack frames, innermost first */
	int kstack_err;
	int children_err;

	/* The scheduler clock when sched was read, in the same units as
	 * sched.exec_start_ns; 0 when unknown. */
	int64_t sched_clock_ns;

	/* collect/stacks.c */
	struct pi_regs regs;
	struct pi_user_stack ustack;
	struct pi_tls tls;
	bool holds_gil;			/* a CPython thread that holds the GIL (collect/stack_python.h) */

	/* collect/locks.c */
	struct pi_futex futex;

	/* collect/waits.c: NULL when it waits for no other process's doing
	 * (or waits were not looked at). */
	struct pi_wait_for *wait;

};

/* Threads with the same stack (state, kernel frames, user frames; or wait
 * channel and system call where no user stack was read). */
struct pi_stack_group {
	size_t count;
	pid_t *tids;			/* sorted */
	size_t first;			/* index of a member in threads[], to show the stack */
};

/* A child of the process that has exited and waits to be reaped. */
struct pi_zombie_child {
	pid_t pid;
	char comm[PI_COMM_MAX + 1];
	double age_seconds;		/* since it started (when it exited is not recorded) */
};

struct pi_vdso_job;

/* The vDSO as read from the target's memory and decoded with libelf. */
struct pi_vdso {
	int err;			/* why it could not be decoded (0: decoded) */
	uint64_t start, end;		/* the [vdso] mapping */
	bool auxv_matches;		/* AT_SYSINFO_EHDR == start */
	char build_id[2 * 64 + 1];	/* hex, "" when the note is missing */
	struct pi_strv symbols;		/* exported functions, e.g. __vdso_clock_gettime */
	char soname[64];
	uint8_t *image;			/* the copy, kept for the unwinder */
	size_t image_size;
	struct pi_vdso_job *pending;	/* still being decoded: pi_collect_finish */
};

enum pi_vsyscall_mode {
	PI_VSYSCALL_UNKNOWN,	/* maps unreadable */
	PI_VSYSCALL_NONE,	/* no [vsyscall] mapping: vsyscall=none */
	PI_VSYSCALL_XONLY,	/* --xp: calls are emulated, reads fault */
	PI_VSYSCALL_EMULATE,	/* r-xp: readable, calls emulated */
	PI_VSYSCALL_NATIVE,	/* anything else (old kernels) */
};

enum pi_finding_kind {
	PI_FIND_HUNG,			/* in D, off the CPU longer than --hung-after */
	PI_FIND_UNINTERRUPTIBLE,	/* in D, not (yet) for that long */
	PI_FIND_ZOMBIE,			/* exited, not reaped */
	PI_FIND_ZOMBIE_PARENT,		/* holds unreaped children */
	PI_FIND_STOPPED,		/* T: stopped by a signal */
	PI_FIND_TRACED,			/* t, or a tracer is attached */
	PI_FIND_LEADER_EXITED,		/* main thread gone, other threads run on */
	PI_FIND_DEADLOCK,		/* threads waiting for each other's locks, in a cycle */
	PI_FIND_WAIT_CHAIN,		/* threads waiting, lock by lock, for one that is not */
	PI_FIND_PROCESS_DEADLOCK,	/* processes waiting for each other (pipes, sockets, file locks, children) */
	PI_FIND_WAITS_ON_STOPPED,	/* threads whose chain of waits ends at a stopped process */
	PI_FIND_MUTEX_OWNER_DIED,	/* threads whose chain ends at a shared mutex whose owner died holding it */
	PI_FIND_GO_DEADLOCK,		/* every goroutine blocked on channels and locks (analysis/go_stuck.h) */
	PI_FIND_GO_LOCK_WAIT,		/* goroutines blocked on a sync lock too long, or many at one site */
	PI_FIND_KIND_COUNT
};

struct pi_finding {
	enum pi_finding_kind kind;
	pid_t pid, tid;		/* the task it is about (for a zombie parent: the parent) */
	char *message;		/* one line, for people */
	double seconds;		/* the duration it is about (D time, zombie age), or -1 */
	pid_t *pids;		/* e.g. the zombies a parent holds */
	size_t npids;
};

/* Something that could not be read, and why. tid 0 means the process; a
 * per-thread item that failed the same way for every thread is listed once
 * with all_threads set. */
struct pi_unavailable {
	const char *item;	/* e.g. "maps", "kernel_stack" */
	pid_t tid;
	bool all_threads;
	int err;		/* positive errno, or PI_ERR_* */
	const char *code;	/* its key in analysis/reasons.h: "timeout" */
	char *reason;
};

/* Whether a wait in D accepts SIGKILL. /proc shows "D" for both
 * TASK_UNINTERRUPTIBLE and TASK_KILLABLE; only the wait's own name
 * (wchan, the kernel stack) tells them apart (analysis/dwait.c). */
enum pi_killable {
	PI_KILLABLE_UNKNOWN,	/* nothing known says so either way */
	PI_KILLABLE_LIKELY,	/* a wait named as killable (..._killable, FUSE's request wait) */
	PI_KILLABLE_YES,	/* a vfork parent's wait, with its vfork child found */
};

/* The child a vfork parent waits for (collect/dwait.c). */
struct pi_vfork_child {
	pid_t pid;
	char comm[PI_COMM_MAX + 1];
	char state;
	char wchan[PI_WCHAN_MAX];	/* "" when not blocked, or unknown (wchan_err) */
	int wchan_err;
	struct pi_syscall syscall;
	int syscall_err;
	bool shares_memory;	/* kcmp(KCMP_VM) says it runs in the parent's memory */
	int kcmp_err;		/* why that could not be checked (0: it was) */
};

/* A thread in D, and what its wait is. */
struct pi_d_wait {
	pid_t tid;
	bool vfork;			/* waiting for a vfork child to exec or exit */
	bool child_found;
	struct pi_vfork_child child;
	int children_err;		/* its children file could not be read */
	enum pi_killable killable;
	const char *evidence;		/* the wait's name it was told by; static or pooled */
};

struct pi_process {
	pid_t pid;

	/* Process-wide views: /proc/PID/stat sums CPU time over threads,
	 * /proc/PID/status has the shared pending signals. */
	struct pi_stat stat;
	int stat_err;
	struct pi_status status;
	int status_err;

	struct pi_strv cmdline;
	int cmdline_err;
	char *exe;		/* NULL when unreadable (see exe_err) or none */
	int exe_err;
	bool exe_deleted;
	struct pi_strv cgroup;
	int cgroup_err;
	enum pi_abi abi;	/* how to read system call numbers */
	bool abi_known;		/* false when the executable's header was unreadable */
	/* Its row of the architecture table (src/arch): registers, call
	 * sites, mutex layout, system call numbers. The host's when the
	 * header was unreadable (as abi is then taken to be native); NULL
	 * for an ABI the table has no row for (x32). */
	const struct pi_arch *arch;

	char *parent_comm;	/* NULL when the parent could not be read */
	pid_t tracer_pid;	/* the main thread's tracer, else any thread's; 0 none */
	char *tracer_comm;
	char *user_name[4], *group_name[4];	/* NULL when the ID has no name */
	bool kernel_thread;

	struct pi_thread *threads;	/* sorted by TID; the main thread first */
	size_t nthreads;
	int threads_err;		/* task/ could not be listed */

	struct pi_vma *vmas;
	size_t nvmas;
	int maps_err;
	struct pi_auxv auxv;
	int auxv_err;
	struct pi_vdso vdso;
	enum pi_vsyscall_mode vsyscall;

	struct pi_zombie_child *zombies;
	size_t nzombies;

	/* collect/stacks.c */
	bool stacks_collected;		/* user stacks were asked for */
	int stacks_err;			/* why no thread has a user stack (0: see each thread) */
	int ptrace_scope;		/* kernel.yama.ptrace_scope; -1 without Yama */
	/* Why running threads could not be sampled with perf events (0: they
	 * were, or none ran), and kernel.perf_event_paranoid (-2 unknown). */
	int perf_err;
	int perf_paranoid;
	bool perf_stopped_instead;	/* so they were stopped with ptrace */
	bool perf_privileged;		/* pinspect held CAP_PERFMON or CAP_SYS_ADMIN */
	/* The waits this read allowed, for the reasons it gives: for a
	 * stopped thread to stop, and for running threads to be sampled
	 * (less than the former when --timeout left less). 0: none waited. */
	double stop_wait_seconds;
	double sample_wait_seconds;
	double held_us;			/* --consistent: how long the process was held */
	struct pi_tls_module *tls_modules;
	size_t ntls_modules;
	int tls_modules_err;
	int thread_list_err;		/* 0, or -PI_ERR_THREAD_*: the walk was cut short */
	bool runtime_go;		/* the executable is a Go program (tls/tls.c, runtime/go.h) */
	struct pi_go_runtime go;	/* its goroutines (collect/stack_go.h) */
	struct pi_python_runtime python;	/* its CPython interpreter (collect/stack_python.h) */
	struct pi_strpool strings;	/* names in the stacks */

	/* collect/waits.c */
	bool waits_collected;
	int waits_err;			/* the peers could not be looked for (0: see each) */
	char *waits_netns;		/* "net:[N]" when the process is in another network namespace */
	bool waits_deadlock;		/* a thread's chain is a deadlock across processes */
	/* File locks it holds that others wait for; locks_wanted_err: why
	 * they could not be looked for (0: they were). */
	struct pi_lock_wanted *locks_wanted;
	size_t nlocks_wanted;
	size_t locks_wanted_total;	/* more than nlocks_wanted: the rest left out */
	int locks_wanted_err;

	/* collect/locks.c */
	bool locks_collected;
	struct pi_held_lock *held_locks;
	size_t nheld_locks;
	struct pi_other_task *other_tasks;
	size_t nother_tasks;

	/* When the snapshot was taken. */
	double uptime_seconds;		/* CLOCK_BOOTTIME */
	double realtime_seconds;	/* CLOCK_REALTIME */
	int64_t snapshot_mono_ns;	/* CLOCK_MONOTONIC then (util/deadline.h), 0 unknown */
	long clock_ticks;		/* sysconf(_SC_CLK_TCK) */
	int hung_task_timeout_secs;	/* kernel.hung_task_timeout_secs, -1 unknown */
	double hung_after_seconds;	/* the threshold findings used */
	bool inspector_root;		/* pinspect ran with euid 0 (for the reasons it gives) */

	/* analysis/ */
	struct pi_stack_group *stack_groups;	/* rarest first */
	size_t nstack_groups;
	double age_seconds;		/* since it started */
	double start_time;		/* when it started, seconds since the epoch */
	uint64_t voluntary_ctxt_switches;	/* summed over its threads */
	uint64_t nonvoluntary_ctxt_switches;
	size_t ctxt_threads;		/* how many threads the sums cover (0: unknown) */
	struct pi_finding *findings;
	size_t nfindings, findings_cap;

	struct pi_unavailable *unavailable;
	size_t nunavailable;
	/* The files of it that pinspect could not open because their mount
	 * did not answer (proc/target_open.h): escaped paths, each with its
	 * mount's type; NULL when none. Said as item "module_files". */
	char *files_unread;

	/* The time budget of this read (--timeout), which collect/ and
	 * analysis/ ask as they go; zero: no limit. What it did not leave
	 * time for carries PI_ERR_TIMEOUT. */
	struct pi_deadline deadline;
	bool locks_cut;			/* the lock analysis was cut short by it */

	/* pinspect TID: the thread asked for, when it is not the main one. */
	pid_t selected_tid;

	/* --sample: the threads' files kept open across ticks
	 * (proc/taskfiles.h), borrowed from the sampler (NULL: none). */
	struct pi_task_files *task_files;

	/* collect/dwait.c: every thread in D, what it waits for and whether
	 * SIGKILL ends the wait. */
	bool d_waits_collected;
	struct pi_d_wait *d_waits;
	size_t nd_waits;
};

void pi_process_free(struct pi_process *p);

const struct pi_thread *pi_process_main_thread(const struct pi_process *p);
const struct pi_thread *pi_process_find_thread(const struct pi_process *p, pid_t tid);
/* The D wait of thread tid, or NULL. */
const struct pi_d_wait *pi_process_d_wait(const struct pi_process *p, pid_t tid);

/* The TID, as pinspect sees it, of the thread of p that sees itself as
 * ns_tid. A process in a PID namespace of its own (a container) keeps its
 * own numbers in its memory (a mutex's owner); anywhere else the numbers
 * are the same. 0 when p is in its own namespace and none of its threads
 * has that number. */
pid_t pi_process_global_tid(const struct pi_process *p, pid_t ns_tid);

/* A thread's name: its own, or for a main thread its process's, which
 * may be longer (kernel workers'). NULL when its stat was not read. */
static inline const char *pi_thread_comm(const struct pi_process *p, const struct pi_thread *t)
{
	if (!pi_fact_known(&t->facts, PI_FACT_STAT))
		return NULL;
	if (p && t->facts.tid == p->pid && !p->stat_err && p->stat.comm[0])
		return p->stat.comm;
	return t->facts.comm;
}

#endif
