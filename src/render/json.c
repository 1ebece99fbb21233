#include "render/json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/findings.h"
#include "analysis/state.h"
#include "analysis/vma.h"
#include "util/escape.h"

/* Strings from the target may hold any bytes; JSON needs UTF-8. */
json_object *pi_json_string(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	struct pi_buf b = PI_BUF_INIT;
	pi_utf8_sanitize(&b, s, n);
	json_object *o = json_object_new_string_len(b.data ? b.data : "", (int)b.len);
	pi_buf_free(&b);
	return o;
}

/* Seconds to the microsecond; null for an unknown time. */
json_object *pi_json_seconds(double s)
{
	if (s < 0)
		return NULL;
	return pi_json_number(s, 6);
}

/* A number written as people write them ("0.075935", "10"), not as json-c
 * writes doubles ("6.0000000000000002e-06"). */
json_object *pi_json_number(double v, int decimals)
{
	char text[48];
	if (isnan(v) || isinf(v))
		return NULL;
	int n = snprintf(text, sizeof text, "%.*f", decimals, v);
	while (n > 1 && text[n - 1] == '0')
		text[--n] = '\0';
	if (text[n - 1] == '.')
		text[--n] = '\0';
	return json_object_new_double_s(v, text);
}

static void put(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static json_object *u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static json_object *i64(int64_t v)
{
	return json_object_new_int64(v);
}

static json_object *state_object(char code)
{
	json_object *o = json_object_new_object();
	char letter[2] = { code, 0 };
	put(o, "code", pi_json_string(letter));
	put(o, "name", json_object_new_string(pi_state_name(code)));
	put(o, "meaning", json_object_new_string(pi_state_meaning(code)));
	return o;
}

static json_object *strv_array(const struct pi_strv *sv)
{
	json_object *a = json_object_new_array_ext((int)sv->n);
	for (size_t i = 0; i < sv->n; i++)
		json_object_array_add(a, pi_json_string(sv->v[i]));
	return a;
}

static json_object *signal_array(uint64_t mask)
{
	json_object *a = json_object_new_array();
	char name[16];
	for (int sig = 1; sig <= 64; sig++)
		if (mask & (1ULL << (sig - 1)))
			json_object_array_add(a, json_object_new_string(pi_signal_name(sig, name, sizeof name)));
	return a;
}

static json_object *ids_object(const unsigned ids[4], char *const names[4])
{
	static const char *const roles[4] = { "real", "effective", "saved", "filesystem" };
	json_object *o = json_object_new_object();
	for (int i = 0; i < 4; i++) {
		json_object *id = json_object_new_object();
		put(id, "id", u64(ids[i]));
		put(id, "name", pi_json_string(names[i]));
		put(o, roles[i], id);
	}
	return o;
}

static void identity(json_object *o, const struct pi_process *p)
{
	const struct pi_status *st = &p->status;
	char tty[32];

	put(o, "pid", i64(p->pid));
	put(o, "ppid", i64(p->stat.ppid));
	put(o, "parent_comm", pi_json_string(p->parent_comm));
	put(o, "pgid", i64(p->stat.pgrp));
	put(o, "sid", i64(p->stat.session));
	put(o, "tty", p->stat.tty_nr ? json_object_new_string(pi_tty_name(p->stat.tty_nr, tty, sizeof tty)) : NULL);
	put(o, "comm", pi_json_string(p->stat.comm));
	put(o, "cmdline", p->cmdline_err ? NULL : strv_array(&p->cmdline));
	put(o, "exe", pi_json_string(p->exe));
	put(o, "exe_deleted", json_object_new_boolean(p->exe_deleted));
	put(o, "kernel_thread", json_object_new_boolean(p->kernel_thread));
	put(o, "users", (st->have & PI_STATUS_UID) ? ids_object((const unsigned *)st->uid, p->user_name) : NULL);
	put(o, "groups", (st->have & PI_STATUS_GID) ? ids_object((const unsigned *)st->gid, p->group_name) : NULL);
	if (st->have & PI_STATUS_NSPID) {
		json_object *a = json_object_new_array();
		for (unsigned i = 0; i < st->nspid_levels; i++)
			json_object_array_add(a, i64(st->nspid[i]));
		put(o, "nspid", a);
	} else {
		put(o, "nspid", NULL);
	}
	put(o, "start_time", pi_json_seconds(p->start_time));
	put(o, "age_seconds", pi_json_seconds(p->age_seconds));
	put(o, "cgroup", p->cgroup_err ? NULL : strv_array(&p->cgroup));
	put(o, "abi", !p->abi_known ? NULL
		      : json_object_new_string(p->abi == PI_ABI_NATIVE ? "x86_64"
					       : p->abi == PI_ABI_I386 ? "i386" : "x32"));
}

static void scheduling(json_object *o, const struct pi_process *p)
{
	const struct pi_stat *s = &p->stat;
	const struct pi_thread *main = pi_process_main_thread(p);
	json_object *sch = json_object_new_object();
	const char *policy = pi_policy_name(s->policy);

	put(sch, "policy", policy ? json_object_new_string(policy) : i64(s->policy));
	put(sch, "nice", i64(s->nice));
	put(sch, "priority", i64(s->priority));
	put(sch, "rt_priority", u64(s->rt_priority));
	put(sch, "last_cpu", i64(s->processor));
	put(sch, "allowed_cpus", (p->status.have & PI_STATUS_CPUS)
				 ? json_object_new_string(p->status.cpus_allowed_list) : NULL);
	put(sch, "utime_seconds", pi_json_seconds((double)s->utime / (double)p->clock_ticks));
	put(sch, "stime_seconds", pi_json_seconds((double)s->stime / (double)p->clock_ticks));
	bool ss = main && !main->schedstat_err;
	put(sch, "run_seconds", ss ? pi_json_seconds((double)main->schedstat.run_ns / 1e9) : NULL);
	put(sch, "runqueue_wait_seconds", ss ? pi_json_seconds((double)main->schedstat.wait_ns / 1e9) : NULL);
	put(sch, "timeslices", ss ? u64(main->schedstat.timeslices) : NULL);
	bool mig = main && !main->sched_err && (main->sched.have & PI_SCHED_MIGRATIONS);
	put(sch, "migrations", mig ? u64(main->sched.nr_migrations) : NULL);
	bool cs = p->ctxt_threads > 0;
	put(sch, "voluntary_ctxt_switches", cs ? u64(p->voluntary_ctxt_switches) : NULL);
	put(sch, "nonvoluntary_ctxt_switches", cs ? u64(p->nonvoluntary_ctxt_switches) : NULL);
	put(sch, "off_cpu_seconds", main && main->off_cpu_known ? pi_json_seconds(main->off_cpu_seconds) : NULL);
	put(o, "scheduling", sch);
}

static void signals(json_object *o, const struct pi_process *p)
{
	const struct pi_status *st = &p->status;
	if (p->status_err || !(st->have & PI_STATUS_SIGMASKS)) {
		put(o, "signals", NULL);
		return;
	}
	json_object *sig = json_object_new_object();
	put(sig, "pending", signal_array(st->sig_pending));
	put(sig, "shared_pending", signal_array(st->sig_shared_pending));
	put(sig, "blocked", signal_array(st->sig_blocked));
	put(sig, "ignored", signal_array(st->sig_ignored));
	put(sig, "caught", signal_array(st->sig_caught));
	put(o, "signals", sig);
}

static void memory(json_object *o, const struct pi_process *p)
{
	const struct pi_status_vm *vm = &p->status.vm;
	if (p->status_err || !(p->status.have & PI_STATUS_VM)) {
		put(o, "memory", NULL);
	} else {
		json_object *m = json_object_new_object();
		put(m, "rss_bytes", u64(vm->rss));
		put(m, "rss_anon_bytes", u64(vm->rss_anon));
		put(m, "rss_file_bytes", u64(vm->rss_file));
		put(m, "rss_shmem_bytes", u64(vm->rss_shmem));
		put(m, "rss_peak_bytes", u64(vm->hwm));
		put(m, "vm_size_bytes", u64(vm->size));
		put(m, "vm_peak_bytes", u64(vm->peak));
		put(m, "data_bytes", u64(vm->data));
		put(m, "stack_bytes", u64(vm->stack));
		put(m, "exe_bytes", u64(vm->exe));
		put(m, "lib_bytes", u64(vm->lib));
		put(m, "locked_bytes", u64(vm->locked));
		put(m, "page_tables_bytes", u64(vm->pte));
		put(m, "swap_bytes", u64(vm->swap));
		put(o, "memory", m);
	}

	if (p->maps_err) {
		put(o, "maps", NULL);
	} else {
		json_object *a = json_object_new_array_ext((int)p->nvmas);
		for (size_t i = 0; i < p->nvmas; i++) {
			const struct pi_vma *v = &p->vmas[i];
			json_object *m = json_object_new_object();
			char dev[24];
			snprintf(dev, sizeof dev, "%02x:%02x", v->dev_major, v->dev_minor);
			put(m, "start", u64(v->start));
			put(m, "end", u64(v->end));
			put(m, "perms", json_object_new_string(v->perms));
			put(m, "offset", u64(v->offset));
			put(m, "dev", json_object_new_string(dev));
			put(m, "inode", u64(v->inode));
			put(m, "path", pi_json_string(v->path));
			put(m, "deleted", json_object_new_boolean(v->deleted));
			put(m, "kind", json_object_new_string(pi_vma_kind_name(v->kind)));
			put(m, "rss_bytes", v->have_smaps ? u64(v->rss) : NULL);
			put(m, "pss_bytes", v->have_smaps ? u64(v->pss) : NULL);
			put(m, "swap_bytes", v->have_smaps ? u64(v->swap) : NULL);
			put(m, "stack_tid", v->stack_tid ? i64(v->stack_tid) : NULL);
			json_object_array_add(a, m);
		}
		put(o, "maps", a);
	}

	const struct pi_vdso *vd = &p->vdso;
	if (!vd->start) {
		put(o, "vdso", NULL);
	} else {
		json_object *v = json_object_new_object();
		put(v, "start", u64(vd->start));
		put(v, "end", u64(vd->end));
		put(v, "auxv_sysinfo_ehdr", !p->auxv_err && p->auxv.have_sysinfo_ehdr ? u64(p->auxv.sysinfo_ehdr) : NULL);
		put(v, "matches_auxv", json_object_new_boolean(vd->auxv_matches));
		put(v, "symbols", vd->err ? NULL : strv_array(&vd->symbols));
		put(v, "build_id", vd->err || !vd->build_id[0] ? NULL : json_object_new_string(vd->build_id));
		put(v, "soname", vd->err || !vd->soname[0] ? NULL : json_object_new_string(vd->soname));
		put(o, "vdso", v);
	}
	put(o, "vsyscall", p->vsyscall == PI_VSYSCALL_UNKNOWN ? NULL
			   : json_object_new_string(pi_vsyscall_mode_name(p->vsyscall)));
}

static json_object *syscall_object(const struct pi_process *p, const struct pi_thread *t)
{
	if (t->syscall_err)
		return NULL;
	json_object *o = json_object_new_object();
	const struct pi_syscall *sc = &t->syscall;
	static const char *const kinds[] = { "running", "not_in_syscall", "in_syscall" };
	put(o, "state", json_object_new_string(kinds[sc->kind]));
	if (sc->kind == PI_SYSCALL_IN) {
		const char *name = p->abi_known ? pi_syscall_name(p->abi, sc->nr) : NULL;
		json_object *args = json_object_new_array_ext(6);
		for (int i = 0; i < 6; i++)
			json_object_array_add(args, u64(sc->args[i]));
		put(o, "number", i64(sc->nr));
		put(o, "name", name ? json_object_new_string(name) : NULL);
		put(o, "args", args);
	} else {
		put(o, "number", NULL);
		put(o, "name", NULL);
		put(o, "args", NULL);
	}
	put(o, "sp", sc->kind == PI_SYSCALL_RUNNING ? NULL : u64(sc->sp));
	put(o, "pc", sc->kind == PI_SYSCALL_RUNNING ? NULL : u64(sc->pc));
	return o;
}

static json_object *registers_object(const struct pi_regs *regs)
{
	if (!regs->known)
		return NULL;
	const struct user_regs_struct *r = &regs->r;
	json_object *o = json_object_new_object();
	put(o, "complete", json_object_new_boolean(regs->full));
	put(o, "rip", u64(r->rip));
	put(o, "rsp", u64(r->rsp));
	if (!regs->full)
		return o;
	const struct { const char *name; unsigned long long v; } all[] = {
		{ "rax", r->rax }, { "rbx", r->rbx }, { "rcx", r->rcx }, { "rdx", r->rdx },
		{ "rsi", r->rsi }, { "rdi", r->rdi }, { "rbp", r->rbp }, { "r8", r->r8 },
		{ "r9", r->r9 }, { "r10", r->r10 }, { "r11", r->r11 }, { "r12", r->r12 },
		{ "r13", r->r13 }, { "r14", r->r14 }, { "r15", r->r15 }, { "eflags", r->eflags },
		{ "orig_rax", r->orig_rax }, { "fs_base", r->fs_base }, { "gs_base", r->gs_base },
		{ "cs", r->cs }, { "ss", r->ss }, { "ds", r->ds }, { "es", r->es }, { "fs", r->fs },
		{ "gs", r->gs },
	};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		put(o, all[i].name, u64(all[i].v));
	return o;
}

static json_object *user_stack_array(const struct pi_user_stack *us)
{
	if (us->err)
		return NULL;
	json_object *a = json_object_new_array_ext((int)us->nframes);
	for (size_t i = 0; i < us->nframes; i++) {
		const struct pi_user_frame *f = &us->frames[i];
		json_object *o = json_object_new_object();
		put(o, "pc", u64(f->pc));
		put(o, "function", pi_json_string(f->function));
		put(o, "offset", f->have_offset ? u64(f->offset) : NULL);
		put(o, "module", pi_json_string(f->module));
		put(o, "module_vaddr", f->module ? u64(f->module_vaddr) : NULL);
		put(o, "build_id", pi_json_string(f->build_id));
		put(o, "file", pi_json_string(f->file));
		put(o, "line", f->line ? i64(f->line) : NULL);
		put(o, "inline", json_object_new_boolean(f->inlined));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *unwind_object(const struct pi_user_stack *us)
{
	static const char *const methods[] = {
		[PI_UNWIND_NONE] = NULL,
		[PI_UNWIND_COPY] = "copied_while_blocked",
		[PI_UNWIND_STOPPED] = "stopped_while_running",
		[PI_UNWIND_STOPPED_BLOCKED] = "stopped_while_blocked",
		[PI_UNWIND_CONSISTENT] = "stopped_with_all_threads",
	};
	json_object *o = json_object_new_object();
	const char *m = methods[us->method];
	put(o, "method", m ? json_object_new_string(m) : NULL);
	put(o, "stopped_us", us->stopped_us >= 0 ? pi_json_number(us->stopped_us, 1) : NULL);
	put(o, "truncated_reason", pi_json_string(us->truncated_reason));
	put(o, "frame_pointer_recovered", json_object_new_boolean(us->frame_pointer_found));
	put(o, "interrupted_syscall", json_object_new_boolean(us->interrupted_syscall));
	return o;
}

static json_object *tls_object(const struct pi_process *p, const struct pi_tls *tls)
{
	if (tls->err || !tls->source)
		return NULL;
	json_object *o = json_object_new_object();
	put(o, "fs_base", u64(tls->fs_base));
	put(o, "source", json_object_new_string(tls->source));
	if (tls->vma >= 0) {
		const struct pi_vma *v = &p->vmas[tls->vma];
		json_object *m = json_object_new_object();
		put(m, "start", u64(v->start));
		put(m, "end", u64(v->end));
		put(m, "kind", json_object_new_string(pi_vma_kind_name(v->kind)));
		put(m, "path", pi_json_string(v->path));
		put(o, "mapping", m);
	} else {
		put(o, "mapping", NULL);
	}
	put(o, "tcb_self_pointer_ok", tls->self_checked ? json_object_new_boolean(tls->self_ok) : NULL);
	put(o, "exe_tls_block", tls->exe_block ? u64(tls->exe_block) : NULL);
	json_object *vars = json_object_new_array();
	for (size_t i = 0; i < tls->nvars; i++) {
		const struct pi_tls_var *v = &tls->vars[i];
		json_object *vo = json_object_new_object();
		put(vo, "name", pi_json_string(v->name));
		put(vo, "address", u64(v->address));
		put(vo, "size", u64(v->size));
		bool whole = v->nbytes == v->size && (v->size == 1 || v->size == 2 || v->size == 4 || v->size == 8);
		uint64_t value = 0;
		for (size_t k = 0; whole && k < v->nbytes; k++)
			value |= (uint64_t)v->bytes[k] << (8 * k);
		put(vo, "value", whole ? u64(value) : NULL);
		char hex[2 * sizeof v->bytes + 1] = "";
		for (size_t k = 0; k < v->nbytes; k++)
			snprintf(hex + 2 * k, 3, "%02x", v->bytes[k]);
		put(vo, "bytes", v->nbytes ? json_object_new_string(hex) : NULL);
		json_object_array_add(vars, vo);
	}
	put(o, "variables", vars);
	return o;
}

static json_object *thread_object(const struct pi_process *p, const struct pi_thread *t)
{
	json_object *o = json_object_new_object();
	bool cs = !t->status_err && (t->status.have & PI_STATUS_CTXT);
	bool st = !t->stat_err;

	put(o, "tid", i64(t->tid));
	put(o, "comm", st ? pi_json_string(t->stat.comm) : NULL);
	put(o, "state", st ? state_object(t->stat.state) : NULL);
	put(o, "voluntary_ctxt_switches", cs ? u64(t->status.voluntary_ctxt_switches) : NULL);
	put(o, "nonvoluntary_ctxt_switches", cs ? u64(t->status.nonvoluntary_ctxt_switches) : NULL);
	put(o, "wchan", t->wchan_err ? NULL : json_object_new_string(t->wchan));
	put(o, "syscall", syscall_object(p, t));
	put(o, "off_cpu_seconds", t->off_cpu_known ? pi_json_seconds(t->off_cpu_seconds) : NULL);
	put(o, "last_cpu", st ? i64(t->stat.processor) : NULL);
	put(o, "utime_seconds", st ? pi_json_seconds((double)t->stat.utime / (double)p->clock_ticks) : NULL);
	put(o, "stime_seconds", st ? pi_json_seconds((double)t->stat.stime / (double)p->clock_ticks) : NULL);
	put(o, "nice", st ? i64(t->stat.nice) : NULL);
	put(o, "priority", st ? i64(t->stat.priority) : NULL);
	put(o, "tracer_pid", t->status_err ? NULL : i64(t->status.tracer_pid));
	put(o, "signals_pending", t->status_err ? NULL : signal_array(t->status.sig_pending));
	put(o, "signals_blocked", t->status_err ? NULL : signal_array(t->status.sig_blocked));
	put(o, "kernel_stack", t->kstack_err ? NULL : strv_array(&t->kstack));
	put(o, "registers", registers_object(&t->regs));
	put(o, "user_stack", p->stacks_err ? NULL : user_stack_array(&t->ustack));
	put(o, "unwind", p->stacks_err ? NULL : unwind_object(&t->ustack));
	put(o, "tls", tls_object(p, &t->tls));
	return o;
}

static void threads(json_object *o, const struct pi_process *p)
{
	json_object *a = json_object_new_array_ext((int)p->nthreads);
	for (size_t i = 0; i < p->nthreads; i++)
		json_object_array_add(a, thread_object(p, &p->threads[i]));
	put(o, "threads", p->threads_err ? NULL : a);
	if (p->threads_err)
		json_object_put(a);

	json_object *z = json_object_new_array();
	for (size_t i = 0; i < p->nzombies; i++) {
		json_object *c = json_object_new_object();
		put(c, "pid", i64(p->zombies[i].pid));
		put(c, "comm", pi_json_string(p->zombies[i].comm));
		put(c, "age_seconds", pi_json_seconds(p->zombies[i].age_seconds));
		json_object_array_add(z, c);
	}
	put(o, "zombie_children", z);
}

json_object *pi_json_finding(const struct pi_finding *f)
{
	json_object *o = json_object_new_object();
	put(o, "kind", json_object_new_string(pi_finding_kind_name(f->kind)));
	put(o, "pid", i64(f->pid));
	put(o, "tid", f->tid ? i64(f->tid) : NULL);
	put(o, "message", pi_json_string(f->message));
	char see[64];
	snprintf(see, sizeof see, "pinspect(1) %s", pi_finding_see(f->kind));
	put(o, "see", json_object_new_string(see));
	put(o, "seconds", f->seconds >= 0 ? pi_json_seconds(f->seconds) : NULL);
	json_object *pids = json_object_new_array();
	for (size_t i = 0; i < f->npids; i++)
		json_object_array_add(pids, i64(f->pids[i]));
	put(o, "pids", pids);
	return o;
}

json_object *pi_render_json(const struct pi_process *p)
{
	json_object *o = json_object_new_object();

	put(o, "schema_version", json_object_new_int(PI_JSON_SCHEMA_VERSION));
	put(o, "snapshot_time", pi_json_seconds(p->realtime_seconds));
	identity(o, p);
	put(o, "state", state_object(p->stat.state));
	put(o, "tracer_pid", p->status_err ? NULL : i64(p->tracer_pid));
	put(o, "tracer_comm", pi_json_string(p->tracer_comm));
	put(o, "hung_after_seconds", pi_json_seconds(p->hung_after_seconds));
	put(o, "hung_task_timeout_secs", p->hung_task_timeout_secs >= 0 ? i64(p->hung_task_timeout_secs) : NULL);
	scheduling(o, p);
	signals(o, p);
	memory(o, p);
	threads(o, p);

	json_object *tm = json_object_new_array();
	for (size_t i = 0; i < p->ntls_modules; i++) {
		const struct pi_tls_module *m = &p->tls_modules[i];
		json_object *mo = json_object_new_object();
		put(mo, "path", pi_json_string(m->path));
		put(mo, "size", u64(m->size));
		put(mo, "init_size", u64(m->init_size));
		put(mo, "align", u64(m->align));
		json_object_array_add(tm, mo);
	}
	put(o, "tls_modules", p->stacks_err ? NULL : tm);
	if (p->stacks_err)
		json_object_put(tm);
	put(o, "stacks_held_seconds", p->held_us > 0 ? pi_json_seconds(p->held_us / 1e6) : NULL);

	json_object *f = json_object_new_array_ext((int)p->nfindings);
	for (size_t i = 0; i < p->nfindings; i++)
		json_object_array_add(f, pi_json_finding(&p->findings[i]));
	put(o, "findings", f);

	json_object *u = json_object_new_array_ext((int)p->nunavailable);
	for (size_t i = 0; i < p->nunavailable; i++) {
		const struct pi_unavailable *un = &p->unavailable[i];
		json_object *e = json_object_new_object();
		put(e, "item", json_object_new_string(un->item));
		put(e, "tid", un->tid ? i64(un->tid) : NULL);
		put(e, "all_threads", json_object_new_boolean(un->all_threads));
		put(e, "reason", pi_json_string(un->reason));
		json_object_array_add(u, e);
	}
	put(o, "unavailable", u);
	return o;
}
