#include "render/text.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "analysis/findings.h"
#include "analysis/state.h"
#include "analysis/vma.h"
#include "util/escape.h"
#include "util/fmt.h"

#include "render/text_util.h"
#include "render/waits.h"
#include "render/sections.h"

static double ticks_to_seconds(const struct pi_process *p, uint64_t ticks)
{
	return p->clock_ticks > 0 ? (double)ticks / (double)p->clock_ticks : NAN;
}

static void put_id(struct pi_buf *b, const char *name, unsigned id)
{
	if (name) {
		put_escaped(b, name);
		pi_buf_printf(b, " (%u)", id);
	} else {
		pi_buf_printf(b, "%u (no name)", id);
	}
}

static void put_ids(struct pi_buf *b, const char *what, char *const names[4], const unsigned ids[4])
{
	static const char *const roles[4] = { "real", "effective", "saved", "filesystem" };
	put_id(b, names[0], ids[0]);
	/* Only show the other IDs when they differ: setuid programs,
	 * dropped privileges. */
	for (int i = 1; i < 4; i++) {
		if (ids[i] == ids[0])
			continue;
		pi_buf_printf(b, ", %s %s ", roles[i], what);
		put_id(b, names[i], ids[i]);
	}
	pi_buf_putc(b, '\n');
}

/* The arguments, escaped, to PI_TEXT_COMMAND_MAX bytes: a process may
 * pass megabytes of them (the JSON has them whole). */
static void put_command(struct pi_buf *b, const struct pi_strv *argv)
{
	size_t left = PI_TEXT_COMMAND_MAX, total = 0;
	bool cut = false;

	for (size_t i = 0; i < argv->n; i++) {
		size_t len = strlen(argv->v[i]);
		total += len + 1;	/* its size in /proc/PID/cmdline, as the table counts */
		if (cut)
			continue;
		if (i && left) {
			pi_buf_putc(b, ' ');
			left--;
		}
		size_t before = b->len;
		cut = pi_escape_text_max(b, argv->v[i], len, left) < len;
		left -= b->len - before;
	}
	if (cut) {
		pi_escape_cut_note(b, total, false);
		pi_buf_puts(b, "; --json has it whole");
	}
}

static void identity(struct pi_buf *b, const struct pi_process *p)
{
	const struct pi_status *st = &p->status;
	char tmp[64];

	section(b, pi_section_title(PI_SECTION_IDENTITY));
	label(b, "PID");
	pi_buf_printf(b, "%d", (int)p->pid);
	if (!p->status_err && (st->have & PI_STATUS_NSPID) && st->nspid_levels > 1)
		pi_buf_printf(b, " (PID %d in its own namespace)", (int)st->nspid[st->nspid_levels - 1]);
	pi_buf_putc(b, '\n');

	label(b, "Parent");
	pi_buf_printf(b, "%d", (int)p->stat.ppid);
	if (p->parent_comm) {
		pi_buf_puts(b, " (");
		put_escaped(b, p->parent_comm);
		pi_buf_puts(b, ")");
	}
	pi_buf_putc(b, '\n');

	label(b, "Session");
	pi_buf_printf(b, "process group %d, session %d, ", (int)p->stat.pgrp, (int)p->stat.session);
	if (p->stat.tty_nr)
		pi_buf_printf(b, "terminal %s\n", pi_tty_name(p->stat.tty_nr, tmp, sizeof tmp));
	else
		pi_buf_puts(b, "no controlling terminal\n");

	label(b, "User");
	if (st->have & PI_STATUS_UID)
		put_ids(b, "user", (char *const *)p->user_name, (const unsigned *)st->uid);
	else
		pi_buf_puts(b, "unavailable\n");
	label(b, "Group");
	if (st->have & PI_STATUS_GID)
		put_ids(b, "group", (char *const *)p->group_name, (const unsigned *)st->gid);
	else
		pi_buf_puts(b, "unavailable\n");

	label(b, "Name");
	put_escaped(b, p->stat.comm);
	pi_buf_putc(b, '\n');

	label(b, "Command");
	if (p->cmdline_err)
		pi_buf_puts(b, unavailable_text(p->cmdline_err));
	else if (p->cmdline.n == 0)
		pi_buf_puts(b, p->kernel_thread ? "none (kernel thread)" : "none (empty argument list)");
	put_command(b, &p->cmdline);
	pi_buf_putc(b, '\n');

	label(b, "Executable");
	if (p->exe) {
		put_escaped(b, p->exe);
		if (p->exe_deleted)
			pi_buf_puts(b, " (deleted: the file was replaced or removed since it started)");
	} else if (p->kernel_thread) {
		pi_buf_puts(b, "none (kernel thread)");
	} else if (p->stat.state == 'Z') {
		pi_buf_puts(b, "none (exited)");
	} else {
		pi_buf_puts(b, unavailable_text(p->exe_err));
	}
	pi_buf_putc(b, '\n');

	label(b, "Started");
	char when[32], dur[32];
	pi_buf_printf(b, "%s, %s ago\n", pi_fmt_localtime(when, sizeof when, (time_t)p->start_time),
		      pi_fmt_duration(dur, sizeof dur, p->age_seconds));

	label(b, "Cgroup");
	if (p->cgroup_err)
		pi_buf_puts(b, unavailable_text(p->cgroup_err));
	/* cgroup v2 has one "0::/path" line; with v1 hierarchies mounted too,
	 * list them all. */
	for (size_t i = 0; i < p->cgroup.n; i++) {
		if (i)
			pi_buf_printf(b, "\n  %-*s", PI_TEXT_LABEL, "");
		put_escaped(b, p->cgroup.v[i]);
	}
	pi_buf_putc(b, '\n');

	label(b, "Kernel thread");
	pi_buf_puts(b, p->kernel_thread ? "yes: it runs only in the kernel and has no user memory\n"
					: "no\n");
}

static void state(struct pi_buf *b, const struct pi_process *p)
{
	const struct pi_thread *main = pi_process_main_thread(p);
	char code = p->stat.state;
	char dur[32];

	section(b, pi_section_title(PI_SECTION_STATE));
	pi_buf_printf(b, "  %c  %s\n", code, pi_state_meaning(code));
	if (code == 'D' && main) {
		label(b, "Waiting in");
		pi_buf_printf(b, "%s\n", main->wchan_err ? "unavailable"
					 : main->facts.wchan && *main->facts.wchan ? main->facts.wchan : "(not reported)");
		pi_text_d_wait_lines(b, p, pi_process_d_wait(p, main->facts.tid), "  ", false);
		label(b, "Off the CPU");
		if (pi_fact_known(&main->facts, PI_FACT_OFF_CPU))
			pi_buf_printf(b, "for %s\n",
				      pi_fmt_duration(dur, sizeof dur, main->facts.off_cpu_seconds));
		else
			pi_buf_puts(b, "unavailable\n");
		label(b, "Kernel stack");
		if (main->kstack_err)
			pi_buf_puts(b, "unavailable (see UNAVAILABLE)\n");
		else
			pi_buf_puts(b, main->kstack.n ? "(innermost first)\n" : "empty\n");
		for (size_t i = 0; i < main->kstack.n; i++)
			pi_buf_printf(b, "    %s\n", main->kstack.v[i]);
	}
	if (code == 'Z') {
		label(b, "Reaped by");
		pi_buf_printf(b, "its parent %d", (int)p->stat.ppid);
		if (p->parent_comm) {
			pi_buf_puts(b, " (");
			put_escaped(b, p->parent_comm);
			pi_buf_puts(b, ")");
		}
		pi_buf_puts(b, ", which must call wait(); until it does, the zombie stays\n");
	}
	if (code == 'T') {
		label(b, "Stopped by");
		pi_buf_printf(b, "a signal; resume it with kill -CONT %d\n", (int)p->pid);
	}
	if (p->tracer_pid) {
		label(b, "Traced by");
		pi_buf_printf(b, "%d", (int)p->tracer_pid);
		if (p->tracer_comm) {
			pi_buf_puts(b, " (");
			put_escaped(b, p->tracer_comm);
			pi_buf_puts(b, ")");
		}
		pi_buf_puts(b, code == 't' ? ", which holds it at a ptrace stop\n" : "\n");
	}
	label(b, "Threads");
	pi_buf_printf(b, "%zu\n", p->nthreads);
}

static void scheduling(struct pi_buf *b, const struct pi_process *p)
{
	const struct pi_stat *s = &p->stat;
	const struct pi_thread *main = pi_process_main_thread(p);
	const char *policy = pi_policy_name(s->policy);
	char d1[32], d2[32];

	section(b, pi_section_title(PI_SECTION_SCHEDULING));
	label(b, "Policy");
	if (policy)
		pi_buf_printf(b, "%s", policy);
	else
		pi_buf_printf(b, "policy %u", s->policy);
	pi_buf_printf(b, ", nice %" PRId64 ", priority %" PRId64, s->nice, s->priority);
	if (s->rt_priority)
		pi_buf_printf(b, ", real-time priority %u", s->rt_priority);
	pi_buf_putc(b, '\n');

	label(b, "CPU");
	pi_buf_printf(b, "last ran on CPU %d", s->processor);
	if (!p->status_err && (p->status.have & PI_STATUS_CPUS))
		pi_buf_printf(b, "; allowed on CPUs %s", p->status.cpus_allowed_list);
	pi_buf_putc(b, '\n');

	label(b, "CPU time");
	pi_buf_printf(b, "user %s, system %s (all threads)\n",
		      pi_fmt_duration(d1, sizeof d1, ticks_to_seconds(p, s->utime)),
		      pi_fmt_duration(d2, sizeof d2, ticks_to_seconds(p, s->stime)));

	if (main && !main->schedstat_err) {
		label(b, "Run queue");
		pi_buf_printf(b, "main thread waited %s for a CPU over %" PRIu64
			      " timeslices (ran %s)\n",
			      pi_fmt_duration(d1, sizeof d1, (double)main->schedstat.wait_ns / 1e9),
			      main->schedstat.timeslices,
			      pi_fmt_duration(d2, sizeof d2, (double)main->schedstat.run_ns / 1e9));
	}
	if (main && !main->sched_err && (main->sched.have & PI_SCHED_MIGRATIONS)) {
		label(b, "Migrations");
		pi_buf_printf(b, "%" PRIu64 " (main thread moved between CPUs)\n",
			      main->sched.nr_migrations);
	}

	label(b, "Switches");
	if (p->ctxt_threads)
		pi_buf_printf(b, "voluntary %" PRIu64 " (blocked), involuntary %" PRIu64
			      " (preempted), over %zu thread%s\n",
			      p->voluntary_ctxt_switches, p->nonvoluntary_ctxt_switches,
			      p->ctxt_threads, p->ctxt_threads == 1 ? "" : "s");
	else
		pi_buf_puts(b, "unavailable\n");

	label(b, "Last ran");
	if (main && pi_fact_known(&main->facts, PI_FACT_OFF_CPU)) {
		if (main->facts.off_cpu_seconds == 0)
			pi_buf_puts(b, "now (main thread is on a CPU)\n");
		else
			pi_buf_printf(b, "%s ago (main thread)\n",
				      pi_fmt_duration(d1, sizeof d1, main->facts.off_cpu_seconds));
	} else {
		pi_buf_puts(b, "unavailable\n");
	}
}

static void signals(struct pi_buf *b, const struct pi_process *p)
{
	const struct pi_status *st = &p->status;
	char names[1024];

	section(b, pi_section_title(PI_SECTION_SIGNALS));
	if (p->status_err || !(st->have & PI_STATUS_SIGMASKS)) {
		pi_buf_puts(b, "  unavailable\n");
		return;
	}
	label(b, "Pending");
	pi_signal_mask_names(st->sig_shared_pending, names, sizeof names);
	pi_buf_printf(b, "process-wide: %s; ", names);
	pi_signal_mask_names(st->sig_pending, names, sizeof names);
	pi_buf_printf(b, "main thread: %s\n", names);
	label(b, "Blocked");
	pi_signal_mask_names(st->sig_blocked, names, sizeof names);
	pi_buf_printf(b, "%s (main thread)\n", names);
	label(b, "Ignored");
	pi_signal_mask_names(st->sig_ignored, names, sizeof names);
	pi_buf_printf(b, "%s\n", names);
	label(b, "Caught");
	pi_signal_mask_names(st->sig_caught, names, sizeof names);
	pi_buf_printf(b, "%s\n", names);
}

static void memory_summary(struct pi_buf *b, const struct pi_process *p)
{
	const struct pi_status_vm *vm = &p->status.vm;
	char a[24], c[24], d[24], e[24], f[24];

	label(b, "Resident");
	pi_buf_printf(b, "%s (anonymous %s, file %s, shared memory %s); peak %s\n",
		      pi_fmt_bytes(a, sizeof a, vm->rss), pi_fmt_bytes(c, sizeof c, vm->rss_anon),
		      pi_fmt_bytes(d, sizeof d, vm->rss_file), pi_fmt_bytes(e, sizeof e, vm->rss_shmem),
		      pi_fmt_bytes(f, sizeof f, vm->hwm));
	label(b, "Virtual");
	pi_buf_printf(b, "%s (data %s, stack %s, code %s, libraries %s); peak %s\n",
		      pi_fmt_bytes(a, sizeof a, vm->size), pi_fmt_bytes(c, sizeof c, vm->data),
		      pi_fmt_bytes(d, sizeof d, vm->stack), pi_fmt_bytes(e, sizeof e, vm->exe),
		      pi_fmt_bytes(f, sizeof f, vm->lib), pi_fmt_bytes(a, sizeof a, vm->peak));
	label(b, "Swap, locked");
	pi_buf_printf(b, "%s swapped out, %s locked, page tables %s\n",
		      pi_fmt_bytes(a, sizeof a, vm->swap), pi_fmt_bytes(c, sizeof c, vm->locked),
		      pi_fmt_bytes(d, sizeof d, vm->pte));
}

static void maps_table(struct pi_buf *b, const struct pi_process *p, bool whole)
{
	char rss[24], count[32];
	size_t shown = whole || p->nvmas <= PI_SUMMARY_MAPS + 1 ? p->nvmas : PI_SUMMARY_MAPS;

	pi_buf_printf(b, "  %-16s %-16s %-4s %-8s %9s  %-12s %s\n", "START", "END", "PERM",
		      "OFFSET", "RSS", "KIND", "PATH");
	for (size_t i = 0; i < shown; i++) {
		const struct pi_vma *v = &p->vmas[i];
		pi_buf_printf(b, "  %016" PRIx64 " %016" PRIx64 " %-4s %08" PRIx64 " %9s  %-*s",
			      v->start, v->end, v->perms, v->offset,
			      v->have_smaps ? pi_fmt_bytes(rss, sizeof rss, v->rss) : "?",
			      v->path ? 13 : 0, pi_vma_kind_name(v->kind));
		if (v->path)
			put_escaped(b, v->path);
		if (v->deleted)
			pi_buf_puts(b, " (deleted)");
		if (v->stack_tid && v->kind == PI_VMA_THREAD_STACK)
			pi_buf_printf(b, "%s[stack of thread %d]", v->path ? " " : "  ", (int)v->stack_tid);
		pi_buf_putc(b, '\n');
	}
	if (shown < p->nvmas)
		pi_buf_printf(b, "  \xe2\x80\xa6 %s more mappings: --sections=+maps or --full\n",
			      pi_fmt_count(count, sizeof count, p->nvmas - shown));
}

static void vdso(struct pi_buf *b, const struct pi_process *p)
{
	const struct pi_vdso *v = &p->vdso;
	char size[24];

	label(b, "vDSO");
	if (v->start) {
		pi_buf_printf(b, "%#" PRIx64 " (%s)", v->start,
			      pi_fmt_bytes(size, sizeof size, v->end - v->start));
		if (!p->auxv_err && p->auxv.have_sysinfo_ehdr)
			pi_buf_printf(b, v->auxv_matches ? ", matches AT_SYSINFO_EHDR in auxv"
					 : ", but AT_SYSINFO_EHDR in auxv says %#" PRIx64,
				      p->auxv.sysinfo_ehdr);
	}
	if (v->err) {
		pi_buf_puts(b, v->start ? "; its image is unavailable\n" : "unavailable\n");
		return;
	}
	pi_buf_putc(b, '\n');
	if (v->soname[0] || v->build_id[0]) {
		label(b, "");
		/* The soname is the process's to rewrite (its vDSO pages can
		 * be written through /proc/self/mem like any other). */
		put_escaped(b, v->soname);
		pi_buf_printf(b, "%sbuild-id %s\n", v->soname[0] ? ", " : "",
			      v->build_id[0] ? v->build_id : "none");
	}
	label(b, "");
	pi_buf_puts(b, "exports");
	for (size_t i = 0; i < v->symbols.n; i++) {
		pi_buf_putc(b, ' ');
		put_escaped(b, v->symbols.v[i]);
	}
	pi_buf_putc(b, '\n');
}

static void vsyscall(struct pi_buf *b, const struct pi_process *p)
{
	label(b, "vsyscall");
	switch (p->vsyscall) {
	case PI_VSYSCALL_XONLY:
		pi_buf_puts(b, "xonly (--xp): legacy calls are emulated, reading the page faults\n");
		break;
	case PI_VSYSCALL_EMULATE:
		pi_buf_puts(b, "emulate (r-xp): readable, legacy calls are emulated\n");
		break;
	case PI_VSYSCALL_NATIVE:
		pi_buf_puts(b, "native: the page holds real code\n");
		break;
	case PI_VSYSCALL_NONE:
		pi_buf_puts(b, "none: no vsyscall page (vsyscall=none)\n");
		break;
	default:
		pi_buf_puts(b, "unavailable\n");
	}
}

static void tls_modules(struct pi_buf *b, const struct pi_process *p)
{
	if (!p->stacks_collected || p->stacks_err)
		return;
	label(b, "TLS segments");
	if (!p->ntls_modules)
		pi_buf_puts(b, "none");
	for (size_t i = 0; i < p->ntls_modules; i++) {
		const struct pi_tls_module *m = &p->tls_modules[i];
		const char *slash = strrchr(m->path, '/');
		pi_buf_puts(b, i ? ", " : "");
		put_escaped(b, slash ? slash + 1 : m->path);
		pi_buf_printf(b, " (%" PRIu64 " bytes per thread)", m->size);
	}
	pi_buf_putc(b, '\n');
}

/* MEMORY: its sizes, vDSO and vsyscall (the memory section), and its
 * mappings (maps), either or both. */
static void memory(struct pi_buf *b, const struct pi_process *p, const struct pi_text_view *view)
{
	bool sizes = view->shown & PI_SECTION_BIT(PI_SECTION_MEMORY);
	bool maps = view->shown & PI_SECTION_BIT(PI_SECTION_MAPS);

	if (!sizes && !maps)
		return;
	section(b, pi_section_title(PI_SECTION_MEMORY));
	if (p->kernel_thread) {
		pi_buf_puts(b, "  none: a kernel thread has no user address space\n");
		return;
	}
	if (sizes && !p->status_err && (p->status.have & PI_STATUS_VM))
		memory_summary(b, p);
	else if (p->stat.state == 'Z')
		pi_buf_puts(b, "  none: the process has exited and its memory is released\n");
	if (p->maps_err) {
		label(b, "Mappings");
		pi_buf_printf(b, "%s\n", unavailable_text(p->maps_err));
		return;
	}
	if (maps) {
		label(b, "Mappings");
		pi_buf_printf(b, "%zu\n", p->nvmas);
		maps_table(b, p, view->whole & PI_SECTION_BIT(PI_SECTION_MAPS));
	}
	if (!sizes)
		return;
	vdso(b, p);
	vsyscall(b, p);
	tls_modules(b, p);
}

static void held_locks(struct pi_buf *b, const struct pi_process *p)
{
	if (!p->locks_collected || !p->nheld_locks)
		return;
	section(b, pi_section_title(PI_SECTION_LOCKS));
	for (size_t i = 0; i < p->nheld_locks; i++) {
		const struct pi_held_lock *h = &p->held_locks[i];
		const struct pi_thread *t = pi_process_find_thread(p, h->owner);
		pi_buf_puts(b, "  ");
		put_escaped(b, h->symbol);
		pi_buf_printf(b, " (%#" PRIx64 ")%s held by thread %d", h->addr,
			      h->pi ? ", priority-inheritance," : "", (int)h->owner);
		if (t && pi_thread_comm(p, t)) {
			pi_buf_puts(b, " (");
			put_escaped(b, pi_thread_comm(p, t));
			pi_buf_puts(b, ")");
		}
		if (h->depth > 1)
			pi_buf_printf(b, ", %u times (recursive)", h->depth);
		pi_buf_putc(b, '\n');
	}
}

static void findings(struct pi_buf *b, const struct pi_process *p)
{
	section(b, pi_section_title(PI_SECTION_FINDINGS));
	if (!p->nfindings) {
		pi_buf_puts(b, "  none\n");
		return;
	}
	for (size_t i = 0; i < p->nfindings; i++) {
		const struct pi_finding *f = &p->findings[i];
		pi_buf_printf(b, "  %-16s %s\n  %-16s see pinspect(1), %s\n", pi_finding_kind_name(f->kind),
			      f->message, "", pi_finding_see(f->kind));
	}
}

static void unavailable(struct pi_buf *b, const struct pi_process *p)
{
	if (!p->nunavailable)
		return;
	section(b, pi_section_title(PI_SECTION_UNAVAILABLE));
	for (size_t i = 0; i < p->nunavailable; i++) {
		const struct pi_unavailable *u = &p->unavailable[i];
		pi_buf_printf(b, "  %s", u->item);
		if (u->all_threads)
			pi_buf_puts(b, " (all threads)");
		else if (u->tid)
			pi_buf_printf(b, " (thread %d)", (int)u->tid);
		pi_buf_printf(b, ": %s\n", u->reason);
	}
}

void pi_render_text(struct pi_buf *b, const struct pi_process *p)
{
	struct pi_sections all;
	struct pi_text_view view;
	pi_sections_default(&all);
	pi_text_view_init(&view, &all, false, true);
	view.selected_tid = p->selected_tid;
	pi_render_text_view(b, p, &view);
}

void pi_render_text_view(struct pi_buf *b, const struct pi_process *p, const struct pi_text_view *view)
{
	char when[32];
	unsigned on = view->shown;

	pi_buf_printf(b, "pinspect: process %d (", (int)p->pid);
	put_escaped(b, p->stat.comm);
	pi_buf_printf(b, "), %c %s, snapshot at %s\n", p->stat.state, pi_state_name(p->stat.state),
		      pi_fmt_localtime(when, sizeof when, (time_t)p->realtime_seconds));
	/* The verdict first, then the evidence. */
	if (on & PI_SECTION_BIT(PI_SECTION_SUMMARY))
		pi_text_summary(b, p, view);
	if (on & PI_SECTION_BIT(PI_SECTION_IDENTITY))
		identity(b, p);
	if (on & PI_SECTION_BIT(PI_SECTION_STATE))
		state(b, p);
	if (on & PI_SECTION_BIT(PI_SECTION_SCHEDULING))
		scheduling(b, p);
	if (on & PI_SECTION_BIT(PI_SECTION_SIGNALS))
		signals(b, p);
	memory(b, p, view);
	pi_text_threads(b, p, view);
	if (on & PI_SECTION_BIT(PI_SECTION_LOCKS))
		held_locks(b, p);
	if (on & PI_SECTION_BIT(PI_SECTION_WAITS))
		pi_text_waits(b, p);
	if (on & PI_SECTION_BIT(PI_SECTION_FINDINGS))
		findings(b, p);
	if (on & PI_SECTION_BIT(PI_SECTION_UNAVAILABLE))
		unavailable(b, p);
}
