#include "render/go.h"

#include <inttypes.h>
#include <stdlib.h>

#include "render/text_util.h"
#include "runtime/goroutines.h"
#include "util/xalloc.h"

/* Goroutines shown by ID in a group's line before "and N more". */
enum { IDS_SHOWN = 8 };

/* The groups' first goroutines, biggest group first (ties: in the
 * runtime's order), sorted once: a hostile runtime may list 100,000
 * goroutines each with a stack of its own. */
static int bigger_group_first(const void *a, const void *b, void *arg)
{
	const struct pi_go_runtime *sorting = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	size_t sx = sorting->goroutines[x].group_size, sy = sorting->goroutines[y].group_size;
	if (sx != sy)
		return sx > sy ? -1 : 1;
	return x < y ? -1 : x > y;
}

static size_t *groups_by_size(const struct pi_go_runtime *go, size_t *n)
{
	size_t *idx = pi_xcalloc(go->ngoroutines + 1, sizeof *idx);
	*n = 0;
	for (size_t i = 0; i < go->ngoroutines; i++)
		if (go->goroutines[i].group == i)
			idx[(*n)++] = i;
	if (*n > 1)
		qsort_r(idx, *n, sizeof *idx, bigger_group_first, (void *)go);
	return idx;
}

/* Each goroutine's next in its group (SIZE_MAX: the last), so that a
 * group's members are visited without a pass over all goroutines. */
static size_t *group_links(const struct pi_go_runtime *go)
{
	size_t n = go->ngoroutines;
	size_t *next = pi_xcalloc(n + 1, sizeof *next);
	size_t *last = pi_xcalloc(n + 1, sizeof *last);	/* index + 1 of a group's last so far */
	for (size_t i = 0; i < n; i++) {
		next[i] = SIZE_MAX;
		size_t g = go->goroutines[i].group;
		if (g >= n)
			continue;
		if (last[g])
			next[last[g] - 1] = i;
		last[g] = i + 1;
	}
	free(last);
	return next;
}

static void wait_of(struct pi_buf *b, const struct pi_goroutine *g)
{
	const char *status = pi_go_status_name(g->status);
	if (g->wait_reason)
		put_escaped(b, g->wait_reason);
	else
		pi_buf_puts(b, status ? status : "?");
	if (g->wait_seconds >= 0)
		pi_buf_printf(b, ", %.0f s", g->wait_seconds);
}

void pi_text_goroutines(struct pi_buf *b, const struct pi_process *p, bool with_stacks)
{
	const struct pi_go_runtime *go = &p->go;
	/* Those read before the budget ran out are shown; UNAVAILABLE says
	 * the rest were not. */
	if (!go->read || !go->ngoroutines)
		return;
	size_t ngroups;
	size_t *groups = groups_by_size(go, &ngroups);
	size_t *next = group_links(go);
	pi_buf_printf(b, "\n  GOROUTINES    %zu (of %zu in runtime.allgs), %zu stack%s", go->ngoroutines,
		      go->total, ngroups, ngroups == 1 ? "" : "s");
	if (go->version) {
		pi_buf_puts(b, "; ");
		put_escaped(b, go->version);
	}
	if (go->layout) {
		pi_buf_puts(b, ", runtime.g from ");
		put_escaped(b, go->layout);
	}
	pi_buf_putc(b, '\n');
	for (size_t k = 0; k < ngroups; k++) {
		const struct pi_goroutine *first = &go->goroutines[groups[k]];
		pi_buf_printf(b, "  %zu goroutine%s: ", first->group_size, first->group_size == 1 ? "" : "s");
		size_t shown = 0;
		for (size_t i = groups[k]; i < go->ngoroutines && shown < IDS_SHOWN; i = next[i]) {
			const struct pi_goroutine *g = &go->goroutines[i];
			pi_buf_printf(b, "%s%" PRIu64 " [", shown ? ", " : "", g->goid);
			wait_of(b, g);
			pi_buf_putc(b, ']');
			shown++;
		}
		if (first->group_size > shown)
			pi_buf_printf(b, " and %zu more", first->group_size - shown);
		pi_buf_putc(b, '\n');
		if (!with_stacks)
			continue;
		for (size_t i = 0; i < first->nframes; i++) {
			const struct pi_user_frame *f = &go->frames[first->first_frame + i];
			pi_buf_printf(b, "           #%-3zu 0x%016" PRIx64 " ", i, f->pc);
			if (f->function)
				put_escaped(b, f->function);
			else
				pi_buf_puts(b, "??");
			if (f->file) {
				pi_buf_puts(b, "  ");
				put_escaped(b, f->file);
				if (f->line)
					pi_buf_printf(b, ":%d", f->line);
			}
			if (f->inlined)
				pi_buf_puts(b, " [inlined]");
			pi_buf_putc(b, '\n');
		}
		if (first->truncated_reason) {
			pi_buf_puts(b, "           cut short: ");
			put_escaped(b, first->truncated_reason);
			pi_buf_putc(b, '\n');
		}
	}
	free(next);
	free(groups);
}

void pi_json_go(struct pi_jw *w, const struct pi_process *p)
{
	const struct pi_go_runtime *go = &p->go;
	pi_jw_key(w, "go");
	if (!go->read) {
		pi_jw_null(w);
		return;
	}
	pi_jw_object(w);
	pi_jw_kstring(w, "version", go->version);
	pi_jw_kstring(w, "layout", go->layout);
	pi_jw_key(w, "timers");
	go->timers >= 0 ? pi_jw_i64(w, go->timers) : pi_jw_null(w);
	pi_jw_key(w, "goroutines_total");
	go->err && !go->ngoroutines ? pi_jw_null(w) : pi_jw_u64(w, go->total);
	pi_jw_key(w, "goroutines");
	if (go->err && !go->ngoroutines) {
		pi_jw_null(w);
	} else {
		pi_jw_array(w);
		for (size_t i = 0; i < go->ngoroutines; i++) {
			const struct pi_goroutine *g = &go->goroutines[i];
			pi_jw_object(w);
			pi_jw_ku64(w, "goid", g->goid);
			pi_jw_kstring(w, "status", pi_go_status_name(g->status));
			pi_jw_kstring(w, "wait_reason", g->wait_reason);
			pi_jw_key(w, "wait_seconds");
			g->wait_seconds >= 0 ? pi_jw_number(w, g->wait_seconds, 3) : pi_jw_null(w);
			pi_jw_ku64(w, "group", go->goroutines[g->group].goid);
			pi_jw_key(w, "stack");
			pi_jw_array(w);
			for (size_t k = 0; k < g->nframes; k++) {
				const struct pi_user_frame *f = &go->frames[g->first_frame + k];
				pi_jw_object(w);
				pi_jw_ku64(w, "pc", f->pc);
				pi_jw_kstring(w, "function", f->function);
				pi_jw_kstring(w, "file", f->file);
				pi_jw_key(w, "line");
				f->line ? pi_jw_i64(w, f->line) : pi_jw_null(w);
				pi_jw_kstring(w, "language", "go");
				pi_jw_kbool(w, "inline", f->inlined);
				pi_jw_object_end(w);
			}
			pi_jw_array_end(w);
			pi_jw_kstring(w, "truncated_reason", g->truncated_reason);
			pi_jw_object_end(w);
		}
		pi_jw_array_end(w);
	}
	pi_jw_key(w, "groups");
	pi_jw_array(w);
	size_t ngroups = 0;
	size_t *groups = groups_by_size(go, &ngroups);
	size_t *next = group_links(go);
	for (size_t k = 0; k < ngroups; k++) {
		const struct pi_goroutine *first = &go->goroutines[groups[k]];
		pi_jw_object(w);
		pi_jw_ku64(w, "count", first->group_size);
		pi_jw_key(w, "goids");
		pi_jw_array(w);
		for (size_t i = groups[k]; i < go->ngoroutines; i = next[i])
			pi_jw_u64(w, go->goroutines[i].goid);
		pi_jw_array_end(w);
		pi_jw_object_end(w);
	}
	free(next);
	free(groups);
	pi_jw_array_end(w);
	pi_jw_object_end(w);
}
