/* render/sample — pinspect --sample's report: text (the hottest stacks by
 * state, by thread group, and how long threads were held), the folded
 * stacks flamegraph.pl, inferno and speedscope read, and JSON. Every name
 * came from the target and is escaped here. */
#ifndef PI_RENDER_SAMPLE_H
#define PI_RENDER_SAMPLE_H

#include <stdbool.h>

#include "render/jsonw.h"
#include "sample/sampler.h"
#include "util/buf.h"

/* full: every stack, not only the hottest of each kind. */
void pi_render_sample_text(struct pi_buf *b, const struct pi_sample_run *run, bool full);

/* One line a distinct stack: "thread;outermost;...;innermost COUNT", the
 * frames of a thread off the CPU ending in its kernel frames (marked
 * "_[k]") and a leaf "[off-cpu:WCHAN]" or "[D:WCHAN]". */
void pi_render_sample_folded(struct pi_buf *b, const struct pi_sample_run *run);

void pi_render_sample_json(struct pi_jw *w, const struct pi_sample_run *run);

#endif
