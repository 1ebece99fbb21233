/* check_text — the health scans (--hung, --zombies, --deadlocks,
 * --check) for people: a headline, the tasks by state, then one section
 * per scan, each with its findings in a table and what to read next. */
#ifndef PI_RENDER_CHECK_TEXT_H
#define PI_RENDER_CHECK_TEXT_H

#include "health/check.h"
#include "util/buf.h"

void pi_render_check_text(struct pi_buf *b, const struct pi_check *c);

#endif
