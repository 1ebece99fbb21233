/* go — a Go program's goroutines (model: struct pi_go_runtime), in the
 * text snapshot (under THREADS, with its stacks) and in JSON ("go"). */
#ifndef PI_RENDER_GO_H
#define PI_RENDER_GO_H

#include <stdbool.h>

#include "model.h"
#include "render/jsonw.h"
#include "util/buf.h"

/* GOROUTINES: how many, then each group of goroutines with the same
 * stack, biggest first, its wait reasons and the stack; with_stacks:
 * the frames too. Nothing when none were read. */
void pi_text_goroutines(struct pi_buf *b, const struct pi_process *p, bool with_stacks);

/* "go": null, or {version, layout, goroutines_total, goroutines[], groups[]}. */
void pi_json_go(struct pi_jw *w, const struct pi_process *p);

#endif
