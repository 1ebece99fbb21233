/* text — the snapshot for people: sections of "label  value" lines and
 * tables. Every byte that came from the target is escaped, so a process
 * cannot write to the reader's terminal through its name. */
#ifndef PI_RENDER_TEXT_H
#define PI_RENDER_TEXT_H

#include "model.h"
#include "util/buf.h"

void pi_render_text(struct pi_buf *out, const struct pi_process *p);

#endif
