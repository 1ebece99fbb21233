#include "render/go.h"
#include "render/json.h"

#include <stdio.h>
#include <string.h>

#include "analysis/findings.h"
#include "analysis/reasons.h"
#include "analysis/state.h"
#include "analysis/vma.h"
#include "render/json_util.h"
#include "sys/abi.h"
#include "render/waits.h"

double pi_json_ticks(const struct pi_process *p, uint64_t n)
{
	return p->clock_ticks > 0 ? (double)n / (double)p->clock_ticks : -1;
}

void pi_json_state(struct pi_jw *w, const char *key, char code)
{
	char letter[2] = { code, 0 };
	pi_jw_key(w, key);
	pi_jw_object(w);
	pi_jw_kstring(w, "code", letter);
	pi_jw_kstring(w, "name", pi_state_name(code));
	pi_jw_kstring(w, "meaning", pi_state_meaning(code));
	pi_jw_object_end(w);
}

void pi_json_strings(struct pi_jw *w, const char *key, const struct pi_strv *sv, bool known)
{
	pi_jw_key(w, key);
	if (!known) {
		pi_jw_null(w);
		return;
	}
	pi_jw_array(w);
	for (size_t i = 0; i < sv->n; i++)
		pi_jw_string(w, sv->v[i]);
	pi_jw_array_end(w);
}

void pi_json_signals(struct pi_jw *w, const char *key, uint64_t mask, bool known)
{
	char name[16];
	pi_jw_key(w, key);
	if (!known) {
		pi_jw_null(w);
		return;
	}
	pi_jw_array(w);
	for (int sig = 1; sig <= 64; sig++)
		if (mask & (1ULL << (sig - 1)))
			pi_jw_string(w, pi_signal_name(sig, name, sizeof name));
	pi_jw_array_end(w);
}

static void ids_object(struct pi_jw *w, const char *key, const unsigned ids[4], char *const names[4],
		       bool known)
{
	static const char *const roles[4] = { "real", "effective", "saved", "filesystem" };
	pi_jw_key(w, key);
	if (!known) {
		pi_jw_null(w);
		return;
	}
	pi_jw_object(w);
	for (int i = 0; i < 4; i++) {
		pi_jw_key(w, roles[i]);
		pi_jw_object(w);
		pi_jw_ku64(w, "id", ids[i]);
		pi_jw_kstring(w, "name", names[i]);
		pi_jw_object_end(w);
	}
	pi_jw_object_end(w);
}

static void identity(struct pi_jw *w, const struct pi_process *p)
{
	const struct pi_status *st = &p->status;
	char tty[32];

	pi_jw_ki64(w, "pid", p->pid);
	pi_jw_ki64(w, "ppid", p->stat.ppid);
	pi_jw_kstring(w, "parent_comm", p->parent_comm);
	pi_jw_ki64(w, "pgid", p->stat.pgrp);
	pi_jw_ki64(w, "sid", p->stat.session);
	pi_jw_kstring(w, "tty", p->stat.tty_nr ? pi_tty_name(p->stat.tty_nr, tty, sizeof tty) : NULL);
	pi_jw_kstring(w, "comm", p->stat.comm);
	pi_json_strings(w, "cmdline", &p->cmdline, !p->cmdline_err);
	pi_jw_kstring(w, "exe", p->exe);
	pi_jw_kbool(w, "exe_deleted", p->exe_deleted);
	pi_jw_kbool(w, "kernel_thread", p->kernel_thread);
	ids_object(w, "users", (const unsigned *)st->uid, p->user_name, st->have & PI_STATUS_UID);
	ids_object(w, "groups", (const unsigned *)st->gid, p->group_name, st->have & PI_STATUS_GID);
	pi_jw_key(w, "nspid");
	if (st->have & PI_STATUS_NSPID) {
		pi_jw_array(w);
		for (unsigned i = 0; i < st->nspid_levels; i++)
			pi_jw_i64(w, st->nspid[i]);
		pi_jw_array_end(w);
	} else {
		pi_jw_null(w);
	}
	pi_jw_kseconds(w, "start_time", p->start_time);
	pi_jw_kseconds(w, "age_seconds", p->age_seconds);
	pi_json_strings(w, "cgroup", &p->cgroup, !p->cgroup_err);
	/* The row of the architecture table (src/arch) names it; x32 has none. */
	const struct pi_arch *a = p->arch ? p->arch : pi_abi_arch(p->abi, true);
	pi_jw_kstring(w, "abi", !p->abi_known ? NULL : a ? a->name : "x32");
}

static void scheduling(struct pi_jw *w, const struct pi_process *p)
{
	const struct pi_stat *s = &p->stat;
	const struct pi_thread *main = pi_process_main_thread(p);
	const char *policy = pi_policy_name(s->policy);

	pi_jw_key(w, "scheduling");
	pi_jw_object(w);
	pi_jw_key(w, "policy");
	if (policy)
		pi_jw_string(w, policy);
	else
		pi_jw_u64(w, s->policy);
	pi_jw_ki64(w, "nice", s->nice);
	pi_jw_ki64(w, "priority", s->priority);
	pi_jw_ku64(w, "rt_priority", s->rt_priority);
	pi_jw_ki64(w, "last_cpu", s->processor);
	pi_jw_kstring(w, "allowed_cpus", (p->status.have & PI_STATUS_CPUS) ? p->status.cpus_allowed_list : NULL);
	pi_jw_kseconds(w, "utime_seconds", pi_json_ticks(p, s->utime));
	pi_jw_kseconds(w, "stime_seconds", pi_json_ticks(p, s->stime));
	bool ss = main && !main->schedstat_err;
	pi_jw_kseconds(w, "run_seconds", ss ? (double)main->schedstat.run_ns / 1e9 : -1);
	pi_jw_kseconds(w, "runqueue_wait_seconds", ss ? (double)main->schedstat.wait_ns / 1e9 : -1);
	pi_jw_key(w, "timeslices");
	ss ? pi_jw_u64(w, main->schedstat.timeslices) : pi_jw_null(w);
	pi_jw_key(w, "migrations");
	if (main && !main->sched_err && (main->sched.have & PI_SCHED_MIGRATIONS))
		pi_jw_u64(w, main->sched.nr_migrations);
	else
		pi_jw_null(w);
	pi_jw_key(w, "voluntary_ctxt_switches");
	p->ctxt_threads ? pi_jw_u64(w, p->voluntary_ctxt_switches) : pi_jw_null(w);
	pi_jw_key(w, "nonvoluntary_ctxt_switches");
	p->ctxt_threads ? pi_jw_u64(w, p->nonvoluntary_ctxt_switches) : pi_jw_null(w);
	pi_jw_kseconds(w, "off_cpu_seconds", main && pi_fact_known(&main->facts, PI_FACT_OFF_CPU) ? main->facts.off_cpu_seconds : -1);
	pi_jw_object_end(w);
}

static void signals(struct pi_jw *w, const struct pi_process *p)
{
	const struct pi_status *st = &p->status;
	pi_jw_key(w, "signals");
	if (p->status_err || !(st->have & PI_STATUS_SIGMASKS)) {
		pi_jw_null(w);
		return;
	}
	pi_jw_object(w);
	pi_json_signals(w, "pending", st->sig_pending, true);
	pi_json_signals(w, "shared_pending", st->sig_shared_pending, true);
	pi_json_signals(w, "blocked", st->sig_blocked, true);
	pi_json_signals(w, "ignored", st->sig_ignored, true);
	pi_json_signals(w, "caught", st->sig_caught, true);
	pi_jw_object_end(w);
}

static void memory(struct pi_jw *w, const struct pi_process *p)
{
	const struct pi_status_vm *vm = &p->status.vm;

	pi_jw_key(w, "memory");
	if (p->status_err || !(p->status.have & PI_STATUS_VM)) {
		pi_jw_null(w);
	} else {
		pi_jw_object(w);
		pi_jw_ku64(w, "rss_bytes", vm->rss);
		pi_jw_ku64(w, "rss_anon_bytes", vm->rss_anon);
		pi_jw_ku64(w, "rss_file_bytes", vm->rss_file);
		pi_jw_ku64(w, "rss_shmem_bytes", vm->rss_shmem);
		pi_jw_ku64(w, "rss_peak_bytes", vm->hwm);
		pi_jw_ku64(w, "vm_size_bytes", vm->size);
		pi_jw_ku64(w, "vm_peak_bytes", vm->peak);
		pi_jw_ku64(w, "data_bytes", vm->data);
		pi_jw_ku64(w, "stack_bytes", vm->stack);
		pi_jw_ku64(w, "exe_bytes", vm->exe);
		pi_jw_ku64(w, "lib_bytes", vm->lib);
		pi_jw_ku64(w, "locked_bytes", vm->locked);
		pi_jw_ku64(w, "page_tables_bytes", vm->pte);
		pi_jw_ku64(w, "swap_bytes", vm->swap);
		pi_jw_object_end(w);
	}

	pi_jw_key(w, "maps");
	if (p->maps_err) {
		pi_jw_null(w);
	} else {
		pi_jw_array(w);
		for (size_t i = 0; i < p->nvmas; i++) {
			const struct pi_vma *v = &p->vmas[i];
			char dev[24];
			snprintf(dev, sizeof dev, "%02x:%02x", v->dev_major, v->dev_minor);
			pi_jw_object(w);
			pi_jw_ku64(w, "start", v->start);
			pi_jw_ku64(w, "end", v->end);
			pi_jw_kstring(w, "perms", v->perms);
			pi_jw_ku64(w, "offset", v->offset);
			pi_jw_kstring(w, "dev", dev);
			pi_jw_ku64(w, "inode", v->inode);
			pi_jw_kstring(w, "path", v->path);
			pi_jw_kbool(w, "deleted", v->deleted);
			pi_jw_kstring(w, "kind", pi_vma_kind_name(v->kind));
			pi_jw_key(w, "rss_bytes");
			v->have_smaps ? pi_jw_u64(w, v->rss) : pi_jw_null(w);
			pi_jw_key(w, "pss_bytes");
			v->have_smaps ? pi_jw_u64(w, v->pss) : pi_jw_null(w);
			pi_jw_key(w, "swap_bytes");
			v->have_smaps ? pi_jw_u64(w, v->swap) : pi_jw_null(w);
			pi_jw_key(w, "stack_tid");
			v->stack_tid ? pi_jw_i64(w, v->stack_tid) : pi_jw_null(w);
			pi_jw_key(w, "vmflags");
			if (v->have_smaps) {
				pi_jw_array(w);
				for (int k = 0; pi_vmflag_names[k]; k++)
					if (v->vmflags & (1ULL << k))
						pi_jw_string(w, pi_vmflag_names[k]);
				pi_jw_array_end(w);
			} else {
				pi_jw_null(w);
			}
			pi_jw_object_end(w);
		}
		pi_jw_array_end(w);
	}

	const struct pi_vdso *vd = &p->vdso;
	pi_jw_key(w, "vdso");
	if (!vd->start) {
		pi_jw_null(w);
	} else {
		pi_jw_object(w);
		pi_jw_ku64(w, "start", vd->start);
		pi_jw_ku64(w, "end", vd->end);
		pi_jw_key(w, "auxv_sysinfo_ehdr");
		if (!p->auxv_err && p->auxv.have_sysinfo_ehdr)
			pi_jw_u64(w, p->auxv.sysinfo_ehdr);
		else
			pi_jw_null(w);
		pi_jw_kbool(w, "matches_auxv", vd->auxv_matches);
		pi_json_strings(w, "symbols", &vd->symbols, !vd->err);
		pi_jw_kstring(w, "build_id", vd->err || !vd->build_id[0] ? NULL : vd->build_id);
		pi_jw_kstring(w, "soname", vd->err || !vd->soname[0] ? NULL : vd->soname);
		pi_jw_object_end(w);
	}
	pi_jw_kstring(w, "vsyscall", p->vsyscall == PI_VSYSCALL_UNKNOWN ? NULL
				     : pi_vsyscall_mode_name(p->vsyscall));
}

void pi_json_finding_keys(struct pi_jw *w, const struct pi_finding *f)
{
	char see[64];
	snprintf(see, sizeof see, "pinspect(1) %s", pi_finding_see(f->kind));
	pi_jw_kstring(w, "kind", pi_finding_kind_name(f->kind));
	pi_jw_ki64(w, "pid", f->pid);
	pi_jw_key(w, "tid");
	f->tid ? pi_jw_i64(w, f->tid) : pi_jw_null(w);
	pi_jw_kstring(w, "message", f->message);
	pi_jw_kstring(w, "see", see);
	pi_jw_kseconds(w, "seconds", f->seconds);
	pi_jw_key(w, "pids");
	pi_jw_array(w);
	for (size_t i = 0; i < f->npids; i++)
		pi_jw_i64(w, f->pids[i]);
	pi_jw_array_end(w);
}

void pi_json_finding(struct pi_jw *w, const struct pi_finding *f)
{
	pi_jw_object(w);
	pi_json_finding_keys(w, f);
	pi_jw_object_end(w);
}

static void tls_modules(struct pi_jw *w, const struct pi_process *p)
{
	pi_jw_key(w, "tls_modules");
	if (!p->stacks_collected || p->stacks_err) {
		pi_jw_null(w);
		return;
	}
	pi_jw_array(w);
	for (size_t i = 0; i < p->ntls_modules; i++) {
		const struct pi_tls_module *m = &p->tls_modules[i];
		pi_jw_object(w);
		pi_jw_kstring(w, "path", m->path);
		pi_jw_ku64(w, "size", m->size);
		pi_jw_ku64(w, "init_size", m->init_size);
		pi_jw_ku64(w, "align", m->align);
		pi_jw_object_end(w);
	}
	pi_jw_array_end(w);
}

/* "python": null, or the CPython interpreter read (collect/stack_python.h). */
static void python_json(struct pi_jw *w, const struct pi_process *p)
{
	const struct pi_python_runtime *py = &p->python;
	pi_jw_key(w, "python");
	if (!py->read) {
		pi_jw_null(w);
		return;
	}
	pi_jw_object(w);
	pi_jw_kstring(w, "version", py->version);
	pi_jw_kstring(w, "layout", py->layout);
	pi_jw_kstring(w, "error", py->err ? pi_reason_key(py->err, NULL) : NULL);
	pi_jw_key(w, "threads");
	py->err && py->err != -PI_ERR_TIMEOUT ? pi_jw_null(w) : pi_jw_u64(w, py->nthreads);
	pi_jw_kbool(w, "gil_known", py->gil_known);
	pi_jw_key(w, "gil_holder_tid");
	py->gil_known && py->gil_tid ? pi_jw_i64(w, py->gil_tid) : pi_jw_null(w);
	/* Subinterpreters (3.12+ may give one a GIL of its own): how many
	 * interpreters and GILs, and every thread holding one. */
	pi_jw_ku64(w, "interpreters", py->ninterpreters);
	pi_jw_key(w, "gils");
	py->gil_known ? pi_jw_u64(w, py->ngils) : pi_jw_null(w);
	pi_jw_key(w, "gil_holder_tids");
	pi_jw_array(w);
	for (size_t i = 0; py->gil_known && i < p->nthreads; i++)
		if (p->threads[i].holds_gil)
			pi_jw_i64(w, p->threads[i].facts.tid);
	pi_jw_array_end(w);
	pi_jw_object_end(w);
}

void pi_render_json(struct pi_jw *w, const struct pi_process *p)
{
	pi_jw_object(w);
	pi_jw_ki64(w, "schema_version", PI_JSON_SCHEMA_VERSION);
	pi_jw_kseconds(w, "snapshot_time", p->realtime_seconds);
	identity(w, p);
	/* pinspect TID: the thread asked for; null for a PID. */
	pi_jw_key(w, "selected_tid");
	p->selected_tid ? pi_jw_i64(w, p->selected_tid) : pi_jw_null(w);
	pi_json_state(w, "state", p->stat.state);
	pi_jw_key(w, "tracer_pid");
	p->status_err ? pi_jw_null(w) : pi_jw_i64(w, p->tracer_pid);
	pi_jw_kstring(w, "tracer_comm", p->tracer_comm);
	pi_jw_kseconds(w, "hung_after_seconds", p->hung_after_seconds);
	pi_jw_key(w, "hung_task_timeout_secs");
	p->hung_task_timeout_secs >= 0 ? pi_jw_i64(w, p->hung_task_timeout_secs) : pi_jw_null(w);
	scheduling(w, p);
	signals(w, p);
	memory(w, p);
	tls_modules(w, p);
	pi_jw_kseconds(w, "stacks_held_seconds", p->held_us > 0 ? p->held_us / 1e6 : -1);
	pi_jw_key(w, "held_locks");
	if (!p->locks_collected) {
		pi_jw_null(w);
	} else {
		pi_jw_array(w);
		for (size_t i = 0; i < p->nheld_locks; i++) {
			const struct pi_held_lock *h = &p->held_locks[i];
			pi_jw_object(w);
			pi_jw_ku64(w, "address", h->addr);
			pi_jw_kstring(w, "symbol", h->symbol);
			pi_jw_ki64(w, "owner_tid", h->owner);
			pi_jw_kbool(w, "priority_inheritance", h->pi);
			pi_jw_ku64(w, "depth", h->depth);
			pi_jw_object_end(w);
		}
		pi_jw_array_end(w);
	}
	pi_json_locks_wanted(w, p);
	pi_json_threads(w, p);

	pi_json_stack_groups(w, p);
	pi_json_go(w, p);
	python_json(w, p);

	pi_jw_key(w, "findings");
	pi_jw_array(w);
	for (size_t i = 0; i < p->nfindings; i++)
		pi_json_finding(w, &p->findings[i]);
	pi_jw_array_end(w);

	pi_jw_key(w, "unavailable");
	pi_jw_array(w);
	for (size_t i = 0; i < p->nunavailable; i++) {
		const struct pi_unavailable *u = &p->unavailable[i];
		pi_jw_object(w);
		pi_jw_kstring(w, "item", u->item);
		pi_jw_key(w, "tid");
		u->tid ? pi_jw_i64(w, u->tid) : pi_jw_null(w);
		pi_jw_kbool(w, "all_threads", u->all_threads);
		pi_jw_kstring(w, "code", u->code);
		pi_jw_kstring(w, "reason", u->reason);
		pi_jw_object_end(w);
	}
	pi_jw_array_end(w);
	pi_jw_object_end(w);
}
