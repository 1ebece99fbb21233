#include "render/sample.h"

#include <stdlib.h>
#include <string.h>

#include "render/json.h"
#include "util/escape.h"
#include "util/xalloc.h"

enum {
	TOP_STACKS = 10,	/* the hottest stacks of each state */
	TOP_GROUP_STACKS = 5,	/* of each thread group */
	TOP_WAITS = 10,
	FRAMES_SHOWN = 8,	/* innermost frames a text line shows */
};

static const char *state_words(enum pi_sampled_state s)
{
	switch (s) {
	case PI_SAMPLED_ON_CPU:
		return "on CPU";
	case PI_SAMPLED_D:
		return "in D";
	case PI_SAMPLED_OFF_CPU:
	default:
		return "off CPU";
	}
}

static double share(size_t n, size_t total)
{
	return total ? 100.0 * (double)n / (double)total : 0;
}

static void esc(struct pi_buf *b, const char *s)
{
	if (!s || !*s) {
		pi_buf_puts(b, "?");
		return;
	}
	pi_escape_text(b, s, strlen(s));
}

/* "futex_wait_queue / futex": where a thread off the CPU waited. */
static void wait_label(struct pi_buf *b, const struct pi_profile_stack *s)
{
	esc(b, s->wchan);
	pi_buf_puts(b, " / ");
	if (*s->syscall)
		esc(b, s->syscall);
	else
		pi_buf_puts(b, "no system call");
}

static void stack_text(struct pi_buf *b, const struct pi_profile_stack *s, bool full)
{
	size_t shown = full || s->nframes <= FRAMES_SHOWN ? s->nframes : FRAMES_SHOWN;
	if (s->state != PI_SAMPLED_ON_CPU) {
		pi_buf_putc(b, '[');
		wait_label(b, s);
		pi_buf_puts(b, "] ");
	}
	for (size_t i = 0; i < shown; i++) {
		if (i)
			pi_buf_puts(b, " <- ");
		esc(b, s->frames[i]);
	}
	if (shown < s->nframes)
		pi_buf_printf(b, " <- ... (%zu more)", s->nframes - shown);
}

static void stack_line(struct pi_buf *b, const struct pi_profile_stack *s, size_t total, bool full,
		       const char *indent)
{
	pi_buf_printf(b, "%s%6.1f%% %6zu  ", indent, share(s->count, total), s->count);
	struct pi_buf name = PI_BUF_INIT;
	esc(&name, s->comm);
	pi_buf_printf(b, "%-15s ", name.data);
	pi_buf_free(&name);
	stack_text(b, s, full);
	pi_buf_putc(b, '\n');
}

/* Samples off the CPU, by wait channel and system call. */
struct wait_total {
	const struct pi_profile_stack *first;
	size_t count;
};

static int by_wait_count(const void *x, const void *y)
{
	const struct wait_total *a = x, *b = y;
	return a->count != b->count ? (a->count < b->count ? 1 : -1) : 0;
}

static void off_cpu_waits(struct pi_buf *b, const struct pi_sample_run *run,
			  const struct pi_profile_stack **sorted, bool full)
{
	const struct pi_profile *p = &run->profile;
	struct wait_total *w = pi_xcalloc(p->nstacks ? p->nstacks : 1, sizeof *w);
	size_t n = 0;
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct pi_profile_stack *s = sorted[i];
		if (s->state != PI_SAMPLED_OFF_CPU)
			continue;
		size_t j;
		for (j = 0; j < n; j++)
			if (strcmp(w[j].first->wchan, s->wchan) == 0 && strcmp(w[j].first->syscall, s->syscall) == 0)
				break;
		if (j == n)
			w[n++] = (struct wait_total){ .first = s };
		w[j].count += s->count;
	}
	qsort(w, n, sizeof *w, by_wait_count);
	pi_buf_puts(b, "\nOFF CPU: by wait channel / system call\n");
	if (!n)
		pi_buf_puts(b, "  (no sample)\n");
	for (size_t j = 0; j < n && (full || j < TOP_WAITS); j++) {
		pi_buf_printf(b, "  %6.1f%% %6zu  ", share(w[j].count, p->samples), w[j].count);
		wait_label(b, w[j].first);
		pi_buf_putc(b, '\n');
	}
	if (!full && n > TOP_WAITS)
		pi_buf_printf(b, "  ... %zu more (--full shows them)\n", n - TOP_WAITS);
	free(w);
}

static void state_stacks(struct pi_buf *b, const struct pi_sample_run *run,
			 const struct pi_profile_stack **sorted, enum pi_sampled_state state, bool full)
{
	const struct pi_profile *p = &run->profile;
	size_t shown = 0, more = 0;
	pi_buf_printf(b, "\n%s: hottest stacks (share of all thread samples)\n",
		      state == PI_SAMPLED_ON_CPU ? "ON CPU" : state == PI_SAMPLED_D ? "IN D" : "OFF CPU");
	for (size_t i = 0; i < p->nstacks; i++) {
		if (sorted[i]->state != state)
			continue;
		if (full || shown < TOP_STACKS) {
			stack_line(b, sorted[i], p->samples, full, "  ");
			shown++;
		} else {
			more++;
		}
	}
	if (!shown)
		pi_buf_puts(b, "  (no sample)\n");
	if (more)
		pi_buf_printf(b, "  ... %zu more stacks (--full shows them)\n", more);
}

static void thread_groups(struct pi_buf *b, const struct pi_sample_run *run,
			  const struct pi_profile_stack **sorted, bool full)
{
	const struct pi_profile *p = &run->profile;
	bool *done = pi_xcalloc(p->nthreads ? p->nthreads : 1, sizeof *done);
	pi_buf_puts(b, "\nBY THREAD GROUP (threads of the same name; shares of the group's samples)\n");
	for (size_t i = 0; i < p->nthreads; i++) {
		if (done[i])
			continue;
		const char *comm = p->threads[i].comm;
		size_t nthreads = 0, samples = 0, by[PI_SAMPLED_NSTATES] = { 0 };
		for (size_t j = i; j < p->nthreads; j++) {
			if (strcmp(p->threads[j].comm, comm) != 0)
				continue;
			done[j] = true;
			nthreads++;
			samples += p->threads[j].samples;
			for (int s = 0; s < PI_SAMPLED_NSTATES; s++)
				by[s] += p->threads[j].by_state[s];
		}
		pi_buf_puts(b, "  ");
		esc(b, comm);
		pi_buf_printf(b, " (%zu thread%s, %zu samples): on CPU %.1f%%, off CPU %.1f%%, in D %.1f%%\n",
			      nthreads, nthreads == 1 ? "" : "s", samples, share(by[PI_SAMPLED_ON_CPU], samples),
			      share(by[PI_SAMPLED_OFF_CPU], samples), share(by[PI_SAMPLED_D], samples));
		size_t shown = 0;
		for (size_t k = 0; k < p->nstacks && (full || shown < TOP_GROUP_STACKS); k++) {
			const struct pi_profile_stack *s = sorted[k];
			if (strcmp(s->comm, comm) != 0)
				continue;
			pi_buf_printf(b, "    %6.1f%% %6zu  %-7s ", share(s->count, samples), s->count,
				      state_words(s->state));
			stack_text(b, s, full);
			pi_buf_putc(b, '\n');
			shown++;
		}
	}
	free(done);
}

static void held(struct pi_buf *b, const struct pi_sample_run *run)
{
	const struct pi_profile *p = &run->profile;
	size_t stops = 0;
	double total = 0, longest = 0;
	for (size_t i = 0; i < p->nthreads; i++) {
		stops += p->threads[i].stops;
		total += p->threads[i].held_us;
		if (p->threads[i].longest_stop_us > longest)
			longest = p->threads[i].longest_stop_us;
	}
	pi_buf_puts(b, "\nTHREADS HELD\n");
	if (run->perf_err)
		pi_buf_printf(b, "  perf events were denied (%s): %s\n", strerror(-run->perf_err),
			      run->stops_allowed ? "threads seen running were stopped for their registers instead"
						 : "--no-ptrace: threads seen running got no user stack");
	if (!stops) {
		pi_buf_puts(b, "  none: 0 us in all (running threads sampled with perf events, blocked ones\n"
			       "  copied while they waited)\n");
		return;
	}
	pi_buf_printf(b, "  %zu stops, %.0f us in all, the longest %.0f us\n", stops, total, longest);
	pi_buf_puts(b, "  TID      NAME             STOPS   HELD (us)  LONGEST (us)\n");
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct pi_profile_thread *t = &p->threads[i];
		struct pi_buf name = PI_BUF_INIT;
		esc(&name, t->comm);
		pi_buf_printf(b, "  %-8d %-16s %5zu %11.0f %13.0f\n", (int)t->tid, name.data, t->stops, t->held_us,
			      t->longest_stop_us);
		pi_buf_free(&name);
	}
}

void pi_render_sample_text(struct pi_buf *b, const struct pi_sample_run *run, bool full)
{
	const struct pi_profile *p = &run->profile;
	pi_buf_printf(b, "pinspect: process %d (", (int)run->pid);
	esc(b, run->comm);
	pi_buf_printf(b, ") sampled for %.1f s at %g Hz: %zu ticks of %zu asked, %zu thread samples\n",
		      run->seconds_taken, run->rate_hz, p->ticks, run->ticks_asked, p->samples);
	if (run->end == PI_SAMPLE_INTERRUPTED)
		pi_buf_puts(b, "  ended early (interrupted): the report covers the ticks taken\n");
	else if (run->end == PI_SAMPLE_TARGET_EXITED)
		pi_buf_printf(b, "  the process exited (or could no longer be read: %s) after %.1f s: the report "
			      "covers the ticks taken\n", strerror(-run->end_err), run->seconds_taken);
	if (p->dropped)
		pi_buf_printf(b, "  %zu samples of stacks beyond the first %d distinct ones are counted in the "
			      "totals only\n", p->dropped, PI_PROFILE_MAX_STACKS);

	pi_buf_puts(b, "\nWHERE THE TIME WENT (each sample is one thread at one tick)\n");
	for (int s = 0; s < PI_SAMPLED_NSTATES; s++)
		pi_buf_printf(b, "  %-8s %6.1f%% %6zu\n", state_words((enum pi_sampled_state)s),
			      share(p->by_state[s], p->samples), p->by_state[s]);
	held(b, run);

	const struct pi_profile_stack **sorted = pi_profile_sorted(p);
	state_stacks(b, run, sorted, PI_SAMPLED_ON_CPU, full);
	off_cpu_waits(b, run, sorted, full);
	state_stacks(b, run, sorted, PI_SAMPLED_OFF_CPU, full);
	state_stacks(b, run, sorted, PI_SAMPLED_D, full);
	thread_groups(b, run, sorted, full);
	free(sorted);
}

/* A folded frame: escaped, and with no ';' (the separator) and no
 * newline; spaces stay (the count is after the last one). */
static void folded_name(struct pi_buf *b, const char *s, const char *suffix)
{
	size_t from = b->len;
	if (!s || !*s)
		pi_buf_puts(b, "[unknown]");
	else
		pi_escape_text(b, s, strlen(s));
	for (size_t i = from; i < b->len; i++)
		if (b->data[i] == ';')
			b->data[i] = ':';
	if (suffix)
		pi_buf_puts(b, suffix);
}

void pi_render_sample_folded(struct pi_buf *b, const struct pi_sample_run *run)
{
	const struct pi_profile *p = &run->profile;
	const struct pi_profile_stack **sorted = pi_profile_sorted(p);
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct pi_profile_stack *s = sorted[i];
		folded_name(b, s->comm, NULL);
		for (size_t k = s->nframes; k-- > 0;) {
			pi_buf_putc(b, ';');
			folded_name(b, s->frames[k], NULL);
		}
		for (size_t k = s->nkframes; k-- > 0;) {
			pi_buf_putc(b, ';');
			folded_name(b, s->kframes[k], "_[k]");
		}
		if (s->state != PI_SAMPLED_ON_CPU) {
			pi_buf_puts(b, s->state == PI_SAMPLED_D ? ";[D:" : ";[off-cpu:");
			size_t from = b->len;
			folded_name(b, *s->wchan ? s->wchan : *s->syscall ? s->syscall : "unknown", NULL);
			for (size_t k = from; k < b->len; k++)
				if (b->data[k] == ' ')
					b->data[k] = '_';
			pi_buf_putc(b, ']');
		}
		pi_buf_printf(b, " %zu\n", s->count);
	}
	free(sorted);
}

static void string_list(struct pi_jw *w, const char *key, char **v, size_t n)
{
	pi_jw_key(w, key);
	pi_jw_array(w);
	for (size_t i = 0; i < n; i++)
		pi_jw_string(w, v[i]);
	pi_jw_array_end(w);
}

static void nonempty_string(struct pi_jw *w, const char *key, const char *s)
{
	if (*s)
		pi_jw_kstring(w, key, s);
	else
		pi_jw_knull(w, key);
}

static const char *end_key(enum pi_sample_end e)
{
	switch (e) {
	case PI_SAMPLE_INTERRUPTED:
		return "interrupted";
	case PI_SAMPLE_TARGET_EXITED:
		return "process_exited";
	case PI_SAMPLE_COMPLETED:
	default:
		return "completed";
	}
}

void pi_render_sample_json(struct pi_jw *w, const struct pi_sample_run *run)
{
	const struct pi_profile *p = &run->profile;
	pi_jw_object(w);
	pi_jw_ki64(w, "schema_version", PI_JSON_SCHEMA_VERSION);
	pi_jw_ki64(w, "pid", run->pid);
	pi_jw_kstring(w, "comm", run->comm);
	pi_jw_key(w, "seconds_asked");
	pi_jw_number(w, run->seconds_asked, 3);
	pi_jw_key(w, "seconds");
	pi_jw_number(w, run->seconds_taken, 3);
	pi_jw_key(w, "rate_hz");
	pi_jw_number(w, run->rate_hz, 3);
	pi_jw_ku64(w, "ticks_asked", run->ticks_asked);
	pi_jw_ku64(w, "ticks", p->ticks);
	pi_jw_ku64(w, "samples", p->samples);
	pi_jw_kstring(w, "ended", end_key(run->end));
	pi_jw_key(w, "by_state");
	pi_jw_object(w);
	for (int s = 0; s < PI_SAMPLED_NSTATES; s++)
		pi_jw_ku64(w, pi_sampled_state_key((enum pi_sampled_state)s), p->by_state[s]);
	pi_jw_object_end(w);
	pi_jw_ku64(w, "samples_of_dropped_stacks", p->dropped);
	if (run->perf_err)
		pi_jw_kstring(w, "perf_denied", strerror(-run->perf_err));
	else
		pi_jw_knull(w, "perf_denied");

	pi_jw_key(w, "threads");
	pi_jw_array(w);
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct pi_profile_thread *t = &p->threads[i];
		pi_jw_object(w);
		pi_jw_ki64(w, "tid", t->tid);
		pi_jw_kstring(w, "comm", t->comm);
		pi_jw_ku64(w, "samples", t->samples);
		pi_jw_key(w, "by_state");
		pi_jw_object(w);
		for (int s = 0; s < PI_SAMPLED_NSTATES; s++)
			pi_jw_ku64(w, pi_sampled_state_key((enum pi_sampled_state)s), t->by_state[s]);
		pi_jw_object_end(w);
		pi_jw_ku64(w, "stops", t->stops);
		pi_jw_key(w, "held_us");
		pi_jw_number(w, t->held_us, 1);
		pi_jw_key(w, "longest_stop_us");
		pi_jw_number(w, t->longest_stop_us, 1);
		pi_jw_object_end(w);
	}
	pi_jw_array_end(w);

	const struct pi_profile_stack **sorted = pi_profile_sorted(p);
	pi_jw_key(w, "stacks");
	pi_jw_array(w);
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct pi_profile_stack *s = sorted[i];
		pi_jw_object(w);
		pi_jw_ku64(w, "count", s->count);
		pi_jw_key(w, "share");
		pi_jw_number(w, p->samples ? (double)s->count / (double)p->samples : 0, 4);
		pi_jw_kstring(w, "state", pi_sampled_state_key(s->state));
		pi_jw_kstring(w, "comm", s->comm);
		nonempty_string(w, "wchan", s->wchan);
		nonempty_string(w, "syscall", s->syscall);
		string_list(w, "frames", s->frames, s->nframes);
		string_list(w, "kernel_frames", s->kframes, s->nkframes);
		pi_jw_object_end(w);
	}
	pi_jw_array_end(w);
	free(sorted);
	pi_jw_object_end(w);
}
