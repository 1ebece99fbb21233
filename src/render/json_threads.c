#include <stdio.h>
#include <string.h>

#include "analysis/locks.h"
#include "analysis/vma.h"
#include "render/json.h"
#include "render/json_util.h"
#include "render/waits.h"

void pi_json_syscall(struct pi_jw *w, const struct pi_thread *t, bool abi_known, enum pi_abi abi)
{
	static const char *const kinds[] = { "running", "not_in_syscall", "in_syscall" };
	const struct pi_syscall *sc = &t->syscall;

	pi_jw_key(w, "syscall");
	if (t->syscall_err) {
		pi_jw_null(w);
		return;
	}
	pi_jw_object(w);
	pi_jw_kstring(w, "state", kinds[sc->kind]);
	if (sc->kind == PI_SYSCALL_IN) {
		pi_jw_ki64(w, "number", sc->nr);
		pi_jw_kstring(w, "name", abi_known ? pi_syscall_name(abi, sc->nr) : NULL);
		pi_jw_key(w, "args");
		pi_jw_array(w);
		for (int i = 0; i < 6; i++)
			pi_jw_u64(w, sc->args[i]);
		pi_jw_array_end(w);
	} else {
		pi_jw_knull(w, "number");
		pi_jw_knull(w, "name");
		pi_jw_knull(w, "args");
	}
	pi_jw_key(w, "sp");
	sc->kind == PI_SYSCALL_RUNNING ? pi_jw_null(w) : pi_jw_u64(w, sc->sp);
	pi_jw_key(w, "pc");
	sc->kind == PI_SYSCALL_RUNNING ? pi_jw_null(w) : pi_jw_u64(w, sc->pc);
	pi_jw_object_end(w);
}

/* "rip" and "rsp" are the program counter and stack pointer whatever the
 * architecture (the keys scripts know); the rest of another architecture's
 * registers are keyed by its own names (src/arch). */
static void registers_object(struct pi_jw *w, const struct pi_arch *a, const struct pi_regs *regs)
{
	pi_jw_key(w, "registers");
	if (!regs->known) {
		pi_jw_null(w);
		return;
	}
	const struct user_regs_struct *r = regs->all;
	pi_jw_object(w);
	pi_jw_kbool(w, "complete", r != NULL && !regs->sampled);
	pi_jw_kbool(w, "sampled", r != NULL && regs->sampled);
	pi_jw_ku64(w, "rip", regs->rip);
	pi_jw_ku64(w, "rsp", regs->rsp);
	if (r && a && a->id != PI_ARCH_X86_64) {
		for (size_t i = 0; i < a->nregs; i++) {
			const struct pi_arch_reg *reg = &a->regs[i];
			pi_jw_key(w, reg->name);
			regs->sampled && !reg->in_sample ? pi_jw_null(w)
							 : pi_jw_u64(w, pi_arch_reg_read(reg, r));
		}
	}
#if defined(__x86_64__)
	else if (r) {
		/* A perf sample holds the general registers, eflags, cs and
		 * ss; the rest are null then, never a made-up 0. */
		const struct { const char *name; unsigned long long v; bool in_sample; } all[] = {
			{ "rax", r->rax, true }, { "rbx", r->rbx, true }, { "rcx", r->rcx, true },
			{ "rdx", r->rdx, true }, { "rsi", r->rsi, true }, { "rdi", r->rdi, true },
			{ "rbp", r->rbp, true }, { "r8", r->r8, true }, { "r9", r->r9, true },
			{ "r10", r->r10, true }, { "r11", r->r11, true }, { "r12", r->r12, true },
			{ "r13", r->r13, true }, { "r14", r->r14, true }, { "r15", r->r15, true },
			{ "eflags", r->eflags, true }, { "orig_rax", r->orig_rax, false },
			{ "fs_base", r->fs_base, false }, { "gs_base", r->gs_base, false },
			{ "cs", r->cs, true }, { "ss", r->ss, true }, { "ds", r->ds, false },
			{ "es", r->es, false }, { "fs", r->fs, false }, { "gs", r->gs, false },
		};
		for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
			pi_jw_key(w, all[i].name);
			regs->sampled && !all[i].in_sample ? pi_jw_null(w) : pi_jw_u64(w, all[i].v);
		}
	}
#endif
	pi_jw_object_end(w);
}

static void user_frames(struct pi_jw *w, const char *key, const struct pi_user_stack *us, bool known)
{
	pi_jw_key(w, key);
	if (!known) {
		pi_jw_null(w);
		return;
	}
	pi_jw_array(w);
	for (size_t i = 0; i < us->nframes; i++) {
		const struct pi_user_frame *f = &us->frames[i];
		pi_jw_object(w);
		pi_jw_ku64(w, "pc", f->pc);
		pi_jw_kstring(w, "function", f->function);
		pi_jw_key(w, "offset");
		f->have_offset ? pi_jw_u64(w, f->offset) : pi_jw_null(w);
		pi_jw_kstring(w, "module", f->module);
		pi_jw_key(w, "module_vaddr");
		f->module ? pi_jw_u64(w, f->module_vaddr) : pi_jw_null(w);
		pi_jw_kstring(w, "build_id", f->build_id);
		pi_jw_kstring(w, "file", f->file);
		pi_jw_key(w, "line");
		f->line ? pi_jw_i64(w, f->line) : pi_jw_null(w);
		pi_jw_kbool(w, "inline", f->inlined);
		pi_jw_kstring(w, "language", f->python ? "python" : "native");
		pi_jw_object_end(w);
	}
	pi_jw_array_end(w);
}

void pi_json_kernel_stack(struct pi_jw *w, const struct pi_thread *t)
{
	pi_jw_key(w, "kernel_stack");
	if (t->kstack_err) {
		pi_jw_null(w);
		return;
	}
	pi_jw_array(w);
	for (size_t i = 0; i < t->kstack.n; i++)
		pi_jw_string(w, t->kstack.v[i]);
	pi_jw_array_end(w);
}

static void user_stack(struct pi_jw *w, const struct pi_process *p, const struct pi_user_stack *us)
{
	static const char *const methods[] = {
		[PI_UNWIND_NONE] = NULL,
		[PI_UNWIND_COPY] = "copied_while_blocked",
		[PI_UNWIND_STOPPED] = "stopped_while_running",
		[PI_UNWIND_STOPPED_BLOCKED] = "stopped_while_blocked",
		[PI_UNWIND_CONSISTENT] = "stopped_with_all_threads",
		[PI_UNWIND_SAMPLED] = "sampled_while_running",
	};
	bool none = !p->stacks_collected || p->stacks_err;

	user_frames(w, "user_stack", us, !none && !us->err);

	pi_jw_key(w, "unwind");
	if (none) {
		pi_jw_null(w);
		return;
	}
	pi_jw_object(w);
	pi_jw_kstring(w, "method", methods[us->method]);
	pi_jw_key(w, "stopped_us");
	us->stopped_us >= 0 ? pi_jw_number(w, us->stopped_us, 1) : pi_jw_null(w);
	pi_jw_kstring(w, "truncated_reason", us->truncated_reason);
	pi_jw_kbool(w, "frame_pointer_recovered", us->frame_pointer_found);
	pi_jw_kbool(w, "interrupted_syscall", us->interrupted_syscall);
	pi_jw_object_end(w);
}

static void tls_object(struct pi_jw *w, const struct pi_process *p, const struct pi_tls *tls)
{
	pi_jw_key(w, "tls");
	if (tls->err || !tls->source) {
		pi_jw_null(w);
		return;
	}
	pi_jw_object(w);
	pi_jw_ku64(w, "fs_base", tls->fs_base);
	pi_jw_kstring(w, "source", tls->source);
	pi_jw_key(w, "mapping");
	if (tls->vma >= 0) {
		const struct pi_vma *v = &p->vmas[tls->vma];
		pi_jw_object(w);
		pi_jw_ku64(w, "start", v->start);
		pi_jw_ku64(w, "end", v->end);
		pi_jw_kstring(w, "kind", pi_vma_kind_name(v->kind));
		pi_jw_kstring(w, "path", v->path);
		pi_jw_object_end(w);
	} else {
		pi_jw_null(w);
	}
	pi_jw_key(w, "tcb_self_pointer_ok");
	tls->self_checked ? pi_jw_bool(w, tls->self_ok) : pi_jw_null(w);
	pi_jw_key(w, "go_runtime_thread");
	pi_jw_bool(w, tls->go_runtime);
	pi_jw_key(w, "exe_tls_block");
	tls->exe_block ? pi_jw_u64(w, tls->exe_block) : pi_jw_null(w);
	pi_jw_key(w, "variables");
	pi_jw_array(w);
	for (size_t i = 0; i < tls->nvars; i++) {
		const struct pi_tls_var *v = &tls->vars[i];
		bool whole = v->nbytes == v->size
			     && (v->size == 1 || v->size == 2 || v->size == 4 || v->size == 8);
		uint64_t value = 0;
		char hex[2 * sizeof v->bytes + 1] = "";
		for (size_t k = 0; k < v->nbytes; k++) {
			value |= (uint64_t)v->bytes[k] << (8 * k);
			snprintf(hex + 2 * k, 3, "%02x", v->bytes[k]);
		}
		pi_jw_object(w);
		pi_jw_kstring(w, "name", v->name);
		pi_jw_ku64(w, "address", v->address);
		pi_jw_ku64(w, "size", v->size);
		pi_jw_key(w, "value");
		whole ? pi_jw_u64(w, value) : pi_jw_null(w);
		pi_jw_kstring(w, "bytes", v->nbytes ? hex : NULL);
		pi_jw_object_end(w);
	}
	pi_jw_array_end(w);
	pi_jw_object_end(w);
}

static void lock_object(struct pi_jw *w, const struct pi_process *p, const struct pi_thread *t)
{
	const struct pi_futex *f = &t->futex;
	pi_jw_key(w, "lock");
	if (!p->locks_collected || !f->waiting) {
		pi_jw_null(w);
		return;
	}
	pi_jw_object(w);
	pi_jw_ku64(w, "address", f->addr);
	pi_jw_kstring(w, "symbol", f->symbol);
	pi_jw_kstring(w, "mapping", f->mapping);
	pi_jw_kstring(w, "operation", pi_futex_op_name(f->op));
	pi_jw_kbool(w, "shared", !f->private_op);
	pi_jw_ku64(w, "expected", f->expected);
	pi_jw_key(w, "word");
	f->read_err ? pi_jw_null(w) : pi_jw_u64(w, f->word);
	pi_jw_kstring(w, "kind", pi_lock_kind_name(f->kind));
	pi_jw_key(w, "owner_tid");
	f->owner > 0 ? pi_jw_i64(w, f->owner) : pi_jw_null(w);
	const struct pi_thread *own = f->owner > 0 ? pi_process_find_thread(p, f->owner) : NULL;
	const struct pi_other_task *other = NULL;
	for (size_t i = 0; !own && f->owner > 0 && i < p->nother_tasks; i++)
		if (p->other_tasks[i].tid == f->owner && !p->other_tasks[i].err)
			other = &p->other_tasks[i];
	pi_jw_key(w, "owner_pid");
	own ? pi_jw_i64(w, p->pid) : other ? pi_jw_i64(w, other->tgid) : pi_jw_null(w);
	pi_jw_kstring(w, "owner_comm", own ? pi_thread_comm(p, own) : other ? other->comm : NULL);
	pi_jw_object_end(w);
}

void pi_json_thread(struct pi_jw *w, const struct pi_process *p, const struct pi_thread *t)
{
	bool cs = !t->status_err && (t->status.have & PI_STATUS_CTXT);
	bool st = !t->stat_err;

	pi_jw_object(w);
	pi_jw_ki64(w, "tid", t->facts.tid);
	pi_jw_kstring(w, "comm", st ? pi_thread_comm(p, t) : NULL);
	if (st)
		pi_json_state(w, "state", t->facts.state);
	else
		pi_jw_knull(w, "state");
	pi_jw_key(w, "voluntary_ctxt_switches");
	cs ? pi_jw_u64(w, t->facts.nvcsw) : pi_jw_null(w);
	pi_jw_key(w, "nonvoluntary_ctxt_switches");
	cs ? pi_jw_u64(w, t->facts.nivcsw) : pi_jw_null(w);
	pi_jw_kstring(w, "wchan", t->wchan_err ? NULL : t->facts.wchan);
	/* null unless a CPython's GIL was read (collect/stack_python.h) */
	pi_jw_key(w, "holds_gil");
	p->python.read && p->python.gil_known ? pi_jw_bool(w, t->holds_gil) : pi_jw_null(w);
	pi_json_syscall(w, t, p->abi_known, p->abi);
	pi_jw_kseconds(w, "off_cpu_seconds", pi_fact_known(&t->facts, PI_FACT_OFF_CPU) ? t->facts.off_cpu_seconds : -1);
	pi_jw_key(w, "last_cpu");
	st ? pi_jw_i64(w, t->stat.processor) : pi_jw_null(w);
	pi_jw_kseconds(w, "utime_seconds", st ? pi_json_ticks(p, t->stat.utime) : -1);
	pi_jw_kseconds(w, "stime_seconds", st ? pi_json_ticks(p, t->stat.stime) : -1);
	pi_jw_key(w, "nice");
	st ? pi_jw_i64(w, t->stat.nice) : pi_jw_null(w);
	pi_jw_key(w, "priority");
	st ? pi_jw_i64(w, t->stat.priority) : pi_jw_null(w);
	pi_jw_key(w, "tracer_pid");
	t->status_err ? pi_jw_null(w) : pi_jw_i64(w, t->facts.tracer_pid);
	pi_json_signals(w, "signals_pending", t->status.sig_pending, !t->status_err);
	pi_json_signals(w, "signals_blocked", t->status.sig_blocked, !t->status_err);
	pi_json_kernel_stack(w, t);
	registers_object(w, p->arch, &t->regs);
	user_stack(w, p, &t->ustack);
	tls_object(w, p, &t->tls);
	lock_object(w, p, t);
	pi_json_waits_for(w, p, t);
	pi_json_d_wait(w, p, t);
	pi_jw_object_end(w);
}

void pi_json_threads(struct pi_jw *w, const struct pi_process *p)
{
	pi_jw_key(w, "threads");
	if (p->threads_err) {
		pi_jw_null(w);
	} else {
		pi_jw_array(w);
		for (size_t i = 0; i < p->nthreads; i++)
			pi_json_thread(w, p, &p->threads[i]);
		pi_jw_array_end(w);
	}

	pi_jw_key(w, "zombie_children");
	pi_jw_array(w);
	for (size_t i = 0; i < p->nzombies; i++) {
		pi_jw_object(w);
		pi_jw_ki64(w, "pid", p->zombies[i].pid);
		pi_jw_kstring(w, "comm", p->zombies[i].comm);
		pi_jw_kseconds(w, "age_seconds", p->zombies[i].age_seconds);
		pi_jw_object_end(w);
	}
	pi_jw_array_end(w);
}

void pi_json_stack_groups(struct pi_jw *w, const struct pi_process *p)
{
	pi_jw_key(w, "stack_groups");
	pi_jw_array(w);
	for (size_t g = 0; g < p->nstack_groups; g++) {
		const struct pi_stack_group *grp = &p->stack_groups[g];
		const struct pi_thread *t = &p->threads[grp->first];
		pi_jw_object(w);
		pi_jw_ku64(w, "count", grp->count);
		pi_jw_key(w, "tids");
		pi_jw_array(w);
		for (size_t i = 0; i < grp->count; i++)
			pi_jw_i64(w, grp->tids[i]);
		pi_jw_array_end(w);
		if (!t->stat_err)
			pi_json_state(w, "state", t->facts.state);
		else
			pi_jw_knull(w, "state");
		pi_jw_kstring(w, "syscall", !t->syscall_err && t->syscall.kind == PI_SYSCALL_IN && p->abi_known
						    ? pi_syscall_name(p->abi, t->syscall.nr) : NULL);
		pi_jw_kstring(w, "wchan", t->wchan_err ? NULL : t->facts.wchan);
		pi_json_kernel_stack(w, t);
		user_frames(w, "frames", &t->ustack,
			    p->stacks_collected && !p->stacks_err && !t->ustack.err);
		pi_jw_object_end(w);
	}
	pi_jw_array_end(w);
}

