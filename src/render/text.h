/* text — the snapshot for people: sections of "label  value" lines and
 * tables. Every byte that came from the target is escaped, so a process
 * cannot write to the reader's terminal through its name. */
#ifndef PI_RENDER_TEXT_H
#define PI_RENDER_TEXT_H

#include "model.h"
#include "render/sections.h"
#include "util/buf.h"

/* Every section, whole. */
void pi_render_text(struct pi_buf *out, const struct pi_process *p);
/* The sections the view asks for, in their fixed order: the summary
 * first; the long ones cut where the view says. */
void pi_render_text_view(struct pi_buf *out, const struct pi_process *p,
			 const struct pi_text_view *view);

#endif
