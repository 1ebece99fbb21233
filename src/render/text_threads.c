#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analysis/groups.h"
#include "analysis/reasons.h"
#include "analysis/state.h"
#include "analysis/vma.h"
#include "render/go.h"
#include "render/text_util.h"
#include "render/sections.h"
#include "util/fmt.h"

enum { WCHAN_WIDTH = 22 };

/* Lines under a thread's row are indented past its TID. */
#define INDENT "           "

static const char *basename_of(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	return slash ? slash + 1 : path;
}

static void user_stack(struct pi_buf *b, const struct pi_process *p, const struct pi_thread *t)
{
	const struct pi_user_stack *us = &t->ustack;
	/* Addresses as wide as the target's pointers (8 digits for i386). */
	int digits = p->arch ? (int)p->arch->ptr_size * 2 : 16;

	if (us->err) {
		pi_buf_puts(b, INDENT "user   unavailable (see UNAVAILABLE)\n");
		return;
	}
	for (size_t i = 0; i < us->nframes; i++) {
		const struct pi_user_frame *f = &us->frames[i];
		/* A Python frame (collect/stack_python.h): function (file:line). */
		if (f->python) {
			pi_buf_printf(b, INDENT "%s #%-3zu [py] ", i ? "      " : "user  ", i);
			put_escaped(b, f->function ? f->function : "??");
			pi_buf_puts(b, " (");
			put_escaped(b, f->file ? f->file : "??");
			if (f->line)
				pi_buf_printf(b, ":%d", f->line);
			pi_buf_puts(b, ")\n");
			continue;
		}
		pi_buf_printf(b, INDENT "%s #%-3zu 0x%0*" PRIx64 " ", i ? "      " : "user  ", i, digits,
			      f->pc);
		if (f->function)
			put_escaped(b, f->function);
		else
			pi_buf_puts(b, "??");
		if (f->inlined)
			pi_buf_puts(b, " [inlined]");
		else if (f->have_offset)
			pi_buf_printf(b, "+%#" PRIx64, f->offset);
		if (f->module) {
			pi_buf_puts(b, "  ");
			put_escaped(b, basename_of(f->module));
			/* Without a name, the address addr2line -e MODULE wants. */
			if (!f->function)
				pi_buf_printf(b, "+%#" PRIx64, f->module_vaddr);
		}
		if (f->file) {
			pi_buf_puts(b, "  ");
			put_escaped(b, f->file);
			if (f->line)
				pi_buf_printf(b, ":%d", f->line);
		}
		pi_buf_putc(b, '\n');
	}
	pi_buf_puts(b, INDENT "       (");
	switch (us->method) {
	case PI_UNWIND_COPY:
		pi_buf_puts(b, "copied while blocked; never stopped");
		break;
	case PI_UNWIND_STOPPED:
		pi_buf_printf(b, "running: stopped for %.0f us", us->stopped_us);
		break;
	case PI_UNWIND_STOPPED_BLOCKED:
		pi_buf_printf(b, "blocked: stopped for %.0f us, as --stop-blocked asked", us->stopped_us);
		break;
	case PI_UNWIND_CONSISTENT:
		pi_buf_printf(b, "stopped with every thread, %.0f us", us->stopped_us);
		break;
	case PI_UNWIND_SAMPLED:
		pi_buf_puts(b, "running: sampled with a perf event; never stopped");
		break;
	default:
		break;
	}
	if (us->frame_pointer_found)
		pi_buf_puts(b, "; frame pointer found on the stack");
	if (us->interrupted_syscall)
		pi_buf_puts(b, "; the stop interrupted a system call");
	pi_buf_puts(b, ")\n");
	if (us->truncated_reason) {
		pi_buf_puts(b, INDENT "       cut short: ");
		put_escaped(b, us->truncated_reason);
		pi_buf_putc(b, '\n');
	}
}

/* A thread's registers, by its architecture's names and width (src/arch):
 * the shown ones of its row, in the row's order. */
static void registers(struct pi_buf *b, const struct pi_process *p, const struct pi_thread *t)
{
	const struct pi_regs *rg = &t->regs;
	if (!rg->known)
		return;
	const struct pi_arch *a = p->arch ? p->arch : pi_arch_host();
	const struct user_regs_struct *r = rg->all;
	if (!r) {
		pi_buf_printf(b, INDENT "regs   %s %#" PRIx64 "  %s %#" PRIx64
			      "  (from its syscall file; the rest are not known without stopping it)\n",
			      a->pc_name, rg->rip, a->sp_name, rg->rsp);
		return;
	}
	/* A perf sample holds no fs_base or orig_rax: not shown then. */
	size_t shown = 0;
	int digits = (int)a->ptr_size * 2;
	for (size_t i = 0; i < a->nregs; i++) {
		const struct pi_arch_reg *reg = &a->regs[i];
		if (!reg->shown || (rg->sampled && !reg->in_sample))
			continue;
		if (shown % 4 == 0)
			pi_buf_puts(b, shown ? "\n" INDENT "       " : INDENT "regs   ");
		pi_buf_printf(b, "%s%-8s %0*" PRIx64, shown % 4 ? "  " : "", reg->name, digits,
			      pi_arch_reg_read(reg, r));
		shown++;
	}
	if (rg->sampled) {
		pi_buf_puts(b, "\n" INDENT "       (from a perf sample, which holds no ");
		const char *sep = "";
		size_t left = 0;
		for (size_t i = 0; i < a->nregs; i++)
			left += a->regs[i].shown && !a->regs[i].in_sample;
		for (size_t i = 0; i < a->nregs; i++) {
			if (!a->regs[i].shown || a->regs[i].in_sample)
				continue;
			pi_buf_printf(b, "%s%s", sep, a->regs[i].name);
			sep = --left == 1 ? " or " : ", ";
		}
		pi_buf_putc(b, ')');
	}
	pi_buf_putc(b, '\n');
}

static void put_owner(struct pi_buf *b, const struct pi_process *p, pid_t owner)
{
	const struct pi_thread *own = pi_process_find_thread(p, owner);
	pi_buf_printf(b, "thread %d", (int)owner);
	if (own && pi_thread_comm(p, own)) {
		pi_buf_puts(b, " (");
		put_escaped(b, pi_thread_comm(p, own));
		pi_buf_puts(b, ")");
		return;
	}
	for (size_t i = 0; i < p->nother_tasks; i++) {
		const struct pi_other_task *o = &p->other_tasks[i];
		if (o->tid != owner || o->err)
			continue;
		pi_buf_puts(b, " (");
		put_escaped(b, o->comm);
		pi_buf_printf(b, ") of process %d", (int)o->tgid);
	}
}

static void lock(struct pi_buf *b, const struct pi_process *p, const struct pi_thread *t)
{
	const struct pi_futex *f = &t->futex;
	if (!p->locks_collected || !f->waiting)
		return;
	pi_buf_puts(b, INDENT "lock   ");
	switch (f->kind) {
	case PI_LOCK_MUTEX:
	case PI_LOCK_PI_MUTEX:
		pi_buf_printf(b, "waits for %smutex ", f->kind == PI_LOCK_PI_MUTEX ? "priority-inheritance " : "");
		break;
	case PI_LOCK_DEADLOCK_TRAP:
		pi_buf_puts(b, "parked for good by glibc: the kernel refused it (EDEADLK) priority-inheritance mutex ");
		break;
	case PI_LOCK_NOT_MUTEX:
		pi_buf_puts(b, "waits on a futex that records no owner (a condition variable, a semaphore, "
			       "or a lock that keeps none, such as Rust's std::sync::Mutex): ");
		break;
	case PI_LOCK_JOIN:
		pi_buf_printf(b, "joins thread %d (pthread_join: waits for it to exit)\n", (int)f->owner);
		return;
	default:
		pi_buf_puts(b, "waits on a futex it could not read: ");
	}
	if (f->symbol) {
		put_escaped(b, f->symbol);
		pi_buf_printf(b, " (%#" PRIx64 ")", f->addr);
	} else {
		pi_buf_printf(b, "%#" PRIx64, f->addr);
	}
	if (!f->private_op)
		pi_buf_puts(b, ", shared between processes");
	if (f->owner > 0) {
		pi_buf_puts(b, ", held by ");
		put_owner(b, p, f->owner);
	}
	pi_buf_putc(b, '\n');
}

static void tls(struct pi_buf *b, const struct pi_process *p, const struct pi_thread *t)
{
	const struct pi_tls *tl = &t->tls;
	if (tl->err || !tl->source)
		return;
	/* The thread pointer by its register's name (i386: gs_base). */
	pi_buf_printf(b, INDENT "tls    %s %#" PRIx64 " (%s)",
		      p->arch ? p->arch->thread_pointer : "fs_base", tl->fs_base, tl->source);
	if (tl->vma >= 0) {
		const struct pi_vma *v = &p->vmas[tl->vma];
		pi_buf_printf(b, " in %s %#" PRIx64 "-%#" PRIx64, pi_vma_kind_name(v->kind), v->start,
			      v->end);
		if (v->kind == PI_VMA_THREAD_STACK && v->stack_tid == t->facts.tid)
			pi_buf_puts(b, " (its own stack)");
	}
	if (tl->self_checked)
		pi_buf_puts(b, tl->self_ok ? "; TCB self-pointers ok" : "; TCB self-pointers WRONG");
	else if (tl->go_runtime)
		pi_buf_puts(b, "; Go runtime thread: no glibc TCB");
	pi_buf_putc(b, '\n');
	for (size_t i = 0; i < tl->nvars; i++) {
		const struct pi_tls_var *v = &tl->vars[i];
		pi_buf_puts(b, INDENT "       ");
		put_escaped(b, v->name);
		pi_buf_puts(b, " =");
		if (v->nbytes == v->size && (v->size == 1 || v->size == 2 || v->size == 4 || v->size == 8)) {
			uint64_t value = 0;
			for (size_t k = 0; k < v->nbytes; k++)
				value |= (uint64_t)v->bytes[k] << (8 * k);
			pi_buf_printf(b, " %" PRIu64 " (%#" PRIx64 ")", value, value);
		} else {
			for (size_t k = 0; k < v->nbytes; k++)
				pi_buf_printf(b, " %02x", v->bytes[k]);
			if (v->nbytes < v->size)
				pi_buf_puts(b, " ...");
		}
		pi_buf_printf(b, "  (%" PRIu64 " bytes at %#" PRIx64 ")\n", v->size, v->address);
	}
}

void pi_text_syscall(struct pi_buf *b, bool abi_known, enum pi_abi abi,
		     const struct pi_syscall *sc, int nargs)
{
	switch (sc->kind) {
	case PI_SYSCALL_RUNNING:
		pi_buf_puts(b, "running");
		return;
	case PI_SYSCALL_NONE:
		/* The kernel's -1: blocked, but not in a system call (a
		 * fault, a stop from user code). */
		pi_buf_puts(b, "none (blocked outside a system call)");
		return;
	case PI_SYSCALL_IN:
		break;
	}
	const char *name = abi_known ? pi_syscall_name(abi, sc->nr) : NULL;
	if (name)
		pi_buf_puts(b, name);
	else
		pi_buf_printf(b, "syscall_%ld", sc->nr);
	if (nargs <= 0)
		return;
	pi_buf_putc(b, '(');
	for (int i = 0; i < nargs && i < 6; i++)
		pi_buf_printf(b, "%s%#" PRIx64, i ? ", " : "", sc->args[i]);
	pi_buf_puts(b, nargs < 6 ? ", ...)" : ")");
}

static void put_syscall(struct pi_buf *b, const struct pi_process *p, const struct pi_thread *t,
			bool with_args)
{
	if (t->syscall_err) {
		int e = -t->syscall_err;
		pi_buf_puts(b, pi_reason_not_applicable(e) ? "-" : "unavailable");
		return;
	}
	pi_text_syscall(b, p->abi_known, p->abi, &t->syscall, with_args ? 6 : 0);
}

/* A kernel symbol, fitted to the table: compiler suffixes such as
 * ".constprop.0" dropped, and a '+' marking a cut. The kernel stack lines
 * keep the full name. */
static const char *short_symbol(const char *sym, char *out, size_t size)
{
	size_t n = strcspn(sym, ".");
	if (n >= size) {
		n = size - 2;
		memcpy(out, sym, n);
		out[n++] = '+';
	} else {
		memcpy(out, sym, n);
	}
	out[n] = '\0';
	return out;
}

static bool shows(const struct pi_text_view *view, enum pi_section s)
{
	return view->shown & PI_SECTION_BIT(s);
}

static void table_header(struct pi_buf *b)
{
	pi_buf_printf(b, "  %-8s %-16s %-17s %-20s %-22s %9s %9s %10s %3s\n", "TID", "NAME", "STATE",
		      "SYSCALL", "WCHAN", "VOLUNTARY", "PREEMPTED", "LAST RAN", "CPU");
}

/* One thread's row, and under it (as the view asks) its system call,
 * D wait, stacks, registers, TLS and lock. The thread asked for is marked
 * with '>'. */
static void thread_row(struct pi_buf *b, const struct pi_process *p, const struct pi_thread *t,
		       const struct pi_text_view *view, struct pi_buf *cell)
{
	char dur[32], st[24], wchan[WCHAN_WIDTH + 1];

	pi_buf_printf(b, "%c %-8d ", t->facts.tid == view->selected_tid ? '>' : ' ', (int)t->facts.tid);
	pi_buf_reset(cell);
	put_escaped(cell, pi_thread_comm(p, t));
	pi_buf_puts(b, cell->data);
	pi_buf_pad(b, 17 - (pi_text_width(cell->data) < 17 ? pi_text_width(cell->data) : 16));
	snprintf(st, sizeof st, "%c %s", t->facts.state, pi_state_name(t->facts.state));
	pi_buf_printf(b, "%-17s ", t->stat_err ? "unavailable" : st);
	pi_buf_reset(cell);
	put_syscall(cell, p, t, false);
	pi_buf_printf(b, "%-20s ", cell->data);
	pi_buf_printf(b, "%-*s ", WCHAN_WIDTH, t->wchan_err ? "unavailable"
					      : t->facts.wchan && *t->facts.wchan ? short_symbol(t->facts.wchan, wchan, sizeof wchan)
					      : "-");
	if (!t->status_err && (t->status.have & PI_STATUS_CTXT))
		pi_buf_printf(b, "%9" PRIu64 " %9" PRIu64 " ", t->facts.nvcsw,
			      t->facts.nivcsw);
	else
		pi_buf_printf(b, "%9s %9s ", "?", "?");
	if (!pi_fact_known(&t->facts, PI_FACT_OFF_CPU))
		pi_buf_printf(b, "%10s", "?");
	else if (t->facts.off_cpu_seconds == 0)
		pi_buf_printf(b, "%10s", "now");
	else
		pi_buf_printf(b, "%10s", pi_fmt_duration(dur, sizeof dur, t->facts.off_cpu_seconds));
	pi_buf_printf(b, " %3d\n", t->stat.processor);

	if (!t->syscall_err && t->syscall.kind == PI_SYSCALL_IN) {
		pi_buf_puts(b, "           syscall ");
		put_syscall(b, p, t, true);
		pi_buf_printf(b, "  sp %#" PRIx64 " pc %#" PRIx64 "\n", t->syscall.sp,
			      t->syscall.pc);
	}
	if (t->holds_gil)
		pi_buf_puts(b, INDENT "python holds the GIL\n");
	pi_text_d_wait_lines(b, p, pi_process_d_wait(p, t->facts.tid), INDENT, true);
	if (shows(view, PI_SECTION_STACKS)) {
		for (size_t k = 0; k < t->kstack.n; k++)
			pi_buf_printf(b, "           %s %s\n", k ? "      " : "kernel", t->kstack.v[k]);
		if (p->stacks_collected && !p->stacks_err)
			user_stack(b, p, t);
		registers(b, p, t);
		tls(b, p, t);
	}
	if (shows(view, PI_SECTION_LOCKS))
		lock(b, p, t);
}

/* Every thread, the one asked for first. */
static void each_thread(struct pi_buf *b, const struct pi_process *p, const struct pi_text_view *view)
{
	struct pi_buf cell = PI_BUF_INIT;
	const struct pi_thread *asked = view->selected_tid
					? pi_process_find_thread(p, view->selected_tid) : NULL;

	table_header(b);
	if (asked)
		thread_row(b, p, asked, view, &cell);
	for (size_t i = 0; i < p->nthreads; i++)
		if (&p->threads[i] != asked)
			thread_row(b, p, &p->threads[i], view, &cell);
	pi_buf_free(&cell);
}

static void zombie_children(struct pi_buf *b, const struct pi_process *p)
{
	char dur[32];

	if (p->nzombies) {
		pi_buf_printf(b, "\n  Unreaped zombie children: %zu\n", p->nzombies);
		for (size_t i = 0; i < p->nzombies; i++) {
			pi_buf_printf(b, "    %-8d ", (int)p->zombies[i].pid);
			put_escaped(b, p->zombies[i].comm);
			pi_buf_printf(b, "  started %s ago\n",
				      pi_fmt_duration(dur, sizeof dur, p->zombies[i].age_seconds));
		}
	}
}


/* "7501-7510, 7600, 7602-8500", cut after a few ranges. */
static void put_tid_ranges(struct pi_buf *b, const pid_t *tids, size_t n)
{
	size_t ranges = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && tids[j + 1] == tids[j] + 1)
			j++;
		if (ranges == 6) {
			pi_buf_printf(b, ", ... (%zu more)", n - i);
			return;
		}
		pi_buf_printf(b, "%s%d", ranges ? ", " : "", (int)tids[i]);
		if (j > i)
			pi_buf_printf(b, "-%d", (int)tids[j]);
		ranges++;
		i = j + 1;
	}
}

/* The group's thread names: "worker", or "worker-0 ... worker-999". */
static void put_names(struct pi_buf *b, const struct pi_process *p, const struct pi_stack_group *g)
{
	const char *first, *last;
	pi_stack_group_names(p, g, &first, &last);
	if (!first)
		return;
	put_escaped(b, first);
	if (strcmp(last, first) != 0) {
		pi_buf_puts(b, g->count > 2 ? " ... " : ", ");
		put_escaped(b, last);
	}
}

static void grouped(struct pi_buf *b, const struct pi_process *p, const struct pi_text_view *view)
{
	char d1[32], d2[32], count[32];
	size_t shown = view->whole & PI_SECTION_BIT(PI_SECTION_THREADS)
				|| p->nstack_groups <= PI_SUMMARY_STACK_GROUPS + 1
			       ? p->nstack_groups : PI_SUMMARY_STACK_GROUPS;
	const struct pi_thread *asked = view->selected_tid
					? pi_process_find_thread(p, view->selected_tid) : NULL;

	if (asked) {
		struct pi_buf cell = PI_BUF_INIT;
		pi_buf_puts(b, "  The thread asked for:\n");
		table_header(b);
		thread_row(b, p, asked, view, &cell);
		pi_buf_free(&cell);
		pi_buf_putc(b, '\n');
	}
	pi_buf_printf(b, "  %zu threads, %zu distinct stacks, rarest first (--json lists every thread)\n",
		      p->nthreads, p->nstack_groups);
	for (size_t g = 0; g < shown; g++) {
		const struct pi_stack_group *grp = &p->stack_groups[g];
		const struct pi_thread *t = &p->threads[grp->first];

		pi_buf_printf(b, "\n  %zu thread%s: ", grp->count, grp->count == 1 ? "" : "s");
		put_tid_ranges(b, grp->tids, grp->count);
		pi_buf_puts(b, " (");
		put_names(b, p, grp);
		pi_buf_puts(b, ")\n" INDENT);
		if (t->stat_err)
			pi_buf_puts(b, "state unavailable");
		else
			pi_buf_printf(b, "%c %s", t->facts.state, pi_state_name(t->facts.state));
		if (!t->syscall_err && t->syscall.kind == PI_SYSCALL_IN) {
			pi_buf_puts(b, " in ");
			put_syscall(b, p, t, false);
			pi_buf_puts(b, "()");
		} else if (!t->syscall_err && t->syscall.kind == PI_SYSCALL_RUNNING) {
			pi_buf_puts(b, ", running");
		}
		if (!t->wchan_err && t->facts.wchan && *t->facts.wchan)
			pi_buf_printf(b, ", waiting in %s", t->facts.wchan);
		/* How long ago they ran: the range over the group. */
		double lo = -1, hi = -1;
		for (size_t i = 0; i < grp->count; i++) {
			const struct pi_thread *m = pi_process_find_thread(p, grp->tids[i]);
			if (!m || !pi_fact_known(&m->facts, PI_FACT_OFF_CPU))
				continue;
			if (lo < 0 || m->facts.off_cpu_seconds < lo)
				lo = m->facts.off_cpu_seconds;
			if (m->facts.off_cpu_seconds > hi)
				hi = m->facts.off_cpu_seconds;
		}
		if (hi > 0) {
			pi_fmt_duration(d1, sizeof d1, lo);
			pi_fmt_duration(d2, sizeof d2, hi);
			if (strcmp(d1, d2) != 0)
				pi_buf_printf(b, "; last ran %s to %s ago", d1, d2);
			else
				pi_buf_printf(b, "; last ran %s ago", d2);
		}
		pi_buf_putc(b, '\n');
		for (size_t i = 0; i < grp->count; i++) {
			const struct pi_thread *m = pi_process_find_thread(p, grp->tids[i]);
			if (m && m->holds_gil)
				pi_buf_printf(b, INDENT "python %d holds the GIL\n", (int)m->facts.tid);
		}
		if (grp->count == 1)
			pi_text_d_wait_lines(b, p, pi_process_d_wait(p, t->facts.tid), INDENT, true);
		if (shows(view, PI_SECTION_STACKS)) {
			for (size_t k = 0; k < t->kstack.n; k++)
				pi_buf_printf(b, INDENT "%s %s\n", k ? "      " : "kernel", t->kstack.v[k]);
			if (p->stacks_collected && !p->stacks_err)
				user_stack(b, p, t);
		}
		if (grp->count == 1) {
			if (shows(view, PI_SECTION_STACKS)) {
				registers(b, p, t);
				tls(b, p, t);
			}
			if (shows(view, PI_SECTION_LOCKS))
				lock(b, p, t);
		}
	}
	if (shown < p->nstack_groups)
		pi_buf_printf(b, "\n  \xe2\x80\xa6 %s more stack groups: --sections=+threads or --full\n",
			      pi_fmt_count(count, sizeof count, p->nstack_groups - shown));
}

/* A CPython's interpreter: its version, how its structures were read,
 * and who holds the GIL (collect/stack_python.h). */
static void python_line(struct pi_buf *b, const struct pi_process *p)
{
	const struct pi_python_runtime *py = &p->python;
	if (!py->read)
		return;
	pi_buf_puts(b, "\n  PYTHON        CPython ");
	put_escaped(b, py->version ? py->version : "(version unknown)");
	if (py->err && py->err != -PI_ERR_TIMEOUT) {
		pi_buf_puts(b, ": Python frames not read (see UNAVAILABLE)\n");
		return;
	}
	pi_buf_printf(b, ", %zu thread%s%s", py->nthreads, py->nthreads == 1 ? "" : "s",
		      py->err ? " (not all: --timeout)" : "");
	if (py->layout) {
		pi_buf_puts(b, " (");
		put_escaped(b, py->layout);
		pi_buf_putc(b, ')');
	}
	if (py->ninterpreters > 1)
		pi_buf_printf(b, "; %zu interpreters, %zu GIL%s", py->ninterpreters, py->ngils,
			      py->ngils == 1 ? "" : "s");
	if (!py->gil_known) {
		pi_buf_puts(b, "; the GIL not read for this version\n");
	} else if (py->ngil_holders > 1) {
		/* Subinterpreters with GILs of their own: each holder. */
		pi_buf_puts(b, "; threads");
		for (size_t i = 0, n = 0; i < p->nthreads; i++)
			if (p->threads[i].holds_gil)
				pi_buf_printf(b, "%s %d", n++ ? "," : "", (int)p->threads[i].facts.tid);
		pi_buf_puts(b, " hold one each\n");
	} else if (py->gil_tid) {
		pi_buf_printf(b, "; thread %d holds the GIL\n", (int)py->gil_tid);
	} else {
		pi_buf_puts(b, "; no thread holds the GIL\n");
	}
}

void pi_text_threads(struct pi_buf *b, const struct pi_process *p, const struct pi_text_view *view)
{
	if (!shows(view, PI_SECTION_THREADS))
		return;
	section(b, pi_section_title(PI_SECTION_THREADS));
	if (p->threads_err) {
		pi_buf_puts(b, "  unavailable\n");
		return;
	}
	if (p->held_us > 0)
		pi_buf_printf(b, "  (--consistent: every thread was held for %.0f us; a blocked system call "
			      "may have returned EINTR)\n", p->held_us);
	if (p->stacks_collected && p->stacks_err)
		pi_buf_printf(b, "  (no user stacks: %s)\n", pi_reason_brief(p->stacks_err)
			      ? pi_reason_brief(p->stacks_err) : "see UNAVAILABLE");
	/* Past a screenful, threads with the same stack are shown once. */
	if (p->nthreads > PI_TEXT_EACH_THREAD_MAX && p->nstack_groups)
		grouped(b, p, view);
	else
		each_thread(b, p, view);
	pi_text_goroutines(b, p, shows(view, PI_SECTION_STACKS));
	python_line(b, p);
	zombie_children(b, p);
}
