/* check_json — the health scans for scripts: one JSON document with the
 * tasks by state, the counts each scan keeps, and findings[] of the same
 * kinds and keys as a snapshot's, each with the facts behind it
 * ("details"). The keys are documented in pinspect(1), JSON OUTPUT. */
#ifndef PI_RENDER_CHECK_JSON_H
#define PI_RENDER_CHECK_JSON_H

#include "health/check.h"
#include "render/jsonw.h"

void pi_render_check_json(struct pi_jw *w, const struct pi_check *c);

#endif
